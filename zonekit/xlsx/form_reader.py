"""Locate a form's values in a filled workbook by defined name and header label, never by fixed
coordinates: inserted rows, blank rows, a renamed sheet, reordered helper sheets and a moved
合计 row are all tolerated.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from zonekit.fields.cellvalues import norm_label, norm_labels
from zonekit.fields.types import of_field
from zonekit.findings import WARNING, Problem
from zonekit.xlsx.names import AUX_SHEET, defined_name
from zonekit.xlsx.reader import Workbook, col_letter, split_ref

_NUMBER = operator.attrgetter("number")


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

    def __init__(self, number: int, values: dict[str, Any] | None = None, id: str | None = None,
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
        j, cells = self._columns.get(key), self._cells or []
        return cells[j] if j is not None and j < len(cells) else ""

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
    aux: dict[str, dict[int, Any]] = field(default_factory=dict)  # aux key -> {data row number: raw value}
    aux_at: dict[str, dict[int, int]] = field(default_factory=dict)  # aux key -> {data row number: helper sheet row}
    aux_letters: dict[str, str] = field(default_factory=dict)  # aux key -> helper sheet column letter
    # what reading found wrong (file, sheet, source: the runner's)
    problems: list[Problem] = field(default_factory=list)
    wb_formulas: Callable[[set[str]], dict[str, str]] | None = None  # cell -> formula, for uncached totals
    reader_columns: dict[str, int] | None = None  # key -> index in the reader's row lists (rows read lazily)
    # (row count, columns)
    _transposed: tuple[int, list[tuple[Any, ...]] | None] | None = field(default=None, repr=False)

    def column(self, key: str) -> list[Any]:
        """Every data row's raw cell in column `key` (no per-row dict)."""
        j = self.reader_columns.get(key) if self.reader_columns else None
        by_column = self._by_column() if j is not None else None
        if by_column is not None and j is not None and j < len(by_column):
            return list(by_column[j])
        return [r.get(key) for r in self.rows]

    def numbers(self) -> list[int]:
        """The Excel row number of each data row."""
        return list(map(_NUMBER, self.rows))

    def _by_column(self) -> list[tuple[Any, ...]] | None:
        """The rows' reader lists transposed once, in C, when they are all the reader's and of one width."""
        if self._transposed is None or self._transposed[0] != len(self.rows):
            cells = [r._cells if r._values is None else None for r in self.rows]
            ok = None not in cells and len(set(map(len, cast(list[list[Any]], cells)))) <= 1
            self._transposed = (len(self.rows), list(zip(*cast(list[list[Any]], cells), strict=True)) if ok else None)
        return self._transposed[1]

    def cell(self, key: str, row: int) -> str:
        return f"{col_letter(self.columns[key])}{row}"

    def aux_cell(self, key: str, row: int) -> str:
        """The helper-sheet cell holding `key` for data row `row`."""
        return f"{self.aux_letters[key]}{self.aux_at[key][row]}"


def _grid(wb: Workbook, sheet: str) -> dict[tuple[int, int], Any]:
    r0, c0, rows = wb.rows(sheet)
    return {(r0 + i, c0 + j): v for i, row in enumerate(rows) for j, v in enumerate(row) if v not in ("", None)}


def read_record(wb: Workbook, form: dict[str, Any], file: str) -> FormData:
    data = FormData(form, file)
    labels = {norm_label(f["label"]): f for f in form["fields"]}
    by_name = {defined_name(form["id"], f["key"]): f for f in form["fields"]}
    located: dict[str, tuple[str, int, int]] = {}
    for name, (named_sheet, ref) in wb.names.items():
        if name in by_name and named_sheet in wb.sheet_names and ":" not in ref:
            r, c = split_ref(ref)
            located[by_name[name]["key"]] = (named_sheet, r, c)
    sheet: str | None = form["sheet"] if form["sheet"] in wb.sheet_names else None
    if located:
        sheet = next(iter(located.values()))[0]
    grids: dict[str, dict[tuple[int, int], Any]] = {}
    if not sheet or len(located) < len(form["fields"]):
        sheet = sheet or _sheet_with_labels(wb, labels, grids)
        if not sheet:
            data.problems.append(Problem("sheet_missing", {"title": form["title"]}, "record"))
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
            data.problems.append(Problem("header_missing", {"label": f["label"]}, "field", sheet=sheet,
                                         field=f["label"]))
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


def looks_like(wb: Workbook, form: dict[str, Any]) -> bool:
    """Whether `wb` holds `form`: its defined names (ZK_<FORM>_…, written by zonekit init), else its labels."""
    prefix = defined_name(form["id"], "")
    if any(name.startswith(prefix) for name in wb.names):
        return True
    return _LOOKS_LIKE[form["kind"]](wb, form)


