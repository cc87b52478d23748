"""Write a programme's official forms as Excel workbooks a person fills in WPS or Excel.

Two layouts cover every form in the specs:
- record: a label/value grid (附件1 申报表). Fields sharing a `row` sit on one line (1–3 pairs
  over six columns). Every input cell gets a workbook-level defined name `ZK_<FORM>_<KEY>`.
- table: one header row of column labels (附件2 信息表), `blank_rows` input rows, a 合计 row of
  COUNTA/SUM formulas, frozen header, header repeated on every printed page.

What zonekit adds beyond the notice (data validation, input messages, the auxiliary sheet) never
changes the official cells; the auxiliary sheet says that it is not part of the form.

Printing (what `soffice --headless --convert-to pdf`, WPS and Excel print): each form sheet is A4 in
its orientation, fitted to the page width, with a print area. LibreOffice prints every visible sheet,
so the auxiliary sheet, which must stay visible to be filled, gets a print area of one empty cell far
outside its table: LibreOffice then prints nothing for it (it skips empty pages) and the sheet says so
on screen. Rows whose text wraps get an explicit height (`fit_row_heights`), because LibreOffice does
not re-measure rows it did not lay out itself: without one, a wrapped name overprints the next row.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from zonekit.fields.types import of_field
from zonekit.xlsx.names import AUX_NOTE, AUX_SHEET, defined_name

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_FONT = "宋体"
# The helper sheet's print area: one cell far outside anything a person fills (the last cell LibreOffice's
# 1024-column sheets have). An empty print area prints nothing in LibreOffice; hiding the sheet would
# also keep it from printing, but then nobody sees it to fill it in.
_NOTHING_TO_PRINT = "AMJ1048576"
_AUX_ON_SCREEN = "打印或导出PDF时本表不输出（打印区域为空白单元格）。"


def write_form(form: dict[str, Any], path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = form["sheet"]
    LAYOUTS[form["kind"]](wb, ws, form)
    for sheet in wb.worksheets:
        fit_row_heights(sheet)
    wb.properties.creator = "zonekit"
    wb.save(path)


# ------------------------------------------------------------------ row heights
# Excel's column width unit is the digit width of the default font (Calibri 11: 7 px = 5.25 pt at 96 dpi);
# a cell loses about 5 px to its padding. CJK characters are one em wide, others about 0.55 em. Lines are
# 1.35 em apart (宋体 10 pt rows are 13.5 pt in Excel). These are Excel/WPS metrics, the narrowest of the
# three programs, so a row is never too short where people print; LibreOffice without Calibri lays text a
# little wider and leaves some air.
_PT_PER_WIDTH = 5.25
_PADDING_PT = 4.0
_LINE_EM = 1.35
_DEFAULT_ROW_PT = 15.0
_DEFAULT_WIDTH = 8.43
# 避头: these never begin a line, the char before moves down
_NO_LINE_START = set("，。、；：？！）》」』】〕’”,.;:?!)]%")


def _char_em(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55


def wrapped_lines(text: str, width: float, size: float) -> int:
    """How many lines `text` takes in a wrapping cell `width` column units wide at font `size` pt."""
    room = max(width * _PT_PER_WIDTH - _PADDING_PT, size) / size  # in em
    lines = 0
    for para in str(text).split("\n"):
        lines += 1
        used, word = 0.0, 0.0  # `word`: the width of the run of ASCII letters/digits that ends at the pen
        prev = ""
        for ch in para:
            w = _char_em(ch)
            if used + w > room + 1e-9 and used > 0:
                lines += 1
                if ch in _NO_LINE_START and prev:  # the previous character comes down with it
                    used = _char_em(prev)
                elif ch.isascii() and ch.isalnum() and 0 < word < room:  # a Latin word moves down whole
                    used = word
                else:
                    used, word = 0.0, 0.0
            used += w
            word = word + w if ch.isascii() and ch.isalnum() else 0.0
            prev = ch
    return max(lines, 1)


def fit_row_heights(ws: Any, rows: Iterable[int] | None = None) -> None:
    """Give every row whose wrapping text needs more than one line an explicit height that shows it.

    Heights only grow (a taller row set on purpose, like a 6-line free-text box, stays). Single-line rows
    keep no explicit height, so Excel and WPS still grow them while a person types. Call it after filling a
    form programmatically (openpyxl, a script): LibreOffice prints such rows at the default height."""
    width_of = _column_widths(ws)
    spans, covered = _merged(ws, width_of)
    wanted = set(rows) if rows is not None else None
    need: dict[int, float] = {}
    for cell in _wrapping_cells(ws):
        if (wanted is not None and cell.row not in wanted) or (cell.row, cell.column) in covered:
            continue
        size = float(cell.font.sz or 11) if cell.font else 11.0
        lines = wrapped_lines(cell.value, spans.get((cell.row, cell.column)) or width_of(cell.column), size)
        if lines > 1:
            need[cell.row] = max(need.get(cell.row, 0.0), lines * _LINE_EM * size + _PADDING_PT)
    for r, height in need.items():
        current = ws.row_dimensions[r].height or _DEFAULT_ROW_PT
        if height > current:
            ws.row_dimensions[r].height = math.ceil(height)


def _column_widths(ws: Any) -> Callable[[int], float]:
    """A column's width (Excel's units; the default where the sheet sets none), looked up once."""
    widths: dict[int, float] = {}

    def width_of(col: int) -> float:
        if col not in widths:
            dim = ws.column_dimensions.get(get_column_letter(col))
            widths[col] = dim.width if dim is not None and dim.width else _DEFAULT_WIDTH
        return widths[col]

    return width_of


def _merged(ws: Any, width_of: Callable[[int], float]) -> tuple[dict[tuple[int, int], float], set[tuple[int, int]]]:
    """The width of each cell merged across columns of one row, and the cells a merge covers (every cell
    of a merge over several rows: their heights are set by hand)."""
    spans: dict[tuple[int, int], float] = {}
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        if rng.max_row > rng.min_row:
            covered.update((r, c) for r in range(rng.min_row, rng.max_row + 1)
                           for c in range(rng.min_col, rng.max_col + 1))
            continue
        spans[(rng.min_row, rng.min_col)] = sum(width_of(c) for c in range(rng.min_col, rng.max_col + 1))
        covered.update((rng.min_row, c) for c in range(rng.min_col + 1, rng.max_col + 1))
    return spans, covered


def _wrapping_cells(ws: Any) -> Iterator[Any]:
    """Cells holding text that wraps (numbers and dates never wrap: a narrow cell shows ###; formulas are
    numbers here)."""
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str) and not value.startswith("=") and cell.alignment.wrap_text:
                yield cell


# ------------------------------------------------------------------ shared bits
def _title_rows(ws: Any, form: dict[str, Any], ncols: int) -> int:
    """附件 label, title, the form's `note` (one small italic line, when it has one), header line;
    returns the next free row."""
    last = get_column_letter(ncols)
    ws["A1"] = form.get("attachment", "")
    ws["A1"].font = Font(name="黑体", size=12)
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = form["title"]
    ws["A2"].font = Font(name=_FONT, size=18, bold=True)
    ws["A2"].alignment = _CENTER
    ws.row_dimensions[2].height = 36
    r = 3
    if form.get("note"):  # e.g. "this is zonekit's default table, not the official attachment"
        ws.merge_cells(f"A3:{last}3")
        ws["A3"] = form["note"]
        ws["A3"].font = Font(name=_FONT, size=9, italic=True, color="555555")
        ws["A3"].alignment = Alignment(wrap_text=True, vertical="center")  # height: fit_row_heights
        r = 4
    split = max(1, ncols // 2)
    ws.merge_cells(f"A{r}:{get_column_letter(split)}{r}")
    ws[f"A{r}"] = form.get("header_left", "")
    right = get_column_letter(split + 1)
    ws.merge_cells(f"{right}{r}:{last}{r}")
    ws[f"{right}{r}"] = form.get("header_right", "")
    ws[f"{right}{r}"].alignment = Alignment(horizontal="right", vertical="center")
    for cell in (ws[f"A{r}"], ws[f"{right}{r}"]):
        cell.font = Font(name=_FONT, size=11)
    ws.row_dimensions[r].height = 24
    return r + 1


def _print_setup(ws: Any, *, landscape: bool, fit_height: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = fit_height
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6


def _validation(field: dict[str, Any], sqref: str) -> DataValidation | None:
    """The input cell's data validation, as the field's type (zonekit.fields.types) says, with the
    spec's `help` as its input message."""
    check = of_field(field).excel_check(field)
    if check is None:
        return None
    dv = DataValidation(type=check.type, operator=check.operator, formula1=check.formula1, formula2=check.formula2,
                        allow_blank=True)
    dv.error = f"“{field['label']}”的值不符合要求"
    dv.errorTitle = "输入有误"
    prompt = field.get("help", "") or check.prompt
    if prompt:
        dv.prompt = prompt[:250]
        dv.promptTitle = field["label"][:30]
        dv.showInputMessage = True
    dv.showErrorMessage = check.refuse
    dv.add(sqref)
    return dv


