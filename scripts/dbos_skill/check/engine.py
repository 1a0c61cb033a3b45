"""One check run: source text -> ast -> module model -> families -> findings, filtered by selection and noqa.

`Checker` holds what a run shares across files: the selected codes, the families
that can report them, and the project-wide state (queue names) that is judged
after every file has been read.
"""

from __future__ import annotations

import ast
import gc
import io
import os
import re
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .finding import Finding
from .files import project_files
from .fix import apply_fixes
from .model import build_module, mentions_dbos
from . import noqa
from .registry import families_for

MAX_FIX_ROUNDS = 8
# How many files of the checked files' projects a project-wide check may read before it gives up (and stays silent).
MAX_OUTSIDE_FILES = 20_000


@dataclass
class FileOutcome:
    path: str
    findings: list[Finding] = field(default_factory=list)
    fixed: list[Finding] = field(default_factory=list)
    new_source: Optional[str] = None  # set when --fix changed the file


def read_source(file: Path) -> tuple[Optional[str], Optional[str]]:
    """The file's text decoded as Python decodes it (PEP 263), or why it cannot be read."""
    try:
        data = file.read_bytes()
    except OSError as error:
        return None, f"cannot read the file: {error.strerror or error}"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        return None, f"cannot decode the file: {error}"
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


class Checker:
    def __init__(self, codes: frozenset[str]) -> None:
        self.codes = codes
        self.module_families, self.project_families = families_for(codes)
        self.project_states = [(family, family.new_state()) for family in self.project_families]
        self._sources: dict[str, str] = {}
        self._files: dict[str, str] = {}  # display path -> the file on disk, for the files the run read from disk

    # -- one file --------------------------------------------------------------------------

    def _analyse(self, path: str, source: str, *, collect: bool) -> list[Finding]:
        try:
            tree = ast.parse(source, filename=path)
        except (SyntaxError, ValueError) as error:
            return [_syntax_finding(path, error)] if "DBOS999" in self.codes else []
        except (RecursionError, MemoryError) as error:  # the parser's own limits: `python FILE` fails the same way
            return [_too_deep(path, error, parsed=False)] if "DBOS999" in self.codes else []
        if not mentions_dbos(tree, source):
            return []
        module = None
        try:
            module = build_module(path, source, tree)
            module.codes = self.codes
            found: list[Finding] = []
            for family in self.module_families:
                found.extend(family.run(module))
            if collect:
                for family, state in self.project_states:
                    family.collect(module, state)
        except RecursionError as error:
            # A walk that recursed past the interpreter's limit: this file is not checked, every other one is.
            if collect:
                for family, state in self.project_states:
                    family.abandon(state)  # what it collected of this file may be partial: judge nothing on it
            return [_too_deep(path, error, parsed=True)] if "DBOS999" in self.codes else []
        finally:
            if module is not None:
                module.release()
        return self._keep(found, source) if found else found

    def _keep(self, findings: list[Finding], source: str) -> list[Finding]:
        """The selected findings that no `# noqa` comment on their line silences."""
        findings = [f for f in findings if f.code in self.codes]
        if not findings:
            return findings
        mentioning = noqa.lines_mentioning(source)
        if mentioning is not None and not any(f.line in mentioning for f in findings):
            return findings
        comments = noqa.comments(source)
        if comments is None:
            lines = _PHYSICAL_LINE.split(source)
            comments = {number: text for number, text in enumerate(lines, start=1) if "#" in text}
        return [f for f in findings if not noqa.suppressed(comments.get(f.line, ""), f.code)]

    def check_source(self, path: str, source: str, *, fix: bool = False, file: Optional[str] = None) -> FileOutcome:
        """Check one file (`file`: where it is on disk, when it is; its project is then read for what a
        project-wide check needs). The cyclic garbage collector is paused meanwhile: a file's trees and model
        hold no reference cycles once released, and its collections cost a tenth of the run."""
        if file is not None:
            self._files[path] = file
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._check_source(path, source, fix)
        finally:
            if paused:
                gc.enable()

    def _check_source(self, path: str, source: str, fix: bool) -> FileOutcome:
        outcome = FileOutcome(path)
        if fix:
            current = source
            for _ in range(MAX_FIX_ROUNDS):
                fixable = [f for f in self._analyse(path, current, collect=False) if f.fix]
                current, applied = apply_fixes(current, fixable)
                if not applied:
                    break
                outcome.fixed.extend(applied)
            if current != source:
                outcome.new_source = current
            source = current
        outcome.findings = self._analyse(path, source, collect=True)
        if self.project_states:
            self._sources[path] = source
        return outcome

    def unreadable(self, path: str, reason: str) -> FileOutcome:
        outcome = FileOutcome(path)
        if "DBOS998" in self.codes:
            outcome.findings.append(Finding(path=path, line=1, col=1, code="DBOS998", message=reason))
        return outcome

    # -- after every file --------------------------------------------------------------------

    def finish(self) -> list[Finding]:
        """Findings that need every checked file (unregistered queue names). When the checked files are a
        part of their projects (the pre-commit hook passes only the staged ones), the rest of those projects
        is read first for what the family still needs to know."""
        found: list[Finding] = []
        for family, state in self.project_states:
            undecided = family.undecided(state)
            on_disk = [self._files[path] for path in sorted(undecided) if path in self._files]
            if on_disk:
                self._read_outside(family, state, on_disk)
            for finding in family.finish(state):
                found.extend(self._keep([finding], self._sources.get(finding.path, "")))
        return found


    def _read_outside(self, family, state, files: list[str]) -> None:
        """Collect, from the unchecked files of the projects holding `files`, what `family` needs: only files whose
        bytes hold one of its hints are parsed. A hinted file that cannot be read, or a project too large to read,
        leaves the family unsure, and it stays silent."""
        checked = {os.path.realpath(f) for f in self._files.values()}
        paused = gc.isenabled()
        gc.disable()
        try:
            for count, file in enumerate(project_files(files), start=1):
                if count > MAX_OUTSIDE_FILES:
                    family.abandon(state)
                    return
                if os.path.realpath(file) in checked or not os.path.isfile(file):  # not a pipe that never ends
                    continue
                try:
                    with open(file, "rb") as handle:
                        data = handle.read()
                except OSError:
                    family.abandon(state)
                    return
                if not any(hint in data for hint in family.OUTSIDE_HINTS):
                    continue
                module = None
                try:
                    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
                    source = data.decode(encoding).lstrip("\ufeff")
                    module = build_module(file, source, ast.parse(source, filename=file))
                    family.collect_outside(module, state)
                except (SyntaxError, ValueError, LookupError, UnicodeDecodeError, RecursionError, MemoryError):
                    family.abandon(state)
                    return
                finally:
                    if module is not None:
                        module.release()
        finally:
            if paused:
                gc.enable()


