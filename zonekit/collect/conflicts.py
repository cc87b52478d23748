"""Conflicts between the packets of one round, found by hash joins (linear in rows, never pairwise).

One dict per kind keyed by the normalised value: `unique` table columns (统一社会信用代码, enterprise
name), the record form's name and address, a record name or address found in another packet's table
column that a `matches` consistency rule ties to the record name (a building inside a base), and
phone/email fields across applicants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from zonekit.collect.packets import PacketRow, TableRows, as_text, match_key
from zonekit.collect.plan import bare_label, contact_refs, identity_refs, place_links
from zonekit.packet import PACKET_FILE
from zonekit.spec.programme import Programme


@dataclass
class Where:
    packet: int  # index into CollectResult.packets
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None

    def text(self, lang: str = "zh") -> str:
        place = " ".join(p for p in (self.file, self.cell) if p)
        if not self.row:
            return place
        return place + (f" (row {self.row})" if lang == "en" else f"（第{self.row}行）")


@dataclass
class Conflict:
    kind: str  # the field it is about: enterprises.uscc, application.name, inside.application.name, contact.phone
    label: str
    severity: str  # warning | info
    value: str
    a: Where
    b: Where
    source: str
    note: str = ""  # the hint: what to check
    label_en: str = ""  # `label` in English (the spec's Chinese names stay inside “…”)
    hint_en: str = ""  # `note` in English
    source_en: str = ""  # `source` in English where the spec gives it (its `source_en`), else `source`


# ------------------------------------------------------------------ conflicts (hash joins)
def _where_record(row: PacketRow, ref: str) -> Where:
    file, sheet, cell = row.cells.get(ref, (None, None, None))
    return Where(row.index, file, sheet, cell)


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
            k = match_key(values[j])
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
    sources_en = prog.sources_en()
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
                source = col.get("source") or form.get("source", "")
                out.append(Conflict(
                    f"{form['id']}.{col['key']}", f"同一{bare_label(col['label'])}出现在两个材料包中", "warning",
                    as_text(value),
                    Where(first[0], ta.file, ta.sheet, ta.cell(col["key"], first[1]), first[1]),
                    Where(r.index, t.file, t.sheet, t.cell(col["key"], number), number),
                    source,
                    "一家企业只能计入其实际使用办公场所所在的一处；请核实该企业实际入驻哪一处",
                    f"the same “{bare_label(col['label'])}” appears in two packets",
                    "an enterprise counts only at the one place whose offices it actually uses; "
                    "check which place the enterprise is actually in", sources_en.get(source, source)))
    return out


def _same_place(rows: list[PacketRow], prog: Programme, by_index: dict[int, PacketRow]) -> list[Conflict]:
    """The record form's name or address (基地（楼宇）名称, 地址) in two packets."""
    out: list[Conflict] = []
    sources_en = prog.sources_en()
    for ref, form, fld in identity_refs(prog):
        first_of: dict[str, int] = {}
        for r in rows:
            k = match_key(r.values.get(ref))
            first = first_of.setdefault(k, r.index) if k else r.index
            if first != r.index:
                label = bare_label(fld["label"])
                source = fld.get("source") or form.get("source", "")
                out.append(Conflict(ref, f"同一{label}出现在两个材料包中", "warning", as_text(r.values.get(ref)),
                                    _where_record(by_index[first], ref), _where_record(r, ref), source,
                                    f"请核实两个材料包的“{label}”是否指同一处（同一处不应重复申报）",
                                    f"the same “{label}” appears in two packets",
                                    f"check whether the two packets' “{label}” are the same place "
                                    "(one place must not apply twice)", sources_en.get(source, source)))
    return out


