"""Errors that end a command with a message instead of a report."""

from __future__ import annotations


class UsageError(Exception):
    """A problem with how the command was called (exit code 2)."""
