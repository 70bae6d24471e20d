"""The coding workbench: a Textual terminal UI over the domain layer."""
