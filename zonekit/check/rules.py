"""The one small rule engine: facts, comparisons, cross-form consistency and eligibility trees.

Specs name values as dotted facts, never as code:
  application.total_building_area   a field of a record form
  enterprises.count                 data rows of a table form
  enterprises.sum.area              a column's sum;  enterprises.count_true.licensed (aux column)
  enterprises.filled.licensed       non-empty cells; enterprises.each.building (every value)
  facts.fin_area_share              a derived fact (ratio/sum/diff/min/max of other facts)
  packet.applicant.name, claims.scale_path, attest.no_incident
There is no eval: operators are a fixed table.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zonekit.fields.cellvalues import norm_label

MISSING = object()

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
}


@dataclass
class Facts:
    """Resolves dotted fact names against validated forms and the packet."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)  # form id -> Validated
    packet: dict[str, Any] = field(default_factory=dict)
    derived: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # fact -> Chinese label
    labels_en: dict[str, str] = field(default_factory=dict)  # fact -> English name (`Programme.labels_en`)

    def get(self, ref: str) -> Any:
        head, _, rest = ref.partition(".")
        if head in ("packet", "claims", "attest"):
            section = {"packet": self.packet, "claims": self.packet.get("claims", {}),
                       "attest": self.packet.get("attestations", {})}[head]
            node: Any = section
            for part in rest.split("."):
                if not isinstance(node, dict) or part not in node:
                    return MISSING
                node = node[part]
            return node
        if head == "facts":
            spec = next((f for f in self.derived if f["key"] == rest), None)
            return MISSING if spec is None else self._derive(spec)
        if head in self.records:
            value = self.records[head].get(rest)
            return MISSING if value is None else value
        if head in self.tables:
            return self._table(self.tables[head], rest)
        return MISSING

    def _table(self, v: Any, rest: str) -> Any:
        kind, _, key = rest.partition(".")
        if kind == "count":
            return len(v.data.rows)
        if kind == "row":  # row.<row id>.<column>: one cell of an indicator sheet
            row_id, _, col = key.partition(".")
            for i, row in enumerate(v.data.rows):
                if row.id == row_id:
                    value = v.columns.get(col, [None] * len(v.data.rows))[i]
                    return MISSING if value is None else value
            return MISSING
        if kind == "count_eq":  # count_eq.<column>.<value>
            col, _, wanted = key.partition(".")
            target = norm_label(wanted)
            return sum(1 for x in v.columns.get(col, []) if x is not None and norm_label(x) == target)
        if kind in ("aux", "count_true", "filled") and key in v.aux:
            values = list(v.aux[key].values())
        else:
            values = v.columns.get(key)
        if values is None:
            return 0 if kind in ("count_true", "filled") else MISSING
        kinds = set(map(type, values))  # whole-column shortcuts first: a table may have 100,000 rows
        if kind == "sum":
            if kinds <= {int, float}:
                return sum(values)
            return sum(x for x in values if isinstance(x, int | float) and not isinstance(x, bool))
        if kind == "count_true":
            if kinds <= {bool, type(None)}:
                return values.count(True)
            return sum(1 for x in values if x is True)
        if kind == "filled":
            if kinds <= {str, bool, int, float, type(None)}:
                return len(values) - values.count(None) - values.count("")
            return sum(1 for x in values if x not in (None, ""))
        if kind == "each":
            return list(zip(v.data.numbers(), values, strict=False))
        return MISSING

    def _derive(self, spec: dict[str, Any]) -> Any:
        args = [self.get(a) for a in spec["args"]]
        op = spec["op"]
        if op == "years":
            return _years(args)
        if any(a is MISSING or not isinstance(a, int | float) or isinstance(a, bool) for a in args):
            return MISSING
        if op == "growth":  # percent change from the second to the first
            return MISSING if not args[1] else (args[0] - args[1]) / args[1] * 100
        if op == "percent":
            return MISSING if not args[1] else args[0] / args[1] * 100
        if op == "ratio":
            return MISSING if not args[1] else args[0] / args[1]
        if op == "sum":
            return sum(args)
        if op == "diff":
            return args[0] - sum(args[1:])
        return min(args) if op == "min" else max(args)

    def label(self, ref: str) -> str:
        return self.labels.get(ref, ref)

    def label_en(self, ref: str) -> str:
        """The English name of a fact: the spec's `label_en`, else its dotted path."""
        return self.labels_en.get(ref, ref)


