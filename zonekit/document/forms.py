"""Filled forms as document-model tables (for the bundle's PDF and docx), laid out as the notice prints them."""

from __future__ import annotations

from typing import Any

from zonekit.document.model import Block, Cell, Para, SealBlock, Spacer, Table
from zonekit.fields.types import of, of_field

_COUNT = of("integer")  # a 合计 row's count is a number of rows, whatever the column holds

_SPANS = {1: [1, 5], 2: [1, 1, 1, 3], 3: [1, 1, 1, 1, 1, 1]}  # colspans of label/value cells over six columns


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
            cells.append(Cell(of_field(f).show(values.get(f["key"])), colspan=spans[2 * i + 1]))
        table_rows.append(cells)
        if row_no in seals:
            s = seals[row_no]
            right = "\n\n" + s.get("right", "年    月    日")
            table_rows.append([Cell(s["left"], colspan=4), Cell(right, colspan=2, align="right")])
    table = Table(rows=table_rows, widths=[2.2, 2.2, 2.0, 1.8, 1.4, 2.0], font_size=10.5)
    return [*_heading(form, form["title"]), table]


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


def table_blocks(form: dict[str, Any], rows: list[list[Any]], title: str,
                 submitted: dict[str, Any] | None = None) -> list[Block]:
    """The table as the notice prints it, each value as its column's type shows it. Its 合计 row shows
    the `submitted` figures (those of the file's own 合计 row, which check found equal to the rows); a
    figure the file leaves blank (a formula never calculated) is computed from the rows."""
    cols = form["columns"]
    kinds = [of_field(c) for c in cols]
    body: list[list[Cell | str]] = [[kind.show(v) for kind, v in zip(kinds, row, strict=True)]
                                    for row in _with_subtotals(form, rows)]
    total = _total_row(form, rows, submitted or {}) if form.get("total") else None
    # column widths from the content (the spec's `width` is the Excel sheet's): values never break
    table = Table(rows=body, header=[[Cell(c["label"], bold=True, align="center") for c in cols]], total=total,
                  font_size=9)
    return [*_heading(form, title), Spacer(2), table]


def _total_row(form: dict[str, Any], rows: list[list[Any]], submitted: dict[str, Any]) -> list[Cell | str]:
    spec = form["total"]
    counted, summed, slashed = spec.get("count", []), spec.get("sum", []), spec.get("slash", [])
    out: list[Cell | str] = []
    for j, c in enumerate(form["columns"]):
        key, kind = c["key"], of_field(c)
        if key == spec["label_column"]:
            out.append(spec["label"])
        elif key in counted:
            given = submitted.get(key)
            out.append(_COUNT.show(given if given is not None else sum(1 for r in rows if r[j] not in (None, ""))))
        elif key in summed:
            given = submitted.get(key)
            out.append(kind.show(given if given is not None
                                 else sum(r[j] for r in rows if isinstance(r[j], int | float))))
        else:
            out.append("/" if key in slashed else "")
    return out


def table_title(form: dict[str, Any], facts: Any) -> str:
    title = form["title"]
    if form.get("title_placeholder") and form.get("title_fill") and facts is not None:
        name = facts.get(form["title_fill"])
        if isinstance(name, str) and name:
            title = title.replace(form["title_placeholder"], name)
    return title
