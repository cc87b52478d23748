"""Progress of an indicator sheet against its targets (form key `progress`).

An indicator sheet (fixed rows, see zonekit.xlsx.form_reader) declares which columns hold the comparator, the
target for the final year, an optional baseline and its year, and one column per year of actual
values; `report_year` names the fact holding the year being reported (packet.toml). For every
row the reporting unit is responsible for (rowfilter), `check_progress` computes:

- completion: the share of the final target achieved. With a baseline it is the share of the way
  from the baseline to the target (8.7% → 9%: 8.8% is 33%); without one, actual ÷ target;
- the straight path: where the indicator should be in the report year, baseline + (target −
  baseline) × (report year − baseline year) ÷ (final year − baseline year);

by comparator, the spec row's 目标类型 text: what is compared (a measure word, none for a level)
followed by how (the operator, always written out: ">" for 超过, "≥" for 达到/以上, "≤" for a rank):
  > ≥ ≤     a level to reach by the final year (≤: a rank, lower is better)
  累计> 累计≥ the yearly values add up to the target (first year … final year)
  每年提升≥  each year's value rises by the target over the year before (baseline = the year before
            the first); completion is the rise so far over the whole rise planned
  年均增长≥  the yearly values are growth rates (%) whose compound average must reach the target
The measures and operators are two small tables (`MEASURES`, `OPERATORS`); `comparator()` reads
a 目标类型 text into a `Comparator`, and the arithmetic asks it, never the text. A strict target
(>) is not met by a value equal to it, and in the final year a target not met is behind.

Findings: a missing value for the report year (or for an earlier year a sum or a rise needs) is
an error, a value for a year after the report year a warning, an indicator behind its straight
path a warning with the figures (code `progress_behind`). Results are data (`IndicatorProgress`)
for the bundle's progress report and for `collect`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from zonekit.errors import SpecError
from zonekit.findings import WARNING, Problem
from zonekit.xlsx.rowfilter import own_rows

STATUS_TEXT = {
    "met": "已达到目标",
    "on_track": "符合直线进度",
    "behind": "落后于直线进度",
    "below_target": "未达目标（无基期值）",
    "missing": "缺少数据",
}
_EPS = 1e-9

# ------------------------------------------------------------------ comparators: data, read once per row
MEASURES = {"": "level", "累计": "sum", "每年提升": "rise", "年均增长": "growth"}  # the word before the operator
# operator as written (ASCII spellings accepted) -> (canonical sign, test of actual − target within _EPS)
OPERATORS: dict[str, tuple[str, Callable[[float], bool]]] = {
    ">": (">", lambda d: d > _EPS), "≥": ("≥", lambda d: d >= -_EPS), ">=": ("≥", lambda d: d >= -_EPS),
    "<": ("<", lambda d: d < -_EPS), "≤": ("≤", lambda d: d <= _EPS), "<=": ("≤", lambda d: d <= _EPS),
}


@dataclass(frozen=True)
class Comparator:
    """A 目标类型 as the spec writes it: `word` the measure's word (累计 …, "" for a level), `measure`
    its kind (level | sum | rise | growth), `op` the canonical operator (> ≥ < ≤)."""

    text: str
    word: str
    measure: str
    op: str

    def met(self, actual: float, target: float) -> bool:
        return OPERATORS[self.op][1](actual - target)

    @property
    def lower_is_better(self) -> bool:
        return self.op in ("<", "≤")

    @property
    def strict(self) -> bool:
        return self.op in (">", "<")


@lru_cache(maxsize=64)
def comparator(text: str) -> Comparator:
    """Read a 目标类型 ("累计>", "≥", "年均增长≥" …); SpecError when it is not measure word + operator."""
    s = "".join(str(text or "").split())
    op = next((o for o in sorted(OPERATORS, key=len, reverse=True) if s.endswith(o)), None)
    word = s[: len(s) - len(op)] if op else s
    if op is None or word not in MEASURES:
        raise SpecError(f"目标类型“{text}”应为比较方式（{'、'.join(w for w in MEASURES if w)}，水平指标不写）加运算符"
                        f"（{' '.join(o for o in OPERATORS)}），运算符须写明：“超过”为 >，“达到”“以上”为 ≥",
                        f"the target type (目标类型) “{text}” should be a measure word"
                        f" ({', '.join(w for w in MEASURES if w)}; none for a level indicator) followed by an operator"
                        f" ({' '.join(o for o in OPERATORS)}); write the operator out:"
                        " “超过” (exceeds) is >, “达到” or “以上” (reaches, at least) is ≥")
    return Comparator(s, word, MEASURES[word], OPERATORS[op][0])


@dataclass
class IndicatorProgress:
    form: str
    id: str
    number: str
    indicator: str
    unit: str
    comparator: str
    target: float | None
    baseline: float | None
    baseline_year: int | None
    group: str
    report_year: int
    final_year: int
    values: dict[int, float | None] = field(default_factory=dict)
    # what is judged: the year's value, the sum so far (累计), the average growth (年均增长)
    actual: float | None = None
    expected: float | None = None  # the straight path's value for the report year, same measure as `actual`
    completion: float | None = None  # share of the final target achieved (1.0 = reached)
    path_share: float | None = None  # the share the straight path expects by the report year
    status: str = "missing"  # met | on_track | behind | below_target | missing
    short_years: list[int] = field(default_factory=list)  # 每年提升: years whose rise fell short
    detail: str = ""
    source: str = ""

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]

    @property
    def kind(self) -> Comparator:
        return comparator(self.comparator)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["values"] = {str(y): v for y, v in self.values.items()}
        d["status_text"] = self.status_text
        return d


def check_progress(forms: dict[str, Any], facts: Any) -> tuple[list[IndicatorProgress], list[Problem]]:
    results: list[IndicatorProgress] = []
    findings: list[Problem] = []
    applicant = facts.packet.get("applicant") if isinstance(facts.packet.get("applicant"), dict) else {}
    for v in forms.values():
        cfg = v.data.form.get("progress")
        if not cfg or not v.data.rows:
            continue
        years = sorted((int(y), col) for y, col in cfg["years"].items())
        year = _as_year(facts.get(cfg["report_year"]))
        if year is None or not years[0][0] <= year <= years[-1][0]:
            continue  # packet.toml's report year is missing or out of range: reported with packet.toml
        specs = {r["id"]: r for r in v.data.form.get("rows", [])}
        for r in specs.values():  # every 目标类型 the spec gives reads, or the spec is wrong: said before any figure
            try:
                if cfg["comparator"] in r.get("cells", {}):
                    comparator(str(r["cells"][cfg["comparator"]]))
            except SpecError as e:
                where = f"forms({v.data.form['id']}).rows({r['id']}).cells.{cfg['comparator']}"
                raise SpecError(f"{where}: {e}", f"{where}: {e.text('en')}") from None
        for i, row in own_rows(v, applicant):
            if row.id is None:
                continue  # not one of the sheet's indicators: reported as row_unknown
            result, found = _indicator(v, cfg, specs[row.id], i, row, year, years)
            results.append(result)
            findings.extend(found)
    return results, findings


def _as_year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _indicator(v: Any, cfg: dict[str, Any], spec: dict[str, Any], i: int, row: Any, year: int,
               years: list[tuple[int, str]]) -> tuple[IndicatorProgress, list[Problem]]:
    cells = spec.get("cells", {})

    def cell(name: str) -> Any:
        key = cfg.get(name)
        if not key:
            return None
        if key in cells:
            return cells[key]  # the spec's prefilled value, not what someone typed over it
        return v.columns.get(key, [None] * (i + 1))[i]

    first, final = years[0][0], years[-1][0]
    baseline = _number(cell("baseline"))
    base_year = _as_year(cell("baseline_year")) if baseline is not None else None
    p = IndicatorProgress(
        form=v.data.form["id"], id=row.id, number=str(cell("number") or ""), indicator=str(cell("label") or row.id),
        unit=str(cell("unit") or spec.get("unit", "")), comparator=str(cell("comparator") or "≥"),
        target=_number(cell("target")),
        baseline=baseline, baseline_year=(base_year or first - 1) if baseline is not None else None,
        group=str(cell("group") or ""), report_year=year, final_year=final,
        values={y: _number(v.columns.get(col, [None] * (i + 1))[i]) for y, col in years},
        source=spec.get("source") or cfg.get("source") or v.data.form.get("source", ""),
    )
    found: list[Problem] = []
    where = {col: v.data.cell(col, row.number) for _, col in years if col in v.data.columns}
    col_of = dict(years)

    def at(y: int) -> dict[str, Any]:
        return {"file": v.data.file, "sheet": v.data.sheet, "cell": where.get(col_of[y]), "source": p.source,
                "rule": p.id}

    needed = [year] if p.kind.measure == "level" else [y for y, _ in years if first <= y <= year]
    for y in needed:
        if p.values[y] is None and (row.number, col_of[y]) not in v.flagged:
            found.append(Problem("field_missing",
                                 {"indicator": p.indicator, "year": y, "report": year, "word": p.kind.word,
                                                   "first": first}, "year" if y == year else "years", hint="year",
                                 field=f"{y}年实际值", **at(y)))
    for y, _ in years:
        if y > year and p.values[y] is not None:
            found.append(Problem("value_range", {"indicator": p.indicator, "year": y, "report": year}, "after_year",
                                 WARNING,
                                 field=f"{y}年实际值", **at(y)))
    if p.target is None or any(p.values[y] is None for y in needed):
        p.detail = "缺少数据，无法计算进度"
        return p, found
    compute(p, needed)
    p.detail = _detail(p)
    if p.status == "behind":
        found.append(Problem("progress_behind", {"detail": p.detail, "indicator": p.indicator}, field=f"{year}年实际值",
                             **at(year)))
    return p, found


def compute(p: IndicatorProgress, needed: list[int]) -> None:
    """Fill in `p`'s actual, straight path, completion and status for the `needed` years, by its
    comparator's measure (the table `_MEASURE_PROGRESS`)."""
    assert p.target is not None
    _MEASURE_PROGRESS[p.kind.measure](p, p.target, needed)


