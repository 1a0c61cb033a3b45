"""Validator for the dbos-python Agent Skills bundle."""

# The single source of the version: pyproject.toml reads it, and an installed skill copy carries it.
__version__ = "0.1.0"
