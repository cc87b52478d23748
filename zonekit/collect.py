"""`zonekit collect`: the reviewing office's side — many packets in, one workbook's worth of data out.

Inputs are packet folders, folders holding packets, and zip files of packets (extracted into a
temporary folder, refusing anything that could escape it or blow it up). Every packet is checked
with `check_packet`, in worker processes with `jobs > 1`; the work function returns a small
`PacketRow` (summary figures plus the table rows the cross-packet sheets need), never the report.
A packet that cannot be read is a row with its error, never the end of the run.

Across packets, everything is derived from the programme spec, not from Python constants:
- summary columns: every numeric field of the record forms, their name/address fields, the
  fields quotas group by, any `rank_by` fact and the score a condition classifies into bands;
- conflicts, by hash joins (one dict per kind keyed by the normalised value, so linear in rows):
  `unique` table columns (统一社会信用代码, enterprise name), the record form's name and address,
  a record name or address found in another packet's table column that a `matches` consistency
  rule ties to the record name (a building inside a base), phone/email fields across applicants;
- verification sheets from `[[verification]]`, quotas and ranking from `[[quotas]]` (limits per
  group, informational counts, a target such as "about 10" with its gap, `where` filters, `groups`
  by name prefix), score bands from the `bands` of a condition on the ranked fact;
- for indicator sheets with `progress` (钱塘江): a matrix of indicators × reporting units with each
  unit's latest values and completion, and the responsible units (`filter_by`) that have not reported.

Packets of several programmes may be collected together only when their forms are identical
(the Shenzhen base, building and district programmes share theirs): one "round".
Nothing here prints; `collect_xlsx` writes the workbook and `render.collect_result` the summary.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .errors import SpecError, ZonekitError
from .forms_read import norm_label
from .packet import PACKET_FILE, read_packet
from .spec import Programme, load_programme


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip().isdigit() else default


MAX_ZIP_BYTES = _env_int("ZONEKIT_MAX_ZIP_MB", 500) * 1024 * 1024  # all members of one zip, uncompressed
MAX_ZIP_ENTRIES = _env_int("ZONEKIT_MAX_ZIP_ENTRIES", 20000)
MAX_ZIP_RATIO = 250  # uncompressed / compressed for one member above 1 MB: a zip bomb, as in xlsx_read
_RATIO_FROM = 1024 * 1024
_NUMERIC = ("number", "integer", "percent")
_CONTACT = ("phone", "email")
STAGE = "检查材料包"
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}

Tick = Callable[[str, int, int], None]


# ------------------------------------------------------------------ result data
@dataclass
class Column:
    """A summary column: `ref` is a fact name (application.total_building_area, packet.applicant.district)."""

    ref: str
    label: str


@dataclass
class TableRows:
    """The rows of one table form that the cross-packet sheets need: (Excel row, value per key)."""

    file: str
    sheet: str | None
    keys: tuple[str, ...]
    letters: dict[str, str]
    rows: list[tuple[Any, ...]]

    def cell(self, key: str, row: int) -> str | None:
        return f"{self.letters[key]}{row}" if key in self.letters else None


@dataclass
class PacketRow:
    """One packet: what the worker returns (small and picklable) and what the 汇总 sheet shows."""

    index: int
    packet: str  # the path as given (inside a zip: "x.zip/folder")
    programme: str | None = None
    applicant: dict[str, Any] = field(default_factory=dict)  # packet.toml [applicant]: text, numbers, yes/no
    error: str | None = None  # why the packet could not be read
    counts: dict[str, int] = field(default_factory=dict)
    eligibility: str = ""  # 符合 / 不符合 / 无法判断 …
    path: str = ""  # how the conditions are met, or what is missing
    values: dict[str, Any] = field(default_factory=dict)  # ref -> typed value (raw text when unreadable)
    cells: dict[str, tuple[str, str | None, str | None]] = field(default_factory=dict)  # ref -> (file, sheet, cell)
    tables: dict[str, TableRows] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)  # material id -> file names in its folder
    progress: list[tuple[Any, ...]] = field(default_factory=list)  # (form, row id, MatrixCell fields but packet)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def name(self) -> str:
        return _text(self.applicant.get("name"))

    def value(self, ref: str) -> Any:
        if ref.startswith("packet.applicant."):
            value = self.applicant.get(ref.rsplit(".", 1)[1])
            return None if value == "" else value
        return self.values.get(ref)

    def to_json(self, columns: list[Column]) -> dict[str, Any]:
        return {"index": self.index + 1, "packet": self.packet, "programme": self.programme, "applicant": self.name,
                "values": {c.ref: self.value(c.ref) for c in columns}, "errors": self.counts.get("error") if self.ok else None,
                "warnings": self.counts.get("warning") if self.ok else None,
                "infos": self.counts.get("info") if self.ok else None,
                "eligibility": self.eligibility, "path": self.path, "error": self.error}


@dataclass
class Where:
    packet: int  # index into CollectResult.packets
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None

    def text(self) -> str:
        place = " ".join(p for p in (self.file, self.cell) if p)
        return place + (f"（第{self.row}行）" if self.row else "")


@dataclass
class Conflict:
    kind: str  # the field it is about: enterprises.uscc, application.name, inside.application.name, contact.phone
    label: str
    severity: str  # warning | info
    value: str
    a: Where
    b: Where
    source: str
    note: str = ""


@dataclass
class VerificationSheet:
    sheet: str
    to: str
    title: str
    source: str
    note: str
    header: list[str]
    rows: list[list[Any]]


@dataclass
class QuotaRow:
    programme: str
    label: str
    source: str
    scope: str
    scope_label: str
    value: str
    count: int
    max: int | None
    min: int | None
    status: str  # limit: 符合 / 超出名额 / 少于下限; info: 提示; target: 与目标一致 / 比目标多N个 / 比目标少N个
    packets: list[str]
    kind: str = "limit"  # limit | info | target
    target: int | None = None
    note: str = ""

    @property
    def flagged(self) -> bool:
        return self.kind == "limit" and self.status != "符合"

    @property
    def gap(self) -> int | None:
        """kind target: how far the count is from the target (positive: more)."""
        return self.count - self.target if self.target is not None else None


@dataclass
class RankRow:
    quota: str
    rank: int | None
    packet: str
    applicant: str
    scope_value: str
    score: Any
    label: str  # what the score is
    band: str | None = None  # the band of a condition classifying the same fact (G60: ≥ 90 示范园区)


@dataclass
class BandRow:
    """How many packets fall in one band of a `bands` condition (G60: ≥ 90, 80–89, < 80)."""

    programme: str
    fact: str
    fact_label: str
    label: str
    min: float | None  # None: the lowest band, or the packets without a score
    below: float | None  # the next band's min (exclusive upper bound)
    status: str  # the band's status (met / unmet …); unknown for packets without a score
    count: int
    packets: list[str]
    source: str
    unit: str = ""

    @property
    def range(self) -> str:
        if self.status == "unknown":
            return "无法判断"
        lo = f"≥{_num(self.min)}{self.unit}" if self.min is not None else ""
        hi = f"<{_num(self.below)}{self.unit}" if self.below is not None else ""
        return "且".join(x for x in (lo, hi) if x) or "全部"


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

    def to_json(self) -> dict[str, Any]:
        return {"programme": self.programme, "form": self.form, "title": self.title, "source": self.source, "units": self.units,
                "rows": [{"id": r.id, "number": r.number, "indicator": r.indicator, "unit": r.unit, "target": r.target,
                          "cells": {u: {"packet": c.packet, "report_year": c.report_year, "year": c.year, "value": c.value,
                                        "actual": c.actual, "completion": c.completion, "status": c.status}
                                    for u, c in r.cells.items()}} for r in self.rows]}


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

    def to_json(self) -> dict[str, Any]:
        return {"programme": self.programme, "source": self.source, "expected": self.expected, "reported": self.reported,
                "not_reported": self.not_reported, "rows": {u: self.rows.get(u, {}) for u in self.not_reported},
                "other": self.other}


@dataclass
class CollectResult:
    programmes: list[str]
    titles: dict[str, str]
    as_of: date
    columns: list[Column] = field(default_factory=list)
    packets: list[PacketRow] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    verification: list[VerificationSheet] = field(default_factory=list)
    quotas: list[QuotaRow] = field(default_factory=list)
    ranking: list[RankRow] = field(default_factory=list)
    bands: list[BandRow] = field(default_factory=list)
    progress: list[ProgressMatrix] = field(default_factory=list)
    reporting: Reporting | None = None

    @property
    def title(self) -> str:
        return "；".join(self.titles[p] for p in self.programmes) or "申报材料汇总"

    @property
    def read(self) -> int:
        return sum(1 for p in self.packets if p.ok)

    def counts(self) -> dict[str, int]:
        return {
            "packets": len(self.packets),
            "read": self.read,
            "unreadable": len(self.packets) - self.read,
            "with_errors": sum(1 for p in self.packets if p.ok and p.counts.get("error")),
            "eligible": sum(1 for p in self.packets if p.ok and p.eligibility.startswith("符合")),
            "conflicts": len(self.conflicts),
            "quota_flags": sum(1 for q in self.quotas if q.flagged),
        }

    def where_json(self, w: Where) -> dict[str, Any]:
        p = self.packets[w.packet]
        return {"packet": p.packet, "applicant": p.name, "file": w.file, "sheet": w.sheet, "cell": w.cell, "row": w.row}

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "programmes": self.programmes,
            "title": self.title,
            "as_of": self.as_of.isoformat(),
            "counts": self.counts(),
            "columns": [{"ref": c.ref, "label": c.label} for c in self.columns],
            "packets": [p.to_json(self.columns) for p in self.packets],
            "conflicts": [{"kind": c.kind, "label": c.label, "severity": c.severity, "value": c.value, "source": c.source,
                           "note": c.note, "a": self.where_json(c.a), "b": self.where_json(c.b)} for c in self.conflicts],
            "verification": [{"sheet": v.sheet, "to": v.to, "title": v.title, "source": v.source, "header": v.header,
                              "rows": v.rows} for v in self.verification],
            "quotas": [{"programme": q.programme, "label": q.label, "source": q.source, "scope": q.scope,
                        "scope_label": q.scope_label, "value": q.value, "count": q.count, "max": q.max, "min": q.min,
                        "kind": q.kind, "target": q.target, "gap": q.gap, "status": q.status, "flagged": q.flagged,
                        "note": q.note, "packets": q.packets} for q in self.quotas],
            "ranking": [{"quota": r.quota, "rank": r.rank, "packet": r.packet, "applicant": r.applicant,
                         "scope_value": r.scope_value, "score": r.score, "band": r.band} for r in self.ranking],
            "bands": [{"programme": b.programme, "fact": b.fact, "fact_label": b.fact_label, "label": b.label, "min": b.min,
                       "below": b.below, "range": b.range, "status": b.status, "count": b.count, "packets": b.packets,
                       "source": b.source} for b in self.bands],
            "progress": [m.to_json() for m in self.progress],
            "reporting": self.reporting.to_json() if self.reporting else None,
        }


# ------------------------------------------------------------------ what to take from each packet
@dataclass(frozen=True)
class Plan:
    """What the worker extracts from a checked packet; derived once from the round's specs."""

    record_refs: tuple[str, ...] = ()  # form.key of record fields (typed value + cell)
    table_cols: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (table form id, column keys)
    materials: tuple[str, ...] = ()  # material ids whose file names are listed
    facts: tuple[str, ...] = ()  # any other fact (rank_by, where)
    progress: bool = False  # keep the indicator sheets' progress results (for the matrix)