def _sum_progress(p: IndicatorProgress, t: float, needed: list[int]) -> None:
    """累计: the yearly values so far added up, against the share of the target the path expects."""
    start = needed[0] - 1
    p.actual = sum(p.values[y] or 0 for y in needed)
    p.path_share = (p.report_year - start) / (p.final_year - start)
    p.expected = t * p.path_share
    p.completion = p.actual / t if t else None
    _on_path(p, p.kind.met(p.actual, t))


def _rise_progress(p: IndicatorProgress, t: float, needed: list[int]) -> None:
    """每年提升: each year's rise over the one before; a year that fell short puts it behind."""
    b = p.baseline
    if b is None:
        return  # the baseline is required for this comparator: reported by the sheet's required_when
    year, final, start = p.report_year, p.final_year, p.baseline_year or needed[0] - 1
    prev, rises = b, {}
    for y in needed:
        rises[y] = (p.values[y] or 0) - prev
        prev = p.values[y] or 0
    p.short_years = [y for y, rise in rises.items() if not p.kind.met(rise, t)]
    p.actual = actual = p.values[year] or 0
    p.path_share = _share(year, start, final)
    p.expected = b + t * (year - start)
    whole = t * (final - start)
    p.completion = (actual - b) / whole if whole else None
    met = not p.short_years and p.kind.met(actual - b, whole)
    behind = p.short_years or actual < p.expected - _EPS or year >= final
    p.status = "met" if met else "behind" if behind else "on_track"