def _years(args: list[Any]) -> Any:
    """Length in years between two dates (TOML dates, date cells or text a person typed)."""
    from zonekit.fields.cellvalues import parse_date

    days = []
    for a in args[:2]:
        if a is MISSING or a in ("", None):
            return MISSING
        d, _precision, problem = parse_date(a)
        if problem or d is None:
            return MISSING
        days.append(d)
    return (days[1] - days[0]).days / 365.25


def resolve(facts: Facts, operand: Any) -> Any:
    if isinstance(operand, str) and "." in operand and operand.split(".")[0] in (
        "packet", "claims", "attest", "facts", *facts.records, *facts.tables):
        return facts.get(operand)
    return operand


def decimals(typed: float) -> int:
    """How many decimals a typed figure is written with (0 for 150, 2 for 3.12; at most 6).

    Excel keeps binary floats, so 3.12 may come back as 3.1200000000000001: the fewest decimals
    that give the same figure to within float noise."""
    for places in range(7):
        if abs(round(typed, places) - typed) <= 1e-9 * max(1.0, abs(typed)):
            return places
    return 6


def equal_as_written(typed: float, computed: float, precision: float | None = None) -> bool:
    """A typed figure equals a computed one at the precision it is written in: the decimals typed, or
    the field's `precision` when that is finer (0.01 for 万元). A 合计 of 15150 m² (precision 1)
    agrees with rows adding up to 15150.4, not with 15000; 31249 万元 does not agree with 31249.01."""
    places = max(decimals(typed), decimals(precision) if precision else 0)
    return abs(round(computed, places) - typed) <= 1e-9 * max(1.0, abs(typed))


def compare(left: Any, op: str, right: Any, tolerance: float = 0.0, precision: float | None = None) -> bool | None:
    """True/False, or None when a side is missing or the types cannot be compared.

    Figures compared with == or != agree at the precision the left one is written in
    (`equal_as_written`), unless the spec gives a `tolerance`."""
    if op in ("nonempty", "empty"):
        full = left is not MISSING and left not in (None, "", [], False)
        return full if op == "nonempty" else not full
    if op == "filled":  # like nonempty, but a fact not provided at all (a form not handed in) cannot be judged
        return None if left is MISSING else left not in (None, "", [], False)
    if left is MISSING or right is MISSING or left is None or right is None:
        return None
    if op == "in":
        return None if left == "" else left in right  # a blank packet.toml entry is "not filled", not "not in"
    if op == "matches":
        return name_match(left, right) is not None
    if isinstance(left, int | float) and isinstance(right, int | float) and not isinstance(left, bool):
        if op == "==" and tolerance:
            return abs(left - right) <= tolerance
        if op == "!=" and tolerance:
            return abs(left - right) > tolerance
        if op in ("==", "!="):  # the left side is the typed figure (附件1), the right often a sum over rows
            return equal_as_written(left, right, precision) is (op == "==")
        return _OPS[op](left, right)
    if op in ("==", "!="):
        a = norm_label(left) if isinstance(left, str) else left
        b = norm_label(right) if isinstance(right, str) else right
        return _OPS[op](a, b)
    return None


def name_match(left: Any, right: Any) -> str | None:
    """"same" for the same name, "variant" for an evident variant of it (spacing, brackets, full/half
    width, case, or one name inside the other: 福华大厦 / 福华大厦（A座）), None for another name."""
    if str(left).strip() == str(right).strip():
        return "same"
    a, b = norm_label(left), norm_label(right)
    return "variant" if a and b and (a == b or a in b or b in a) else None