def _inside_other(rows: list[PacketRow], progs: list[Programme], by_index: dict[int, PacketRow]) -> list[Conflict]:
    """A packet's name or address listed in another packet's table column that names places (a building
    applying alone that a base lists in its 附件2, 第七条（三）2). The column is the one a `matches`
    consistency rule ties to the record's name."""
    out: list[Conflict] = []
    primary = progs[0]
    sources_en = {k: v for prog in progs for k, v in prog.sources_en().items()}
    for table, col, record, fld in place_links(progs):
        index: dict[str, list[tuple[int, int]]] = {}
        for r, _, number, k, _ in _table_values(rows, table, col):
            index.setdefault(k, []).append((r.index, number))
        tform = primary.form(table)
        col_label = bare_label(next(c["label"] for c in tform["columns"] if c["key"] == col))
        own = f"{record}.{fld}"
        refs = [own] + [ref for ref, form, _ in identity_refs(primary) if form["id"] == record and ref != own]
        for r in rows:
            for ref in refs:
                k = match_key(r.values.get(ref))
                for q, number in index.get(k, []) if k else []:
                    if q == r.index or match_key(by_index[q].values.get(own)) == k:
                        continue  # the packet itself, or the same place applying twice (_same_place)
                    t = by_index[q].tables[table]
                    label = bare_label(_field_label(primary, ref))
                    source = _inside_source(progs, r.programme, tform)
                    out.append(Conflict(
                        f"inside.{ref}", f"申报的{label}出现在另一材料包的“{col_label}”中",
                        "warning", as_text(r.values.get(ref)), _where_record(r, ref),
                        Where(q, t.file, t.sheet, t.cell(col, number), number), source,
                        f"另一材料包把它列为“{col_label}”：可能位于另一申报对象的范围内（如楼宇位于申报的基地内），请核实",
                        f"the “{label}” of an application appears in another packet's “{col_label}”",
                        f"another packet lists it in “{col_label}”: it may lie inside what another packet applies "
                        "for (a building inside a base that applies, for example); please check",
                        sources_en.get(source, source)))
    return out


def _same_contact(rows: list[PacketRow], prog: Programme, by_index: dict[int, PacketRow]) -> list[Conflict]:
    """The same phone or email (packet.toml [applicant] and the record forms) given by different applicants: info."""
    out: list[Conflict] = []
    sources_en = prog.sources_en()
    for kind, refs in contact_refs(prog).items():
        norm = _phone_key if kind == "phone" else match_key
        first_of: dict[str, tuple[int, str]] = {}
        for r in rows:
            mine: set[str] = set()
            for ref in refs:
                k = norm(r.value(ref))
                if not k or k in mine:
                    continue
                mine.add(k)
                first, first_ref = first_of.setdefault(k, (r.index, ref))
                if first == r.index or (r.name and match_key(by_index[first].name) == match_key(r.name)):
                    continue  # one applicant may well use one phone for several packets
                names = _contact_sources(prog, first_ref, ref)
                out.append(Conflict(
                    f"contact.{kind}", f"不同申报单位填写了相同的{'联系电话' if kind == 'phone' else '邮箱'}", "info",
                    as_text(r.value(ref)), _contact_where(by_index[first], first_ref), _contact_where(r, ref),
                    "、".join(names), "可能由同一中介代为申报，或填错了联系方式；仅供参考",
                    f"different applicants gave the same {'phone number' if kind == 'phone' else 'email address'}",
                    "perhaps one agent applied for both, or a contact detail is wrong; for information only",
                    ", ".join(sources_en.get(n, n) for n in names)))
    return out


def _field_label(prog: Programme, ref: str) -> str:
    form_id, _, key = ref.partition(".")
    return next(f["label"] for f in prog.form(form_id)["fields"] if f["key"] == key)


def _inside_source(progs: list[Programme], programme: str | None, table_form: dict[str, Any]) -> str:
    """The applicant's own attestation that it is not inside a base, else the table's source."""
    for prog in sorted(progs, key=lambda p: p.id != programme):
        for a in prog.section("attestations"):
            if a["key"] == "not_in_base":
                return a["source"]
    return table_form.get("source", "")


def _contact_where(row: PacketRow, ref: str) -> Where:
    if ref.startswith("packet.applicant.") and ref not in row.cells:  # an old packet: packet.toml [applicant]
        return Where(row.index, PACKET_FILE, None, f"[applicant] {ref.rsplit('.', 1)[1]}")
    return _where_record(row, ref)


def _contact_sources(prog: Programme, *refs: str) -> list[str]:
    """Where the contact fields are: packet.toml, or each form's source (else its title), once each."""
    names = []
    for ref in refs:
        if ref.startswith("packet.applicant."):
            names.append(PACKET_FILE)
        else:
            form = prog.form(ref.partition(".")[0])
            names.append(form.get("source") or form["title"])
    return list(dict.fromkeys(names))
