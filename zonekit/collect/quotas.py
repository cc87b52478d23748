"""Quotas, ranking and score bands across the packets of one round, all from the programme spec.

`[[quotas]]`: limits per group (hard, or `strength = "in_principle"` for 原则上…不超过: flagged as a
warning), informational counts, a target such as "about 10" with its gap, `where` filters (a
[claims] entry the packet leaves out counts as the claim's default), `groups` by name prefix; ranking
by `rank_by` (equal scores share a rank); packets per band of a condition with `bands` on the ranked
fact (G60: ≥ 90, 80–89, < 80).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zonekit.collect.packets import PacketRow, as_score, as_text, match_key
from zonekit.collect.plan import (
    ALL_VALUE,
    NOT_FILLED,
    Column,
    band_items,
    band_of,
    band_specs,
    bare_label,
    field_spec,
    quota_specs,
    ref_label,
    scope_ref,
    value_en,
)
from zonekit.spec.programme import Programme


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
    strength: str = "hard"  # hard | in_principle (原则上…不超过)
    label_en: str = ""  # the spec's `label_en`, else `label`
    source_en: str = ""  # the spec's English of `source` (Programme.sources_en), else `source`
    status_en: str = ""  # within the quota / over the quota / under the minimum; note; on target / N more than …
    scope_label_en: str = ""  # "all packets" for a quota over every packet, else `scope_label` (a spec name)
    value_en: str = ""  # `value` in English where it is zonekit's word ("(all)", "(not filled in)"), else `value`
    note_en: str = ""  # the spec's `note_en` where it gives one, else `note` (the quota schema has no note_en yet)

    @property
    def flagged(self) -> bool:
        return self.kind == "limit" and self.status != "符合"

    @property
    def severity(self) -> str | None:
        """How a flagged group weighs: error for a hard quota, warning for an in-principle one, which asks
        for justification like other 原则上 rules; None when nothing is flagged."""
        if not self.flagged:
            return None
        return "warning" if self.strength == "in_principle" else "error"

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
    quota_en: str = ""  # the quota's `label_en`, else `quota`
    scope_value_en: str = ""  # `scope_value` in English where it is zonekit's word ("(all)"), else `scope_value`
    band_en: str | None = None  # the band's `label_en` in the spec, else `band`


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
    label_en: str = ""  # the band's `label_en` in the spec (else `label`); "cannot be placed in a band (…)"
    source_en: str = ""  # the spec's English of `source`, else `source`

    @property
    def range(self) -> str:
        return self._range("zh")

    @property
    def range_en(self) -> str:
        """`range` in English: "≥ 80 points and < 90 points", "cannot tell", "all"."""
        return self._range("en")

    def _range(self, lang: str) -> str:
        unknown, both, everything = _RANGE_WORDS[lang]
        if self.status == "unknown":
            return unknown
        figure = (lambda v: f" {_figure_en(v, self.unit)}") if lang == "en" else (lambda v: f"{_num(v)}{self.unit}")
        lo = f"≥{figure(self.min)}" if self.min is not None else ""
        hi = f"<{figure(self.below)}" if self.below is not None else ""
        return both.join(x for x in (lo, hi) if x) or everything


_RANGE_WORDS = {"zh": ("无法判断", "且", "全部"), "en": ("cannot tell", " and ", "all")}


# ------------------------------------------------------------------ quotas and ranking
def quotas_and_ranking(rows: list[PacketRow], progs: list[Programme],
                       columns: list[Column]) -> tuple[list[QuotaRow], list[RankRow]]:
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
    for prog, q in quota_specs(progs):
        ref = scope_ref(q)
        spec = field_spec(progs, ref) if ref else None
        flag = spec is not None and spec.get("type") == "bool"
        own = f"packet.applicant.{q['scope']}"
        shown = own if flag and field_spec(progs, own) else ref
        groups: dict[str, list[PacketRow]] = {ALL_VALUE: []} if ref is None else {}
        for r in rows:
            value = _scope_value(q, r, prog)
            if value is not None:
                groups.setdefault(value, []).append(r)
        label = "全部材料包" if shown is None else labels.get(shown) or ref_label(progs, shown) or q["scope"]
        source_en = prog.sources_en().get(q["source"], q["source"])
        for value, group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            quotas.append(QuotaRow(prog.id, q["label"], q["source"], q["scope"], label, value, len(group),
                                   q.get("max"), q.get("min"), _status(q, len(group)), [r.packet for r in group],
                                   q.get("kind", "limit"), q.get("target"), q.get("note", ""),
                                   q.get("strength", "hard"), q.get("label_en") or q["label"], source_en,
                                   _status(q, len(group), "en"), "all packets" if shown is None else label,
                                   value_en(value), q.get("note_en") or q.get("note", "")))
        if q.get("rank_by"):
            members = [r for group in groups.values() for r in group]
            bands = next((n["bands"] for n in band_specs(prog) if n["bands"]["fact"] == q["rank_by"]), None)
            members.sort(key=lambda r: r.index)
            ranking.extend(_rank(q, members, ref, labels.get(q["rank_by"], q["rank_by"]), bands))
    return quotas, ranking


def _status(q: dict[str, Any], n: int, lang: str = "zh") -> str:
    kind, en = q.get("kind", "limit"), lang == "en"
    if kind == "target":
        gap = n - q["target"]
        if en:
            return "on target" if gap == 0 else f"{abs(gap)} {'more' if gap > 0 else 'fewer'} than the target"
        return "与目标一致" if gap == 0 else f"比目标{'多' if gap > 0 else '少'}{abs(gap)}个"
    if kind == "info":
        return "note" if en else "提示"
    over, under = q.get("max") is not None and n > q["max"], q.get("min") is not None and n < q["min"]
    if en:
        return "over the quota" if over else "under the minimum" if under else "within the quota"
    return "超出名额" if over else "少于下限" if under else "符合"


def _scope_value(q: dict[str, Any], r: PacketRow, prog: Programme) -> str | None:
    """The group a packet counts in, or None when the quota does not apply to it."""
    if r.programme != prog.id:
        return None
    key, eq, want = (q.get("applies_to") or "").partition("=")
    if eq and _spelled(r.applicant.get(key.strip().removeprefix("packet.applicant."))) != want.strip():
        return None
    if q.get("where") and not _holds(q["where"], r, prog):
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
    text = as_text(value) or NOT_FILLED
    return next((g for g in q.get("groups", []) if match_key(text).startswith(match_key(g))), text)


def _spelled(value: Any) -> str:
    """An [applicant] value as `applies_to = "key=value"` writes it: yes/no as in packet.toml (true / false)."""
    return ("true" if value else "false") if isinstance(value, bool) else as_text(value)


def _holds(test: dict[str, Any], r: PacketRow, prog: Programme) -> bool:
    """A quota's `where` on one packet; a missing value does not hold (the packet is not counted), except a
    [claims] entry left out of packet.toml, which stands for the claim's default (init always writes it)."""
    from zonekit.check.rules import MISSING, compare

    value = r.value(test["left"])
    head, _, key = test["left"].partition(".")
    if value is None and head == "claims":
        value = next((c.get("default") for c in prog.section("claims") if c["key"] == key), None)
    left = MISSING if value is None else value
    return compare(left, test["op"], test.get("right"), test.get("tolerance", 0.0)) is True


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _figure_en(value: float | None, unit: str) -> str:
    """A band's bound in English: 90 分 -> "90 points"; a bare number without a unit."""
    from zonekit.check.sentences import figure_en

    return figure_en(value, unit) if unit and value is not None else _num(value)