def _add_name(wb: Workbook, name: str, ws: Any, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(ws.title)}!{ref}")


# ------------------------------------------------------------------ record layout (label/value grid)
_SPANS = {1: [(1, 1), (2, 6)], 2: [(1, 1), (2, 2), (3, 4), (5, 6)], 3: [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)]}


def _record(wb: Workbook, ws: Any, form: dict[str, Any]) -> None:
    for col, width in zip("ABCDEF", (22, 22, 20, 18, 14, 20), strict=True):
        ws.column_dimensions[col].width = width
    r = _title_rows(ws, form, 6)
    rows: dict[int, list[dict[str, Any]]] = {}
    for f in form["fields"]:
        rows.setdefault(f.get("row", len(rows) + 1), []).append(f)
    seals = {s.get("after_row"): s for s in form.get("seals", [])}
    for row_no in sorted(rows):
        fields = rows[row_no]
        if len(fields) > 3:
            raise ValueError(f"form {form['id']}: row {row_no} has more than 3 fields")
        spans = _SPANS[len(fields)]
        height = 30 * max(f.get("lines", 1) for f in fields)
        for i, f in enumerate(fields):
            (l0, l1), (v0, v1) = spans[2 * i], spans[2 * i + 1]
            _box(ws, r, l0, l1, f["label"], _CENTER)
            _box(ws, r, v0, v1, None, _WRAP)
            ref = f"${get_column_letter(v0)}${r}"
            _add_name(wb, defined_name(form["id"], f["key"]), ws, ref)
            dv = _validation(f, f"{get_column_letter(v0)}{r}")
            if dv:
                ws.add_data_validation(dv)
        ws.row_dimensions[r].height = height
        r += 1
        if row_no in seals:
            s = seals[row_no]
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
            ws.merge_cells(start_row=r, start_column=5, end_row=r, end_column=6)
            ws.cell(r, 1, s["left"]).alignment = Alignment(vertical="bottom", indent=1)
            ws.cell(r, 5, s.get("right", "年    月    日")).alignment = Alignment(horizontal="right", vertical="bottom")
            for c in range(1, 7):
                ws.cell(r, c).border = _BOX
                ws.cell(r, c).font = Font(name=_FONT, size=11)
            ws.row_dimensions[r].height = 48
            r += 1
    ws.print_area = f"A1:F{r - 1}"
    _print_setup(ws, landscape=bool(form.get("landscape")), fit_height=1)


