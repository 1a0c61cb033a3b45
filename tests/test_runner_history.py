"""Longest first: the previous run's durations, kept in the cache directory, order the next run."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import FIXTURES, validate_json
from dbos_skill.run.history import Durations, cache_dir


def test_longest_known_first_then_unknown_first_of_all(tmp_path: Path) -> None:
    durations = Durations(tmp_path / "d.json")
    for name, seconds in (("a", 0.2), ("b", 3.0), ("c", 1.0)):
        durations.record(name, seconds)
    durations.save()
    again = Durations(tmp_path / "d.json")
    assert again.longest_first([(0, "a"), (1, "b"), (2, "new"), (3, "c")]) == [2, 1, 3, 0]


def test_an_unreadable_or_unwritable_cache_only_loses_the_order(tmp_path: Path) -> None:
    (tmp_path / "d.json").write_text("{not json")
    durations = Durations(tmp_path / "d.json")
    assert durations.longest_first([(0, "a"), (1, "b")]) == [0, 1]
    blocked = tmp_path / "file"
    blocked.write_text("")
    unwritable = Durations(blocked / "sub" / "d.json")
    unwritable.record("a", 1.0)
    unwritable.save()  # no error


def test_a_run_records_its_durations_in_the_cache_directory_not_the_bundle(durations_cache: Path, example_options: tuple[str, ...]) -> None:
    assert cache_dir() == durations_cache
    validate_json(FIXTURES / "run-hang", "--timeout", "2", *example_options)
    recorded = json.loads((durations_cache / "durations.json").read_text())
    assert recorded and all(isinstance(v, float) for v in recorded.values())