def _growth_progress(p: IndicatorProgress, t: float, needed: list[int]) -> None:
    """年均增长: the compound average of the yearly growth rates, against the target rate."""
    rates = [p.values[y] or 0 for y in needed]
    factors = [1 + r / 100 for r in rates]
    compound = all(f > 0 for f in factors)
    avg = (math.prod(factors) ** (1 / len(factors)) - 1) * 100 if compound else sum(rates) / len(rates)
    p.actual, p.expected, p.path_share = avg, t, 1.0
    p.completion = avg / t if t else None
    p.status = "behind" if not p.kind.met(avg, t) else "met" if p.report_year == p.final_year else "on_track"


def _level_progress(p: IndicatorProgress, t: float, needed: list[int]) -> None:
    """A level (> ≥ < ≤): the report year's value; on the path from the baseline when there is one."""
    actual = p.values[p.report_year]
    assert actual is not None
    p.actual, b = actual, p.baseline
    met = p.kind.met(actual, t)
    if b is not None and t != b:
        p.path_share = _share(p.report_year, p.baseline_year or needed[0] - 1, p.final_year)
        p.expected = b + (t - b) * p.path_share
        p.completion = (actual - b) / (t - b)
    elif p.kind.lower_is_better:
        p.completion = t / actual if actual > 0 else None
    else:
        p.completion = actual / t if t > 0 and actual >= 0 else None
    if p.path_share is None:
        p.status = "met" if met else "below_target"
        return
    _on_path(p, met)


