"""Run the command line as `python -m coder`."""

from coder.cli import main

main()
