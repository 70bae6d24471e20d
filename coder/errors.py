"""The one exception type the faces turn into a one-line message for the user."""


class CoderError(Exception):
    """A problem the user can fix: bad input, a missing file, an unknown code.

    The message is shown as it is, on one line, with no traceback.
    """