def _on_path(p: IndicatorProgress, met: bool) -> None:
    """Met, behind the straight path, or on it; not met in the final year is behind even on the
    path's last point (a "超过" target equalled)."""
    share = p.path_share or 0.0
    behind = (p.completion or 0) < share - _EPS or p.report_year >= p.final_year
    p.status = "met" if met else "behind" if behind else "on_track"


# measure (MEASURES' values) -> how its progress is computed
_MEASURE_PROGRESS: dict[str, Callable[[IndicatorProgress, float, list[int]], None]] = {
    "sum": _sum_progress, "rise": _rise_progress, "growth": _growth_progress, "level": _level_progress,
}


def _share(year: int, start: int, final: int) -> float:
    return 1.0 if final <= start else min(1.0, max(0.0, (year - start) / (final - start)))


# ------------------------------------------------------------------ text
def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value - round(value)) > 1e-9 else f"{round(value):,}"
    return text + unit


def pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def _gap_unit(unit: str) -> str:
    return "个百分点" if unit == "%" else unit


def target_text(p: IndicatorProgress, lang: str = "zh") -> str:
    if p.target is None:
        return "—"
    kind = p.kind
    if lang == "en":
        return _target_en(p)
    if kind.measure == "rise":  # 每年提升1个百分点: "at least" goes without saying
        return f"每年提升{'' if kind.op == '≥' else kind.op}{fmt(p.target, _gap_unit(p.unit))}"
    unit = "%" if kind.measure == "growth" else p.unit
    return f"{kind.word}{kind.op}{fmt(p.target, unit)}"


def _target_en(p: IndicatorProgress) -> str:
    """每年提升≥1个百分点 -> "a rise each year ≥ 1 percentage point", 累计>4万亿元 -> "cumulative > CNY 4 trillion"."""
    from zonekit.check.sentences import figure_en

    op, target = p.kind.op, float(p.target or 0)
    said = {"rise": f"a rise each year {op} {figure_en(target, _gap_unit(p.unit))}",
            "growth": f"average yearly growth {op} {fmt(target, '%')}",
            "sum": f"cumulative {op} {figure_en(target, p.unit)}"}
    if p.kind.measure in said:
        return said[p.kind.measure]
    return f"rank {op} {fmt(target)}" if p.unit == "名" else f"{op} {figure_en(target, p.unit)}"


def actual_text(p: IndicatorProgress) -> str:
    if p.actual is None:
        return "—"
    if p.kind.measure == "sum":
        return f"累计{fmt(p.actual, p.unit)}"
    if p.kind.measure == "growth":
        return f"年均{fmt(p.actual, '%')}"
    return fmt(p.actual, p.unit)


def _not_reached(p: IndicatorProgress) -> str:
    """For an indicator behind although on its path (the final year, a strict target equalled)."""
    if p.status != "behind" or p.completion is None or p.path_share is None or p.completion < p.path_share - _EPS:
        return ""
    return f"；{p.final_year}年目标为{target_text(p)}，{fmt(p.actual, p.unit)}尚未达到"


