"""The reviewer's workbook for `zonekit collect`: 汇总, 冲突, one sheet per verification target, 名额与排名
(quotas, score bands, ranking), and for indicator sheets with progress 指标进展 (indicators × units) and
未报送单位.

Written with XlsxWriter in `constant_memory` mode: each row goes to a temporary file as it is written,
so a 100,000-row verification sheet costs no memory per cell; on these sheets it takes about 0.8 of
the CPU time of openpyxl's write-only mode (bench/collect_bench.py). Sheets can be added first and
filled later, each top to bottom, widths and filters set last: `WorkbookWriter`, the `collect` sink,
writes the verification sheets — nearly all the cells — while later packets are still being checked,
and the small sheets once the round is complete. `write_workbook` writes the same workbook from a
finished result. The file appears atomically.

Every sheet has a frozen, filtered header row, widths from its content and A4 print setup with the
header repeated; positions in 冲突 link to the packet's file and cell when the packet is a folder on
disk. Text starting with "=" is written as text, never as a formula: packets come from outside, and a
reviewer's spreadsheet must not run what an applicant typed.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from zonekit.collect import SEVERITY_ZH, CollectResult, PacketRow, ProgressMatrix, Reporting, Tick, Where
from zonekit.fsutil import atomic_write

_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
_WIDE = re.compile(r"[\u1100-\uffff]")
_SAMPLE = 300  # rows looked at for column widths
_MAX_LINKS = 65_530  # Excel's limit of hyperlinks per worksheet
_MAX_URL = 2_079  # Excel's limit of a hyperlink's length
STAGE = "写入汇总表"
_OPTIONS = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "remove_timezone": True}


class Percent(float):
    """A share written as a number with a percent format (0.33 shows as 33%)."""


@dataclass(frozen=True)
class _Link:
    """A cell that shows `text` and opens `url`."""

    url: str
    text: str

    @staticmethod
    def to(url: str | None, text: str) -> Any:
        return _Link(url, text) if url and text else text


def write_workbook(result: CollectResult, path: Path, progress: Tick | None = None) -> Path:
    """Write the workbook of a finished `result` to `path` (replacing it atomically); returns `path`."""

    def write(tmp: Path) -> None:
        book = WorkbookWriter(tmp, progress, links_from=path.parent)
        book.begin(result)
        for k, sheet in enumerate(result.verification):
            for lines in sheet.by_packet():
                book.lines(k, lines)
        book.end(result)

    atomic_write(path, write, overwrite=True)
    return path


def collect_workbook(path: Path, paths: list[Path], **options: Any) -> CollectResult:
    """`collect(paths, **options)` writing the workbook to `path` as it goes (atomically); returns the result."""
    from zonekit.collect import collect

    done: list[CollectResult] = []

    def write(tmp: Path) -> None:
        done.append(collect(paths, sink=WorkbookWriter(tmp, options.get("progress"), links_from=path.parent),
                            **options))

    atomic_write(path, write, overwrite=True)
    return done[0]


class WorkbookWriter:
    """The `collect` sink that writes the workbook to `target`. Links in 冲突 are relative to `links_from`
    (the folder the workbook ends up in) when they can be."""

    def __init__(self, target: Path, progress: Tick | None = None, *, links_from: Path | None = None) -> None:
        self._target = target
        self._tick = progress or (lambda stage, done, total: None)
        self._links_from = links_from or target.parent
        self._links = 0

    def begin(self, result: CollectResult) -> None:
        import xlsxwriter

        self._wb = wb = xlsxwriter.Workbook(str(self._target), _OPTIONS)
        self._formats = _Formats(wb)
        self._summary = wb.add_worksheet("汇总")  # first in the workbook, written at the end
        self._conflicts = wb.add_worksheet("冲突")
        self._verification = [_Sheet(wb.add_worksheet(v.sheet), self._formats, v.header, title=v.title, note=v.note,
                                     landscape=True) for v in result.verification]

    def lines(self, sheet: int, lines: list[list[Any]]) -> None:
        self._verification[sheet].append(lines)

    def end(self, result: CollectResult) -> None:
        wb, f = self._wb, self._formats
        later = _later_sheets(result)
        total = 3 + len(self._verification) + len(later)  # the sheets, then zipping them up
        self._tick(STAGE, 0, total)
        summary = _Sheet(self._summary, f, _summary_header(result))
        summary.append(_summary(result))
        conflicts = _Sheet(self._conflicts, f, _CONFLICT_HEADER)
        conflicts.append(_conflicts(result, self._link))
        for done, sheet in enumerate([summary, conflicts, *self._verification], 1):
            sheet.finish()
            self._tick(STAGE, done, total)
        for done, (name, header, rows, options) in enumerate(later, 3 + len(self._verification)):
            extra = options.pop("extra", [])
            sheet = _Sheet(wb.add_worksheet(name), f, header, **options)
            sheet.append(rows)
            sheet.finish(extra)
            self._tick(STAGE, done, total)
        wb.close()
        self._tick(STAGE, total, total)

    def _link(self, result: CollectResult, w: Where) -> str | None:
        """A link to where `w` is: the packet's file, sheet and cell, when the packet is a folder on disk."""
        if not w.file or self._links >= _MAX_LINKS:
            return None
        path = Path(result.packets[w.packet].packet) / w.file
        if not path.is_file():  # a packet read from a zip: extracted to a folder that is gone
            return None
        try:
            target = os.path.relpath(path.resolve(), self._links_from.resolve())
        except ValueError:  # another drive (Windows)
            target = str(path.resolve())
        url = "external:" + target
        if w.sheet and w.cell and re.fullmatch(r"[A-Z]{1,3}[0-9]{1,7}", w.cell):
            url += f"#'{w.sheet.replace(chr(39), chr(39) * 2)}'!{w.cell}"
        if len(url) > _MAX_URL:
            return None
        self._links += 1
        return url


