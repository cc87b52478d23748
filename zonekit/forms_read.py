"""Locate a form's values in a filled workbook by defined name and header label, never by fixed
coordinates: inserted rows, blank rows, a renamed sheet, reordered helper sheets and a moved
合计 row are all tolerated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .findings import ERROR, WARNING, Finding
from .xlsx_form_names import AUX_SHEET, defined_name
from .xlsx_read import Workbook, col_letter, split_ref


def norm_label(text: Any) -> str:
    """Label for comparison: no whitespace (incl. U+3000), full-width （）：， as ASCII, lower case."""
    if text is None:
        return ""
    # str.split() drops exactly the characters re's \s does; chained replace() is ~4x faster than
    # re.sub + str.translate, and this runs once per cell of a 100,000-row table
    s = "".join(str(text).split())
    return s.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ",").lower()


@dataclass
class CellValue:
    value: Any
    sheet: str
    cell: str
    formula: str | None = None  # set when the cell holds a formula that was never calculated


class Row:
    """One data row: its Excel row number and its cells by column key.

    Rows of a big table keep the reader's list of cells and build the key -> value dict only when
    something asks for `values`; `get(key)` reads a cell without building it.
    """

    __slots__ = ("number", "id", "_values", "_cells", "_columns")

    def __init__(self, number: int, values: dict[str, Any] | None = None, id: str | None = None, *,
                 cells: list[Any] | None = None, columns: dict[str, int] | None = None) -> None:
        self.number = number  # 1-based Excel row
        self.id = id  # the spec row it fills, for forms with fixed rows (indicator sheets)
        self._values = values
        self._cells = cells
        self._columns = columns

    @property
    def values(self) -> dict[str, Any]:
        if self._values is None:
            cells, n = self._cells or [], len(self._cells or [])
            self._values = {key: (cells[j] if j < n else "") for key, j in (self._columns or {}).items()}
        return self._values

    def get(self, key: str) -> Any:
        if self._values is not None or self._columns is None:
            return self.values.get(key)
        j = self._columns.get(key)
        return self._cells[j] if j is not None and j < len(self._cells) else ""  # type: ignore[index]

    def __repr__(self) -> str:
        return f"Row({self.number}, {self.values!r}, id={self.id!r})"


@dataclass
class FormData:
    form: dict[str, Any]
    file: str
    sheet: str | None = None
    fields: dict[str, CellValue] = field(default_factory=dict)  # record forms
    rows: list[Row] = field(default_factory=list)  # table forms
    columns: dict[str, int] = field(default_factory=dict)  # key -> 0-based column
    total: Row | None = None
    subtotals: list[tuple[Row, list[Row]]] = field(default_factory=list)  # 小计 row and the rows it sums
    aux: dict[str, dict[str, Any]] = field(default_factory=dict)  # aux key -> {row number: value}
    findings: list[Finding] = field(default_factory=list)
    wb_formulas: Callable[[set[str]], dict[str, str]] | None = None  # cell -> formula, for uncached totals
    reader_columns: dict[str, int] | None = None  # key -> index in the reader's row lists (rows read lazily)

    def column(self, key: str) -> list[Any]:
        """Every data row's raw cell in column `key`, in one pass (no per-row dict)."""
        j = self.reader_columns.get(key) if self.reader_columns else None
        if j is None or any(r._values is not None for r in self.rows[:1]):
            return [r.get(key) for r in self.rows]
        return [c[j] if j < len(c) else "" for c in (r._cells for r in self.rows)]  # type: ignore[arg-type]

    def cell(self, key: str, row: int) -> str:
        return f"{col_letter(self.columns[key])}{row}"


def _find(message: str, en: str, code: str, data: FormData, **kw: Any) -> None:
    data.findings.append(Finding(code, kw.pop("severity", ERROR), message, en, file=data.file, sheet=kw.pop("sheet", data.sheet),
                                 source=data.form.get("source"), **kw))


def _grid(wb: Workbook, sheet: str) -> dict[tuple[int, int], Any]:
    r0, c0, rows = wb.rows(sheet)
    return {(r0 + i, c0 + j): v for i, row in enumerate(rows) for j, v in enumerate(row) if v not in ("", None)}