def _detail(p: IndicatorProgress) -> str:
    y, u, first = p.report_year, p.unit, min(p.values)
    head = f"“{p.indicator}”"
    measure = p.kind.measure
    if measure == "sum":
        text = (f"{head}{first}—{y}年累计{fmt(p.actual, u)}，"
                f"{p.final_year}年目标{target_text(p)}，完成{pct(p.completion)}")
        if p.status == "behind" and not _not_reached(p):
            text += (f"；按直线进度{y}年应累计{fmt(p.expected, u)}（{pct(p.path_share)}），"
                     f"落后{fmt((p.expected or 0) - (p.actual or 0), u)}")
        return text + _not_reached(p)
    if measure == "rise":
        rises = []
        prev = p.baseline
        for yr in sorted(p.values):
            value = p.values[yr]
            if yr > y or value is None or prev is None:
                break
            rises.append(f"{yr}年提升{fmt(value - prev, _gap_unit(u))}")
            prev = value
        text = (f"{head}{target_text(p).replace('每年', '每年应', 1)}（基期{p.baseline_year}年{fmt(p.baseline, u)}）："
                f"{'，'.join(rises)}，"
                f"完成{pct(p.completion)}")
        if p.short_years:
            text += f"；{'、'.join(str(s) for s in p.short_years)}年提升幅度不足"
        if p.status == "behind" and p.expected is not None and (p.actual or 0) < p.expected - _EPS:
            text += f"；{y}年为{fmt(p.actual, u)}，按直线进度应达到{fmt(p.expected, u)}"
        return text
    if measure == "growth":
        text = f"{head}{first}—{y}年年均增长{fmt(p.actual, '%')}，目标{target_text(p)}"
        if p.status == "behind":
            gap = (p.target or 0) - (p.actual or 0)
            text += f"，低于目标{fmt(gap, '个百分点')}" if gap > _EPS else "，未超过目标"
        return text
    text = f"{head}{y}年为{fmt(p.actual, u)}，{p.final_year}年目标{target_text(p)}"
    if p.expected is not None:
        text += f"，基期{p.baseline_year}年{fmt(p.baseline, u)}，完成{pct(p.completion)}"
        if p.status == "behind" and not _not_reached(p):
            gap = abs((p.expected or 0) - (p.actual or 0))
            text += f"；按直线进度{y}年应达到{fmt(p.expected, u)}（{pct(p.path_share)}），落后{fmt(gap, _gap_unit(u))}"
        text += _not_reached(p)
    elif p.completion is not None:
        text += f"，为目标的{pct(p.completion)}"
    return text + ("（已达到目标）" if p.status == "met" else "")


# ------------------------------------------------------------------ the bundle's progress report
def groups(results: list[IndicatorProgress]) -> Iterator[tuple[str, list[IndicatorProgress]]]:
    """Results by responsible units, in the sheet's order."""
    order: dict[str, list[IndicatorProgress]] = {}
    for r in results:
        order.setdefault(r.group, []).append(r)
    yield from order.items()


def summary(results: list[IndicatorProgress]) -> str:
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUS_TEXT}
    parts = [f"{STATUS_TEXT[s]} {n} 项" for s, n in counts.items() if n]
    return f"本单位负责的 {len(results)} 项指标中：" + "，".join(parts) + "。"


def report_blocks(form: dict[str, Any], results: list[IndicatorProgress], chart: Path | None) -> list[Any]:
    """The progress report: summary, chart, one table per group of responsible units."""
    from zonekit.document.model import Cell, Image, Para, Spacer, Table

    year = results[0].report_year
    blocks: list[Any] = [Para(f"目标量化指标进展情况（{year}年度）", "title"), Spacer(4),
                         Para(summary(results), "body")]
    if chart is not None:
        blocks += [Image(chart, 160), Para(f"图：各指标完成度（竖线为{year}年直线进度应达到的完成度）", "center")]
    head = ["编号", "指标", "目标", "基期", f"{year}年实际", "直线进度应达", "完成度", "状态"]
    for group, items in groups(results):
        rows: list[list[str | Cell]] = [[r.number, r.indicator, target_text(r),
                 f"{fmt(r.baseline, r.unit)}（{r.baseline_year}）" if r.baseline is not None else "—",
                 actual_text(r),
                 fmt(r.expected, r.unit if r.kind.measure != "growth" else "%") if r.expected is not None else "—",
                 pct(r.completion), r.status_text] for r in items]
        blocks += [Spacer(4), Para(f"责任单位：{group}" if group else "指标", "heading2"),
                   Table(rows=rows, header=[[Cell(h, bold=True, align="center") for h in head]],
                         widths=[5, 22, 10, 9, 10, 9, 7, 11], font_size=9)]
    behind = [r for r in results if r.status == "behind"]
    if behind:
        blocks += [Spacer(4), Para("落后于直线进度的指标", "heading2")] + [Para(r.detail, "body") for r in behind]
    return blocks


