"""Discovering themes: group comments into candidate themes a researcher can read, name and
turn into codes, all on this machine.

`run` finds and stores them (scikit-learn, loaded only there), `views` shows them, `codes`
makes a theme into a code.
"""
