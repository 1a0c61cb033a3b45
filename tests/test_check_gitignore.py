"""The .gitignore matcher: the patterns people write, matched as git matches them."""

from __future__ import annotations

import pytest

from dbos_skill.check.gitignore import IgnoreFile, is_ignored


@pytest.mark.parametrize(
    "pattern, path, is_dir, ignored",
    [
        ("*.pyc", "a/b/c.pyc", False, True),
        ("*.pyc", "a/b/c.py", False, False),
        ("build/", "build", True, True),
        ("build/", "build", False, False),  # a file named build is not the directory
        ("build/", "src/build", True, True),
        ("/build", "build", True, True),
        ("/build", "src/build", True, False),  # anchored to the .gitignore's directory
        ("docs/*.py", "docs/conf.py", False, True),
        ("docs/*.py", "docs/api/conf.py", False, False),  # * does not cross /
        ("docs/*.py", "src/docs/conf.py", False, False),  # a middle / anchors too
        ("**/gen", "a/b/gen", True, True),
        ("**/gen", "gen", True, True),
        ("gen/**", "gen/a/b.py", False, True),
        ("a/**/z.py", "a/z.py", False, True),
        ("a/**/z.py", "a/b/c/z.py", False, True),
        ("test_?.py", "test_a.py", False, True),
        ("test_?.py", "test_ab.py", False, False),
        ("[abc].py", "b.py", False, True),
        ("[!abc].py", "b.py", False, False),
        ("[!abc].py", "d.py", False, True),
        ("\\#notes.py", "#notes.py", False, True),
        ("# a comment", "# a comment", False, False),
        ("trailing.py   ", "trailing.py", False, True),
    ],
)
def test_one_pattern(pattern: str, path: str, is_dir: bool, ignored: bool) -> None:
    assert is_ignored([IgnoreFile("", [pattern])], path, is_dir) is ignored


def test_the_last_matching_pattern_wins_and_negation_re_includes() -> None:
    rules = IgnoreFile("", ["*.py", "!keep.py", "keep.py", "!keep.py"])
    assert is_ignored([rules], "x.py", False)
    assert not is_ignored([rules], "keep.py", False)


def test_a_deeper_gitignore_overrides_a_shallower_one() -> None:
    stack = [IgnoreFile("/repo", ["*.py"]), IgnoreFile("/repo/src", ["!main.py"])]
    assert not is_ignored(stack, "/repo/src/main.py", False)
    assert is_ignored(stack, "/repo/src/other.py", False)
    assert is_ignored(stack, "/repo/main.py", False)


def test_patterns_only_apply_below_their_directory() -> None:
    stack = [IgnoreFile("/repo/src", ["*.py"])]
    assert not is_ignored(stack, "/repo/main.py", False)
    assert not is_ignored(stack, "/repo/srcx/main.py", False)
