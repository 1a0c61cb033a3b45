"""The stable diagnostic codes: one line of meaning and a severity each.

Codes never change meaning once published; retired codes are not reused.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Severity


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    meaning: str


_E = Severity.ERROR
_W = Severity.WARNING

CODES: dict[str, Code] = {
    c.code: c
    for c in [
        # Bundle layout and file encoding
        Code("B001", _E, "SKILL.md is missing from the bundle"),
        Code("B002", _E, "the references/ directory is missing"),
        Code("B003", _E, "the sections file references/_sections.md is missing"),
        Code("B004", _E, "a path is not the kind of file the bundle needs there (a directory, a broken symlink, a symlink loop)"),
        Code("B005", _E, "a symlink points outside the bundle"),
        Code("B006", _E, "a file is not valid UTF-8"),
        Code("B007", _E, "a file starts with a UTF-8 byte order mark"),
        Code("B008", _E, "a file is empty"),
        Code("B009", _E, "a markdown file is over 1 MiB, so it is not read"),
        # Frontmatter
        Code("F001", _E, "the file does not start with YAML frontmatter (---)"),
        Code("F002", _E, "the frontmatter is not closed by a --- line"),
        Code("F003", _E, "the frontmatter is not valid YAML"),
        Code("F004", _E, "the frontmatter is not a mapping"),
        Code("F005", _E, "a frontmatter key appears twice"),
        Code("F006", _E, "a required frontmatter key is missing"),
        Code("F007", _E, "a frontmatter value has the wrong type"),
        Code("F008", _W, "a rule's frontmatter has a key the format does not define"),
        # SKILL.md (Agent Skills specification)
        Code("S001", _E, "SKILL.md frontmatter has a key the Agent Skills spec does not allow"),
        Code("S002", _E, "the skill name breaks the Agent Skills naming rules"),
        Code("S003", _W, "the skill name differs from the bundle directory's name"),
        Code("S004", _E, "the description is empty, too long, or contains < or >"),
        Code("S005", _E, "the SKILL.md body is over 500 lines"),
        Code("S006", _E, "the SKILL.md body is over 5,000 estimated tokens"),
        Code("S007", _E, "compatibility or metadata break the Agent Skills spec"),
        Code("S008", _E, "SKILL.md has no priority table"),
        Code("S009", _E, "the SKILL.md priority table differs from the sections file"),
        # Sections file
        Code("P001", _E, "the sections file has no well-formed sections table"),
        Code("P002", _E, "two sections share a priority"),
        Code("P003", _E, "section priorities are not 1..N without gaps"),
        Code("P004", _E, "two sections share a prefix or name"),
        Code("P005", _E, "an impact is not one of the six levels"),
        Code("P006", _E, "an impact rises as the priority number grows"),
        # Rule files
        Code("R001", _E, "a rule file's prefix is not a declared section"),
        Code("R002", _E, "a rule's impact is not a known level or differs from its section's"),
        Code("R003", _E, "a rule's first ## heading is missing or differs from its title"),
        Code("R004", _E, "a rule has no Incorrect python example"),
        Code("R005", _E, "a rule has no Correct python example"),
        Code("R006", _E, "a code fence declares no language"),
        Code("R007", _E, "a python fence does not parse as Python"),
        Code("R008", _E, "a code fence is never closed"),
        Code("R009", _E, "a python fence's attributes are invalid or contradict its label"),
        Code("R010", _E, "an Incorrect example does not declare how its mistake shows"),
        Code("R011", _E, "a rule has no Reference: link to docs.dbos.dev"),
        Code("R012", _E, "a fence looks like Python but its language is not `python`, so it is not run"),
        Code("R013", _E, "code outside a fence (indented, or inside an HTML block) is not run"),
        Code("R014", _E, "an Incorrect or Correct label has no code block under it"),
        Code("R015", _E, "no rule file has a labelled python example (the bundle follows other habits)"),
        # Index coverage
        Code("I001", _E, "a rule file is not routed from SKILL.md"),
        Code("I002", _E, "SKILL.md routes to a rule file that does not exist"),
        # Links
        Code("L001", _E, "a relative link points to a file that does not exist"),
        Code("L002", _E, "a link leaves the bundle"),
        Code("L003", _E, "a link's #anchor names no heading in its target"),
        # Static DBOS API check
        Code("A001", _E, "a name imported from dbos does not exist"),
        Code("A002", _E, "an attribute of DBOS does not exist"),
        Code("A003", _E, "a keyword argument is not in the dbos signature"),
        Code("A004", _E, "a key of DBOSConfig or another dbos TypedDict does not exist"),
        # The tie to `dbos-skill check`
        Code("K001", _E, "an Incorrect example's declared check= codes differ from what the checker reports"),
        Code("K002", _E, "a check= code names no check"),
        Code("K003", _E, "the checker reports a finding on an example that must be clean (once the bundle declares check=)"),
        Code("K004", _E, "a check enforces a rule file that is not in the bundle (once the bundle declares check=)"),
        Code("K005", _E, "an Incorrect example of a rule a check enforces declares neither check= nor unchecked (once the bundle declares check=)"),
        # Size
        Code("Z001", _W, "a rule file is over 300 lines"),
        # Snippet runs
        Code("X001", _E, "an example that must pass failed"),
        Code("X002", _E, "an example ran past its time limit and was killed"),
        Code("X003", _E, "an example that must pass made DBOS or Python warn"),
        Code("X004", _E, "an Incorrect example did not raise its declared exception"),
        Code("X005", _E, "an Incorrect example raised a different exception"),
        Code("X006", _E, "a runs-but-wrong or warns example crashed"),
        Code("X007", _E, "a warns example ran without any warning"),
        Code("X008", _E, "an example left a process running"),
        Code("X009", _E, "an example declared logs= but nothing matching was logged"),
        Code("X010", _E, "the environment cannot run the examples, so none was run"),
        Code("X011", _E, "the snippet worker died while an example ran alone (the example killed its parent process)"),
    ]
}


def severity_of(code: str) -> Severity:
    return CODES[code].severity
