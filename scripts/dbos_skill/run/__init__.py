"""Running snippets: a fork-server worker, isolated processes, judged outcomes."""

from .pool import RunnerError, RunSettings, SnippetRunner

__all__ = ["RunnerError", "RunSettings", "SnippetRunner"]
