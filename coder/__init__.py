"""coder: a qualitative coding workbench for free-text survey comments."""

__version__ = "0.1.0"