def _bare(label: str) -> str:
    return re.sub(r"（[^）]*）$", "", label)


def _name_like(key: str) -> bool:
    return key in ("name", "address") or key.endswith(("_name", "_address"))


def _record_forms(prog: Programme) -> list[dict[str, Any]]:
    return [f for f in prog.forms if f["kind"] == "record"]


def _identity_refs(prog: Programme) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(ref, form, field) of the record forms' name/address fields: what makes two packets the same place."""
    return [(f"{form['id']}.{f['key']}", form, f) for form in _record_forms(prog) for f in form["fields"]
            if _name_like(f["key"]) and f.get("type", "text") == "text"]


def _links(progs: list[Programme]) -> list[tuple[str, str, str, str]]:
    """(table, column, record, field) from `matches` consistency rules: a table column that names the record's place."""
    out: list[tuple[str, str, str, str]] = []
    for prog in progs:
        kinds = {f["id"]: f["kind"] for f in prog.forms}
        for rule in prog.list("consistency"):
            left, right = rule["left"].split("."), str(rule["right"]).split(".")
            if (rule["op"] == "matches" and len(left) == 3 and left[1] == "each" and len(right) == 2
                    and kinds.get(left[0]) == "table" and kinds.get(right[0]) == "record"):
                link = (left[0], left[2], right[0], right[1])
                if link not in out:
                    out.append(link)
    return out


def _verification_specs(prog: Programme) -> list[tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]]:
    """(spec, form, column specs) of each [[verification]] entry; unknown forms or keys are spec errors."""
    out = []
    for i, v in enumerate(prog.list("verification")):
        where = f"{prog.path}: verification[{i}]({v['sheet']})"
        try:
            form = prog.form(v["form"])
        except KeyError:
            raise SpecError(f"{where}.form: 没有 id 为 “{v['form']}” 的表单") from None
        specs = {c["key"]: c for c in form.get("fields", []) + form.get("columns", [])}
        unknown = [k for k in v["columns"] if k not in specs]
        if unknown:
            raise SpecError(f"{where}.columns: 表单 {form['id']} 没有字段 {', '.join(unknown)}")
        out.append((v, form, [specs[k] for k in v["columns"]]))
    return out


