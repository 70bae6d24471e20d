"""Discovering themes: group comments into candidate themes a researcher can read, name and
turn into codes, all on this machine."""

from coder.discover.run import DiscoverOptions, discover, parse_themes

__all__ = ["DiscoverOptions", "discover", "parse_themes"]
