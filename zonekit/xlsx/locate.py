"""Which file of a packet holds each form: found by what it is, not by what it is called.

People rename their copy (信息表-最终版.xlsx), save it as .xls or .ods, or drop it in the wrong
folder. For each form zonekit looks at the workbooks in that form's material folder (failing
that, anywhere in the packet) and takes the one whose defined names or labels are the form's.
The common case, one workbook in the folder, costs a directory listing and nothing more.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zonekit.findings import Problem
from zonekit.packet import CHECKLIST
from zonekit.xlsx.form_reader import looks_like
from zonekit.xlsx.reader import WORKBOOK_SUFFIXES, ReadProblem, Workbook, open_workbook

MAX_LOOKED_AT = 40  # workbooks opened in the whole packet when a form is in none of its own folder's
MAX_LISTED = 20_000  # directory entries walked in that search


@dataclass
class Located:
    """Where a form is: `rel` (relative to the packet) and the workbook if it had to be opened to
    tell; or no file, with the findings that say why."""

    rel: str | None = None
    workbook: Workbook | None = None
    findings: list[Problem] = field(default_factory=list)
    elsewhere: bool = False  # found outside the form's own material folder


def workbooks_in(folder: Path) -> list[Path]:
    """Regular files with a workbook suffix, sorted; no symlinks, FIFOs or office lock files (~$a.xlsx)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    return sorted(Path(e.path) for e in entries
                  if e.name.lower().endswith(WORKBOOK_SUFFIXES) and not e.name.startswith(("~$", ".~lock", "."))
                  and e.is_file(follow_symlinks=False))


def locate_form(form: dict[str, Any], folder: str | None, root: Path, taken: set[str]) -> Located:
    """The file holding `form`, whose material folder is `folder` (None: the packet root).
    `taken` are files other forms already hold."""
    home = root / folder if folder else root
    expected = home / form["file"]
    if expected.is_symlink():
        return Located(_rel(expected, root))  # the form check reports the symlink, and never follows it
    candidates = [p for p in workbooks_in(home) if _rel(p, root) not in taken and _rel(p, root) != CHECKLIST]
    if len(candidates) == 1:
        return Located(_rel(candidates[0], root))
    if candidates:
        return _pick(form, candidates, root, expected)
    found = _pick(form, list(_packet_workbooks(root, home, taken)), root, None) if folder else Located()
    if found.rel:
        found.elsewhere = True
        where = str(Path(found.rel).parent)
        found.findings.append(Problem("form_elsewhere", {"name": _name(form), "where": where, "folder": folder},
                                      file=found.rel, source=form.get("source")))
        return found
    if found.findings:
        return found
    return Located(None, findings=[Problem(
        "file_missing", {"name": _name(form), "folder": folder}, "no_workbook" if folder else "no_workbook_packet",
        hint="init",
        file=_rel(expected, root), source=form.get("source"))])


def _pick(form: dict[str, Any], paths: list[Path], root: Path, expected: Path | None) -> Located:
    """Open each workbook in `paths` and keep the ones that are `form`."""
    matches: list[tuple[Path, Workbook]] = []
    unreadable: list[tuple[Path, ReadProblem]] = []
    for path in paths[:MAX_LOOKED_AT]:
        try:
            wb = open_workbook(path)
            if looks_like(wb, form):
                matches.append((path, wb))
        except ReadProblem as e:
            unreadable.append((path, e))
    if len(matches) == 1:
        return Located(_rel(matches[0][0], root), matches[0][1])
    if matches:
        names = "、".join(_rel(p, root) for p, _ in matches)
        return Located(None,
                       findings=[Problem("form_ambiguous", {"n": len(matches), "name": _name(form), "names": names},
                                               file=_rel(matches[0][0], root), source=form.get("source"))])
    if unreadable:
        return Located(None, findings=[_in_file(e.problem, _rel(p, root), form) for p, e in unreadable])
    if expected is not None and expected.is_file():
        return Located(_rel(expected, root))  # several workbooks, none recognised: the one named as the form says why
    if paths and expected is not None:
        names = "、".join(_rel(p, root) for p in paths[:5])
        return Located(None, findings=[Problem("file_missing", {"name": _name(form), "names": names}, "none_is",
                                               file=_rel(paths[0], root), source=form.get("source"))])
    return Located()


def _packet_workbooks(root: Path, skip: Path, taken: set[str]) -> Iterator[Path]:
    """Workbooks anywhere in the packet (not following symlinks), except in `skip` and those `taken`."""
    listed = 0
    for dirpath, dirnames, _files in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        listed += len(dirnames) + len(_files)
        if listed > MAX_LISTED:
            return
        if here == skip:
            continue
        for p in workbooks_in(here):
            if _rel(p, root) not in taken and _rel(p, root) != CHECKLIST:  # the checklist is zonekit's, never a form
                yield p


def _in_file(problem: Problem, rel: str, form: dict[str, Any]) -> Problem:
    """A workbook's problem said of its place in the packet: the locator looked at it for `form`."""
    zh, en = problem.texts()
    return Problem(problem.code, {"rel": rel, "zh": zh, "en": en}, "in_file", file=rel, source=form.get("source"))


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _name(form: dict[str, Any]) -> str:
    return (form.get("attachment", "").rstrip("：:") + " " + form["title"]).strip()