def _materials_of(v: dict[str, Any]) -> list[str]:
    m = v.get("material") or []
    return [m] if isinstance(m, str) else list(m)


def _quotas(progs: list[Programme]) -> list[tuple[Programme, dict[str, Any]]]:
    return [(p, q) for p in progs for q in p.list("quotas")]


ALL = "*"  # a quota's scope covering every packet of the round
ALL_VALUE = "（全部）"


def scope_ref(q: dict[str, Any]) -> str | None:
    """Where a quota's scope value is: a fact named by `applies_to` ("park.city"), else packet.toml [applicant];
    None for `scope = "*"` (one group of all packets)."""
    target = q.get("applies_to") or ""
    if "." in target and "=" not in target:
        return target
    return None if q["scope"] == ALL else f"packet.applicant.{q['scope']}"


def _field_spec(progs: list[Programme], ref: str) -> dict[str, Any] | None:
    """The field a fact names: packet.applicant.<key> or <record form>.<key>."""
    head, _, key = ref.partition(".")
    for prog in progs:
        if head == "packet":
            items = prog.list("applicant")
            key = ref.rsplit(".", 1)[1]
        else:
            form = next((f for f in prog.forms if f["id"] == head), None)
            items = form.get("fields", []) if form else []
        found = next((x for x in items if x["key"] == key), None)
        if found:
            return found
    return None


def _ref_label(progs: list[Programme], ref: str) -> str | None:
    head, _, key = ref.partition(".")
    for prog in progs:
        if head == "packet":
            items = prog.list("applicant")
            key = ref.rsplit(".", 1)[1]
        elif head == "facts":
            items = prog.list("facts")
        else:
            form = next((f for f in prog.forms if f["id"] == head), None)
            items = form.get("fields", []) if form else []
            kind, _, col = key.partition(".")
            if form and kind in ("sum", "count"):  # indicators.sum.score -> "自评得分合计"
                label = next((c["label"] for c in form.get("columns", []) if c["key"] == col), None)
                return f"{_bare(label)}合计" if label else f"{form['title']}行数" if kind == "count" else None
        found = next((x.get("label") for x in items if x["key"] == key), None)
        if found:
            return found
    return None


def _band_specs(prog: Programme) -> list[dict[str, Any]]:
    """Conditions that classify a fact by bands (G60's 总分: ≥ 90, 80–89, < 80), anywhere in the tree."""
    out: list[dict[str, Any]] = []

    def walk(nodes: list[dict[str, Any]]) -> None:
        for n in nodes:
            if n.get("bands"):
                out.append(n)
            walk(n.get("any_of", []) + n.get("all_of", []))

    walk(prog.list("conditions"))
    return out


def _band_facts(prog: Programme) -> list[str]:
    """Facts that conditions classify by score bands: a key figure of every packet."""
    return [n["bands"]["fact"] for n in _band_specs(prog)]


def _band_items(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(spec["items"], key=lambda b: b.get("min", float("-inf")), reverse=True)


def _band_of(items: list[dict[str, Any]], score: float | None) -> dict[str, Any] | None:
    """The band a score falls in (the highest whose min it reaches), as rules._bands classifies."""
    if score is None:
        return None
    return next((b for b in items if score >= b.get("min", float("-inf"))), None)


def make_plan(progs: list[Programme]) -> tuple[Plan, list[Column]]:
    """What to extract from each packet, and the summary columns, from the round's specs."""
    if not progs:
        return Plan(), []
    primary = progs[0]
    columns: list[Column] = []
    facts: list[str] = []
    wanted = [ref for _, q in _quotas(progs) for ref in (scope_ref(q), (q.get("where") or {}).get("left"), q.get("rank_by"))]
    wanted += _band_facts(primary)
    for ref in wanted:
        if ref and all(c.ref != ref for c in columns):
            columns.append(Column(ref, _ref_label(progs, ref) or ref))
            if not ref.startswith("packet.applicant."):
                facts.append(ref)
    cover = {c["fact"] for c in primary.list("cover")}
    record_refs: list[str] = []
    for form in _record_forms(primary):
        for f in form["fields"]:
            ref = f"{form['id']}.{f['key']}"
            numeric = f.get("type") in _NUMERIC
            if (numeric or ref in cover or (_name_like(f["key"]) and f.get("type", "text") == "text")) and ref not in facts:
                columns.append(Column(ref, f["label"]))
            if numeric or ref in cover or _name_like(f["key"]) or f.get("type") in _CONTACT:
                record_refs.append(ref)
    tables: dict[str, list[str]] = {}
    for form in primary.forms:
        if form["kind"] == "table":
            unique = [c["key"] for c in form["columns"] if c.get("unique")]
            if unique:
                tables.setdefault(form["id"], []).extend(unique)
    for table, col, record, fld in _links(progs):
        tables.setdefault(table, []).append(col)
        record_refs.append(f"{record}.{fld}")
    materials: list[str] = []
    for v, form, specs in _verification_specs(primary):
        if form["kind"] == "table":
            tables.setdefault(form["id"], []).extend(c["key"] for c in specs)
        else:
            record_refs.extend(f"{form['id']}.{c['key']}" for c in specs)
        materials.extend(_materials_of(v))
    plan = Plan(tuple(dict.fromkeys(record_refs)), tuple((t, tuple(dict.fromkeys(k))) for t, k in tables.items()),
                tuple(dict.fromkeys(materials)), tuple(f for f in facts if f not in record_refs),
                any(form.get("progress") for form in primary.forms))
    return plan, columns


# ------------------------------------------------------------------ the per-packet work (runs in workers)
def examine(task: tuple[int, str, str, str | None, date, Plan]) -> PacketRow:
    """Check one packet and keep only what the collection needs. Never raises."""
    index, label, root, templates, as_of, plan = task
    row = PacketRow(index, label)
    tpl = Path(templates) if templates else None
    try:
        packet = read_packet(Path(root))
        row.programme = packet.programme_id
        row.applicant = _applicant(packet)
        from .check import check_packet

        report = check_packet(Path(root), templates=tpl, as_of=as_of)
        _extract(report, plan, row, load_programme(row.programme, tpl))
    except ZonekitError as e:
        row.error = str(e)
    except Exception as e:  # one odd packet never ends the run
        row.error = f"zonekit 内部错误 {type(e).__name__}: {e}（请反馈）"
    return row


def _applicant(packet: Any) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v if isinstance(v, bool | int | float) else _text(v)
            for k, v in packet.section("applicant").items()}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _plain(typed: Any, raw: Any) -> Any:
    """The typed value, or what was typed when it could not be read (so a reviewer still sees it)."""
    if typed is not None:
        return typed
    if raw in (None, ""):
        return None
    return raw if isinstance(raw, int | float | str | date) else str(raw)


