"""What `collect` takes from each packet, derived once from the round's programme specs.

Everything here reads specs, never packets: the summary columns (numeric record fields, their
name/address fields, the fields quotas group by, `rank_by` facts, the score a condition classifies
into bands), the `Plan` a worker follows, and the small spec look-ups the cross-packet steps share
(identity fields, `matches` links, `[[verification]]`, `[[quotas]]` scopes, `bands`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from zonekit.errors import SpecError
from zonekit.fields.types import TYPES, of_field
from zonekit.spec.programme import Programme


@dataclass
class Column:
    """A summary column: `ref` is a fact name (application.total_building_area, packet.applicant.district)."""

    ref: str
    label: str


# ------------------------------------------------------------------ what to take from each packet
@dataclass(frozen=True)
class Plan:
    """What the worker extracts from a checked packet; derived once from the round's specs."""

    record_refs: tuple[str, ...] = ()  # form.key of record fields (typed value + cell)
    table_cols: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (table form id, column keys)
    materials: tuple[str, ...] = ()  # material ids whose file names are listed
    facts: tuple[str, ...] = ()  # any other fact (rank_by, where)
    progress: bool = False  # keep the indicator sheets' progress results (for the matrix)


def bare_label(label: str) -> str:
    """A label without its trailing bracket, for sentences: "总建筑面积（m2）" -> "总建筑面积"."""
    return re.sub(r"（[^）]*）$", "", label)


def _name_like(key: str) -> bool:
    return key in ("name", "address") or key.endswith(("_name", "_address"))


def record_forms(prog: Programme) -> list[dict[str, Any]]:
    """The programme's record forms (one value per field, 附件1), in spec order."""
    return [f for f in prog.forms if f["kind"] == "record"]


def identity_refs(prog: Programme) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(ref, form, field) of the record forms' name/address fields: what makes two packets the same place."""
    return [(f"{form['id']}.{f['key']}", form, f) for form in record_forms(prog) for f in form["fields"]
            if _name_like(f["key"]) and f.get("type", "text") == "text"]


def contact_refs(prog: Programme) -> dict[str, list[str]]:
    """phone / email -> the refs of the fields of that type: packet.toml [applicant] first, then the record forms."""
    fields = [(f"packet.applicant.{a['key']}", a.get("type")) for a in prog.section("applicant")]
    fields += [(f"{form['id']}.{f['key']}", f.get("type")) for form in record_forms(prog) for f in form["fields"]]
    kinds = [name for name, t in TYPES.items() if t.contact]  # the registry's order: phone, email
    return {kind: [ref for ref, t in fields if t == kind] for kind in kinds}


def place_links(progs: list[Programme]) -> list[tuple[str, str, str, str]]:
    """(table, column, record, field) from `matches` consistency rules: a table column that names the record's place."""
    out: list[tuple[str, str, str, str]] = []
    for prog in progs:
        kinds = {f["id"]: f["kind"] for f in prog.forms}
        for rule in prog.section("consistency"):
            left, right = rule["left"].split("."), str(rule["right"]).split(".")
            if (rule["op"] == "matches" and len(left) == 3 and left[1] == "each" and len(right) == 2
                    and kinds.get(left[0]) == "table" and kinds.get(right[0]) == "record"):
                link = (left[0], left[2], right[0], right[1])
                if link not in out:
                    out.append(link)
    return out


def verification_specs(prog: Programme) -> list[tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]]:
    """(spec, form, column specs) of each [[verification]] entry; unknown forms or keys are spec errors."""
    out = []
    for i, v in enumerate(prog.section("verification")):
        where = f"{prog.path}: verification[{i}]({v['sheet']})"
        try:
            form = prog.form(v["form"])
        except KeyError:
            raise SpecError(f"{where}.form: 没有 id 为 “{v['form']}” 的表单",
                            f"{where}.form: there is no form with id “{v['form']}”") from None
        specs = {c["key"]: c for c in form.get("fields", []) + form.get("columns", [])}
        unknown = [k for k in v["columns"] if k not in specs]
        if unknown:
            raise SpecError(f"{where}.columns: 表单 {form['id']} 没有字段 {', '.join(unknown)}",
                            f"{where}.columns: form {form['id']} has no field {', '.join(unknown)}")
        out.append((v, form, [specs[k] for k in v["columns"]]))
    return out


def materials_of(v: dict[str, Any]) -> list[str]:
    """The material ids a [[verification]] entry lists the file names of (`material`: one id or a list)."""
    m = v.get("material") or []
    return [m] if isinstance(m, str) else list(m)


def quota_specs(progs: list[Programme]) -> list[tuple[Programme, dict[str, Any]]]:
    """Every [[quotas]] entry of the round, with the programme that declares it (and whose packets it counts)."""
    return [(p, q) for p in progs for q in p.section("quotas")]


ALL = "*"  # a quota's scope covering every packet of the round
ALL_VALUE = "（全部）"
NOT_FILLED = "（未填写）"  # a quota's group of the packets that leave its scope empty
_VALUES_EN = {ALL_VALUE: "(all)", NOT_FILLED: "(not filled in)"}


def value_en(value: str) -> str:
    """A group value in English: zonekit's own words translated, a value from a packet as it is."""
    return _VALUES_EN.get(value, value)


def scope_ref(q: dict[str, Any]) -> str | None:
    """Where a quota's scope value is: a fact named by `applies_to` ("park.city"), else packet.toml [applicant];
    None for `scope = "*"` (one group of all packets)."""
    target = q.get("applies_to") or ""
    if "." in target and "=" not in target:
        return target
    return None if q["scope"] == ALL else f"packet.applicant.{q['scope']}"