def _box(ws: Any, row: int, c0: int, c1: int, value: str | None, align: Alignment) -> None:
    if c1 > c0:
        ws.merge_cells(start_row=row, start_column=c0, end_row=row, end_column=c1)
    for c in range(c0, c1 + 1):
        cell = ws.cell(row, c)
        cell.border = _BOX
        cell.alignment = align
        cell.font = Font(name=_FONT, size=11)
    if value is not None:
        ws.cell(row, c0, value)


# ------------------------------------------------------------------ table layout
def _table(wb: Workbook, ws: Any, form: dict[str, Any]) -> None:
    cols = form["columns"]
    n = len(cols)
    last = get_column_letter(n)
    for i, c in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(i)].width = c.get("width", 12)
    r = _title_rows(ws, form, n)
    header = r
    for i, c in enumerate(cols, 1):
        _box(ws, header, i, i, c["label"], _CENTER)
        ws.cell(header, i).font = Font(name=_FONT, size=10, bold=True)
    ws.row_dimensions[header].height = 60
    first = header + 1
    if form.get("rows"):
        end, subtotal_rows = _fixed_rows(ws, form, first)
    else:
        end, subtotal_rows = header + form.get("blank_rows", 20), []
        for row in range(first, end + 1):
            _data_row(ws, cols, row, row - header)
        for i, c in enumerate(cols, 1):
            letter = get_column_letter(i)
            dv = _validation(c, f"{letter}{first}:{letter}{end}")
            if dv:
                ws.add_data_validation(dv)
    total = form.get("total")
    tr = end + 1
    if total:
        _write_total(ws, form, total, tr, first, end, subtotal_rows)
    _add_name(wb, defined_name(form["id"], "header"), ws, f"$A${header}:${last}${header}")
    _add_name(wb, defined_name(form["id"], "data"), ws, f"$A${first}:${last}${end}")
    if total:
        _add_name(wb, defined_name(form["id"], "total"), ws, f"$A${tr}:${last}${tr}")
    ws.freeze_panes = f"A{first}"
    ws.print_title_rows = f"{header}:{header}"
    ws.print_area = f"A1:{last}{tr if total else end}"
    _print_setup(ws, landscape=bool(form.get("landscape")), fit_height=0)
    if form.get("aux_columns"):
        _aux_sheet(wb, ws, form, first, end)