def _extract(report: Any, plan: Plan, row: PacketRow, prog: Programme) -> None:
    from .materials import files_in
    from .rules import MISSING
    from .xlsx_read import col_letter

    row.counts = report.counts()
    row.eligibility, row.path = _eligibility(report.eligibility)
    for ref in plan.record_refs:
        form_id, _, key = ref.partition(".")
        v = report.forms.get(form_id)
        if v is None:
            continue
        cv = v.data.fields.get(key)
        row.values[ref] = _plain(v.fields.get(key), cv.value if cv else None)
        if cv is not None:
            row.cells[ref] = (v.data.file, cv.sheet, cv.cell)
    for ref in plan.facts:
        value = report.facts.get(ref) if report.facts else MISSING
        row.values[ref] = None if value is MISSING else value
    for form_id, keys in plan.table_cols:
        v = report.forms.get(form_id)
        if v is None or not v.data.rows:
            continue
        present = [k for k in keys if k in v.data.columns]
        typed = [v.columns.get(k) or [None] * len(v.data.rows) for k in present]
        rows = [(r.number, *(_plain(col[i], r.values.get(k)) for k, col in zip(present, typed, strict=True)))
                for i, r in enumerate(v.data.rows)]
        row.tables[form_id] = TableRows(v.data.file, v.data.sheet, tuple(present),
                                        {k: col_letter(v.data.columns[k]) for k in present}, rows)
    if plan.progress:
        for p in report.progress or []:
            year = max((y for y, v in p.values.items() if v is not None and y <= p.report_year), default=None)
            row.progress.append((p.form, p.id, p.report_year, year, p.values.get(year) if year else None, p.actual,
                                 p.completion, p.status))
    folders = {m["id"]: m["folder"] for m in prog.materials}
    for mid in plan.materials:
        folder = report.root / folders[mid] if mid in folders else None
        if folder is not None and folder.is_dir() and not folder.is_symlink():
            row.files[mid] = [str(p.relative_to(folder)) for p, problem in files_in(folder, report.root) if problem is None]


def _eligibility(results: list[Any]) -> tuple[str, str]:
    """A short verdict and the path: which conditions hold and by what figures, or what is missing."""
    from .rules import walk

    results = [r for r in results if r.status != "not_applicable"]
    if not results:
        return "—", ""
    statuses = {r.status for r in results}
    bands = "；".join(r.band for r in results if getattr(r, "band", None))
    if "unmet" in statuses:
        leaves = [f"{r.title}（{r.detail}）" if r.detail else r.title
                  for top in results if top.status == "unmet" for r in walk(top) if r.status == "unmet" and not r.children]
        return "不符合", "未满足：" + "；".join(leaves or [r.title for r in results if r.status == "unmet"])
    if "unknown" in statuses:
        return "无法判断", "缺少数据：" + "；".join(r.title for r in results if r.status == "unknown")
    notes = []
    if "met_by_commitment" in statuses:
        notes.append("部分以承诺满足")
    if "in_principle" in statuses:
        notes.append("“原则上”条件未达到，需说明理由")
    paths = "；".join(r.detail for r in results if r.detail and r.children and r.status in ("met", "met_by_commitment"))
    head = "符合" + (f"（{'；'.join(notes)}）" if notes else "")
    return head, "；".join(x for x in (bands, paths) if x)


# ------------------------------------------------------------------ inputs: folders and zips
@dataclass
class _Input:
    label: str
    root: Path | None
    error: str | None = None


class _Refused(Exception):
    """A zip that is not extracted (unsafe or too big); str(self) is the Chinese reason."""


def _is_zip(path: Path) -> bool:
    return path.is_file() and (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path))


def _expand(paths: Iterable[Path], tmp: Path) -> list[_Input]:
    """Packets to check, in order: a folder holding packets (or zips) expands to them, a zip to the packets inside."""
    out: list[_Input] = []
    seen: dict[Path, str] = {}

    def add(path: Path, label: str, top: bool) -> None:
        key = path.resolve()
        if key in seen:
            out.append(_Input(label, None, f"与“{seen[key]}”是同一个{'压缩包' if path.is_file() else '文件夹'}，已跳过"))
            return
        seen[key] = label
        if not path.exists():
            out.append(_Input(label, None, f"找不到 {label}"))
        elif path.is_dir():
            inner = _scan(path, zips=True) if top and not (path / PACKET_FILE).exists() else []
            for c in inner:
                add(c, f"{label.rstrip('/')}/{c.relative_to(path).as_posix()}", False)
            if not inner:
                out.append(_Input(label, path))  # read_packet says what is wrong if it is not a packet
        elif _is_zip(path):
            out.extend(_unzip(path, label, tmp / str(len(out))))
        else:
            out.append(_Input(label, None, f"{label} 既不是材料包文件夹，也不是 zip 压缩包"))

    for p in paths:
        add(Path(p), str(p), True)
    return out


def _unzip(path: Path, label: str, dest: Path) -> list[_Input]:
    try:
        extract_zip(path, dest)
    except _Refused as e:
        shutil.rmtree(dest, ignore_errors=True)
        return [_Input(label, None, f"压缩包已拒绝：{e}")]
    roots = _scan(dest, zips=False)
    if not roots:
        return [_Input(label, None, f"压缩包中没有找到材料包（没有 {PACKET_FILE}）")]
    return [_Input(label if r == dest else f"{label}/{r.relative_to(dest).as_posix()}", r) for r in roots]


def _scan(top: Path, *, zips: bool, depth: int = 4) -> list[Path]:
    """Packet folders (and .zip files) under `top`, a few levels deep; symlinks are not followed."""
    found: list[Path] = []
    for here, dirs, files in os.walk(top):
        h = Path(here)
        if PACKET_FILE in files:
            found.append(h)
            dirs[:] = []  # a packet's sub-folders are its materials
            continue
        found += [h / f for f in files if zips and f.lower().endswith(".zip") and not (h / f).is_symlink()]
        dirs[:] = [d for d in dirs if d != "__MACOSX" and len(h.relative_to(top).parts) < depth]
    return sorted(found)


