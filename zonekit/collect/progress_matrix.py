"""The indicator × reporting-unit matrix and the units that have not reported (钱塘江 附件4).

For indicator sheets with `progress`: each indicator (spec order) × each reporting unit, with the
unit's latest packet — its latest value and completion. For forms filtered by unit (`filter_by`):
the responsible units named in their rows that have sent no packet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zonekit.collect.packets import PacketRow, as_score, as_text, match_key
from zonekit.spec.programme import Programme


@dataclass
class MatrixCell:
    """One unit's figure for one indicator: the value of the latest year reported (≤ the report year)."""

    packet: str
    report_year: int
    year: int | None
    value: float | None
    actual: float | None  # what progress judges (the sum so far for 累计 …)
    completion: float | None
    status: str  # progress.STATUS_TEXT keys


@dataclass
class MatrixRow:
    id: str
    number: str
    indicator: str
    unit: str
    target: str
    cells: dict[str, MatrixCell] = field(default_factory=dict)  # reporting unit -> cell
    target_en: str = ""  # `target` in English: "≥ CNY 4 trillion", "a rise each year ≥ 1 percentage point"


@dataclass
class ProgressMatrix:
    """Indicators × reporting units of one indicator sheet with `progress` (钱塘江 附件4)."""

    programme: str
    form: str
    sheet: str
    title: str
    source: str
    units: list[str]
    rows: list[MatrixRow]
    source_en: str = ""  # the spec's English of `source`, else `source`

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        """The matrix; with `lang` "en" also `source_en` and each row's `target_en`."""
        out: dict[str, Any] = {
            "programme": self.programme, "form": self.form, "title": self.title, "source": self.source,
            "units": self.units,
            "rows": [{"id": r.id, "number": r.number, "indicator": r.indicator, "unit": r.unit, "target": r.target,
                      "cells": {u: {"packet": c.packet, "report_year": c.report_year, "year": c.year,
                                    "value": c.value, "actual": c.actual, "completion": c.completion,
                                    "status": c.status}
                                for u, c in r.cells.items()}} for r in self.rows]}
        if lang == "en":
            out["source_en"] = self.source_en
            for d, r in zip(out["rows"], self.rows, strict=True):
                d["target_en"] = r.target_en
        return out


@dataclass
class Reporting:
    """Which responsible units (named in the rows of `filter_by` forms) have sent a packet."""

    programme: str
    source: str
    expected: list[str]
    reported: list[str]
    not_reported: list[str]
    rows: dict[str, dict[str, int]]  # unit -> {form sheet: rows it is responsible for}
    forms: list[str]  # the sheets counted in `rows`, in order
    other: list[str]  # names in the rows that are not units that can report ("试点市政府")
    source_en: str = ""  # `source` in English: each source's `source_en` where the spec gives one

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        """Who has reported; with `lang` "en" also `source_en`."""
        out: dict[str, Any] = {"programme": self.programme, "source": self.source, "expected": self.expected,
                               "reported": self.reported, "not_reported": self.not_reported,
                               "rows": {u: self.rows.get(u, {}) for u in self.not_reported}, "other": self.other}
        if lang == "en":
            out["source_en"] = self.source_en
        return out


# ------------------------------------------------------------------ progress matrix and units that have not reported
def _unit_field(prog: Programme, form: dict[str, Any]) -> tuple[str, list[str]]:
    """The packet.toml [applicant] key naming a packet's reporting unit, and the units it allows (spec order)."""
    key = (form.get("filter_by") or {}).get("applicant") or "name"
    spec = next((a for a in prog.section("applicant") if a["key"] == key), {})
    return key, [str(v) for v in spec.get("values", [])]


def _canonical(name: str, allowed: list[str]) -> str:
    """A unit as the spec spells it when it is one of the allowed values (spaces, brackets ignored)."""
    return next((a for a in allowed if match_key(a) == match_key(name)), name)


def progress_matrices(rows: list[PacketRow], progs: list[Programme]) -> list[ProgressMatrix]:
    """For every indicator sheet with `progress`: each indicator (spec order) × each reporting unit (the
    packet's unit, in the order of the applicant field's values), with that unit's latest packet
    (highest report year, then the later one given) — its latest value and completion."""
    return [_progress_matrix(rows, prog, form) for prog in progs for form in prog.forms if form.get("progress")]


def _progress_matrix(rows: list[PacketRow], prog: Programme, form: dict[str, Any]) -> ProgressMatrix:
    cfg = form["progress"]
    latest = _latest_by_unit(rows, prog, form)
    units = _matrix_units(form, latest)
    cells: dict[str, dict[str, MatrixCell]] = {}
    for u in units:
        r = latest[u]
        for fid, rid, *figures in r.progress:
            if fid == form["id"]:
                cells.setdefault(rid, {})[u] = MatrixCell(r.packet, *figures)
    matrix_rows = [_matrix_row(form, s, cells.get(s["id"], {})) for s in form.get("rows", [])]
    source = cfg.get("source") or form.get("source", "")
    return ProgressMatrix(prog.id, form["id"], form.get("sheet") or form["id"], form.get("title", ""),
                          source, units, matrix_rows, prog.sources_en().get(source, source))


