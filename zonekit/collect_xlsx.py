"""The reviewer's workbook for `zonekit collect`: 汇总, 冲突, one sheet per verification target, 名额与排名
(quotas, score bands, ranking), and for indicator sheets with progress 指标进展 (indicators × units) and
未报送单位.

openpyxl in write-only mode streams rows to disk (a 100,000-row verification sheet costs no
memory per cell); the file appears atomically. Every sheet has a frozen, filtered header row
and widths from its content. Text starting with "=" is written as text, never as a formula:
packets come from outside, and a reviewer's spreadsheet must not run what an applicant typed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .collect import SEVERITY_ZH, CollectResult, ProgressMatrix, Reporting, Tick
from .fsutil import atomic_write

_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
_WIDE = re.compile(r"[\u1100-\uffff]")
_SAMPLE = 300  # rows looked at for column widths
STAGE = "写入汇总表"


class Percent(float):
    """A share written as a number with a percent format (0.33 shows as 33%)."""


def write_workbook(result: CollectResult, path: Path, progress: Tick | None = None) -> Path:
    """Write the workbook to `path` (replacing it atomically); returns `path`. `progress` ticks per sheet."""
    atomic_write(path, lambda tmp: _write(result, tmp, progress or (lambda stage, done, total: None)), overwrite=True)
    return path


def _write(result: CollectResult, target: Path, tick: Tick) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheets = [("汇总", *_summary(result), {}), ("冲突", *_conflicts(result), {})]
    sheets += [(v.sheet, v.header, v.rows, {"title": v.title, "note": v.note, "landscape": True}) for v in result.verification]
    sheets.append(("名额与排名", *_quotas(result), {"extra": _bands(result) + _ranking(result)}))
    for m in result.progress:
        name = "指标进展" if len(result.progress) == 1 else f"指标进展（{m.sheet}）"[:31]
        sheets.append((name, *_matrix(m), {"title": f"{m.title}：指标 × 责任单位", "note": _matrix_note(m, result),
                                           "landscape": True}))
    if result.reporting:
        sheets.append(("未报送单位", *_not_reported(result.reporting), {"title": "尚未报送的责任单位",
                                                                      "note": _reporting_note(result.reporting, result)}))
    for i, (name, header, rows, options) in enumerate(sheets):
        tick(STAGE, i, len(sheets))
        _sheet(wb, name, header, rows, **options)
    tick(STAGE, len(sheets), len(sheets))
    wb.save(target)


def _summary(result: CollectResult) -> tuple[list[str], list[list[Any]]]:
    header = ["序号", "材料包", "申报项目", "申报单位", *(c.label for c in result.columns),
              "错误", "警告", "提示", "申报条件", "满足情况", "无法读取的原因"]
    rows = [[p.index + 1, p.packet, result.titles.get(p.programme or "", p.programme), p.name,
             *(p.value(c.ref) for c in result.columns),
             *((p.counts.get("error", 0), p.counts.get("warning", 0), p.counts.get("info", 0)) if p.ok else (None, None, None)),
             p.eligibility or None, p.path or None, p.error] for p in result.packets]
    return header, rows


def _conflicts(result: CollectResult) -> tuple[list[str], list[list[Any]]]:
    header = ["序号", "类型", "级别", "值", "材料包A", "申报单位A", "位置A", "材料包B", "申报单位B", "位置B", "依据", "说明"]
    rows = []
    for i, c in enumerate(result.conflicts, 1):
        a, b = result.packets[c.a.packet], result.packets[c.b.packet]
        rows.append([i, c.label, SEVERITY_ZH.get(c.severity, c.severity), c.value, a.packet, a.name, c.a.text(),
                     b.packet, b.name, c.b.text(), c.source, c.note])
    if not rows:
        rows.append([None, "未发现跨材料包的冲突"])
    return header, rows


def _quotas(result: CollectResult) -> tuple[list[str], list[list[Any]]]:
    header = ["序号", "名额规定", "范围", "范围值", "材料包数", "上限", "下限", "目标", "结果", "材料包", "依据", "说明"]
    rows = [[i, q.label, q.scope_label, q.value, q.count, q.max, q.min, q.target,
             q.status + ("（“原则上”，需说明理由）" if q.severity == "warning" else ""), "\n".join(q.packets), q.source,
             q.note or None] for i, q in enumerate(result.quotas, 1)]
    if not rows:
        rows.append([None, "本项目规范没有名额规定" if result.programmes else "没有可读取的材料包"])
    return header, rows


def _bands(result: CollectResult) -> list[list[Any]]:
    """The score bands (G60 三（五）) below the quotas: how many packets in each."""
    if not result.bands:
        return []
    out: list[list[Any]] = [[], ["分档"], ["序号", "档次", "分数范围", "材料包数", "材料包", "依据"]]
    for i, b in enumerate(result.bands, 1):
        out.append([i, b.label, f"{b.fact_label} {b.range}", b.count, "\n".join(b.packets) or None, b.source])
    return out


def _ranking(result: CollectResult) -> list[list[Any]]:
    if not result.ranking:
        return []
    banded = any(r.band for r in result.ranking)
    out: list[list[Any]] = [[], ["排名"], ["名次", "材料包", "申报单位", "范围值", result.ranking[0].label, *(["档次"] if banded else []),
                                          "名额规定"]]
    out += [[r.rank, r.packet, r.applicant, r.scope_value, r.score, *([r.band] if banded else []), r.quota] for r in result.ranking]
    return out


def _matrix(m: ProgressMatrix) -> tuple[list[str], list[list[Any]]]:
    """One row per indicator; two columns per unit: its latest value (a number when it is the report
    year's, else "值（年份）", "未填写" when the unit is responsible but gave none) and completion."""
    from .progress import fmt

    years = {u: next((r.cells[u].report_year for r in m.rows if u in r.cells), None) for u in m.units}
    header = ["序号", "编号", "指标", "单位", "目标"]
    for u in m.units:
        header += [f"{u}（{years[u]}年）" if years[u] else u, f"{u}完成度"]
    rows = []
    for i, r in enumerate(m.rows, 1):
        line: list[Any] = [i, r.number, r.indicator, r.unit, r.target]
        for u in m.units:
            c = r.cells.get(u)
            if c is None:
                line += [None, None]
                continue
            value: Any = ("未填写" if c.value is None else c.value if c.year == c.report_year
                          else f"{fmt(c.value)}（{c.year}年）")
            line += [value, Percent(c.completion) if c.completion is not None else None]
        rows.append(line)
    if not m.units:
        rows.append([None, "没有可读取的报送单位材料包"])
    return header, rows


def _matrix_note(m: ProgressMatrix, result: CollectResult) -> str:
    return (f"每个责任单位取报告年度最新的材料包；值为报告年度的实际值（报告年度未填写时为此前最近一年的值并注明年份），"
            f"完成度为到目标已完成的比例；空白表示该单位不负责此指标。依据：{m.source}。汇总日期：{result.as_of.isoformat()}")


def _not_reported(rep: Reporting) -> tuple[list[str], list[list[Any]]]:
    header = ["序号", "责任单位", *(f"{s}（负责行数）" for s in rep.forms)]
    rows = [[i, u, *(rep.rows.get(u, {}).get(s) for s in rep.forms)] for i, u in enumerate(rep.not_reported, 1)]
    if not rows:
        rows.append([None, "各责任单位均已报送"])
    return header, rows


def _reporting_note(rep: Reporting, result: CollectResult) -> str:
    text = (f"依据{rep.source}所列责任单位：应报送 {len(rep.expected)} 个，已报送 {len(rep.reported)} 个，"
            f"未报送 {len(rep.not_reported)} 个。")
    if rep.other:
        text += f"“{'、'.join(rep.other)}”不是固定的报送单位（不在报送单位可选值中），未列入。"
    return text + f"汇总日期：{result.as_of.isoformat()}"


def _sheet(wb: Any, name: str, header: list[str], rows: list[list[Any]], *, title: str | None = None,
           note: str | None = None, landscape: bool = False, extra: list[list[Any]] | None = None) -> None:
    """One write-only sheet: optional title and note rows, a styled header with filter and freeze, data."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    cell = _cell_factory(ws)

    def styled(value: Any, **style: Any) -> Any:
        c = WriteOnlyCell(ws, _clean(value))
        for k, v in style.items():
            setattr(c, k, v)
        return c

    head_row = 1 + bool(title) + bool(note)
    widths = [_width(h) + 2 for h in header]
    for row in rows[:_SAMPLE]:
        for j, v in enumerate(row[: len(widths)]):
            widths[j] = max(widths[j], _width(v) + 1)
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w, 6), 60)
    ws.freeze_panes = f"A{head_row + 1}"
    ws.auto_filter.ref = f"A{head_row}:{get_column_letter(len(header))}{head_row + max(len(rows), 1)}"
    ws.print_title_rows = f"{head_row}:{head_row}"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if title:
        ws.append([styled(title, font=Font(bold=True, size=14))])
    if note:
        ws.append([styled(note, font=Font(size=10, color="555555"))])
    fill = PatternFill("solid", fgColor="DDEBF7")
    ws.append([styled(h, font=Font(bold=True), fill=fill, alignment=Alignment(wrap_text=True, vertical="center"))
               for h in header])
    for row in (*rows, *(extra or [])):
        end = len(row)
        while end and row[end - 1] is None:  # trailing blanks (核查意见) need no cell
            end -= 1
        ws.append([cell(v) for v in row[:end]])


def _cell_factory(ws: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    def cell(value: Any) -> Any:
        if isinstance(value, Percent):
            c = WriteOnlyCell(ws, float(value))
            c.number_format = "0%"
            return c
        if isinstance(value, str):
            value = _clean(value)
            if value.startswith("=") and len(value) > 1:
                c = WriteOnlyCell(ws, value)
                c.data_type = "s"  # text, never a formula
                return c
            return value
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, int | float | date | datetime) or value is None:
            return value
        return _clean(str(value))

    return cell


def _clean(value: Any) -> Any:
    return _ILLEGAL.sub("", value) if isinstance(value, str) else value


def _width(value: Any) -> int:
    if value is None:
        return 0
    text = value if isinstance(value, str) else f"{value:,.2f}" if isinstance(value, float) else str(value)
    line = max(text.split("\n"), key=len) if text else ""
    return len(line) + len(_WIDE.findall(line))