def _member_name(info: zipfile.ZipInfo) -> str:
    """Windows' built-in zip and many Chinese tools store GBK names without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def extract_zip(path: Path, dest: Path) -> None:
    """Extract `path` into `dest`, or raise _Refused without extracting anything unsafe.

    Refused: not a zip, encrypted, more than MAX_ZIP_ENTRIES members, more than MAX_ZIP_BYTES in
    all, a member whose compression ratio is abnormal, an absolute path or `..` (zip-slip), a
    symlink or other special file.
    """
    limit = MAX_ZIP_BYTES
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise _Refused(f"不是有效的 zip 文件（{e}）") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise _Refused(f"有 {len(infos)} 个文件，超过上限 {MAX_ZIP_ENTRIES} 个（可用环境变量 ZONEKIT_MAX_ZIP_ENTRIES 调整）")
        members: list[tuple[zipfile.ZipInfo, list[str]]] = []
        total = 0
        for info in infos:
            name = _member_name(info)
            parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
            if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
                raise _Refused(f"其中的“{name}”指向解压目录以外（zip-slip），整个压缩包不予解压")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise _Refused(f"其中的“{name}”是符号链接，zonekit 不解压符号链接")
            if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise _Refused(f"其中的“{name}”不是普通文件")
            if not parts or parts[0] == "__MACOSX" or info.is_dir():
                continue
            total += info.file_size
            if total > limit:
                raise _Refused(f"解压后超过 {limit / 2**20:.0f} MB 上限（可用环境变量 ZONEKIT_MAX_ZIP_MB 调整）")
            if info.file_size > _RATIO_FROM and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
                raise _Refused(f"其中的“{name}”压缩比异常（{info.file_size / max(info.compress_size, 1):.0f} 倍），疑似“压缩炸弹”")
            members.append((info, parts))
        written = 0
        try:
            for info, parts in members:
                target = dest.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "xb") as out:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > limit:
                            raise _Refused(f"解压后超过 {limit / 2**20:.0f} MB 上限")
                        out.write(chunk)
        except RuntimeError as e:  # zipfile: "File ... is encrypted, password required"
            raise _Refused(f"压缩包已加密，无法解压（{e}）") from None
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as e:
            raise _Refused(f"无法解压：{e}") from None


# ------------------------------------------------------------------ the run
def collect(paths: list[Path], *, templates: Path | None = None, jobs: int = 1, as_of: date | None = None,
            progress: Tick | None = None) -> CollectResult:
    """Check every packet under `paths` and relate them. Raises only for a broken programme spec."""
    today = as_of or date.today()
    tick = progress or (lambda stage, done, total: None)
    with tempfile.TemporaryDirectory(prefix="zonekit-collect-") as tmp:
        inputs = _expand(paths, Path(tmp))
        rows, tasks, progs = _assign(inputs, templates)
        plan, columns = make_plan(progs)
        done = len(rows)
        tick(STAGE, done, len(inputs))
        jobs_in = [(i, inp.label, str(inp.root), str(templates) if templates else None, today, plan) for i, inp in tasks]
        for row in _run(jobs_in, jobs):
            rows[row.index] = row
            done += 1
            tick(STAGE, done, len(inputs))
    packets = [rows[i] for i in range(len(inputs))]
    result = CollectResult([p.id for p in progs], {p.id: p.title() for p in progs}, today, columns, packets)
    if progs:
        ok = [p for p in packets if p.ok]
        result.conflicts = find_conflicts(ok, progs)
        result.verification = verification_sheets(ok, progs, today)
        result.quotas, result.ranking = quotas_and_ranking(packets, progs, columns)
        result.bands = band_counts(packets, progs, columns)
        result.progress = progress_matrices(packets, progs)
        result.reporting = reporting(packets, progs)
    return result


def _assign(inputs: list[_Input], templates: Path | None) -> tuple[dict[int, PacketRow], list[tuple[int, _Input]], list[Programme]]:
    """Which programme each packet belongs to; the round is the most common one plus those with identical forms."""
    rows: dict[int, PacketRow] = {}
    found: list[tuple[int, _Input, Any, Programme]] = []
    for i, inp in enumerate(inputs):
        if inp.error or inp.root is None:
            rows[i] = PacketRow(i, inp.label, error=inp.error)
            continue
        try:
            packet = read_packet(inp.root)
            found.append((i, inp, packet, load_programme(packet.programme_id, templates)))
        except SpecError:
            raise  # a broken spec is the office's problem, not the packet's
        except ZonekitError as e:
            rows[i] = PacketRow(i, inp.label, error=str(e))
        except Exception as e:
            rows[i] = PacketRow(i, inp.label, error=f"zonekit 内部错误 {type(e).__name__}: {e}（请反馈）")
    if not found:
        return rows, [], []
    counts = Counter(prog.id for *_, prog in found)
    primary = next(prog for *_, prog in found if prog.id == counts.most_common(1)[0][0])
    shape = _forms_shape(primary)
    progs = [primary]
    tasks: list[tuple[int, _Input]] = []
    for i, inp, packet, prog in found:
        if prog.id != primary.id and _forms_shape(prog) != shape:
            rows[i] = PacketRow(i, inp.label, prog.id, _applicant(packet),
                                error=f"本次汇总的是“{primary.title()}”（{primary.id}）的材料包；此材料包属于“{prog.title()}”"
                                      f"（{prog.id}），表单不同，不能一起汇总，请单独运行 zonekit collect")
            continue
        if prog not in progs:
            progs.append(prog)
        tasks.append((i, inp))
    return rows, tasks, progs


def _forms_shape(prog: Programme) -> str:
    return json.dumps(prog.forms, sort_keys=True, ensure_ascii=False, default=str)


def _run(tasks: list[tuple], jobs: int) -> Iterable[PacketRow]:
    if jobs <= 1 or len(tasks) <= 1:
        for t in tasks:
            yield examine(t)
        return
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor

    # spawn: the same on Windows, Linux and macOS, and safe beside the progress bar's thread; it
    # re-imports the main script, so a main that is no file (python - < script) needs fork
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    context = multiprocessing.get_context("spawn" if main is None or os.path.exists(main) or os.name == "nt" else "fork")
    workers = min(jobs, len(tasks))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = pool.map(examine, tasks, chunksize=max(1, min(16, len(tasks) // (workers * 4))))
        for k in range(len(tasks)):
            try:
                yield next(results)
            except Exception as e:  # examine() never raises: the pool broke (a worker killed): rows with the reason
                for t in tasks[k:]:
                    yield PacketRow(t[0], t[1], error=f"检查此材料包的进程异常退出（{type(e).__name__}: {e}）")
                return


# ------------------------------------------------------------------ conflicts (hash joins)
def _where_record(row: PacketRow, ref: str) -> Where:
    file, sheet, cell = row.cells.get(ref, (None, None, None))
    return Where(row.index, file, sheet, cell)


def _key(value: Any) -> str:
    return norm_label(value) if value not in (None, "") else ""


def _phone_key(value: Any) -> str:
    digits = re.sub(r"\D", "", str(value or ""))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if len(digits) >= 7 else ""


def _table_values(rows: list[PacketRow], table: str, key: str) -> Iterable[tuple[PacketRow, TableRows, int, str, Any]]:
    """(packet, table, Excel row, normalised value, value) once per distinct value per packet."""
    for r in rows:
        t = r.tables.get(table)
        if t is None or key not in t.keys:
            continue
        j = t.keys.index(key) + 1
        mine: set[str] = set()
        for values in t.rows:
            k = _key(values[j])
            if k and k not in mine:  # a repeat inside one packet is `check`'s duplicate_value
                mine.add(k)
                yield r, t, values[0], k, values[j]


def find_conflicts(rows: list[PacketRow], progs: list[Programme]) -> list[Conflict]:
    """Conflicts between packets. Each kind is one pass with a dict keyed by the normalised value
    (first occurrence -> every later one): linear in the number of rows, never pairwise."""
    by_index = {r.index: r for r in rows}
    return (_same_enterprise(rows, progs[0], by_index) + _same_place(rows, progs[0], by_index)
            + _inside_other(rows, progs, by_index) + _same_contact(rows, progs[0], by_index))


def _same_enterprise(rows: list[PacketRow], prog: Programme, by_index: dict[int, PacketRow]) -> list[Conflict]:
    """Unique table columns (统一社会信用代码 first, then the name) repeated in another packet."""
    out: list[Conflict] = []
    reported: set[tuple[str, int, int, int, int]] = set()  # a row pair found by its code is not reported again by name
    for form in (f for f in prog.forms if f["kind"] == "table"):
        for col in sorted((c for c in form["columns"] if c.get("unique")), key=lambda c: c.get("type") != "uscc"):
            first_of: dict[str, tuple[int, int]] = {}
            for r, t, number, k, value in _table_values(rows, form["id"], col["key"]):
                first = first_of.setdefault(k, (r.index, number))
                pair = (form["id"], *first, r.index, number)
                if first[0] == r.index or pair in reported:
                    continue
                reported.add(pair)
                ta = by_index[first[0]].tables[form["id"]]
                out.append(Conflict(
                    f"{form['id']}.{col['key']}", f"同一{_bare(col['label'])}出现在两个材料包中", "warning", _text(value),
                    Where(first[0], ta.file, ta.sheet, ta.cell(col["key"], first[1]), first[1]),
                    Where(r.index, t.file, t.sheet, t.cell(col["key"], number), number),
                    col.get("source") or form.get("source", ""),
                    "一家企业只能计入其实际使用办公场所所在的一处；请核实该企业实际入驻哪一处"))
    return out


def _same_place(rows: list[PacketRow], prog: Programme, by_index: dict[int, PacketRow]) -> list[Conflict]:
    """The record form's name or address (基地（楼宇）名称, 地址) in two packets."""
    out: list[Conflict] = []
    for ref, form, fld in _identity_refs(prog):
        first_of: dict[str, int] = {}
        for r in rows:
            k = _key(r.values.get(ref))
            first = first_of.setdefault(k, r.index) if k else r.index
            if first != r.index:
                label = _bare(fld["label"])
                out.append(Conflict(ref, f"同一{label}出现在两个材料包中", "warning", _text(r.values.get(ref)),
                                    _where_record(by_index[first], ref), _where_record(r, ref),
                                    fld.get("source") or form.get("source", ""),
                                    f"请核实两个材料包的“{label}”是否指同一处（同一处不应重复申报）"))
    return out


