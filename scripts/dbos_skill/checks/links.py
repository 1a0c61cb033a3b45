"""Relative links resolve to a file inside the bundle, and #anchors to a heading there."""

from __future__ import annotations

from typing import Mapping

from ..diagnostics import diag
from ..links import resolve_link
from ..model import Bundle, Diagnostic
from ..snippets import documents
from .coverage import routed_paths


def check_links(bundle: Bundle, anchors: Mapping[str, frozenset[str]]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    routes = set(routed_paths(bundle))
    for document in documents(bundle):
        for link in document.links:
            target = resolve_link(document.path, link.target)
            if target is None:
                continue
            where = {"col": link.col}
            if target.path is None or _leaves(target.path, bundle.outside_paths):
                problems.append(diag("L002", document.path, link.line, f"link `{link.target}` leaves the bundle", **where))
            elif target.path not in bundle.existing_paths:
                if not (document is bundle.skill and target.path in routes):
                    problems.append(diag("L001", document.path, link.line, f"link target `{link.target}` does not exist", **where))
            elif target.anchor and target.path in anchors and target.anchor not in anchors[target.path]:
                problems.append(
                    diag("L003", document.path, link.line, f"`#{target.anchor}` names no heading in `{target.path}`", **where)
                )
    return problems


def _leaves(path: str, outside: frozenset[str]) -> bool:
    parts = path.split("/")
    return any("/".join(parts[: i + 1]) in outside for i in range(len(parts)))
