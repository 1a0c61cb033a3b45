"""Validator for the dbos-python Agent Skills bundle."""