def _inside_other(rows: list[PacketRow], progs: list[Programme], by_index: dict[int, PacketRow]) -> list[Conflict]:
    """A packet's name or address listed in another packet's table column that names places (a building
    applying alone that a base lists in its 附件2, 第七条（三）2). The column is the one a `matches`
    consistency rule ties to the record's name."""
    out: list[Conflict] = []
    primary = progs[0]
    for table, col, record, fld in _links(progs):
        index: dict[str, list[tuple[int, int]]] = {}
        for r, _, number, k, _ in _table_values(rows, table, col):
            index.setdefault(k, []).append((r.index, number))
        tform = primary.form(table)
        col_label = _bare(next(c["label"] for c in tform["columns"] if c["key"] == col))
        own = f"{record}.{fld}"
        refs = [own] + [ref for ref, form, _ in _identity_refs(primary) if form["id"] == record and ref != own]
        for r in rows:
            for ref in refs:
                k = _key(r.values.get(ref))
                for q, number in index.get(k, []) if k else []:
                    if q == r.index or _key(by_index[q].values.get(own)) == k:
                        continue  # the packet itself, or the same place applying twice (_same_place)
                    t = by_index[q].tables[table]
                    out.append(Conflict(
                        f"inside.{ref}", f"申报的{_bare(_field_label(primary, ref))}出现在另一材料包的“{col_label}”中", "warning",
                        _text(r.values.get(ref)), _where_record(r, ref), Where(q, t.file, t.sheet, t.cell(col, number), number),
                        _inside_source(progs, r.programme, tform),
                        f"另一材料包把它列为“{col_label}”：可能位于另一申报对象的范围内（如楼宇位于申报的基地内），请核实"))
    return out


def _same_contact(rows: list[PacketRow], prog: Programme, by_index: dict[int, PacketRow]) -> list[Conflict]:
    """The same phone or email (packet.toml [applicant] and the record forms) given by different applicants: info."""
    out: list[Conflict] = []
    fields = [(f"packet.applicant.{a['key']}", a["type"]) for a in prog.list("applicant") if a.get("type") in _CONTACT]
    fields += [(f"{form['id']}.{f['key']}", f["type"]) for form in _record_forms(prog) for f in form["fields"]
               if f.get("type") in _CONTACT]
    for kind in _CONTACT:
        refs = [ref for ref, t in fields if t == kind]
        norm = _phone_key if kind == "phone" else _key
        first_of: dict[str, tuple[int, str]] = {}
        for r in rows:
            mine: set[str] = set()
            for ref in refs:
                k = norm(r.value(ref))
                if not k or k in mine:
                    continue
                mine.add(k)
                first, first_ref = first_of.setdefault(k, (r.index, ref))
                if first == r.index or (r.name and _key(by_index[first].name) == _key(r.name)):
                    continue  # one applicant may well use one phone for several packets
                out.append(Conflict(
                    f"contact.{kind}", f"不同申报单位填写了相同的{'联系电话' if kind == 'phone' else '邮箱'}", "info",
                    _text(r.value(ref)), _contact_where(by_index[first], first_ref), _contact_where(r, ref),
                    _contact_source(prog, first_ref, ref), "可能由同一中介代为申报，或填错了联系方式；仅供参考"))
    return out


def _field_label(prog: Programme, ref: str) -> str:
    form_id, _, key = ref.partition(".")
    return next(f["label"] for f in prog.form(form_id)["fields"] if f["key"] == key)


def _inside_source(progs: list[Programme], programme: str | None, table_form: dict[str, Any]) -> str:
    """The applicant's own attestation that it is not inside a base, else the table's source."""
    for prog in sorted(progs, key=lambda p: p.id != programme):
        for a in prog.list("attestations"):
            if a["key"] == "not_in_base":
                return a["source"]
    return table_form.get("source", "")


def _contact_where(row: PacketRow, ref: str) -> Where:
    if ref.startswith("packet.applicant."):
        return Where(row.index, PACKET_FILE, None, f"[applicant] {ref.rsplit('.', 1)[1]}")
    return _where_record(row, ref)


def _contact_source(prog: Programme, *refs: str) -> str:
    names = []
    for ref in refs:
        if ref.startswith("packet.applicant."):
            names.append(PACKET_FILE)
        else:
            form = prog.form(ref.partition(".")[0])
            names.append(form.get("source") or form["title"])
    return "、".join(dict.fromkeys(names))