def _data_row(ws: Any, cols: list[dict[str, Any]], row: int, seq: int | None) -> None:
    """One input row, each cell as its column's type has it (zonekit.fields.types); 序号 filled in."""
    for i, c in enumerate(cols, 1):
        kind = of_field(c)
        cell = ws.cell(row, i)
        cell.border = _BOX
        cell.alignment = _CENTER if kind.centered else _WRAP
        cell.font = Font(name=_FONT, size=10)
        if kind.numbering:
            cell.value = seq
        elif kind.number_format:
            cell.number_format = kind.number_format


def _fixed_rows(ws: Any, form: dict[str, Any], first: int) -> tuple[int, list[int]]:
    """Indicator sheets: the spec's rows with their prefilled cells, a 小计 row after each group."""
    sub = form.get("subtotals")
    r, subtotal_rows, group_first = first, [], first
    rows = form["rows"]
    for k, spec_row in enumerate(rows):
        _fixed_row(ws, form["columns"], spec_row, r, k + 1)
        r += 1
        if sub and (k + 1 == len(rows) or _group(rows[k + 1], sub) != _group(spec_row, sub)):
            _subtotal_row(ws, form["columns"], sub, r, group_first)
            subtotal_rows.append(r)
            r += 1
            group_first = r
    return r - 1, subtotal_rows


def _group(spec_row: dict[str, Any], sub: dict[str, Any]) -> Any:
    return spec_row["cells"].get(sub["group_column"])


