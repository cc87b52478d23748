"""`zonekit check` on damaged packets: each test copies the demo packet, breaks one thing and
asserts the exact finding (code, file, cell) *and* that the rest of the packet was still checked.

None of these needs LibreOffice: broken files are written with openpyxl, XlsxWriter, zipfile,
pypdf and Pillow, or as raw bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from zonekit.check import validate
from zonekit.check.runner import CheckReport, check_packet
from zonekit.findings import ERROR, Finding
from zonekit.spec.programme import list_programmes, load_programme
from zonekit.xlsx import reader as xlsx_read

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "samples" / "sz-building-demo"
BROKEN = ROOT / "samples" / "sz-building-broken"
AS_OF = dt.date(2026, 11, 22)
F1 = "01_申报表/附件1 申报表.xlsx"
F2 = "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"
SHEET1 = "附件1 申报表"
SHEET2 = "附件2 入驻金融企业信息表"
# An INFO-level stray file planted in every copy: its finding proves the materials pass still ran,
# without making report.ok false.
SENTINEL = "zz-草稿.docx"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# 附件2 figures of the demo packet (12 enterprises) as they appear in 附件1.
DEMO_TOTALS = {"C": 12, "E": 27600, "G": 31249, "H": 1486}


# ------------------------------------------------------------------ helpers
@pytest.fixture
def packet(tmp_path: Path) -> Path:
    target = tmp_path / "packet"
    shutil.copytree(DEMO, target)
    (target / SENTINEL).write_bytes(b"PK\x05\x06" + b"\0" * 18)
    return target


def check(root: Path) -> CheckReport:
    return check_packet(root, as_of=AS_OF)


def errors(report: CheckReport) -> list[Finding]:
    return [f for f in report.findings if f.severity == ERROR]


def found(report: CheckReport, code: str, file: str | None = None, **where: str | None) -> list[Finding]:
    return [f for f in report.findings if f.code == code and (file is None or f.file == file)
            and all(getattr(f, k) == v for k, v in where.items())]


def one(report: CheckReport, code: str, file: str | None = None, **where: str | None) -> Finding:
    hits = found(report, code, file, **where)
    assert len(hits) == 1, f"expected one {code} in {file} {where}, got {hits}\nall: {report.findings}"
    return hits[0]


def assert_rest_checked(report: CheckReport, broken: str | None = None, rows: int = 12) -> None:
    """Everything except the `broken` form ("application" / "enterprises") was read and judged."""
    if broken != "application":
        fields = report.forms["application"].fields
        assert fields["fin_count"] == 12 and fields["fiscal_total"] == 31249
        assert [r.status for r in report.eligibility] == ["met", "met", "met"]
    if broken != "enterprises":
        assert len(report.forms["enterprises"].data.rows) == rows
    assert [r.id for r in report.eligibility] == ["area", "scale", "qualification"]
    assert found(report, "stray_file", SENTINEL), "the materials were not checked"
    # a form that could not be read must not leak its fact names into consistency messages
    leaked = [f for f in report.findings if "enterprises." in f.message or "application." in f.message]
    assert not leaked, leaked


def cli(root: Path, *, env: dict[str, str] | None = None, fmt: str = "json") -> tuple[int, dict | None, str]:
    proc = subprocess.run([sys.executable, "-m", "zonekit.cli", "check", str(root), "--format", fmt, "--as-of",
                           AS_OF.isoformat()],
                          capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "panicked" not in proc.stderr and "memory allocation" not in proc.stderr, proc.stderr
    data = json.loads(proc.stdout) if proc.returncode in (0, 1) and fmt == "json" else None
    return proc.returncode, data, proc.stderr


def json_findings(data: dict, code: str, file: str | None = None) -> list[dict]:
    return [f for f in data["findings"] if f["code"] == code and (file is None or f["file"] == file)]


def symlinks_or_skip(tmp_path: Path) -> None:
    probe = tmp_path / "symlink-probe"
    try:
        probe.symlink_to(tmp_path)
    except (OSError, NotImplementedError, AttributeError) as e:
        pytest.skip(f"symlinks not supported here: {e}")
    probe.unlink()


def edit(path: Path, change) -> None:
    """Load with openpyxl, apply `change(wb)`, save (cached formula results are lost, as with any openpyxl save)."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