# ------------------------------------------------------------------ verification sheets (第十四条（三） for Shenzhen)
def verification_sheets(rows: list[PacketRow], progs: list[Programme], today: date) -> list[VerificationSheet]:
    primary = progs[0]
    applicant_label = next((a["label"] for a in primary.list("applicant") if a["key"] == "name"), "申报单位")
    place = next(((ref, fld) for ref, _, fld in _identity_refs(primary) if ref.endswith(".name")), None)
    titles = {m["id"]: m["title"] for p in progs for m in p.materials}
    out = []
    for v, form, specs in _verification_specs(primary):
        header = ["序号", _bare(applicant_label)]
        body: list[list[Any]] = []
        if form["kind"] == "table":
            with_place = place is not None and place[0].split(".")[0] != form["id"]
            header += ([place[1]["label"]] if with_place and place else []) + [c["label"] for c in specs]
            for r in rows:
                t = r.tables.get(form["id"])
                if t is None:
                    continue
                pos = [t.keys.index(c["key"]) + 1 if c["key"] in t.keys else None for c in specs]
                lead = [r.name] + ([r.values.get(place[0])] if with_place and place else [])
                for values in t.rows:
                    body.append([len(body) + 1, *lead, *(values[j] if j else None for j in pos)])
        else:
            mats = [m for m in _materials_of(v) if m in titles]
            header += [c["label"] for c in specs] + [f"{titles[m]}（文件名）" for m in mats]
            for r in rows:
                body.append([len(body) + 1, r.name, *(r.values.get(f"{form['id']}.{c['key']}") for c in specs),
                             *("、".join(r.files.get(m, [])) or None for m in mats)])
        header.append("核查意见")
        for line in body:
            line.append(None)
        title = v.get("title") or v["sheet"]
        note = (v.get("note") or f"送{v['to']}核查（依据：{v['source']}）。共 {len(body)} 条；请在“核查意见”列填写核查结果。"
                ) + f"汇总日期：{today.isoformat()}"
        out.append(VerificationSheet(v["sheet"], v["to"], title, v["source"], note, header, body))
    return out


# ------------------------------------------------------------------ quotas and ranking
def quotas_and_ranking(rows: list[PacketRow], progs: list[Programme], columns: list[Column]) -> tuple[list[QuotaRow], list[RankRow]]:
    """Group packets by the quota's scope value, count, flag; rank by `rank_by` when the quota names a score.

    The scope value is packet.toml [applicant] `scope`, or the fact `applies_to` names ("park.city",
    "packet.applicant.province"); `scope = "*"` puts every packet in one group. A yes/no fact there
    ("packet.applicant.separate_quota") counts only the packets where it holds, grouped by [applicant]
    `scope`; `applies_to = "key=value"` only those whose applicant field has that value; `where` only
    those where its test holds. `groups` merges values that start with a group's name (宁波市鄞州区 ->
    宁波市). `kind`: limit (flag outside min..max), info (counts only), target (the gap to `target`).
    A quota counts the packets of the programme that declares it.
    """
    quotas: list[QuotaRow] = []
    ranking: list[RankRow] = []
    labels = {c.ref: c.label for c in columns}
    for prog, q in _quotas(progs):
        ref = scope_ref(q)
        spec = _field_spec(progs, ref) if ref else None
        flag = spec is not None and spec.get("type") == "bool"
        shown = f"packet.applicant.{q['scope']}" if flag and _field_spec(progs, f"packet.applicant.{q['scope']}") else ref
        groups: dict[str, list[PacketRow]] = {ALL_VALUE: []} if ref is None else {}
        for r in rows:
            value = _scope_value(q, r, prog.id)
            if value is not None:
                groups.setdefault(value, []).append(r)
        label = "全部材料包" if shown is None else labels.get(shown) or _ref_label(progs, shown) or q["scope"]
        for value, group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            quotas.append(QuotaRow(prog.id, q["label"], q["source"], q["scope"], label, value, len(group), q.get("max"),
                                   q.get("min"), _status(q, len(group)), [r.packet for r in group], q.get("kind", "limit"),
                                   q.get("target"), q.get("note", "")))
        if q.get("rank_by"):
            members = [r for group in groups.values() for r in group]
            bands = next((n["bands"] for n in _band_specs(prog) if n["bands"]["fact"] == q["rank_by"]), None)
            ranking.extend(_rank(q, sorted(members, key=lambda r: r.index), ref, labels.get(q["rank_by"], q["rank_by"]), bands))
    return quotas, ranking


def _status(q: dict[str, Any], n: int) -> str:
    kind = q.get("kind", "limit")
    if kind == "target":
        gap = n - q["target"]
        return "与目标一致" if gap == 0 else f"比目标{'多' if gap > 0 else '少'}{abs(gap)}个"
    if kind == "info":
        return "提示"
    return ("超出名额" if q.get("max") is not None and n > q["max"] else
            "少于下限" if q.get("min") is not None and n < q["min"] else "符合")


def _scope_value(q: dict[str, Any], r: PacketRow, programme: str) -> str | None:
    """The group a packet counts in, or None when the quota does not apply to it."""
    if r.programme != programme:
        return None
    key, eq, want = (q.get("applies_to") or "").partition("=")
    if eq and _text(r.applicant.get(key.strip().removeprefix("packet.applicant."))) != want.strip():
        return None
    if q.get("where") and not _holds(q["where"], r):
        return None
    ref = scope_ref(q)
    if ref is None:
        return ALL_VALUE
    value = r.value(ref)
    if isinstance(value, bool):  # a yes/no fact: the quota is for the packets where it holds
        if not value:
            return None
        other = r.applicant.get(q["scope"])
        value = other if other not in (None, "") and not isinstance(other, bool) else ALL_VALUE
    text = _text(value) or "（未填写）"
    return next((g for g in q.get("groups", []) if _key(text).startswith(_key(g))), text)


def _holds(test: dict[str, Any], r: PacketRow) -> bool:
    """A quota's `where` on one packet; a missing value does not hold (the packet is not counted)."""
    from .rules import MISSING, compare

    value = r.value(test["left"])
    return compare(MISSING if value is None else value, test["op"], test.get("right"), test.get("tolerance", 0.0)) is True