# ------------------------------------------------------------------ sheets: header, rows, widths, filter, print setup
class _Formats:
    def __init__(self, wb: Any) -> None:
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.note = wb.add_format({"font_size": 10, "font_color": "#555555"})
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "pattern": 1, "text_wrap": True,
                                     "valign": "vcenter"})
        self.percent = wb.add_format({"num_format": "0%"})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})


class _Sheet:
    """One worksheet written top to bottom: optional title and note rows, a styled header, the data
    rows (appended in batches), then widths, freeze, filter and print setup; `extra` rows below the
    filtered range (名额与排名's bands and ranking)."""

    def __init__(self, ws: Any, formats: _Formats, header: list[str], *, title: str | None = None,
                 note: str | None = None, landscape: bool = False) -> None:
        self.ws, self.f, self.header, self.landscape = ws, formats, header, landscape
        self.head = int(bool(title)) + int(bool(note))  # 0-based row of the header
        self.row = self.head + 1
        self.widths = [_width(h) + 2 for h in header]
        self.sampled = 0
        if title:
            ws.write_string(0, 0, _text(title), formats.title)
        if note:
            ws.write_string(self.head - 1, 0, _text(note), formats.note)
        for j, h in enumerate(header):
            ws.write_string(self.head, j, _text(h), formats.header)

    def append(self, rows: list[list[Any]]) -> None:
        if self.sampled < _SAMPLE:
            self._sample(rows[: _SAMPLE - self.sampled])
        self.row = _write_rows(self.ws, self.f, self.row, rows)

    def finish(self, extra: Iterable[list[Any]] = ()) -> None:
        ws, data = self.ws, self.row - self.head - 1
        if data == 0:  # a header and no rows: the filter still covers one row, as before
            data = 1
        for j, w in enumerate(self.widths):
            ws.set_column(j, j, min(max(w, 6), 60))
        ws.freeze_panes(self.head + 1, 0)
        ws.autofilter(self.head, 0, self.head + data, len(self.header) - 1)
        ws.repeat_rows(self.head)
        ws.set_paper(9)  # A4
        if self.landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        _write_rows(ws, self.f, self.row, list(extra))

    def _sample(self, rows: list[list[Any]]) -> None:
        widths, n = self.widths, len(self.widths)
        for row in rows:
            for j, v in enumerate(row[:n]):
                w = _width(v) + 1
                if w > widths[j]:
                    widths[j] = w
        self.sampled += len(rows)


def _write_rows(ws: Any, f: _Formats, r: int, rows: list[list[Any]]) -> int:
    """Write `rows` from row `r` (0-based) and return the next row. The one per-cell loop of the workbook:
    each value by its type — text (never a formula), number, share, date, yes/no — and no cell for None."""
    put_s, put_n, put_d = ws.write_string, ws.write_number, ws.write_datetime
    for row in rows:
        for c, v in enumerate(row):
            t = v.__class__
            if t is str:
                put_s(r, c, v if v.isprintable() else _text(v))
            elif t is int or (t is float and math.isfinite(v)):
                put_n(r, c, v)
            elif v is None:
                continue
            elif t is Percent:
                put_n(r, c, float(v), f.percent)
            elif t is bool:
                put_s(r, c, "是" if v else "否")
            elif t is datetime:
                put_d(r, c, v, f.datetime)
            elif t is date:
                put_d(r, c, v, f.date)
            elif t is _Link:
                ws.write_url(r, c, v.url, None, _text(v.text))
            else:  # nan, inf, Decimal, anything else: as text
                put_s(r, c, _text(str(v)))
        r += 1
    return r