def show(value: Any, test: dict[str, Any]) -> str:
    """A figure as a person reads it: 18000 万元 with show_unit 亿元 -> "1.8亿元"."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):  # the right side of "in"
        return "、".join(show(v, test) for v in value)
    if not isinstance(value, int | float):
        return str(value)
    factor = test.get("show_factor", 1)
    unit = test.get("show_unit") or test.get("unit", "")
    number = value * factor
    text = f"{number:,.2f}".rstrip("0").rstrip(".") if number % 1 else f"{number:,.0f}"
    return text + {"m2": "平方米"}.get(unit, unit)


# ------------------------------------------------------------------ eligibility
@dataclass
class Result:
    id: str
    title: str
    source: str
    status: str  # met | met_by_commitment | in_principle | outcome | unmet | unknown | not_applicable
    # outcome: a band below the listed ones of a figure that experts decide (G60's score): said, never a condition
    says: str = ""  # what the detail tells (zonekit.check.sentences makes it a sentence, in either language)
    figures: dict[str, Any] = field(default_factory=dict)  # the facts and figures it tells of
    hint: str = ""
    children: list[Result] = field(default_factory=list)
    missing_attest: list[str] = field(default_factory=list)
    strength: str = "hard"
    band: str | None = None
    combine: str = ""  # "any_of" or "all_of" for a node with children
    title_en: str = ""  # the spec's English title, when it gives one
    fact: str | None = None  # the fact a test or band reads (where a finding about it points)
    hint_en: str = ""  # the spec's English hint, when it gives one
    source_en: str = ""  # the spec's English source, where it says more than articles

    @property
    def detail(self) -> str:
        """The detail in Chinese: "入驻金融企业上年度形成地方财力总额 3.12亿元 ≥ 2.5亿元"."""
        from zonekit.check.sentences import detail_text

        return detail_text(self, "zh")

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        """The condition and its children, titles and details in `lang` (as the text report says them)."""
        from zonekit.check.sentences import detail_text, title

        band = self.figures.get("band_en", self.band) if lang == "en" and self.band else self.band
        source = self.source_en or self.source if lang == "en" else self.source
        return {"id": self.id, "title": title(self, lang), "source": source, "status": self.status,
                "detail": detail_text(self, lang), "band": band,
                "children": [c.to_json(lang) for c in self.children]}


_OK = ("met", "met_by_commitment")


def evaluate(node: dict[str, Any], facts: Facts) -> Result:
    r = Result(node["id"], node["title"], node["source"], "unknown", hint=node.get("hint", ""),
               strength=node.get("strength", "hard"), title_en=node.get("title_en", ""),
               hint_en=node.get("hint_en", ""), source_en=node.get("source_en", ""))
    if node.get("when") is not None and not evaluate_when(node["when"], facts):
        r.status = "not_applicable"
        return r
    if "test" in node:
        _leaf(node, facts, r)
    elif "bands" in node:
        _bands(node["bands"], facts, r)
    elif "attest" in node:
        attested = facts.packet.get("attestations", {})
        r.missing_attest = [k for k in node["attest"] if attested.get(k) is not True]
        r.status = "unmet" if r.missing_attest else "met"
        r.says = "not_attested" if r.missing_attest else "attested"
    else:
        r.combine = "any_of" if "any_of" in node else "all_of"
        r.children = [evaluate(child, facts) for child in node[r.combine]]
        _combine(node, r, facts)
    if r.status == "unmet" and r.strength == "in_principle":
        r.status = "in_principle"
    return r


def _leaf(node: dict[str, Any], facts: Facts, r: Result) -> None:
    t = node["test"]
    r.fact = t["left"]
    left, right = facts.get(t["left"]), resolve(facts, t.get("right"))
    ok = compare(left, t["op"], right, t.get("tolerance", 0.0))
    r.figures = {"fact": t["left"], "name": facts.label(t["left"]), "name_en": facts.label_en(t["left"])}
    if ok is None:
        r.status, r.says = "unknown", "unreadable"
        return
    r.says = "compare"
    r.figures.update(left=left, right=right, op=t["op"], ok=ok, test=t)
    if t["op"] in ("nonempty", "empty", "filled"):  # a text, not a figure: say whether it is there
        r.says = "filled" if compare(left, "nonempty", None) else "empty"
    if ok:
        r.status = "met"
    elif node.get("commitment") and node["id"] in (facts.packet.get("claims", {}).get("commitments") or []):
        r.status, r.figures["committed"] = "met_by_commitment", True
    else:
        r.status = "unmet"
        if isinstance(left, int | float) and isinstance(right, int | float) and t["op"] in (">=", ">"):
            r.figures["gap"] = right - left


def _bands(spec: dict[str, Any], facts: Facts, r: Result) -> None:
    """Classify a figure by thresholds (e.g. ≥ 90 示范园区, 80–89 培育型, below: not listed)."""
    r.fact = spec["fact"]
    value = facts.get(spec["fact"])
    r.figures = {"fact": spec["fact"], "name": facts.label(spec["fact"]), "name_en": facts.label_en(spec["fact"])}
    if not isinstance(value, int | float) or isinstance(value, bool):
        r.status, r.says = "unknown", "unreadable"
        return
    items = sorted(spec["items"], key=lambda b: b.get("min", float("-inf")), reverse=True)
    for i, band in enumerate(items):
        if value >= band.get("min", float("-inf")):
            r.status, r.says = band.get("status", "met"), "band"
            r.figures.update(value=value, band=band["label"], band_en=band.get("label_en") or band["label"],
                             test={"unit": spec.get("unit", "")})
            if i > 0:
                better = items[i - 1]
                r.figures.update(better=better["label"], better_en=better.get("label_en") or better["label"],
                                 min=better["min"])
            r.band = band["label"]
            return


def _combine(node: dict[str, Any], r: Result, facts: Facts) -> None:
    kids = [c for c in r.children if c.status != "not_applicable"]
    statuses = [c.status for c in kids]
    if "any_of" in node:
        met = [c for c in kids if c.status == "met"]
        by_commit = [c for c in kids if c.status == "met_by_commitment"]
        soft = [c for c in kids if c.status == "in_principle"]
        if met or by_commit:
            r.status = "met" if met else "met_by_commitment"
            r.says, r.figures = "any_met", {"parts": met or by_commit}
        elif soft:
            r.status, r.says, r.figures = "in_principle", "as", {"part": soft[0]}
        elif "unknown" in statuses:
            r.status, r.says = "unknown", "no_data"
        else:
            r.status, r.says, r.figures = "unmet", "none_met", {"parts": kids}
        return
    if "unmet" in statuses:
        r.status = "unmet"  # say which parts fail and by how much (the leaves' "差 N")
        r.says, r.figures = "parts", {"parts": [c for c in kids if c.status == "unmet"]}
    elif "unknown" in statuses:
        r.status = "unknown"
        parts = [c for c in kids if c.status == "unknown"]
        r.says, r.figures = ("parts", {"parts": parts}) if parts else ("no_data", {})
    elif "in_principle" in statuses:
        r.status = "in_principle"
    elif "met_by_commitment" in statuses:
        r.status = "met_by_commitment"
    else:
        r.status = "met"


def evaluate_when(test: dict[str, Any], facts: Facts) -> bool | None:
    return compare(facts.get(test["left"]), test["op"], resolve(facts, test.get("right")), test.get("tolerance", 0.0))


def walk(result: Result) -> list[Result]:
    out = [result]
    for c in result.children:
        out.extend(walk(c))
    return out
