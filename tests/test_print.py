"""A bundle that goes to the printer as it is: office files converted without their own page numbers."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from openpyxl import Workbook

from zonekit.document.office_copy import copy_without_page_numbers

from .conftest import SAMPLES, soffice_or_skip

REPORT = SAMPLES / "sz-building-demo/03_申请报告/申请报告.docx"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_docx_copy_has_no_page_number_fields_and_the_original_is_untouched(tmp_path: Path) -> None:
    before = _digest(REPORT)
    out = tmp_path / "copy.docx"
    assert copy_without_page_numbers(REPORT, out) is True
    assert _digest(REPORT) == before
    with zipfile.ZipFile(REPORT) as z:
        numbered = [n for n in z.namelist() if n.startswith("word/footer") and b"PAGE" in z.read(n)]
    assert numbered  # the sample report prints its own page numbers, as Word templates do
    with zipfile.ZipFile(out) as z:
        assert not [n for n in z.namelist() if n.startswith(("word/footer", "word/header")) and b"PAGE" in z.read(n)]
        assert b"\xe7\xa6\x8f\xe5\x8d\x8e" in z.read("word/document.xml")  # 福华: the body is kept


def test_docx_without_page_numbers_is_copied_as_it_is(tmp_path: Path) -> None:
    from docx import Document

    src = tmp_path / "plain.docx"
    doc = Document()
    doc.add_paragraph("正文")
    doc.sections[0].footer.paragraphs[0].text = "深圳市福华置业运营管理有限公司"
    doc.save(src)
    assert copy_without_page_numbers(src, tmp_path / "out.docx") is False
    with zipfile.ZipFile(tmp_path / "out.docx") as z:
        assert "福华置业".encode() in b"".join(z.read(n) for n in z.namelist() if n.startswith("word/footer"))


def test_xlsx_copy_drops_page_number_headers(tmp_path: Path) -> None:
    src = tmp_path / "a.xlsx"
    wb = Workbook()
    wb.active["A1"] = "附表"
    wb.active.oddFooter.center.text = "第 &P 页，共 &N 页"
    wb.save(src)
    assert copy_without_page_numbers(src, tmp_path / "b.xlsx") is True
    with zipfile.ZipFile(tmp_path / "b.xlsx") as z:
        assert b"headerFooter" not in z.read("xl/worksheets/sheet1.xml")


def test_converted_report_prints_no_page_number_of_its_own(tmp_path: Path) -> None:
    from zonekit.document.office import convert_to_pdf

    soffice_or_skip()
    if not shutil.which("pdftotext"):
        import pytest

        pytest.skip("poppler (pdftotext) not installed: apt-get install poppler-utils")
    got = convert_to_pdf([REPORT], tmp_path)[REPORT]
    assert isinstance(got, Path), got
    text = subprocess.run(["pdftotext", "-layout", str(got), "-"], capture_output=True, text=True, check=True).stdout
    assert "福华金融中心" in text
    assert not re.search(r"[—-]\s*\d+\s*[—-]", text), "the report's own page number survived"


def _scan(path: Path, footer: str | None) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for n in (1, 2):
        c.drawString(100, 700, "Lease contract, page body 2023")
        if footer:
            c.drawCentredString(A4[0] / 2, 30, footer.format(n=n))
        c.showPage()
    c.save()


def test_user_pdf_that_prints_its_own_numbers_is_named(tmp_path: Path) -> None:
    from zonekit.document.page_numbers import own_page_numbers

    for footer, expected in (("— {n} —", "— 1 —"), ("- {n} -", "- 1 -"), ("{n} / 2", "1 / 2"), ("{n}", "1")):
        _scan(tmp_path / "a.pdf", footer)
        assert own_page_numbers(tmp_path / "a.pdf") == expected
    _scan(tmp_path / "b.pdf", None)
    assert own_page_numbers(tmp_path / "b.pdf") is None
    _scan(tmp_path / "c.pdf", "2023")  # a year at the foot is not a page number
    assert own_page_numbers(tmp_path / "c.pdf") is None


def test_bundle_warns_about_a_file_with_its_own_numbering(tmp_path: Path) -> None:
    import json

    from .conftest import AS_OF, run_cli

    packet = tmp_path / "p"
    shutil.copytree(SAMPLES / "sz-building-demo", packet)
    _scan(packet / "05_租房或购房合同" / "租赁合同04_自带页码.pdf", "— {n} —")
    out = tmp_path / "out"
    r = run_cli("bundle", str(packet), "-o", str(out), "--date", AS_OF.isoformat(), "--draft")
    assert r.returncode == 0, r.stdout + r.stderr
    warnings = json.loads((out / "manifest.json").read_text("utf-8"))["warnings"]
    assert any(w["where"].endswith("租赁合同04_自带页码.pdf") and "自带页码" in w["message"] for w in warnings)


def test_bundle_names_appended_files_whose_fonts_are_not_embedded(tmp_path: Path) -> None:
    import json

    from .conftest import AS_OF, run_cli

    packet = tmp_path / "p"
    shutil.copytree(SAMPLES / "sz-building-demo", packet)
    _scan(packet / "05_租房或购房合同" / "租赁合同04_未嵌入字体.pdf", None)  # reportlab's Helvetica: never embedded
    out = tmp_path / "out"
    r = run_cli("bundle", str(packet), "-o", str(out), "--date", AS_OF.isoformat())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "租赁合同04_未嵌入字体.pdf" in r.stdout + r.stderr
    warnings = json.loads((out / "manifest.json").read_text("utf-8"))["warnings"]
    [w] = [w for w in warnings if w["where"].endswith("租赁合同04_未嵌入字体.pdf")]
    assert "Helvetica" in w["message"] and "没有嵌入" in w["message"]
    # the samples embed theirs
    assert not [w for w in warnings if "没有嵌入" in w["message"] and "未嵌入字体" not in w["where"]]


def test_word_files_converted_while_checking_are_only_those_check_accepts(tmp_path: Path) -> None:
    """bundle hands the Word files to LibreOffice before the check ends, but never one check would refuse."""
    from zonekit.bundle.parts import convert_words, word_files

    packet = tmp_path / "p"
    shutil.copytree(SAMPLES / "sz-building-demo", packet)
    (packet / "03_申请报告" / "损坏.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 64)  # not a real zip
    words = word_files(packet, None)
    assert [p.name for p in words] == ["申请报告.docx"]  # the broken one is never handed to LibreOffice
    soffice_or_skip()
    done = convert_words(words, tmp_path / "early", 120)
    assert all(isinstance(v, Path) and v.is_file() for v in done.values()) and list(done) == words