def write_totals(ws, row: int, totals: dict[str, float]) -> None:
    """Typed (cached-value-like) figures in the 合计 row, since openpyxl keeps no formula results."""
    for col, value in totals.items():
        ws[f"{col}{row}"] = value


# ------------------------------------------------------------------ the 附件2 file itself is broken
def _random_bytes(p: Path) -> None:
    p.write_bytes(os.urandom(20_000))


def _zip_not_workbook(p: Path) -> None:
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("readme.txt", "not a workbook")


def _legacy_xls(p: Path) -> None:
    p.write_bytes(OLE + b"\0" * 8 + os.urandom(4000))


def _encrypted(p: Path) -> None:
    # what Excel writes for a password-protected .xlsx: an OLE container with an EncryptionInfo stream
    streams = "EncryptionInfo".encode("utf-16-le") + b"\0" * 2 + "EncryptedPackage".encode("utf-16-le")
    p.write_bytes(OLE + b"\0" * 1016 + streams + os.urandom(4000))


def _zip_bomb(p: Path) -> None:
    zeros = b"\0" * (1 << 20)
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as m:
            for _ in range(60):  # 60 MB of zeros, ~60 KB compressed
                m.write(zeros)


def _rezip(p: Path, sheet_xml) -> zipfile.ZipInfo:
    """Rewrite the workbook with sheet1.xml replaced by `sheet_xml(old)`; returns the new member's info."""
    with zipfile.ZipFile(p) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info.filename, sheet_xml(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    with zipfile.ZipFile(p) as z:
        return z.getinfo("xl/worksheets/sheet1.xml")


def _bit_rot(p: Path) -> None:
    info = _rezip(p, lambda data: data + b"<!--" + os.urandom(200_000).hex().encode() + b"-->")
    raw = bytearray(p.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 2000, start + info.compress_size - 2000, 997):  # damage the deflate stream
        raw[k] ^= 0x5A
    p.write_bytes(bytes(raw))


def _size_lie(p: Path) -> None:
    """The sheet is larger than its declared size (a zip-bomb trick): readers must stop, not inflate on."""
    import struct

    info = _rezip(p, lambda data: data + b"<!--" + b" " * 3_000_000 + b"-->")
    raw = bytearray(p.read_bytes())
    struct.pack_into("<I", raw, info.header_offset + 22, 5000)  # local header: uncompressed size
    end = raw.rfind(b"PK\x05\x06")
    pos = struct.unpack_from("<I", raw, end + 16)[0]
    while raw[pos:pos + 4] == b"PK\x01\x02":  # central directory
        n, e, c = struct.unpack_from("<HHH", raw, pos + 28)
        if raw[pos + 46:pos + 46 + n] == info.filename.encode():
            struct.pack_into("<I", raw, pos + 24, 5000)
        pos += 46 + n + e + c
    p.write_bytes(bytes(raw))


@pytest.mark.parametrize(("damage", "needle"), [
    (_random_bytes, "不是 Excel 工作簿"),
    (_zip_not_workbook, "不是工作簿"),
    (_legacy_xls, "另存为"),
    (_encrypted, "密码"),
    (_zip_bomb, "压缩"),
    (_bit_rot, ""),
    (_size_lie, ""),
], ids=["random-bytes", "zip-not-workbook", "legacy-ole-xls", "encrypted-ole", "zip-bomb", "bit-rot", "size-lie"])
def test_unreadable_enterprise_table(packet: Path, damage, needle: str) -> None:
    damage(packet / F2)
    report = check(packet)
    f = one(report, "file_unreadable", F2)
    assert needle in f.message
    assert errors(report) == [f]  # and no consistency errors about the table that could not be read
    assert_rest_checked(report, broken="enterprises")


@pytest.mark.parametrize("damage", [_random_bytes, _legacy_xls], ids=["random-bytes", "legacy-ole-xls"])
def test_unreadable_table_via_cli(packet: Path, damage) -> None:
    damage(packet / F2)
    rc, data, _ = cli(packet)
    assert rc == 1
    assert len(json_findings(data, "file_unreadable", F2)) == 1
    assert [c["status"] for c in data["eligibility"]["conditions"]] == ["met", "met", "met"]
    assert json_findings(data, "stray_file", SENTINEL)
    assert data["counts"]["error"] == 1


def _pad(path: Path, mb: int) -> None:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as z:
        z.writestr("xl/media/padding.bin", os.urandom(mb << 20))  # incompressible: not a zip bomb


def test_over_size_limit(packet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pad(packet / F2, 2)
    monkeypatch.setattr(xlsx_read, "MAX_UNCOMPRESSED", 1 << 20)  # 附件1 is ~30 KB, 附件2 now ~2 MB
    report = check(packet)
    one(report, "file_too_large", F2)
    assert errors(report) == found(report, "file_too_large")
    assert_rest_checked(report, broken="enterprises")


def test_over_size_limit_via_cli_env(packet: Path) -> None:
    _pad(packet / F2, 2)
    rc, data, _ = cli(packet, env={"ZONEKIT_MAX_XLSX_MB": "1"})
    assert rc == 1
    assert len(json_findings(data, "file_too_large", F2)) == 1
    assert data["counts"]["error"] == 1


def test_stray_value_far_away_is_refused_not_a_crash(packet: Path) -> None:
    """A value typed at XFD1048576 makes the used range 17 billion cells; calamine would abort the
    process allocating it. Run in a subprocess so a regression cannot take pytest down with it."""
    edit(packet / F2, lambda wb: wb[SHEET2].cell(1048576, 16384, "x"))
    rc, data, _ = cli(packet)
    assert rc == 1
    (f,) = json_findings(data, "file_too_large", F2)
    assert "XFD1048576" in f["message"]
    assert data["counts"]["error"] == 1
    assert [c["status"] for c in data["eligibility"]["conditions"]] == ["met", "met", "met"]


def test_formatting_to_the_last_row_is_fine(packet: Path) -> None:
    """Whole columns formatted (WPS does this): a huge <dimension> but no far values -> read as usual."""
    from openpyxl.styles import Border, Side

    def fmt(wb):
        ws = wb[SHEET2]
        ws.cell(1048576, 11).border = Border(bottom=Side(style="thin"))
        write_totals(ws, 25, DEMO_TOTALS)

    edit(packet / F2, fmt)
    with zipfile.ZipFile(packet / F2) as z:
        assert b'<dimension ref="A1:K1048576"' in z.read("xl/worksheets/sheet1.xml")[:4000]  # 11.5 M cells
    report = check(packet)
    assert report.ok, errors(report)
    assert_rest_checked(report)


# ------------------------------------------------------------------ sheets renamed, deleted, header changed
def test_table_sheet_renamed(packet: Path) -> None:
    def rename(wb):
        wb[SHEET2].title = "Sheet1"
        write_totals(wb["Sheet1"], 25, DEMO_TOTALS)

    edit(packet / F2, rename)
    report = check(packet)
    assert not found(report, "sheet_missing")
    assert report.forms["enterprises"].data.sheet == "Sheet1"
    assert report.ok, errors(report)
    assert_rest_checked(report)


@pytest.mark.parametrize("names", ["stale", "moved"], ids=["names-left-behind(openpyxl)", "names-follow(Excel)"])
def test_record_sheet_renamed(packet: Path, names: str) -> None:
    def rename(wb):
        wb[SHEET1].title = "Sheet1"
        if names == "moved":  # Excel rewrites defined names on rename; openpyxl does not
            for dn in wb.defined_names.values():
                dn.attr_text = dn.attr_text.replace(f"'{SHEET1}'", "Sheet1")

    edit(packet / F1, rename)
    report = check(packet)
    assert not found(report, "sheet_missing") and not found(report, "header_missing")
    assert report.forms["application"].data.fields["fin_area"].sheet == "Sheet1"
    assert report.forms["application"].data.fields["fin_area"].cell == "E10"
    assert report.ok, errors(report)
    assert_rest_checked(report)


def _unrelated(wb, name: str) -> None:
    idx = wb.sheetnames.index(name)
    del wb[name]
    ws = wb.create_sheet("Sheet1", idx)
    ws["A1"], ws["B2"], ws["C3"] = "会议签到表", "姓名", 3


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_table_sheet_gone(packet: Path, how: str) -> None:
    edit(packet / F2, (lambda wb: wb.remove(wb[SHEET2])) if how == "deleted" else (lambda wb: _unrelated(wb, SHEET2)))
    report = check(packet)
    one(report, "sheet_missing", F2)
    assert errors(report) == found(report, "sheet_missing")
    assert "enterprises" not in report.forms
    assert_rest_checked(report, broken="enterprises")


def test_record_sheet_replaced(packet: Path) -> None:
    edit(packet / F1, lambda wb: _unrelated(wb, SHEET1))
    report = check(packet)
    one(report, "sheet_missing", F1)
    assert "application" not in report.forms
    assert [r.status for r in report.eligibility] == ["unknown", "unknown", "unknown"]
    assert not found(report, "consistency")  # not "附件2 楼宇名称 ≠ 'application.name'" for every row
    assert_rest_checked(report, broken="application")


@pytest.mark.parametrize(("label", "cell", "new"), [
    ("使用办公面积（m2）", "E4", "面积"),
    ("使用楼层", "F4", "楼层"),
], ids=["area-label", "floor-label"])
def test_header_label_changed(packet: Path, label: str, cell: str, new: str) -> None:
    def change(wb):
        wb[SHEET2][cell] = new
        write_totals(wb[SHEET2], 25, DEMO_TOTALS)

    edit(packet / F2, change)
    report = check(packet)
    f = one(report, "header_missing", F2)
    assert f.field == label and label in f.message and f.sheet == SHEET2
    assert errors(report) == [f]  # no Σarea consistency error when the area column is unknown
    assert_rest_checked(report)


# ------------------------------------------------------------------ rows inserted, blank rows, moved 合计
def test_rows_inserted_blank_rows_and_total_moved(packet: Path) -> None:
    def shuffle(wb):
        ws = wb[SHEET2]
        for m in list(ws.merged_cells.ranges):  # openpyxl moves cells but not merged ranges on insert
            ws.unmerge_cells(str(m))
        ws.insert_rows(1, 3)  # header 4 -> 7, data 5..24 -> 8..27, 合计 -> 28
        ws.insert_rows(12, 2)  # two blank rows between data rows 11 and 12 (old rows 8 and 9)
        ws.insert_rows(30, 4)  # blank rows above the 合计 row: 30 -> 34
        assert ws["A34"].value == "合计"
        write_totals(ws, 34, DEMO_TOTALS)  # openpyxl does not rewrite the SUM ranges; Excel would

    edit(packet / F2, shuffle)
    report = check(packet)
    data = report.forms["enterprises"].data
    assert [r.number for r in data.rows] == [8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 20, 21]
    assert data.total is not None and data.total.number == 34
    assert data.cell("area", 14) == "E14"
    assert not found(report, "consistency") and not found(report, "total_mismatch")
    assert report.ok, errors(report)
    assert_rest_checked(report)


@pytest.mark.parametrize("names", ["moved", "removed"],
                         ids=["defined-names-moved(Excel)", "no-defined-names(label-fallback)"])
def test_record_rows_inserted(packet: Path, names: str) -> None:
    import re

    def shuffle(wb):
        ws = wb[SHEET1]
        for m in list(ws.merged_cells.ranges):
            ws.unmerge_cells(str(m))
        ws.insert_rows(1, 2)  # old row r -> r + 2
        ws.insert_rows(9, 1)  # a blank row between old rows 6 and 7, which become 8 and 10
        for name, dn in list(wb.defined_names.items()):
            if names == "removed":
                del wb.defined_names[name]
                continue
            sheet, ref = dn.attr_text.rsplit("!", 1)  # what Excel does to names on insert; openpyxl does not
            col, row = re.fullmatch(r"\$([A-Z]+)\$(\d+)", ref).groups()
            row = int(row) + 2
            dn.attr_text = f"{sheet}!${col}${row + 1 if row >= 9 else row}"

    edit(packet / F1, shuffle)
    report = check(packet)
    fields = report.forms["application"].data.fields
    assert (fields["name"].cell, fields["hq_land"].cell, fields["fin_area"].cell) == ("B6", "E8", "E13")
    assert fields["fin_area"].value == 27600 and fields["services"].value.startswith("设立金融企业服务专班")
    assert not found(report, "header_missing") and not found(report, "consistency")
    assert report.ok, errors(report)
    assert_rest_checked(report)


# ------------------------------------------------------------------ values typed as text
def test_values_typed_as_text_are_converted(packet: Path) -> None:
    def app(wb):
        ws = wb[SHEET1]
        ws["B8"] = "68000㎡"  # total_building_area
        ws["E8"] = "５２，０００"  # total_office_area, full-width
        ws["E9"] = " 5家 "  # licensed_count
        ws["B10"] = " 12家 "  # fin_count
        ws["E10"] = "27,600 m2"  # fin_area
        ws["E11"] = "3.12亿元"  # fiscal_total, a 万元 field -> 31200

    def table(wb):
        ws = wb[SHEET2]
        ws["E5"], ws["G5"], ws["H5"] = "4,200", "6,850.5", " 320人 "
        ws["E6"], ws["G6"] = "５６００", "７，３２０"
        ws["E7"] = "１２，３４５．６"  # instead of 2800: Σarea changes by +9545.6
        ws["G16"] = 551  # 600 -> 551 so that Σfiscal = 31200 = 3.12亿元
        ws["I5"], ws["I6"], ws["I7"] = "2015年3月18日", "2016/07/01", "2017.11"
        ws["I8"] = 43229  # an Excel serial in a General-formatted cell: 2018-05-09
        ws["I8"].number_format = "General"
        write_totals(ws, 25, {"C": 12, "E": "37,145.6", "G": "31,200", "H": 1486})

    edit(packet / F1, app)
    edit(packet / F2, table)
    report = check(packet)
    typed = [f for f in report.findings if f.code.startswith("value_") or f.code in ("field_missing", "total_mismatch")]
    assert not typed, typed
    # 附件1 says 27,600 m2, 附件2 now adds up to 37,145.6: the converted figures meet in the consistency check
    f = one(report, "consistency", F1, rule="fin_area_sum")
    assert f.cell == "E10" and "37,145.6" in f.message
    assert errors(report) == [f]
    a = report.forms["application"].fields
    assert (a["total_building_area"], a["total_office_area"], a["licensed_count"], a["fin_count"],
            a["fiscal_total"]) == (
        68000, 52000, 5, 12, 31200)
    t = report.forms["enterprises"].columns
    assert t["area"][:3] == [4200, 5600, 12345.6] and t["staff"][0] == 320
    assert t["entered"][:4] == [dt.date(2015, 3, 18), dt.date(2016, 7, 1), dt.date(2017, 11, 1), dt.date(2018, 5, 9)]


def test_text_figures_that_agree_give_a_clean_check(packet: Path) -> None:
    def typed(wb):
        ws = wb[SHEET1]
        ws["E10"], ws["E11"], ws["B10"] = "27,600 m2", "3.1249亿元", "12家"

    edit(packet / F1, typed)
    report = check(packet)
    assert report.forms["application"].fields["fin_area"] == 27600
    assert report.ok, errors(report)
    assert not found(report, "consistency")
    assert_rest_checked(report)


# ------------------------------------------------------------------ uncached formulas
def test_total_formulas_without_cached_values(packet: Path) -> None:
    def formulas(wb):
        ws = wb[SHEET2]
        ws["C25"], ws["E25"], ws["G25"], ws["H25"] = "=COUNTA(C5:C24)", "=SUM(E5:E24)", "=SUM(G5:G24)", "=SUM(H5:H24)"

    edit(packet / F2, formulas)  # saved by openpyxl only: formulas, no results
    report = check(packet)
    for col, want in DEMO_TOTALS.items():
        f = one(report, "formula_uncached", F2, cell=f"{col}25")
        assert f"{want:g}" in f.message and ("=SUM(" in f.message or "=COUNTA(" in f.message)
    assert not found(report, "total_mismatch")
    assert report.ok, errors(report)
    assert_rest_checked(report)
    rc, data, _ = cli(packet)
    assert rc == 0 and len(json_findings(data, "formula_uncached", F2)) == 4


# ------------------------------------------------------------------ a very long table
def _write_long_table(path: Path, n: int) -> None:
    """附件2 as Excel/WPS write it (XlsxWriter: shared strings, <dimension>, cached 合计 results),
    every row with the same name and a credit code whose check digit is wrong."""
    import xlsxwriter

    cols = load_programme("sz-building").form("enterprises")["columns"]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet(SHEET2)
    ws.write(0, 0, "附件2：")
    ws.write(1, 0, "福华金融中心入驻金融企业信息表")
    ws.write(2, 0, "申请单位（公章）：")
    ws.write_row(3, 0, [c["label"] for c in cols])
    for i in range(n):
        ws.write_row(4 + i, 0, [i + 1, "福华金融中心", "同一家金融公司", "总部", 100.0, "1", 10.0, 5, "2020-01-01",
                                "深圳市福田区福华三路88号", "91440300MA5G001QX3"])
    t = 4 + n
    ws.write(t, 0, "合计")
    ws.write_formula(t, 2, f"=COUNTA(C5:C{t})", None, n)
    ws.write_formula(t, 4, f"=SUM(E5:E{t})", None, 100.0 * n)
    ws.write_formula(t, 6, f"=SUM(G5:G{t})", None, 10.0 * n)
    ws.write_formula(t, 7, f"=SUM(H5:H{t})", None, 5 * n)
    wb.close()


def test_thirty_thousand_bad_rows_give_a_bounded_report(packet: Path) -> None:
    n = 30_000
    (packet / F2).unlink()
    _write_long_table(packet / F2, n)
    report = check(packet)
    assert len(report.findings) < 200, len(report.findings)
    assert len(report.forms["enterprises"].data.rows) == n
    cap = validate.MAX_PER_COLUMN
    for code, field, total in (("uscc_invalid", "统一社会信用代码", n), ("duplicate_value", "金融企业名称", n - 1)):
        hits = found(report, code, F2, field=field)
        assert len(hits) == cap + 1, (code, len(hits))
        (summary,) = [f for f in hits if f.cell is None]
        assert f"共 {total} 处" in summary.message
    # 附件1 still says 12 enterprises: one consistency error, not 30,000
    one(report, "consistency", F1, rule="fin_count_rows")
    assert_rest_checked(report, rows=n)


# ------------------------------------------------------------------ symlinks and packets that are not packets
def test_symlinked_material_file_is_not_followed(packet: Path, tmp_path: Path) -> None:
    symlinks_or_skip(tmp_path)
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"")  # if it were followed this would be file_empty
    link = "05_租房或购房合同/租赁合同04_链接.pdf"
    (packet / link).symlink_to(outside)
    report = check(packet)
    one(report, "unsafe_path", link)
    assert not found(report, "file_empty")
    assert errors(report) == found(report, "unsafe_path")
    assert_rest_checked(report)


def test_symlinked_material_folder_is_not_followed(packet: Path, tmp_path: Path) -> None:
    symlinks_or_skip(tmp_path)
    folder = "06_纳税情况证明"
    outside = tmp_path / "outside-dir"
    shutil.move(packet / folder, outside)
    (outside / "空.pdf").write_bytes(b"")
    (packet / folder).symlink_to(outside, target_is_directory=True)
    report = check(packet)
    one(report, "unsafe_path", folder)
    assert not found(report, "file_empty") and not found(report, "material_empty", folder)
    assert errors(report) == found(report, "unsafe_path")
    assert_rest_checked(report)


def test_symlinked_form_file_is_reported_once(packet: Path, tmp_path: Path) -> None:
    symlinks_or_skip(tmp_path)
    outside = tmp_path / "elsewhere.xlsx"
    shutil.move(packet / F2, outside)
    (packet / F2).symlink_to(outside)
    report = check(packet)
    one(report, "unsafe_path", F2)
    assert "enterprises" not in report.forms
    assert not found(report, "material_empty")  # the folder is not empty, its one file is a link
    assert errors(report) == found(report, "unsafe_path")
    assert_rest_checked(report, broken="enterprises")


def _one_line_exit_2(root: Path) -> str:
    rc, _, err = cli(root)
    assert rc == 2, err
    assert err.startswith("zonekit: ") and err.strip().count("\n") == 0, err
    return err


def test_symlinked_packet_toml_exits_2(packet: Path, tmp_path: Path) -> None:
    symlinks_or_skip(tmp_path)
    real = tmp_path / "real-packet.toml"
    shutil.move(packet / "packet.toml", real)
    (packet / "packet.toml").symlink_to(real)
    assert "符号链接" in _one_line_exit_2(packet)


def test_folder_without_packet_toml_exits_2(packet: Path) -> None:
    (packet / "packet.toml").unlink()
    assert "packet.toml" in _one_line_exit_2(packet)


def test_unknown_programme_exits_2_listing_known_ids(packet: Path) -> None:
    toml = packet / "packet.toml"
    toml.write_text(toml.read_text("utf-8").replace('programme = "sz-building"', 'programme = "sz-bulding"'), "utf-8")
    err = _one_line_exit_2(packet)
    assert "sz-bulding" in err
    for known in list_programmes():
        assert known in err


# ------------------------------------------------------------------ material files
def _encrypted_pdf(p: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(DEMO / "04_土地使用权出让合同书" / "深圳市土地使用权出让合同书.pdf"))
    w.encrypt(user_password="secret", owner_password="owner")
    with p.open("wb") as f:
        w.write(f)


def _jpeg_bytes() -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (400, 560), "white")
    ImageDraw.Draw(im).rectangle((20, 20, 380, 540), outline="black", width=4)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _truncated_jpeg(p: Path) -> None:
    data = _jpeg_bytes()
    p.write_bytes(data[: len(data) // 2])  # header intact: Image.verify() alone passes this


@pytest.mark.parametrize(("rel", "make", "code", "needle"), [
    ("04_土地使用权出让合同书/扫描件.pdf", lambda p: p.write_bytes(b""), "file_empty", "0 字节"),
    ("05_租房或购房合同/租赁合同04_加密.pdf", _encrypted_pdf, "file_unreadable", "加密"),
    ("06_纳税情况证明/纳税证明.pdf", lambda p: p.write_bytes(_jpeg_bytes()), "file_unreadable", "不是 PDF"),
    ("07_持牌金融机构资质证明/许可证_截断.jpg", _truncated_jpeg, "file_unreadable", "无法解码"),
    ("07_持牌金融机构资质证明/许可证_乱码.jpg", lambda p: p.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(3000)),
     "file_unreadable", "无法解码"),
    ("04_土地使用权出让合同书/合同.wps", lambda p: p.write_bytes(OLE + os.urandom(3000)), "file_type", ".wps"),
    ("05_租房或购房合同/备注.txt", lambda p: p.write_text("原件在档案室", "utf-8"), "file_type", ".txt"),
], ids=["0-byte-pdf", "encrypted-pdf", "jpg-named-pdf", "truncated-jpg", "garbage-jpg", "wps", "txt"])
def test_bad_material_file(packet: Path, rel: str, make, code: str, needle: str) -> None:
    make(packet / rel)
    report = check(packet)
    f = one(report, code, rel)
    assert needle in f.message
    folder = rel.split("/")[0]
    assert f.source == next(m["source"] for m in load_programme("sz-building").materials if m["folder"] == folder)
    assert errors(report) == [f]  # the demo's own scans in the same folder are still fine
    assert_rest_checked(report)


# ------------------------------------------------------------------ check is read-only
def _snapshot(root: Path) -> dict[str, tuple]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink() else None
            out[str(p.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
    st = root.lstat()
    out["."] = (st.st_mode, st.st_size, st.st_mtime_ns, None)
    return out


def test_check_never_writes_into_the_packet(tmp_path: Path) -> None:
    root = tmp_path / "broken"
    shutil.copytree(BROKEN, root)
    before = _snapshot(root)
    report = check(root)
    assert not report.ok
    rc, _, _ = cli(root)
    assert rc == 1
    rc, _, _ = cli(root, fmt="text")
    assert rc == 1
    assert _snapshot(root) == before


def test_record_formula_without_cached_value_is_a_warning_not_missing(packet: Path) -> None:
    from openpyxl import load_workbook

    form = packet / "01_申报表/附件1 申报表.xlsx"
    wb = load_workbook(form)
    sheet, ref = next(iter(wb.defined_names["ZK_APPLICATION_FIN_AREA"].destinations))
    wb[sheet][ref.replace("$", "")] = "=SUM(1,2)"
    wb.save(form)  # openpyxl writes the formula without a cached result
    report = check_packet(packet, as_of=AS_OF)
    cell = ref.replace("$", "")
    hits = [f for f in report.findings if f.cell == cell and f.file.startswith("01_")]
    assert [(f.code, f.severity) for f in hits] == [("formula_uncached", "warning")]
    assert "SUM(1,2)" in hits[0].message
