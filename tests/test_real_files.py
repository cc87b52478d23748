"""The packet people actually hand in: forms renamed, saved as .xls/.ods by LibreOffice, headers laid
out with a group row, in the wrong folder, or twice — each gives the verdict the original gives."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from zonekit.check.runner import check_packet

from .conftest import AS_OF, SAMPLES, run_cli, soffice_or_skip

D1, D2 = "01_申报表", "02_入驻金融企业信息表"
F1, F2 = f"{D1}/附件1 申报表.xlsx", f"{D2}/附件2 入驻金融企业信息表.xlsx"
SHEET2 = "附件2 入驻金融企业信息表"
DEMO_TOTALS = {"C": 12, "E": 27600, "G": 31249, "H": 1486}


@pytest.fixture
def packet(tmp_path: Path) -> Path:
    target = tmp_path / "p"
    shutil.copytree(SAMPLES / "sz-building-demo", target)
    return target


def outcome(root: Path) -> tuple:
    """What a person reads off `check`: errors and warnings (less spec_changed), the verdict, the figures."""
    r = check_packet(root, as_of=AS_OF)
    keys = sorted((f.code, f.severity) for f in r.findings if f.code not in ("spec_changed", "form_elsewhere"))
    t = r.forms["enterprises"].columns if "enterprises" in r.forms else {}
    a = r.forms["application"].fields if "application" in r.forms else {}
    figures = (a.get("fiscal_total"), a.get("fin_area"), t.get("area"), t.get("fiscal"), t.get("uscc"),
               t.get("entered"))
    return keys, r.verdict(), figures


def test_renamed_forms_are_found_by_their_content(packet: Path) -> None:
    before = outcome(packet)
    (packet / F2).rename(packet / D2 / "信息表-最终版.xlsx")
    (packet / F1).rename(packet / D1 / "申报表(盖章版).XLSX")
    assert outcome(packet) == before
    report = check_packet(packet, as_of=AS_OF)
    assert report.form_files == {"application": f"{D1}/申报表(盖章版).XLSX", "enterprises": f"{D2}/信息表-最终版.xlsx"}
    assert not [f for f in report.findings if f.code in ("stray_file", "file_missing")]


def test_blank_original_beside_a_filled_renamed_copy_names_both(packet: Path, tmp_path: Path) -> None:
    shutil.copy(packet / F2, packet / D2 / "信息表-最终版.xlsx")
    blank = tmp_path / "blank"
    assert run_cli("init", "sz-building", str(blank)).returncode == 0
    shutil.copy(blank / F2, packet / F2)
    report = check_packet(packet, as_of=AS_OF)
    [f] = [f for f in report.findings if f.code == "form_ambiguous"]
    assert f.severity == "error" and "信息表-最终版.xlsx" in f.message and "附件2 入驻金融企业信息表.xlsx" in f.message


def test_form_in_the_wrong_folder_is_read_with_a_warning(packet: Path) -> None:
    before = outcome(packet)
    shutil.move(packet / F2, packet / "05_租房或购房合同" / "附件2.xlsx")
    assert outcome(packet)[1:] == before[1:]
    report = check_packet(packet, as_of=AS_OF)
    [f] = [f for f in report.findings if f.code == "form_elsewhere"]
    assert f.severity == "warning" and f.file == "05_租房或购房合同/附件2.xlsx" and D2 in f.message
    assert not [f for f in report.findings if f.severity == "error" and f.code != "spec_changed"]


def test_missing_form_offers_init_force_only_when_nothing_is_there(packet: Path) -> None:
    (packet / F2).unlink()
    [f] = [f for f in check_packet(packet, as_of=AS_OF).findings if f.code == "file_missing"]
    assert "init --force" in (f.hint or "")


def test_only_an_unreadable_workbook_is_named_with_its_reason(packet: Path) -> None:
    (packet / F2).unlink()
    (packet / D2 / "信息表.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (packet / D2 / "信息表(旧).xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    report = check_packet(packet, as_of=AS_OF)
    bad = sorted(f.file for f in report.findings if f.code == "file_unreadable")
    assert bad == [f"{D2}/信息表(旧).xls", f"{D2}/信息表.xlsx"]
    assert not [f for f in report.findings if f.code == "file_missing"]


def test_xml_entity_declarations_are_refused_by_name(packet: Path) -> None:
    src = packet / F2
    bomb = packet / D2 / "bomb.xlsx"
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(bomb, "w") as out:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>', 1)
            out.writestr(info, data)
    src.unlink()
    [f] = [f for f in check_packet(packet, as_of=AS_OF).findings if f.file == f"{D2}/bomb.xlsx"]
    assert f.code == "file_unreadable" and "实体" in f.message and "bomb.xlsx" in f.message


def _group_header(path: Path, sheet: str) -> None:
    """A group row above the labels, 序号 merged over both rows, labels with line feeds and ㎡."""
    wb = load_workbook(path)
    ws = wb[sheet]
    ws.insert_rows(4)
    ws["A4"], ws["A5"] = "序号", None
    ws.merge_cells("A4:A5")
    for ref, text, span in (("B4", "企业基本情况", "B4:D4"), ("E4", "经营情况", "E4:H4"), ("I4", "其他信息", "I4:K4")):
        ws[ref] = text
        ws.merge_cells(span)
    ws["B5"], ws["E5"], ws["F5"] = "楼宇\n名称", "使用办公面积（㎡）", "使用\n楼层"
    for col, value in DEMO_TOTALS.items():
        ws[f"{col}26"] = value
    wb.save(path)


def test_group_row_above_the_labels(packet: Path) -> None:
    before = outcome(packet)
    _group_header(packet / F2, SHEET2)
    assert outcome(packet) == before


def _convert(packet: Path, rel: str, fmt: str) -> None:
    exe = soffice_or_skip()
    src = packet / rel
    subprocess.run([exe, "--headless", "--convert-to", fmt, "--outdir", str(src.parent), str(src)],
                   capture_output=True, timeout=180, check=True)
    src.unlink()
    assert src.with_suffix(f".{fmt}").is_file()


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_forms_saved_by_libreoffice_as_xls_or_ods(packet: Path, fmt: str) -> None:
    before = outcome(packet)
    _convert(packet, F1, fmt)
    _convert(packet, F2, fmt)
    assert outcome(packet) == before


def test_group_header_saved_as_xls_then_bundled(packet: Path, tmp_path: Path) -> None:
    """The bundle renders what check read: the same figures from the .xls as from the .xlsx."""
    _group_header(packet / F2, SHEET2)
    _convert(packet, F2, "xls")
    out = tmp_path / "out"
    r = run_cli("bundle", str(packet), "-o", str(out), "--date", AS_OF.isoformat(), "--draft")
    assert r.returncode == 0, r.stdout + r.stderr
    from pypdf import PdfReader

    text = "".join(page.extract_text() or "" for page in PdfReader(out / "申报材料-draft.pdf").pages)
    assert "华南商业银行股份有限公司深圳分行" in text and "27,600" in text


# ---------------------------------------------------- hostile files: named, never opened when they cannot be, no hang
def _pdf_with(path: Path, *, js: bool = False, attachment: bool = False, launch: bool = False) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    w = PdfWriter()
    w.add_blank_page(595, 842)
    if js:
        w._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x');")})
    if attachment:
        w.add_attachment("payload.txt", b"x")
    if launch:
        w._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})
    with path.open("wb") as f:
        w.write(f)


@pytest.mark.parametrize(("kind", "needle"), [("js", "脚本"), ("attachment", "附件"), ("launch", "启动程序")])
def test_pdf_with_active_content_is_reported_at_check_time(packet: Path, kind: str, needle: str) -> None:
    target = packet / "05_租房或购房合同" / f"合同_{kind}.pdf"
    _pdf_with(target, **{kind: True})
    [f] = [f for f in check_packet(packet, as_of=AS_OF).findings if f.code == "pdf_active"]
    assert f.file == f"05_租房或购房合同/合同_{kind}.pdf" and needle in f.message and f.severity == "warning"


def test_pdf_without_embedded_fonts_is_named_with_its_fonts(packet: Path) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(packet / "05_租房或购房合同" / "未嵌入字体.pdf"))
    c.drawString(100, 700, "Lease contract")
    c.save()
    [f] = [f for f in check_packet(packet, as_of=AS_OF).findings if f.code == "pdf_fonts"]
    assert f.file == "05_租房或购房合同/未嵌入字体.pdf" and "Helvetica" in f.message


def test_every_sample_pdf_embeds_its_fonts() -> None:
    from pypdf import PdfReader

    from zonekit.check.materials import check_file, unembedded_fonts

    pdfs = sorted(SAMPLES.glob("*/*/*.pdf"))
    assert len(pdfs) > 20
    for path in pdfs:
        if "broken" in path.parts[-3] and check_file(path, path.parents[1], ["pdf"]):
            continue  # a broken sample's planted problem file (empty, encrypted, corrupt)
        reader = PdfReader(path)
        assert not unembedded_fonts(reader), path


def test_samples_are_current_with_their_specs() -> None:
    """A committed sample whose packet.toml holds another spec checksum is stale: `make samples` rebuilds it."""
    import tomllib

    from zonekit.spec.programme import load_programme

    for packet in sorted(p.parent for p in SAMPLES.glob("*/packet.toml")):
        meta = tomllib.loads((packet / "packet.toml").read_text("utf-8"))["packet"]
        stale = f"{packet.name} is stale: run make samples"
        assert meta["spec_sha256"] == load_programme(meta["programme"]).sha256, stale


def test_collect_reads_renamed_and_converted_forms(packet: Path, tmp_path: Path) -> None:
    from zonekit.collect import collect

    before = collect([SAMPLES / "sz-building-demo"], as_of=AS_OF).to_json()["packets"][0]
    (packet / F2).rename(packet / D2 / "信息表-最终版.xlsx")
    after = collect([packet], as_of=AS_OF).to_json()["packets"][0]
    assert {k: v for k, v in after.items() if k not in ("packet", "findings")} == {
        k: v for k, v in before.items() if k not in ("packet", "findings")}


def test_docx_with_entity_declarations_is_refused(packet: Path) -> None:
    src = packet / "03_申请报告" / "申请报告.docx"
    with zipfile.ZipFile(src) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(src, "w") as out:
        for info, data in items:
            if info.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>', 1)
            out.writestr(info, data)
    [f] = [f for f in check_packet(packet, as_of=AS_OF).findings if f.file == "03_申请报告/申请报告.docx"]
    assert (f.code, f.severity) == ("file_unreadable", "error") and "实体" in f.message


def test_long_names_and_option_like_names_are_reported(packet: Path) -> None:
    folder = packet / "05_租房或购房合同"
    shutil.copy(next(folder.glob("*.pdf")), folder / ("租赁合同" + "x" * 196 + ".pdf"))
    shutil.copy(next(folder.glob("*.pdf")), folder / "-rf.pdf")
    names = [f for f in check_packet(packet, as_of=AS_OF).findings if f.code == "file_name"]
    assert len(names) == 2 and all(f.severity == "warning" for f in names)
    assert any("260" in f.message for f in names) and any("-rf.pdf" in f.message for f in names)


def test_fifo_in_a_material_folder_is_skipped_by_check_bundle_and_collect(packet: Path, tmp_path: Path) -> None:
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(packet / "05_租房或购房合同" / "合同.pdf")
    os.mkfifo(packet / D2 / "附件2副本.xlsx")
    r = subprocess.run(["timeout", "60", *_cli(), "check", str(packet), "--as-of", AS_OF.isoformat(), "--format",
                        "json"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    assert r.stdout.count('"file_special"') == 2
    out = tmp_path / "out"
    b = subprocess.run(["timeout", "120", *_cli(), "bundle", str(packet), "-o", str(out), "--date", AS_OF.isoformat(),
                        "--draft"],
                       capture_output=True, text=True)
    assert b.returncode == 0, b.stdout[-2000:] + b.stderr
    c = subprocess.run(["timeout", "120", *_cli(), "collect", str(packet), "-o", str(tmp_path / "汇总.xlsx")],
                       capture_output=True, text=True)
    assert c.returncode == 0, c.stdout[-2000:] + c.stderr


def test_folder_of_10000_files_is_refused_with_a_limit(packet: Path) -> None:
    folder = packet / "05_租房或购房合同"
    for i in range(10_000):
        (folder / f"扫描{i:05d}.pdf").touch()
    r = subprocess.run(["timeout", "60", *_cli(), "check", str(packet), "--as-of", AS_OF.isoformat(), "--format",
                        "json"],
                       capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert "超过 1,000 个" in r.stdout


def test_bundle_refuses_a_sheet_far_beyond_any_real_form(packet: Path, tmp_path: Path) -> None:
    import os

    env = {**os.environ, "ZONEKIT_MAX_BUNDLE_ROWS": "10"}  # the demo's 12 rows stand for 300,000
    b = run_cli("bundle", str(packet), "-o", str(tmp_path / "out"), "--date", AS_OF.isoformat(), "--draft", env=env)
    assert b.returncode == 1 and "超过打包上限 10 行" in b.stdout + b.stderr
    assert not (tmp_path / "out" / "申报材料-draft.pdf").exists()


def _cli() -> list[str]:
    import sys

    return [sys.executable, "-m", "zonekit.cli"]