def _text(value: str) -> str:
    return _ILLEGAL.sub("", value)


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, _Link):
        value = value.text
    text = value if isinstance(value, str) else f"{value:,.2f}" if isinstance(value, float) else str(value)
    line = max(text.split("\n"), key=len) if text else ""
    return len(line) + len(_WIDE.findall(line))


# ------------------------------------------------------------------ the sheets' contents
_Later = tuple[str, list[str], list[list[Any]], dict[str, Any]]  # name, header, rows, _Sheet options (+ "extra")


def _later_sheets(result: CollectResult) -> list[_Later]:
    """The sheets written once the round is complete: 名额与排名, then 指标进展 and 未报送单位 when there are any."""
    later: list[_Later] = [("名额与排名", *_quotas(result), {"extra": _bands(result) + _ranking(result)})]
    for m in result.progress:
        name = "指标进展" if len(result.progress) == 1 else f"指标进展（{m.sheet}）"[:31]
        later.append((name, *_matrix(m), {"title": f"{m.title}：指标 × 责任单位", "note": _matrix_note(m, result),
                                          "landscape": True}))
    if result.reporting:
        rep = result.reporting
        later.append(("未报送单位", *_not_reported(rep),
                      {"title": "尚未报送的责任单位", "note": _reporting_note(rep, result)}))
    return later


def _summary_header(result: CollectResult) -> list[str]:
    return ["序号", "材料包", "申报项目", "申报单位", *(c.label for c in result.columns),
            "错误", "警告", "提示", "申报条件", "满足情况", "无法读取的原因"]


def _summary(result: CollectResult) -> list[list[Any]]:
    return [[p.index + 1, p.packet, result.titles.get(p.programme or "", p.programme), p.name,
             *(p.value(c.ref) for c in result.columns),
             *_counts(p), p.eligibility or None, p.path or None, p.error] for p in result.packets]


def _counts(p: PacketRow) -> tuple[int | None, int | None, int | None]:
    if not p.ok:
        return None, None, None
    return p.counts.get("error", 0), p.counts.get("warning", 0), p.counts.get("info", 0)


_CONFLICT_HEADER = ["序号", "类型", "级别", "值", "材料包A", "申报单位A", "位置A", "材料包B", "申报单位B", "位置B",
                    "依据", "说明"]


def _conflicts(result: CollectResult, link: Callable[[CollectResult, Where], str | None]) -> list[list[Any]]:
    rows = []
    for i, c in enumerate(result.conflicts, 1):
        a, b = result.packets[c.a.packet], result.packets[c.b.packet]
        rows.append([i, c.label, SEVERITY_ZH.get(c.severity, c.severity), c.value, a.packet, a.name,
                     _Link.to(link(result, c.a), c.a.text()), b.packet, b.name, _Link.to(link(result, c.b), c.b.text()),
                     c.source, c.note])
    if not rows:
        rows.append([None, "未发现跨材料包的冲突"])
    return rows


def _quotas(result: CollectResult) -> tuple[list[str], list[list[Any]]]:
    header = ["序号", "名额规定", "范围", "范围值", "材料包数", "上限", "下限", "目标", "结果", "材料包", "依据",
              "说明"]
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
    out: list[list[Any]] = [[], ["排名"],
                            ["名次", "材料包", "申报单位", "范围值", result.ranking[0].label,
                             *(["档次"] if banded else []),
                                          "名额规定"]]
    out += [[r.rank, r.packet, r.applicant, r.scope_value, r.score, *([r.band] if banded else []),
             r.quota] for r in result.ranking]
    return out


def _matrix(m: ProgressMatrix) -> tuple[list[str], list[list[Any]]]:
    """One row per indicator; two columns per unit: its latest value (a number when it is the report
    year's, else "值（年份）", "未填写" when the unit is responsible but gave none) and completion."""
    from zonekit.check.indicators import fmt

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
    return (f"每个责任单位取报告年度最新的材料包；值为报告年度的实际值（报告年度未填写时为此前最近一年的值"
            f"并注明年份），完成度为到目标已完成的比例；空白表示该单位不负责此指标。依据：{m.source}。"
            f"汇总日期：{result.as_of.isoformat()}")


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