def _rank(q: dict[str, Any], members: list[PacketRow], ref: str | None, label: str,
          bands: dict[str, Any] | None = None) -> list[RankRow]:
    """Highest score first; equal scores share a rank (1, 1, 3); packets without a score come last, unranked.
    With `bands` (a condition classifying the same fact) each row says its band."""
    items = band_items(bands) if bands else []

    def score(r: PacketRow) -> float | None:
        return as_score(r.values.get(q["rank_by"]))

    def band(s: float | None, lang: str = "zh") -> str | None:
        b = band_of(items, s)
        return (b.get("label_en") or b["label"] if lang == "en" else b["label"]) if b else None

    def scope(r: PacketRow) -> str:
        return as_text(r.value(ref)) if ref else ALL_VALUE

    quota_en = q.get("label_en") or q["label"]
    scored = sorted((r for r in members if score(r) is not None), key=lambda r: -score(r))  # type: ignore[operator]
    out: list[RankRow] = []
    for i, r in enumerate(scored):
        rank = out[-1].rank if out and score(r) == out[-1].score else i + 1
        out.append(RankRow(q["label"], rank, r.packet, r.name, scope(r), score(r), label, band(score(r)),
                           quota_en, value_en(scope(r)), band(score(r), "en")))
    out += [RankRow(q["label"], None, r.packet, r.name, scope(r), None, label, None, quota_en, value_en(scope(r)))
            for r in members if score(r) is None]
    return out


def band_counts(rows: list[PacketRow], progs: list[Programme], columns: list[Column]) -> list[BandRow]:
    """Packets per band of every `bands` condition (G60 三（五）: ≥ 90 示范园区, 80–89 培育型, < 80 不列入);
    packets without the figure (unreadable, not filled) in a last row when there are any."""
    labels = {c.ref: c.label for c in columns}
    out: list[BandRow] = []
    for prog in progs:
        members = [r for r in rows if r.programme == prog.id]
        for node in band_specs(prog) if members else []:
            fact = node["bands"]["fact"]
            out += _band_rows(prog.id, node, members, labels.get(fact) or ref_label(progs, fact) or fact,
                              prog.sources_en())
    return out


def _band_rows(programme: str, node: dict[str, Any], members: list[PacketRow], fact_label: str,
               sources_en: dict[str, str]) -> list[BandRow]:
    """One condition's bands with their packets, then the packets without the figure when there are any."""
    spec = node["bands"]
    fact, unit, source = spec["fact"], spec.get("unit", ""), node["source"]
    source_en = node.get("source_en") or sources_en.get(source, source)
    items = band_items(spec)
    buckets: list[list[PacketRow]] = [[] for _ in items]
    unknown: list[PacketRow] = []
    for r in members:
        b = band_of(items, as_score(r.values.get(fact)))
        (buckets[items.index(b)] if b is not None else unknown).append(r)
    out = [BandRow(programme, fact, fact_label, b["label"], b.get("min"), items[i - 1].get("min") if i else None,
                   b.get("status", "met"), len(buckets[i]), [r.packet for r in buckets[i]], source, unit,
                   b.get("label_en") or b["label"], source_en)
           for i, b in enumerate(items)]
    if unknown:
        label = f"无法归档（{bare_label(fact_label)}未填写或无法读取）"
        label_en = f"cannot be placed in a band (“{bare_label(fact_label)}” not filled in or unreadable)"
        out.append(BandRow(programme, fact, fact_label, label, None, None, "unknown", len(unknown),
                           [r.packet for r in unknown], source, unit, label_en, source_en))
    return out