# Python ends a physical line at \r\n, \r or \n only (str.splitlines also splits at \f, \x1c, \u2028, ...).
_PHYSICAL_LINE = re.compile(r"\r\n|\r|\n")


def _grammar() -> str:
    return f"Python {sys.version_info[0]}.{sys.version_info[1]}"


def _syntax_finding(path: str, error: Exception) -> Finding:
    """The file does not parse. The checker parses with the Python that runs it, so the message names that
    Python: `type X = int` is a syntax error to Python 3.11 and fine to 3.12."""
    help = "fix the syntax error, or run the checker with the Python the code is written for; no other check can run on this file"
    if isinstance(error, SyntaxError):
        line = error.lineno or 1
        col = error.offset or 1
        message = f"the file does not parse with {_grammar()}'s grammar: {error.msg}"
        return Finding(path=path, line=line, col=max(col, 1), code="DBOS999", message=message, help=help)
    return Finding(path=path, line=1, col=1, code="DBOS999", message=f"the file does not parse with {_grammar()}'s grammar: {error}", help=help)


def _too_deep(path: str, error: BaseException, *, parsed: bool) -> Finding:
    """An expression nested too deeply (a 3,000-term sum, a long attribute chain) for the parser or for a walk of the checker."""
    reason = str(error) or type(error).__name__
    if parsed:
        message = f"the file nests too deeply for the checker to analyse on {_grammar()} ({reason}), so no check ran on it"
    else:
        message = f"the file does not parse with {_grammar()}'s parser: an expression nests too deeply ({reason})"
    return Finding(path=path, line=1, col=1, code="DBOS999", message=message,
                   help="split the deeply nested expression into smaller statements; no other check can run on this file")


def check_snippet(path: str, source: str, codes: frozenset[str]) -> list[Finding]:
    """Every finding of `codes` in one piece of source, project-wide checks included (the validator's entry point)."""
    checker = Checker(codes)
    findings = checker.check_source(path, source).findings
    return sorted(findings + checker.finish(), key=lambda f: f.sort_key)