def read_record(wb: Workbook, form: dict[str, Any], file: str) -> FormData:
    data = FormData(form, file)
    labels = {norm_label(f["label"]): f for f in form["fields"]}
    by_name = {defined_name(form["id"], f["key"]): f for f in form["fields"]}
    located: dict[str, tuple[str, int, int]] = {}
    for name, (sheet, ref) in wb.names.items():
        if name in by_name and sheet in wb.sheet_names and ":" not in ref:
            r, c = split_ref(ref)
            located[by_name[name]["key"]] = (sheet, r, c)
    sheet = form["sheet"] if form["sheet"] in wb.sheet_names else None
    if located:
        sheet = next(iter(located.values()))[0]
    grids: dict[str, dict[tuple[int, int], Any]] = {}
    if not sheet or len(located) < len(form["fields"]):
        sheet = sheet or _sheet_with_labels(wb, labels, grids)
        if not sheet:
            _find(f"找不到“{form['title']}”所在的工作表（表单被删除或改动过大），请使用 zonekit init 生成的表格重新填写",
                  f"cannot find the sheet of {form['title']}", "sheet_missing", data, sheet=None)
            return data
        grid = grids.get(sheet) or _grid(wb, sheet)
        for (r, c), v in sorted(grid.items()):
            f = labels.get(norm_label(v))
            if f and f["key"] not in located:
                located[f["key"]] = (sheet, r, _value_col(grid, labels, r, c))
    data.sheet = sheet
    grid = grids.get(sheet) or _grid(wb, sheet)
    for f in form["fields"]:
        if f["key"] not in located:
            _find(f"表单中找不到“{f['label']}”一栏，请勿删除或改写表格中的项目名称", f"field “{f['label']}” not found in the form",
                  "header_missing", data, field=f["label"])
            continue
        s, r, c = located[f["key"]]
        value = grid.get((r, c)) if s == sheet else _grid(wb, s).get((r, c))
        data.fields[f["key"]] = CellValue(value, s, f"{col_letter(c)}{r + 1}")
    empty = {cv.cell: cv for cv in data.fields.values() if cv.value in ("", None) and cv.sheet == sheet}
    if empty:  # a formula written by a script and never opened in Excel/WPS has no cached value
        for cell, formula in wb.formulas(sheet, wanted=set(empty)).items():
            empty[cell].formula = formula
    return data


def _value_col(grid: dict[tuple[int, int], Any], labels: dict[str, Any], r: int, c: int) -> int:
    """The first filled cell right of a label (merged label cells leave gaps), or the next column."""
    for vc in range(c + 1, c + 6):
        v = grid.get((r, vc))
        if v is not None:
            return c + 1 if norm_label(v) in labels else vc
    return c + 1