def draw_chart(results: list[IndicatorProgress], path: Path, font_path: str | None = None, font_index: int = 0) -> Path:
    """A horizontal bar chart (PNG) of completion per indicator, with a tick where the straight path
    expects it in the report year. Pillow only; labels in Chinese when a CJK font is given."""
    from PIL import Image, ImageDraw, ImageFont

    scale_max = 1.5  # bars beyond 150% are drawn to the edge, the figure says how far
    width, row_h, top, left, right = 1600, 46, 150, 560, 150
    height = top + row_h * len(results) + 90
    im = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(im)

    def font(size: int) -> Any:
        if font_path:
            try:
                return ImageFont.truetype(font_path, size, index=font_index)
            except OSError:
                pass
        return ImageFont.load_default(size)

    cjk = bool(font_path)
    f_title, f_label, f_small = font(34), font(24), font(22)
    colours = {"met": (46, 125, 50), "on_track": (102, 187, 106), "behind": (239, 108, 0),
               "below_target": (120, 144, 156),
               "missing": (200, 200, 200)}
    names = {"met": "已达到目标", "on_track": "符合直线进度", "behind": "落后于直线进度",
             "below_target": "无基期（仅比目标）"} if cjk else {
        "met": "target reached", "on_track": "on track", "behind": "behind", "below_target": "no baseline"}
    year = results[0].report_year if results else ""
    d.text((left, 20), f"{year}年 各指标完成度" if cjk else f"{year}: completion per indicator", fill="black",
           font=f_title)
    x = left
    for status, label in names.items():
        d.rectangle((x, 80, x + 26, 106), fill=colours[status])
        d.text((x + 34, 78), label, fill="black", font=f_small)
        x += 60 + int(d.textlength(label, font=f_small))
    d.line((x + 10, 76, x + 10, 110), fill="black", width=4)
    d.text((x + 22, 78), "直线进度" if cjk else "straight path", fill="black", font=f_small)
    plot = width - left - right

    def xpos(share: float) -> int:
        return left + int(plot * max(0.0, min(share, scale_max)) / scale_max)

    bottom = top + row_h * len(results)
    for share in (0, 0.5, 1.0, 1.5):
        d.line((xpos(share), top - 6, xpos(share), bottom), fill=(150, 150, 150) if share == 1.0 else (225, 225, 225),
               width=2)
        d.text((xpos(share) - 20, bottom + 8), f"{share * 100:.0f}%", fill="black", font=f_small)
    for k, r in enumerate(results):
        y = top + k * row_h
        label = f"{r.number} {r.indicator}" if cjk else r.number or r.id
        while cjk and d.textlength(label, font=f_label) > left - 20 and len(label) > 4:
            label = label[:-2] + "…"
        d.text((10, y + 8), label, fill="black", font=f_label)
        if r.completion is None:
            d.text((left + 8, y + 8), "缺少数据" if cjk else "no data", fill=(120, 120, 120), font=f_small)
            continue
        d.rectangle((xpos(0), y + 8, max(xpos(0) + 2, xpos(r.completion)), y + row_h - 8), fill=colours[r.status])
        d.text((min(xpos(r.completion), xpos(scale_max)) + 8, y + 10), pct(r.completion), fill="black", font=f_small)
        if r.path_share is not None and r.kind.measure != "growth":
            xs = xpos(r.path_share)
            d.line((xs, y + 2, xs, y + row_h - 2), fill="black", width=4)
    im.save(path, format="PNG", optimize=False)
    return path


def report_section(form: dict[str, Any], results: list[IndicatorProgress], tmp: Path, font: str | None = None) -> Any:
    """The bundle part for one indicator sheet: a Section with the chart drawn into `tmp`."""
    from zonekit.document.fonts import find_cjk_font
    from zonekit.document.model import Section

    choice = find_cjk_font(font)
    chart = draw_chart(results, tmp / f"{form['id']}-progress.png", choice.path,
                       choice.subfont_index) if results else None
    return Section(f"目标量化指标进展情况（{results[0].report_year}年度）", report_blocks(form, results, chart))
