"""Helpers the benchmark scripts share: an Excel-like 附件2 header and a 附件1 consistent with a generated 附件2."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any


def compiled() -> None:
    """Write zonekit's bytecode before anything is timed, as a pip install does for every package.

    With PYTHONDONTWRITEBYTECODE set (some shells and CI images set it) an editable checkout would
    otherwise compile every module at every start, while the anchors' site-packages have theirs:
    10-20 ms per command that no user pays."""
    import compileall

    compileall.compile_dir(Path(__file__).resolve().parent.parent / "zonekit", quiet=1)


def write_table_header(wb: Any, ws: Any, form: dict[str, Any], building: str) -> Any:
    """Rows 1-4 of a table form as zonekit lays it out, written with XlsxWriter; returns a date format."""
    ws.write(0, 0, form["attachment"])
    ws.write(1, 0, form["title"].replace(form["title_placeholder"], building))
    ws.write(2, 0, form["header_left"])
    ws.write(2, 5, form["header_right"])
    ws.write_row(3, 0, [c["label"] for c in form["columns"]])
    return wb.add_format({"num_format": "yyyy-mm-dd"})


def write_table_footer(wb: Any, ws: Any, names: list[str], area: float, fiscal: float, staff: int) -> None:
    """The 合计 row under rows 5.. of a 附件2 (formulas with their cached results, as Excel saves them)
    and the helper sheet: each enterprise by name, the first five marked as licensed."""
    from zonekit.xlsx.names import AUX_NOTE, AUX_SHEET

    n = len(names)
    t, last = 4 + n, 4 + n  # 0-based index of the 合计 row; data are Excel rows 5..last
    ws.write_row(t, 0, ["合计", "/"])
    ws.write_formula(t, 2, f"=COUNTA(C5:C{last})", None, n)
    ws.write(t, 3, "/")
    ws.write_formula(t, 4, f"=SUM(E5:E{last})", None, round(area, 1))
    ws.write_formula(t, 6, f"=SUM(G5:G{last})", None, round(fiscal, 2))
    ws.write_formula(t, 7, f"=SUM(H5:H{last})", None, staff)
    ws.write(t, 8, "/")
    aux = wb.add_worksheet(AUX_SHEET)
    aux.write(0, 0, AUX_NOTE)
    aux.write_row(1, 0, ["金融企业名称", "是否持牌金融机构"])
    for j, name in enumerate(names):
        aux.write_row(2 + j, 0, [name, "是" if j < 5 else "否"])


def match_application(packet: Path, prog: Any, rows: int, area: float, fiscal: float) -> dict[str, float]:
    """Write 附件1 figures that agree with a generated 附件2 (so the benchmark times a clean check)."""
    import openpyxl

    office = math.ceil(area / 0.55)
    figures = {"fin_count": rows, "fin_area": round(area, 1), "fiscal_total": round(fiscal, 2),
               "company_count": rows + 34, "total_office_area": office,
               "total_building_area": math.ceil(office * 1.3), "licensed_count": 5}
    app = packet / "01_申报表" / prog.form("application")["file"]
    wb = openpyxl.load_workbook(app)
    for key, value in figures.items():
        sheet, ref = next(iter(wb.defined_names[f"ZK_APPLICATION_{key.upper()}"].destinations))
        wb[sheet][ref.replace("$", "")] = value
    wb.save(app)
    return figures