def _fixed_row(ws: Any, cols: list[dict[str, Any]], spec_row: dict[str, Any], r: int, seq: int) -> None:
    """One fixed row: its prefilled cells, and a data validation for each cell left to fill."""
    index = {c["key"]: i for i, c in enumerate(cols, 1)}
    _data_row(ws, cols, r, seq)
    for key, value in spec_row["cells"].items():
        if key in index:
            ws.cell(r, index[key], value)  # prefilled text that wraps gets its height from fit_row_heights
    for c in cols:
        row_spec = _row_spec(c, spec_row)
        if c["key"] in spec_row["cells"] or of_field(c).numbering:
            continue
        dv = _validation(row_spec, f"{get_column_letter(index[c['key']])}{r}")
        if dv:
            ws.add_data_validation(dv)


def _row_spec(col: dict[str, Any], spec_row: dict[str, Any]) -> dict[str, Any]:
    """A column as one fixed row has it: a `row_typed` column takes the row's type, unit and limits, and a
    `max` of "row.<key>" is that row's cell."""
    spec = col
    if col.get("row_typed"):
        spec = {**col, **{x: spec_row[x] for x in ("type", "unit", "min", "max", "values") if x in spec_row}}
    if isinstance(spec.get("max"), str) and spec["max"].startswith("row."):
        spec = {**spec, "max": spec_row["cells"].get(spec["max"][4:])}
    return spec


def _subtotal_row(ws: Any, cols: list[dict[str, Any]], sub: dict[str, Any], r: int, group_first: int) -> None:
    for i, c in enumerate(cols, 1):
        cell = ws.cell(r, i)
        cell.border = _BOX
        cell.alignment = _CENTER
        cell.font = Font(name=_FONT, size=10, bold=True)
        letter = get_column_letter(i)
        if c["key"] == sub["label_column"]:
            cell.value = sub["label"]
        elif c["key"] in sub.get("sum", []):
            cell.value = f"=SUM({letter}{group_first}:{letter}{r - 1})"


def _write_total(ws: Any, form: dict[str, Any], total: dict[str, Any], tr: int, first: int, end: int,
                 subtotal_rows: list[int] | None = None) -> None:
    keys = [c["key"] for c in form["columns"]]
    for i, key in enumerate(keys, 1):
        letter = get_column_letter(i)
        value: Any = None
        if key == total["label_column"]:
            value = total["label"]
        elif key in total.get("count", []):
            value = f"=COUNTA({letter}{first}:{letter}{end})"
        elif key in total.get("sum", []) and subtotal_rows:
            value = "=" + "+".join(f"{letter}{r}" for r in subtotal_rows)
        elif key in total.get("sum", []):
            value = f"=SUM({letter}{first}:{letter}{end})"
        elif key in total.get("slash", []):
            value = "/"
        cell = ws.cell(tr, i, value)
        cell.border = _BOX
        cell.alignment = _CENTER
        cell.font = Font(name=_FONT, size=10, bold=True)
        kind = of_field(form["columns"][i - 1])
        if key in total.get("sum", []) and kind.numeric and kind.number_format:
            cell.number_format = kind.number_format  # printed like the rows it adds up
    ws.row_dimensions[tr].height = 24


def _aux_sheet(wb: Workbook, main: Any, form: dict[str, Any], first: int, end: int) -> None:
    aux = wb.create_sheet(AUX_SHEET)
    aux.sheet_properties.tabColor = "999999"
    aux["A1"] = AUX_NOTE + _AUX_ON_SCREEN
    aux["A1"].font = Font(name=_FONT, size=10, italic=True, color="666666")
    # the whole note on screen; height: fit_row_heights
    aux["A1"].alignment = Alignment(wrap_text=True, vertical="center")
    aux.merge_cells(start_row=1, start_column=1, end_row=1, end_column=1 + len(form["aux_columns"]))
    keys = [c["key"] for c in form["columns"]]
    name_col = keys.index("name") + 1 if "name" in keys else 2
    name_letter = get_column_letter(name_col)
    headers = [form["columns"][name_col - 1]["label"]]
    headers += [c["label"] for c in form["aux_columns"]]
    for i, h in enumerate(headers, 1):
        _box(aux, 2, i, i, h, _CENTER)
        aux.column_dimensions[get_column_letter(i)].width = 30 if i == 1 else 18
    src = quote_sheetname(main.title)
    for k, row in enumerate(range(first, end + 1)):
        r = 3 + k
        aux.cell(r, 1, f'=IF({src}!{name_letter}{row}="","",{src}!{name_letter}{row})').border = _BOX
        for i in range(2, len(headers) + 1):
            aux.cell(r, i).border = _BOX
    for i, c in enumerate(form["aux_columns"], 2):
        letter = get_column_letter(i)
        dv = _validation(c, f"{letter}3:{letter}{3 + end - first}")
        if dv:
            aux.add_data_validation(dv)
    aux.freeze_panes = "A3"
    aux.sheet_view.tabSelected = False
    _print_setup(aux, landscape=False, fit_height=0)  # should someone print it on purpose: A4, note not cut off
    never_print(aux)