def _sheet_with_labels(wb: Workbook, labels: dict[str, Any], cache: dict[str, Any]) -> str | None:
    best, score = None, 0
    for name in wb.sheet_names:
        grid = cache[name] = _grid(wb, name)
        hits = sum(1 for v in grid.values() if norm_label(v) in labels)
        if hits > score:
            best, score = name, hits
    return best if score >= max(2, len(labels) // 3) else None


def read_table(wb: Workbook, form: dict[str, Any], file: str) -> FormData:
    data = FormData(form, file)
    cols = form["columns"]
    wanted = {norm_label(c["label"]): c["key"] for c in cols}
    order = [form["sheet"]] + [s for s in wb.sheet_names if s != form["sheet"] and s != AUX_SHEET]
    for sheet in [s for s in order if s in wb.sheet_names]:
        r0, c0, rows = wb.rows(sheet)
        header = _header(rows, wanted)
        if header is not None:
            break
    else:
        _find(f"找不到“{form['title']}”的表头（{'、'.join(c['label'] for c in cols[:4])}…），请使用 zonekit init 生成的表格填写，勿改动表头",
              f"cannot find the header row of {form['title']}", "sheet_missing", data, sheet=None)
        return data
    data.sheet = sheet
    data.wb_formulas = lambda cells: wb.formulas(sheet, wanted=cells)
    hi, mapping = header
    data.columns = {key: c0 + j for key, j in mapping.items()}
    data.reader_columns = mapping
    for c in cols:
        if c["key"] not in mapping:
            _find(f"表头缺少“{c['label']}”列，请勿删除或改写表头", f"header column “{c['label']}” is missing", "header_missing", data,
                  cell=f"{col_letter(c0)}{r0 + hi + 1}", field=c["label"])
    total = form.get("total")
    label_j = mapping.get(total["label_column"]) if total else None
    total_label = norm_label(total["label"]) if total else None
    sub = form.get("subtotals")
    sub_j = mapping.get(sub["label_column"]) if sub else None
    sub_label = norm_label(sub["label"]) if sub else None
    seq_keys = {c["key"] for c in cols if c.get("type") == "seq"}
    filled_js = [j for key, j in mapping.items() if key not in seq_keys]
    group_start = 0
    for i in range(hi + 1, len(rows)):
        row = rows[i]
        n = len(row)
        excel_row = r0 + i + 1
        label = row[label_j] if label_j is not None and label_j < n else None
        if isinstance(label, str) and norm_label(label) == total_label:
            data.total = Row(excel_row, cells=row, columns=mapping)
            continue
        if sub_j is not None and sub_j < n and isinstance(row[sub_j], str) and norm_label(row[sub_j]) == sub_label:
            data.subtotals.append((Row(excel_row, cells=row, columns=mapping), data.rows[group_start:]))
            group_start = len(data.rows)
            continue
        if not any(j < n and row[j] not in ("", None) for j in filled_js):
            continue
        if data.total is not None:
            _find(f"第{excel_row}行在“{total['label']}”行之后仍有数据，请将合计行移到最后", f"row {excel_row} comes after the total row",
                  "total_mismatch", data, cell=f"A{excel_row}", severity=WARNING)
        data.rows.append(Row(excel_row, cells=row, columns=mapping))
    if form.get("aux_columns") and AUX_SHEET in wb.sheet_names:
        _read_aux(wb, form, data)
    if form.get("rows"):
        _match_fixed_rows(form, data)
    return data


def _match_fixed_rows(form: dict[str, Any], data: FormData) -> None:
    """Indicator sheets: each sheet row is matched to its spec row by the text of the key column."""
    key = form["row_key"]
    by_text = {norm_label(r["cells"][key]): r["id"] for r in form["rows"]}
    seen: set[str] = set()
    for row in data.rows:
        row.id = by_text.get(norm_label(row.values.get(key)))
        if row.id is None:
            _find(f"第{row.number}行“{_short(row.values.get(key))}”不是本表规定的指标，请勿增改指标名称",
                  f"row {row.number} is not one of the form's indicators", "row_unknown", data, severity=WARNING,
                  cell=data.cell(key, row.number) if key in data.columns else None)
        else:
            seen.add(row.id)
    optional = set(form.get("_optional_rows", ()))  # rows of other reporting units (rowfilter.for_checking)
    for r in form["rows"]:
        if r["id"] not in seen and r["id"] not in optional:
            _find(f"缺少指标行“{r['cells'][key]}”，请勿删除指标行", f"indicator row '{r['cells'][key]}' is missing", "row_missing",
                  data, field=str(r["cells"][key]))


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:29] + "…"


def _header(rows: list[list[Any]], wanted: dict[str, str]) -> tuple[int, dict[str, int]] | None:
    need = max(2, (len(wanted) + 1) // 2)
    for i, row in enumerate(rows[:40]):
        mapping = {}
        for j, v in enumerate(row):
            key = wanted.get(norm_label(v))
            if key and key not in mapping:
                mapping[key] = j
        if len(mapping) >= need:
            return i, mapping
    return None


def _read_aux(wb: Workbook, form: dict[str, Any], data: FormData) -> None:
    """The helper sheet: rows keyed by enterprise name when it is filled, else by position."""
    r0, c0, rows = wb.rows(AUX_SHEET)
    aux_cols = {norm_label(c["label"]): c["key"] for c in form["aux_columns"]}
    name_label = norm_label(next((c["label"] for c in form["columns"] if c["key"] == "name"), ""))
    for i, row in enumerate(rows[:10]):
        keys = {j: aux_cols[norm_label(v)] for j, v in enumerate(row) if norm_label(v) in aux_cols}
        if keys:
            name_j = next((j for j, v in enumerate(row) if norm_label(v) == name_label), None)
            body = rows[i + 1:]
            break
    else:
        return
    exact = {r.get("name"): r.number for r in data.rows}  # most names match as typed
    by_name: dict[str, int] | None = None
    letters = {j: col_letter(c0 + j) for j in keys}
    for k, row in enumerate(body):
        raw = row[name_j] if name_j is not None and name_j < len(row) else ""
        target = exact.get(raw) if raw else None
        if raw and target is None:
            if by_name is None:
                by_name = {norm_label(r.get("name")): r.number for r in data.rows}
            target = by_name.get(norm_label(raw))
        elif not raw:
            target = data.rows[k].number if k < len(data.rows) else None
        if target is None:
            continue
        for j, key in keys.items():
            if j < len(row) and row[j] not in ("", None):
                data.aux.setdefault(key, {})[target] = CellValue(row[j], AUX_SHEET, f"{letters[j]}{r0 + i + 2 + k}")