def _latest_by_unit(rows: list[PacketRow], prog: Programme, form: dict[str, Any]) -> dict[str, PacketRow]:
    """reporting unit -> its latest readable packet of `prog` (highest report year, then the later one given)."""
    key, allowed = _unit_field(prog, form)
    latest: dict[str, tuple[tuple[int, int], PacketRow]] = {}
    for r in rows:
        if r.programme != prog.id or not r.ok:
            continue
        unit = _canonical(as_text(r.applicant.get(key)) or "（未填写单位）", allowed)
        mine = [e for e in r.progress if e[0] == form["id"]]
        year = mine[0][2] if mine else _as_int(r.value(form["progress"]["report_year"]))
        order = (year or 0, r.index)
        if unit not in latest or order > latest[unit][0]:
            latest[unit] = (order, r)
    by_allowed = [u for u in allowed if u in latest] + [u for u in latest if u not in allowed]
    return {u: latest[u][1] for u in by_allowed}


def _matrix_units(form: dict[str, Any], latest: dict[str, PacketRow]) -> list[str]:
    """The units with a column: all that reported, but under `filter_by` only those responsible for a row
    of this sheet (or whose packet has progress for it)."""
    from zonekit.xlsx.rowfilter import is_responsible

    if not form.get("filter_by"):
        return list(latest)
    specs = form.get("rows", [])
    return [u for u, r in latest.items() if any(is_responsible(form, u, s) for s in specs)
            or any(e[0] == form["id"] for e in r.progress)]


def _matrix_row(form: dict[str, Any], spec: dict[str, Any], cells: dict[str, MatrixCell]) -> MatrixRow:
    """An indicator as the spec states it (number, name, unit, target in progress's words) with the units' cells."""
    from zonekit.check.indicators import IndicatorProgress, target_text

    cfg, given = form["progress"], spec.get("cells", {})

    def cell(name: str) -> Any:
        return given.get(cfg.get(name) or "")

    p = IndicatorProgress(form["id"], spec["id"], as_text(cell("number")), as_text(cell("label")) or spec["id"],
                          as_text(cell("unit")) or spec.get("unit", ""), as_text(cell("comparator")) or "≥",
                          as_score(cell("target")), None, None, "", 0, 0)
    return MatrixRow(spec["id"], p.number, p.indicator, p.unit, target_text(p), cells, target_text(p, "en"))


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = as_text(value)
    return int(text) if text.isdigit() else None


def reporting(rows: list[PacketRow], progs: list[Programme]) -> Reporting | None:
    """Every responsible unit named in the rows of the forms filtered by unit (`filter_by`), minus the units
    of the collected packets (readable or not: they did send something). A name that is not one of the
    applicant field's allowed values cannot send a packet under that name ("试点市政府": whichever city
    is approved) and is listed apart."""
    primary = progs[0]
    forms = [f for f in primary.forms if f.get("filter_by") and f.get("rows")]
    if not forms:
        return None
    key, allowed = _unit_field(primary, forms[0])
    named = _named_units(forms, allowed)
    expected = [u for u in allowed if u in named] if allowed else list(named)
    sent = _sent_units(rows, progs, key)
    sources = dict.fromkeys(f["filter_by"].get("source") or f.get("source", "") for f in forms)
    sources_en = primary.sources_en()
    return Reporting(primary.id, "、".join(s for s in sources if s), expected,
                     [u for u in expected if match_key(u) in sent], [u for u in expected if match_key(u) not in sent],
                     named, [f.get("sheet") or f["id"] for f in forms], [u for u in named if u not in expected],
                     "; ".join(sources_en.get(s, s) for s in sources if s))


def _sent_units(rows: list[PacketRow], progs: list[Programme], key: str) -> set[str]:
    """The match keys of the units that sent a packet of the round (readable or not)."""
    ids = {p.id for p in progs}
    return {match_key(r.applicant.get(key)) for r in rows if r.programme in ids and as_text(r.applicant.get(key))}


def _named_units(forms: list[dict[str, Any]], allowed: list[str]) -> dict[str, dict[str, int]]:
    """unit -> {sheet: rows naming it as responsible}, over the `filter_by` column of every row of `forms`."""
    from zonekit.xlsx.rowfilter import unit_list

    named: dict[str, dict[str, int]] = {}
    for form in forms:
        col, sheet = form["filter_by"]["column"], form.get("sheet") or form["id"]
        for s in form["rows"]:
            for name in dict.fromkeys(_canonical(n, allowed) for n in unit_list(s.get("cells", {}).get(col))):
                per = named.setdefault(name, {})
                per[sheet] = per.get(sheet, 0) + 1
    return named