LAYOUTS: dict[str, Callable[[Workbook, Any, dict[str, Any]], None]] = {"record": _record, "table": _table}
"""How each form `kind` is laid out on its sheet."""


def never_print(ws: Any) -> None:
    """Keep a visible sheet (a helper zonekit adds) out of print and PDF export.

    LibreOffice prints every visible sheet; a print area of one empty cell makes it print nothing for this
    one (it skips empty pages), also after LibreOffice re-saves the file as xlsx. Excel and WPS print the
    active sheet only unless asked for the whole workbook. The sheet should say on screen that it does not print."""
    ws.print_area = _NOTHING_TO_PRINT


def write_checklist(prog: Any, path: Path, required: dict[str, str], today: date) -> None:
    """材料清单.xlsx: every material, whether it is needed and on what condition, its article."""
    wb = Workbook()
    ws = wb.active
    ws.title = "材料清单"
    headers = ["序号", "材料名称", "是否必需", "依据", "目录", "说明", "状态"]
    widths = [6, 30, 26, 20, 28, 50, 12]
    ws.merge_cells("A1:G1")
    ws["A1"] = f"{prog.title()} — 申报材料清单"
    ws["A1"].font = Font(name="黑体", size=14)
    ws["A1"].alignment = _CENTER
    from zonekit.spec.wording import contact_lines, submission_text

    sub = prog.submission
    ws.merge_cells("A2:G2")
    ws["A2"] = (f"报送要求：{submission_text(sub)}；" if sub else "") + f"生成日期 {today.isoformat()}"
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[2].height = 20 if len(ws["A2"].value) < 80 else 34
    for i, (h, w) in enumerate(zip(headers, widths, strict=True), 1):
        _box(ws, 3, i, i, h, _CENTER)
        ws.column_dimensions[get_column_letter(i)].width = w
    for k, m in enumerate(prog.materials, 1):
        r = 3 + k
        values = [k, m["title"], required[m["id"]], m["source"], m["folder"], m.get("help", ""), "未准备"]
        for i, v in enumerate(values, 1):
            _box(ws, r, i, i, v, _WRAP if i in (2, 3, 6) else _CENTER)
        ws.row_dimensions[r].height = 36
    dv = DataValidation(type="list", formula1='"未准备,已准备,已盖章,不适用"', allow_blank=True)
    dv.add(f"G4:G{3 + len(prog.materials)}")
    ws.add_data_validation(dv)
    contacts = contact_lines(prog.contacts)
    if contacts:  # after one blank row: the contacts the notice gives, one merged line each
        r = 3 + len(prog.materials) + 2
        for k, text in enumerate(["通知所列联系方式：", *contacts]):
            ws.merge_cells(start_row=r + k, start_column=1, end_row=r + k, end_column=7)
            cell = ws.cell(r + k, 1, text)
            cell.font = Font(name="黑体" if k == 0 else _FONT, size=11)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            ws.row_dimensions[r + k].height = 20 if len(text) < 80 else 34
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    _print_setup(ws, landscape=True, fit_height=0)
    fit_row_heights(ws)
    wb.save(path)