def _has_record_labels(wb: Workbook, form: dict[str, Any]) -> bool:
    return _sheet_with_labels(wb, {norm_label(f["label"]): f for f in form["fields"]}, {}) is not None


def _has_table_header(wb: Workbook, form: dict[str, Any]) -> bool:
    wanted = {norm_label(c["label"]): c["key"] for c in form["columns"]}
    return any(_header(wb.rows(sheet)[2], wanted) is not None for sheet in wb.sheet_names if sheet != AUX_SHEET)


_LOOKS_LIKE: dict[str, Callable[[Workbook, dict[str, Any]], bool]] = {"record": _has_record_labels,
                                                                      "table": _has_table_header}


def table_sheets_ahead(form: dict[str, Any]) -> tuple[str, ...]:
    """The sheets `read_table` reads besides the form's own: the helper sheet, for a form with helper columns."""
    return (AUX_SHEET,) if form.get("aux_columns") else ()


def read_table(wb: Workbook, form: dict[str, Any], file: str) -> FormData:
    data = FormData(form, file)
    if form.get("aux_columns"):
        wb.read_ahead(AUX_SHEET)  # read alongside the form sheet (used at the end, by _read_aux)
    found = _table_sheet(wb, form)
    if found is None:
        labels = "、".join(c["label"] for c in form["columns"][:4])
        data.problems.append(Problem("sheet_missing", {"title": form["title"], "labels": labels}, "table"))
        return data
    sheet, r0, c0, rows, (hi, mapping) = found
    data.sheet = sheet
    data.wb_formulas = lambda cells: wb.formulas(sheet, wanted=cells)
    data.columns = {key: c0 + j for key, j in mapping.items()}
    data.reader_columns = mapping
    data.problems += [Problem("header_missing", {"label": c["label"]}, "column", sheet=sheet,
                              cell=f"{col_letter(c0)}{r0 + hi + 1}",
                              field=c["label"]) for c in form["columns"] if c["key"] not in mapping]
    _split_rows(form, data, r0, rows, hi, mapping)
    if form.get("aux_columns") and AUX_SHEET in wb.sheet_names:
        _read_aux(wb, form, data)
    if form.get("rows"):
        _match_fixed_rows(form, data)
    return data


def _table_sheet(wb: Workbook, form: dict[str, Any]) -> tuple[str, int, int, list[list[Any]],
                                                              tuple[int, dict[str, int]]] | None:
    """The sheet holding the table's header (the form's own sheet first), with its used range and header."""
    wanted = {norm_label(c["label"]): c["key"] for c in form["columns"]}
    order = [form["sheet"]] + [s for s in wb.sheet_names if s != form["sheet"] and s != AUX_SHEET]
    for sheet in [s for s in order if s in wb.sheet_names]:
        r0, c0, rows = wb.rows(sheet)
        header = _header(rows, wanted)
        if header is not None:
            return sheet, r0, c0, rows, header
    return None


def _split_rows(form: dict[str, Any], data: FormData, r0: int, rows: list[list[Any]], hi: int,
                mapping: dict[str, int]) -> None:
    """The rows below the header as data rows, 小计 rows with the rows they sum, and the 合计 row;
    blank rows are skipped, and data after the 合计 row is kept and said to be misplaced."""
    total, sub = form.get("total"), form.get("subtotals")
    seq_keys = {c["key"] for c in form["columns"] if of_field(c).numbering}
    filled_js = [j for key, j in mapping.items() if key not in seq_keys]
    labelled = tuple((kind, mapping.get(spec["label_column"]), norm_label(spec["label"])) if spec
                     else (kind, None, None) for kind, spec in (("sub", sub), ("total", total)))
    marks = _row_marks(rows, hi + 1, filled_js, labelled)
    group_start, start = 0, hi + 1
    for end in [*sorted(marks), len(rows)]:  # the plain data rows between two marked rows, as one block
        block = [Row(r0 + i + 1, None, None, rows[i], mapping) for i in range(start, end)]
        if data.total is not None and total:
            data.problems += [Problem("total_mismatch", {"row": row.number, "label": total["label"]}, "after_total",
                                      WARNING,
                                      sheet=data.sheet, cell=f"A{row.number}") for row in block]
        data.rows.extend(block)
        kind, start = marks.get(end), end + 1
        if kind == "total":
            data.total = Row(r0 + end + 1, None, None, rows[end], mapping)
        elif kind == "sub":
            data.subtotals.append((Row(r0 + end + 1, None, None, rows[end], mapping), data.rows[group_start:]))
            group_start = len(data.rows)