def _score(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _rank(q: dict[str, Any], members: list[PacketRow], ref: str | None, label: str,
          bands: dict[str, Any] | None = None) -> list[RankRow]:
    """Highest score first; equal scores share a rank (1, 1, 3); packets without a score come last, unranked.
    With `bands` (a condition classifying the same fact) each row says its band."""
    items = _band_items(bands) if bands else []

    def score(r: PacketRow) -> float | None:
        return _score(r.values.get(q["rank_by"]))

    def band(s: float | None) -> str | None:
        b = _band_of(items, s)
        return b["label"] if b else None

    def scope(r: PacketRow) -> str:
        return _text(r.value(ref)) if ref else ALL_VALUE

    scored = sorted((r for r in members if score(r) is not None), key=lambda r: -score(r))  # type: ignore[operator]
    out: list[RankRow] = []
    for i, r in enumerate(scored):
        rank = out[-1].rank if out and score(r) == out[-1].score else i + 1
        out.append(RankRow(q["label"], rank, r.packet, r.name, scope(r), score(r), label, band(score(r))))
    out += [RankRow(q["label"], None, r.packet, r.name, scope(r), None, label) for r in members if score(r) is None]
    return out


def band_counts(rows: list[PacketRow], progs: list[Programme], columns: list[Column]) -> list[BandRow]:
    """Packets per band of every `bands` condition (G60 三（五）: ≥ 90 示范园区, 80–89 培育型, < 80 不列入);
    packets without the figure (unreadable, not filled) in a last row when there are any."""
    labels = {c.ref: c.label for c in columns}
    out: list[BandRow] = []
    for prog in progs:
        members = [r for r in rows if r.programme == prog.id]
        for node in _band_specs(prog) if members else []:
            spec = node["bands"]
            fact, unit = spec["fact"], spec.get("unit", "")
            fact_label = labels.get(fact) or _ref_label(progs, fact) or fact
            items = _band_items(spec)
            buckets: list[list[PacketRow]] = [[] for _ in items]
            unknown: list[PacketRow] = []
            for r in members:
                b = _band_of(items, _score(r.values.get(fact)))
                (buckets[items.index(b)] if b is not None else unknown).append(r)
            for i, b in enumerate(items):
                out.append(BandRow(prog.id, fact, fact_label, b["label"], b.get("min"), items[i - 1].get("min") if i else None,
                                   b.get("status", "met"), len(buckets[i]), [r.packet for r in buckets[i]], node["source"], unit))
            if unknown:
                out.append(BandRow(prog.id, fact, fact_label, f"无法归档（{_bare(fact_label)}未填写或无法读取）", None, None,
                                   "unknown", len(unknown), [r.packet for r in unknown], node["source"], unit))
    return out


# ------------------------------------------------------------------ progress matrix and units that have not reported
def _unit_field(prog: Programme, form: dict[str, Any]) -> tuple[str, list[str]]:
    """The packet.toml [applicant] key naming a packet's reporting unit, and the units it allows (spec order)."""
    key = (form.get("filter_by") or {}).get("applicant") or "name"
    spec = next((a for a in prog.list("applicant") if a["key"] == key), {})
    return key, [str(v) for v in spec.get("values", [])]


def _canonical(name: str, allowed: list[str]) -> str:
    """A unit as the spec spells it when it is one of the allowed values (spaces, brackets ignored)."""
    return next((a for a in allowed if _key(a) == _key(name)), name)


def progress_matrices(rows: list[PacketRow], progs: list[Programme]) -> list[ProgressMatrix]:
    """For every indicator sheet with `progress`: each indicator (spec order) × each reporting unit (the
    packet's unit, in the order of the applicant field's values), with that unit's latest packet
    (highest report year, then the later one given) — its latest value and completion."""
    from .rowfilter import is_responsible

    out: list[ProgressMatrix] = []
    for prog in progs:
        for form in (f for f in prog.forms if f.get("progress")):
            cfg = form["progress"]
            key, allowed = _unit_field(prog, form)
            latest: dict[str, tuple[tuple[int, int], PacketRow]] = {}
            for r in rows:
                if r.programme != prog.id or not r.ok:
                    continue
                unit = _canonical(_text(r.applicant.get(key)) or "（未填写单位）", allowed)
                mine = [e for e in r.progress if e[0] == form["id"]]
                year = mine[0][2] if mine else _as_int(r.value(cfg["report_year"]))
                order = (year or 0, r.index)
                if unit not in latest or order > latest[unit][0]:
                    latest[unit] = (order, r)
            specs = form.get("rows", [])
            units = [u for u in allowed if u in latest] + [u for u in latest if u not in allowed]
            if form.get("filter_by"):  # a unit responsible for none of this sheet's rows has no column
                units = [u for u in units if any(is_responsible(form, u, s) for s in specs)
                         or any(e[0] == form["id"] for e in latest[u][1].progress)]
            cells: dict[str, dict[str, MatrixCell]] = {}
            for u in units:
                r = latest[u][1]
                for fid, rid, report_year, year, value, actual, completion, status in r.progress:
                    if fid == form["id"]:
                        cells.setdefault(rid, {})[u] = MatrixCell(r.packet, report_year, year, value, actual, completion, status)
            matrix_rows = [_matrix_row(form, s, cells.get(s["id"], {})) for s in specs]
            out.append(ProgressMatrix(prog.id, form["id"], form.get("sheet") or form["id"], form.get("title", ""),
                                      cfg.get("source") or form.get("source", ""), units, matrix_rows))
    return out


def _matrix_row(form: dict[str, Any], spec: dict[str, Any], cells: dict[str, MatrixCell]) -> MatrixRow:
    """An indicator as the spec states it (number, name, unit, target in progress's words) with the units' cells."""
    from .progress import IndicatorProgress, target_text

    cfg, given = form["progress"], spec.get("cells", {})

    def cell(name: str) -> Any:
        return given.get(cfg.get(name) or "")

    p = IndicatorProgress(form["id"], spec["id"], _text(cell("number")), _text(cell("label")) or spec["id"],
                          _text(cell("unit")) or spec.get("unit", ""), _text(cell("comparator")) or "≥",
                          _score(cell("target")), None, None, "", 0, 0)
    return MatrixRow(spec["id"], p.number, p.indicator, p.unit, target_text(p), cells)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = _text(value)
    return int(text) if text.isdigit() else None


def reporting(rows: list[PacketRow], progs: list[Programme]) -> Reporting | None:
    """Every responsible unit named in the rows of the forms filtered by unit (`filter_by`), minus the units
    of the collected packets (readable or not: they did send something). A name that is not one of the
    applicant field's allowed values cannot send a packet under that name ("试点市政府": whichever city
    is approved) and is listed apart."""
    from .rowfilter import unit_list

    primary = progs[0]
    forms = [f for f in primary.forms if f.get("filter_by") and f.get("rows")]
    if not forms:
        return None
    key, allowed = _unit_field(primary, forms[0])
    named: dict[str, dict[str, int]] = {}
    for form in forms:
        col, sheet = form["filter_by"]["column"], form.get("sheet") or form["id"]
        for s in form["rows"]:
            for name in dict.fromkeys(_canonical(n, allowed) for n in unit_list(s.get("cells", {}).get(col))):
                per = named.setdefault(name, {})
                per[sheet] = per.get(sheet, 0) + 1
    ids = {p.id for p in progs}
    sent = {_key(r.applicant.get(key)) for r in rows if r.programme in ids and _text(r.applicant.get(key))}
    if allowed:
        expected = [u for u in allowed if u in named]
        other = [u for u in named if u not in allowed]
    else:
        expected, other = list(named), []
    reported = [u for u in expected if _key(u) in sent]
    sources = dict.fromkeys(f["filter_by"].get("source") or f.get("source", "") for f in forms)
    return Reporting(primary.id, "、".join(s for s in sources if s), expected, reported,
                     [u for u in expected if _key(u) not in sent], named, [f.get("sheet") or f["id"] for f in forms], other)