def field_spec(progs: list[Programme], ref: str) -> dict[str, Any] | None:
    """The field a fact names: packet.applicant.<key> or <record form>.<key>."""
    head, _, key = ref.partition(".")
    for prog in progs:
        if head == "packet":
            items = prog.section("applicant")
            key = ref.rsplit(".", 1)[1]
        else:
            form = next((f for f in prog.forms if f["id"] == head), None)
            items = form.get("fields", []) if form else []
        found = next((x for x in items if x["key"] == key), None)
        if found:
            return found
    return None


def ref_label(progs: list[Programme], ref: str) -> str | None:
    """The label a fact is shown under: its field's, fact's or claim's label; "<column>合计" for form sums."""
    head, _, key = ref.partition(".")
    for prog in progs:
        if head == "packet":
            items = prog.section("applicant")
            key = ref.rsplit(".", 1)[1]
        elif head == "facts":
            items = prog.section("facts")
        elif head == "claims":  # claims.path -> the claim's question
            items = prog.section("claims")
        else:
            form = next((f for f in prog.forms if f["id"] == head), None)
            items = form.get("fields", []) if form else []
            kind, _, col = key.partition(".")
            if form and kind in ("sum", "count"):  # indicators.sum.score -> "自评得分合计"
                label = next((c["label"] for c in form.get("columns", []) if c["key"] == col), None)
                return f"{bare_label(label)}合计" if label else f"{form['title']}行数" if kind == "count" else None
        found = next((x.get("label") for x in items if x["key"] == key), None)
        if found:
            return found
    return None


def band_specs(prog: Programme) -> list[dict[str, Any]]:
    """Conditions that classify a fact by bands (G60's 总分: ≥ 90, 80–89, < 80), anywhere in the tree."""
    out: list[dict[str, Any]] = []

    def walk(nodes: list[dict[str, Any]]) -> None:
        for n in nodes:
            if n.get("bands"):
                out.append(n)
            walk(n.get("any_of", []) + n.get("all_of", []))

    walk(prog.section("conditions"))
    return out


def band_facts(prog: Programme) -> list[str]:
    """Facts that conditions classify by score bands: a key figure of every packet."""
    return [n["bands"]["fact"] for n in band_specs(prog)]


def band_items(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """A `bands` table's bands, highest min first: the order `band_of` tries them in."""
    return sorted(spec["items"], key=lambda b: b.get("min", float("-inf")), reverse=True)


def band_of(items: list[dict[str, Any]], score: float | None) -> dict[str, Any] | None:
    """The band a score falls in (the highest whose min it reaches), as rules._bands classifies."""
    if score is None:
        return None
    return next((b for b in items if score >= b.get("min", float("-inf"))), None)


def make_plan(progs: list[Programme]) -> tuple[Plan, list[Column]]:
    """What to extract from each packet, and the summary columns, from the round's specs."""
    if not progs:
        return Plan(), []
    primary = progs[0]
    columns, facts = _fact_columns(progs)
    record_refs = _record_columns(primary, facts, columns)
    tables = _unique_columns(primary)
    for table, col, record, fld in place_links(progs):
        tables.setdefault(table, []).append(col)
        record_refs.append(f"{record}.{fld}")
    materials: list[str] = []
    for v, form, specs in verification_specs(primary):
        if form["kind"] == "table":
            tables.setdefault(form["id"], []).extend(c["key"] for c in specs)
        else:
            record_refs.extend(f"{form['id']}.{c['key']}" for c in specs)
        materials.extend(materials_of(v))
    plan = Plan(tuple(dict.fromkeys(record_refs)), tuple((t, tuple(dict.fromkeys(k))) for t, k in tables.items()),
                tuple(dict.fromkeys(materials)), tuple(f for f in facts if f not in record_refs),
                any(form.get("progress") for form in primary.forms))
    return plan, columns


def _fact_columns(progs: list[Programme]) -> tuple[list[Column], list[str]]:
    """The columns quotas and bands need first (scope, `where`, `rank_by`, banded facts), and which of them
    are facts the worker must look up (not packet.toml [applicant] answers)."""
    wanted = [ref for _, q in quota_specs(progs)
              for ref in (scope_ref(q), (q.get("where") or {}).get("left"), q.get("rank_by"))]
    wanted += band_facts(progs[0])
    columns: list[Column] = []
    facts: list[str] = []
    for ref in wanted:
        if ref and all(c.ref != ref for c in columns):
            columns.append(Column(ref, ref_label(progs, ref) or ref))
            if not ref.startswith("packet.applicant."):
                facts.append(ref)
    return columns, facts


def _record_columns(prog: Programme, facts: list[str], columns: list[Column]) -> list[str]:
    """Add the record forms' summary columns (numbers, cover facts, name/address text) to `columns`; returns
    the record fields the worker keeps (those, plus contact fields for the conflicts)."""
    cover = {c["fact"] for c in prog.section("cover")}
    record_refs: list[str] = []
    for form in record_forms(prog):
        for f in form["fields"]:
            ref = f"{form['id']}.{f['key']}"
            kind = of_field(f)
            kept = kind.numeric or ref in cover
            if (kept or (_name_like(f["key"]) and f.get("type", "text") == "text")) and ref not in facts:
                columns.append(Column(ref, f["label"]))
            if kept or _name_like(f["key"]) or kind.contact:
                record_refs.append(ref)
    return record_refs


def _unique_columns(prog: Programme) -> dict[str, list[str]]:
    """table form id -> its `unique` column keys (what the conflict search joins on)."""
    tables: dict[str, list[str]] = {}
    for form in prog.forms:
        unique = [c["key"] for c in form["columns"] if c.get("unique")] if form["kind"] == "table" else []
        if unique:
            tables[form["id"]] = unique
    return tables
