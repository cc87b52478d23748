"""The reviewer's workbook for `zonekit collect`: 汇总, 冲突, one sheet per verification target, 名额与排名.

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

from .collect import SEVERITY_ZH, CollectResult, Tick
from .fsutil import atomic_write

_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
_WIDE = re.compile(r"[\u1100-\uffff]")
_SAMPLE = 300  # rows looked at for column widths
STAGE = "写入汇总表"


def write_workbook(result: CollectResult, path: Path, progress: Tick | None = None) -> Path:
    """Write the workbook to `path` (replacing it atomically); returns `path`. `progress` ticks per sheet."""
    atomic_write(path, lambda tmp: _write(result, tmp, progress or (lambda stage, done, total: None)), overwrite=True)
    return path


def _write(result: CollectResult, target: Path, tick: Tick) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ranking = [[], ["排名"], ["名次", "材料包", "申报单位", "范围值", result.ranking[0].label, "名额规定"]] if result.ranking else []
    ranking += [[r.rank, r.packet, r.applicant, r.scope_value, r.score, r.quota] for r in result.ranking]
    sheets = [("汇总", *_summary(result), {}), ("冲突", *_conflicts(result), {})]
    sheets += [(v.sheet, v.header, v.rows, {"title": v.title, "note": v.note, "landscape": True}) for v in result.verification]
    sheets.append(("名额与排名", *_quotas(result), {"extra": ranking}))
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
    header = ["序号", "名额规定", "范围", "范围值", "材料包数", "上限", "下限", "结果", "材料包", "依据"]
    rows = [[i, q.label, q.scope_label, q.value, q.count, q.max, q.min, q.status, "\n".join(q.packets), q.source]
            for i, q in enumerate(result.quotas, 1)]
    if not rows:
        rows.append([None, "本项目规范没有名额规定" if result.programmes else "没有可读取的材料包"])
    return header, rows


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
