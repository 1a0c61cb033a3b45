"""Relative links resolve to a file inside the bundle, and #anchors to a heading there."""

from __future__ import annotations

from ..diagnostics import diag
from ..links import resolve_link
from ..model import Bundle, Diagnostic
from ..snippets import documents
from .coverage import routed_paths


def check_links(bundle: Bundle) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    routes = set(routed_paths(bundle))
    for document in documents(bundle):
        for link in document.links:
            target = resolve_link(document.path, link.target)
            if target is None:
                continue
            where = {"col": link.col}
            landing = bundle.link_targets.get(target.path) if target.path else None
            if landing is not None and landing.state == "reported":
                continue  # B004 or B005 names the file or directory the link goes into
            if landing is None or landing.state == "outside":
                problems.append(diag("L002", document.path, link.line, f"link `{link.target}` leaves the bundle", **where))
            elif landing.state == "missing":
                if not (document is bundle.skill and target.path in routes):
                    problem = f"is {landing.why}" if landing.why else "does not exist"
                    problems.append(diag("L001", document.path, link.line, f"link target `{link.target}` {problem}", **where))
            elif target.anchor and landing.anchors is not None and target.anchor not in landing.anchors:
                problems.append(
                    diag("L003", document.path, link.line, f"`#{target.anchor}` names no heading in `{target.path}`", **where)
                )
    return problems

