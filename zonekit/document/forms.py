"""Filled forms as document-model tables (for the bundle's PDF and docx), laid out as the notice prints them."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from zonekit.document.model import Block, Cell, Para, SealBlock, Spacer, Table

_SPANS = {1: [1, 5], 2: [1, 1, 1, 3], 3: [1, 1, 1, 1, 1, 1]}  # colspans of label/value cells over six columns


def show_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if not value.is_integer() else f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def _heading(form: dict[str, Any], title: str) -> list[Block]:
    blocks: list[Block] = []
    if form.get("attachment"):
        blocks.append(Para(form["attachment"], "plain"))
    blocks.append(Para(title, "subtitle"))
    if form.get("note"):  # e.g. "zonekit's default table, not the official attachment": printed as the sheet prints it
        blocks.append(Para(form["note"], "note"))
    if form.get("header_left") or form.get("header_right"):
        blocks.append(SealBlock(form.get("header_left", ""), form.get("header_right", ""), stamp_mm=0))
    return blocks


def record_blocks(form: dict[str, Any], values: dict[str, Any]) -> list[Block]:
    rows: dict[int, list[dict[str, Any]]] = {}
    for f in form["fields"]:
        rows.setdefault(f.get("row", len(rows) + 1), []).append(f)
    seals = {s.get("after_row"): s for s in form.get("seals", [])}
    table_rows: list[list[Cell | str]] = []
    for row_no in sorted(rows):
        fields = rows[row_no]
        spans = _SPANS[len(fields)]
        cells: list[Cell | str] = []
        for i, f in enumerate(fields):
            cells.append(Cell(f["label"], colspan=spans[2 * i], align="center"))
            cells.append(Cell(show_value(values.get(f["key"])), colspan=spans[2 * i + 1]))
        table_rows.append(cells)
        if row_no in seals:
            s = seals[row_no]
            table_rows.append([Cell(s["left"], colspan=4), Cell("\n\n" + s.get("right", "年    月    日"), colspan=2, align="right")])
    return [*_heading(form, form["title"]), Table(rows=table_rows, widths=[2.2, 2.2, 2.0, 1.8, 1.4, 2.0], font_size=10.5)]


def _with_subtotals(form: dict[str, Any], rows: list[list[Any]]) -> list[list[Any]]:
    """Indicator sheets: a 小计 row after each group, as the sheet has them."""
    sub = form.get("subtotals")
    if not sub:
        return rows
    keys = [c["key"] for c in form["columns"]]
    g, label_j = keys.index(sub["group_column"]), keys.index(sub["label_column"])
    sums = [keys.index(k) for k in sub.get("sum", []) if k in keys]
    out: list[list[Any]] = []
    group: list[list[Any]] = []
    for i, row in enumerate(rows):
        group.append(row)
        out.append(row)
        if i + 1 == len(rows) or rows[i + 1][g] != row[g]:
            line: list[Any] = [None] * len(keys)
            line[label_j] = sub["label"]
            for j in sums:
                line[j] = sum(r[j] for r in group if isinstance(r[j], int | float) and not isinstance(r[j], bool))
            out.append(line)
            group = []
    return out


def table_blocks(form: dict[str, Any], rows: list[list[Any]], title: str, submitted: dict[str, Any] | None = None) -> list[Block]:
    """The table as the notice prints it. Its 合计 row shows the `submitted` figures (those of the
    file's own 合计 row, which check found equal to the rows); a figure the file leaves blank (a
    formula never calculated) is computed from the rows."""
    cols = form["columns"]
    submitted = submitted or {}
    body = [[show_value(v) for v in row] for row in _with_subtotals(form, rows)]
    total_spec = form.get("total")
    total = None
    if total_spec:
        total = []
        for j, c in enumerate(cols):
            key = c["key"]
            if key == total_spec["label_column"]:
                total.append(total_spec["label"])
            elif submitted.get(key) is not None and key in total_spec.get("count", []) + total_spec.get("sum", []):
                total.append(show_value(submitted[key]))
            elif key in total_spec.get("count", []):
                total.append(show_value(sum(1 for r in rows if r[j] not in (None, ""))))
            elif key in total_spec.get("sum", []):
                total.append(show_value(sum(r[j] for r in rows if isinstance(r[j], int | float))))
            elif key in total_spec.get("slash", []):
                total.append("/")
            else:
                total.append("")
    # column widths from the content (the spec's `width` is the Excel sheet's): values never break
    table = Table(rows=body, header=[[Cell(c["label"], bold=True, align="center") for c in cols]], total=total,
                  font_size=9)
    return [*_heading(form, title), Spacer(2), table]


def table_title(form: dict[str, Any], facts: Any) -> str:
    title = form["title"]
    if form.get("title_placeholder") and form.get("title_fill") and facts is not None:
        name = facts.get(form["title_fill"])
        if isinstance(name, str) and name:
            title = title.replace(form["title_placeholder"], name)
    return title
