"""Verification sheets of `collect`: one per `[[verification]]` entry, sent to another department.

Each lists, per packet, the columns of a table form (one line per row) or the fields of a record form
plus the file names of the materials it names, and ends with an empty 核查意见 column
(第十四条（三） for Shenzhen). The sheets are laid out from the spec before any packet is read and
grow one packet at a time (`VerificationSheet.add`), so the workbook can be written while the
packets are still being checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zonekit.collect.packets import PacketRow
from zonekit.collect.plan import bare_label, identity_refs, materials_of, verification_specs
from zonekit.spec.programme import Programme

Lines = Callable[[PacketRow], list[list[Any]]]  # one packet's lines, without 序号 and 核查意见


@dataclass
class VerificationSheet:
    """One verification sheet. Its lines are derived from the packets, never stored: `add` numbers and
    returns one packet's lines as it is joined (to be written at once), `rows` derives them all again."""

    sheet: str
    to: str
    title: str
    source: str
    note: str
    header: list[str]
    _lines: Lines | None = field(default=None, repr=False, compare=False)
    _packets: list[PacketRow] = field(default_factory=list, repr=False, compare=False)
    count: int = 0  # lines so far
    source_en: str = ""  # the spec's English of `source` (its `source_en`), else `source`

    def add(self, row: PacketRow) -> list[list[Any]]:
        """Join one packet (the next in order): its lines, numbered on from the last."""
        self._packets.append(row)
        lines = self._number(row, self.count + 1)
        self.count += len(lines)
        return lines

    @property
    def rows(self) -> Sequence[list[Any]]:
        """All lines, derived again when iterated; `len` costs nothing."""
        return _Rows(self)

    def by_packet(self) -> Iterator[list[list[Any]]]:
        """The lines again, numbered, one packet at a time."""
        n = 1
        for row in self._packets:
            lines = self._number(row, n)
            n += len(lines)
            yield lines

    def _number(self, row: PacketRow, start: int) -> list[list[Any]]:
        lines = self._lines(row) if self._lines and row.ok else []
        return [[start + i, *line, None] for i, line in enumerate(lines)]


class _Rows(Sequence[list[Any]]):
    def __init__(self, sheet: VerificationSheet) -> None:
        self._sheet = sheet

    def __len__(self) -> int:
        return self._sheet.count

    def __iter__(self) -> Iterator[list[Any]]:
        return (line for lines in self._sheet.by_packet() for line in lines)

    def __getitem__(self, i: Any) -> Any:
        return list(self)[i]


# ------------------------------------------------------------------ verification sheets (第十四条（三） for Shenzhen)
def verification_sheets(progs: list[Programme], today: date) -> list[VerificationSheet]:
    """The round's verification sheets, before any packet: title, note and header from the spec."""
    if not progs:
        return []
    primary = progs[0]
    applicant_label = next((a["label"] for a in primary.section("applicant") if a["key"] == "name"), "申报单位")
    place = next(((ref, fld) for ref, _, fld in identity_refs(primary) if ref.endswith(".name")), None)
    titles = {m["id"]: m["title"] for p in progs for m in p.materials}
    sources_en = primary.sources_en()
    out = []
    for v, form, specs in verification_specs(primary):
        if form["kind"] == "table":
            columns, lines = _table_layout(form, specs, place)
        else:
            columns, lines = _record_layout(v, form, specs, titles)
        note = (v.get("note") or f"送{v['to']}核查（依据：{v['source']}）；请在“核查意见”列填写核查结果。"
                ) + f"汇总日期：{today.isoformat()}"
        out.append(VerificationSheet(v["sheet"], v["to"], v.get("title") or v["sheet"], v["source"], note,
                                     ["序号", bare_label(applicant_label), *columns, "核查意见"], _lines=lines,
                                     source_en=v.get("source_en") or sources_en.get(v["source"], v["source"])))
    return out


def _table_layout(form: dict[str, Any], specs: list[dict[str, Any]],
                  place: tuple[str, dict[str, Any]] | None) -> tuple[list[str], Lines]:
    """A table form's columns, after the record's place name when that is in another form (the building of 附件1)."""
    place_ref = place[0] if place is not None and place[0].split(".")[0] != form["id"] else None
    header = ([place[1]["label"]] if place and place_ref else []) + [c["label"] for c in specs]
    return header, _TableLines(form["id"], tuple(c["key"] for c in specs), place_ref)


def _record_layout(v: dict[str, Any], form: dict[str, Any], specs: list[dict[str, Any]],
                   titles: dict[str, str]) -> tuple[list[str], Lines]:
    """A record form's fields, then the file names of each material the entry names (those the round has)."""
    mats = [m for m in materials_of(v) if m in titles]
    header = [c["label"] for c in specs] + [f"{titles[m]}（文件名）" for m in mats]
    return header, _RecordLines(tuple(f"{form['id']}.{c['key']}" for c in specs), tuple(mats))


@dataclass(frozen=True)
class _TableLines:
    """A table form's rows, one line each: applicant, the record's place when it is another form, the columns."""

    form: str
    keys: tuple[str, ...]
    place_ref: str | None

    def __call__(self, r: PacketRow) -> list[list[Any]]:
        t = r.tables.get(self.form)
        if t is None:
            return []
        pos = [t.keys.index(k) + 1 if k in t.keys else 0 for k in self.keys]  # 0: a column the packet lacks
        lead = [r.name] + ([r.values.get(self.place_ref)] if self.place_ref else [])
        if all(pos):
            return [[*lead, *(values[j] for j in pos)] for values in t.rows]
        return [[*lead, *(values[j] if j else None for j in pos)] for values in t.rows]


@dataclass(frozen=True)
class _RecordLines:
    """A record form: one line per packet, its fields and the file names of the materials named."""

    refs: tuple[str, ...]
    materials: tuple[str, ...]

    def __call__(self, r: PacketRow) -> list[list[Any]]:
        return [[r.name, *(r.values.get(ref) for ref in self.refs),
                 *("、".join(r.files.get(m, [])) or None for m in self.materials)]]