def _row_marks(rows: list[list[Any]], start: int, filled_js: list[int],
               labels: tuple[tuple[str, int | None, str | None], ...]) -> dict[int, str]:
    """Index -> "blank", or the kind whose label its column holds ("sub" 小计, "total" 合计; later
    kinds win), for the rows from `start` on. Done column-wise so a big table costs little."""
    marks: dict[int, str] = {}
    if filled_js:  # a row whose every column but 序号 is empty is skipped
        first = filled_js[0]
        for i in range(start, len(rows)):
            if rows[i][first] in ("", None) and all(rows[i][j] in ("", None) for j in filled_js):
                marks[i] = "blank"
    for kind, j, label in labels:
        if j is None:
            continue
        at = [i for i in range(start, len(rows)) if type(rows[i][j]) is str]
        for i, text in zip(at, norm_labels([rows[i][j] for i in at]), strict=True):
            if text == label:
                marks[i] = kind
    return marks


def _match_fixed_rows(form: dict[str, Any], data: FormData) -> None:
    """Indicator sheets: each sheet row is matched to its spec row by the text of the key column."""
    key = form["row_key"]
    by_text = {norm_label(r["cells"][key]): r["id"] for r in form["rows"]}
    seen: set[str] = set()
    for row in data.rows:
        row.id = by_text.get(norm_label(row.values.get(key)))
        if row.id is None:
            data.problems.append(Problem("row_unknown", {"row": row.number, "text": _short(row.values.get(key))},
                                         sheet=data.sheet,
                                         cell=data.cell(key, row.number) if key in data.columns else None))
        else:
            seen.add(row.id)
    optional = set(form.get("_optional_rows", ()))  # rows of other reporting units (rowfilter.for_checking)
    for r in form["rows"]:
        if r["id"] not in seen and r["id"] not in optional:
            data.problems.append(Problem("row_missing", {"text": r["cells"][key]}, sheet=data.sheet,
                                         field=str(r["cells"][key])))


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:29] + "…"


_UNIT_SPELLINGS = (("㎡", "m2"), ("m²", "m2"), ("平方米", "m2"), ("平米", "m2"))


def header_key(text: Any) -> str:
    """A column label for matching a header: `norm_label`, and units in any spelling people use
    (㎡, m², 平方米 -> m2)."""
    key = norm_label(text)
    for spelling, unit in _UNIT_SPELLINGS:
        key = key.replace(spelling, unit)
    return key


def _labels_in(row: list[Any], wanted: dict[str, str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for j, v in enumerate(row):
        if type(v) is str:
            key = wanted.get(header_key(v))
            if key and key not in mapping:
                mapping[key] = j
    return mapping


def _header(rows: list[list[Any]], wanted: dict[str, str]) -> tuple[int, dict[str, int]] | None:
    """(index of the last header row, column key -> index), for a header of one row or two.

    Offices put a group row above the labels (企业基本情况 / 经营情况 merged across columns) and
    merge a label over both rows (序号): the labels row is the one carrying most columns, and a
    label it lacks is taken from the row above or below it. Data starts after the lower one."""
    wanted = {header_key(label): key for label, key in wanted.items()}
    need = max(2, (len(wanted) + 1) // 2)
    found = [_labels_in(row, wanted) for row in rows[:40]]
    best = max(range(len(found)), key=lambda i: len(found[i]), default=None)
    if best is None or len(found[best]) < need:
        return None
    mapping, last = dict(found[best]), best
    for i in (best - 1, best + 1):
        if 0 <= i < len(found):
            extra = {k: j for k, j in found[i].items() if k not in mapping and j not in mapping.values()}
            if extra:
                mapping.update(extra)
                last = max(last, i)
    return last, mapping


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
    first = r0 + i + 2  # Excel row of body[0]
    numbers = data.numbers()
    names = [row[name_j] for row in body] if name_j is not None else [""] * len(body)
    exact = dict(zip(data.column("name"), numbers, strict=True))  # most names match as typed
    exact.pop("", None)
    exact.pop(None, None)
    targets = list(map(exact.get, names))
    if None in targets:
        by_name: dict[str, int] | None = None
        for k, raw in enumerate(names):
            if targets[k] is not None:
                continue
            if raw in ("", None):  # no name: the helper row belongs to the data row at the same position
                targets[k] = numbers[k] if k < len(numbers) else None
                continue
            if by_name is None:
                by_name = dict(zip(norm_labels(data.column("name")), numbers, strict=True))
            targets[k] = by_name.get(norm_label(raw))
    for j, key in keys.items():
        column = list(map(operator.itemgetter(j), body))
        data.aux_letters[key] = col_letter(c0 + j)
        if None not in targets and "" not in column and None not in column:  # every helper row matched and filled
            matched = cast(list[int], targets)
            data.aux[key] = dict(zip(matched, column, strict=True))  # a name twice: the last row wins
            data.aux_at[key] = dict(zip(matched, range(first, first + len(body)), strict=True))
            continue
        at = {t: k for k, t in enumerate(targets) if t is not None and column[k] not in ("", None)}
        data.aux[key] = {t: column[k] for t, k in at.items()}
        data.aux_at[key] = {t: first + k for t, k in at.items()}
