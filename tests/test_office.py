"""LibreOffice conversion: real files through a real soffice (skipped, with a reason, without one)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from zonekit.document.docx import render_docx, write_docx
from zonekit.document.model import Bundle, Para, SealBlock, Section, Table
from zonekit.document.office import (
    convert_each_to_pdf,
    convert_to_pdf,
    find_soffice,
    output_paths,
)

SOFFICE = find_soffice()
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")
DATE = dt.datetime(2024, 5, 6, 9, 30)
HEADING = "关于申请专项资金的报告"


def make_docx(path: Path) -> Path:
    write_docx(
        [Para(HEADING, "title"), Para("一、基本情况", "heading1"), Para("正文内容。"), SealBlock("申请单位（盖章）：")],
        path,
        title="申请报告",
        date=DATE,
    )
    return path


def make_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "项目", "金额（万元）"])
    ws.append([1, "设备购置", 120.5])
    wb.save(path)
    return path


def make_bundle_docx(path: Path) -> Path:
    rows = [[str(i), f"设备{i}", "1"] for i in range(1, 61)]
    bundle = Bundle(
        title="申报材料",
        author="示例公司",
        cover=[Para("申报书", "title")],
        parts=[
            Section("报告", [Para("一、报告", "heading1"), Para("正文。")]),
            Section("明细", [Para("二、明细", "heading1"), Table(rows=rows, header=[["序号", "名称", "数量"]])],
                    landscape=True),
            Section("承诺", [Para("三、承诺", "heading1")]),
        ],
    )
    render_docx(bundle, path, date=DATE)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def soffice_processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes containing `text` (Linux /proc; empty elsewhere)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            data = cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in data:
            found.append(data)
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory):
    """One convert_to_pdf call over a docx, an xlsx with the same stem, a corrupt docx and a bundle."""
    src = tmp_path_factory.mktemp("src")
    files = [
        make_docx(src / "报告.docx"),
        make_xlsx(src / "报告.xlsx"),
        src / "损坏.docx",
        make_bundle_docx(src / "申报材料.docx"),
    ]
    files[2].write_bytes(random.Random(7).randbytes(6000))
    before = {f: digest(f) for f in files}
    out = tmp_path_factory.mktemp("pdf")
    results = convert_to_pdf(files, out, soffice=SOFFICE) if SOFFICE else {}
    return files, before, out, results


# --------------------------------------------------------------------------- with LibreOffice


@needs_soffice
def test_one_call_converts_docx_and_xlsx_with_the_same_stem(batch) -> None:
    files, _, out, results = batch
    docx_pdf, xlsx_pdf = results[files[0]], results[files[1]]
    assert isinstance(docx_pdf, Path) and isinstance(xlsx_pdf, Path)
    assert docx_pdf != xlsx_pdf
    assert {docx_pdf.name, xlsx_pdf.name} == {"报告_docx.pdf", "报告_xlsx.pdf"}
    for pdf in (docx_pdf, xlsx_pdf):
        assert pdf.parent == out
        assert pdf.read_bytes().startswith(b"%PDF")
    assert "金额" in "".join(page.extract_text() for page in PdfReader(xlsx_pdf).pages).replace(" ", "")


@needs_soffice
def test_corrupt_file_gives_an_error_string_and_the_rest_still_converts(batch) -> None:
    files, _, out, results = batch
    error = results[files[2]]
    assert isinstance(error, str) and error.startswith("LibreOffice 转换失败")
    assert "损坏.docx" in error
    assert isinstance(results[files[3]], Path)
    assert sorted(p.name for p in out.iterdir()) == ["报告_docx.pdf", "报告_xlsx.pdf", "申报材料.pdf"]


@needs_soffice
def test_inputs_are_never_modified(batch) -> None:
    files, before, _, _ = batch
    assert {f: digest(f) for f in files} == before
    assert sorted(p.name for p in files[0].parent.iterdir()) == sorted(f.name for f in files)


@needs_soffice
def test_write_docx_output_opens_in_libreoffice(batch) -> None:
    files, _, _, results = batch
    pdf = results[files[0]]
    assert isinstance(pdf, Path)
    reader = PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(595.3, abs=1) and float(box.height) == pytest.approx(841.9, abs=1)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: Chinese text not checked")
    if shutil.which("fc-list") and not subprocess.run(["fc-list", ":lang=zh"], capture_output=True,
                                                      text=True).stdout.strip():
        pytest.skip("no Chinese font installed: LibreOffice cannot render the heading")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert HEADING in text.replace(" ", "")
    # the docx numbers its pages (a footer PAGE field), but the bundle numbers every page itself: the copy
    # LibreOffice converts has that footer blanked (office_copy), so the PDF shows no number of its own
    assert "—1—" not in text.replace(" ", "")
    with zipfile.ZipFile(files[0]) as z:
        assert any(b"PAGE" in z.read(n) for n in z.namelist() if n.startswith("word/footer"))


@needs_soffice
def test_landscape_section_survives_the_round_trip(batch) -> None:
    files, _, _, results = batch
    pdf = results[files[3]]
    assert isinstance(pdf, Path)
    shapes = ["landscape" if p.mediabox.width > p.mediabox.height else "portrait" for p in PdfReader(pdf).pages]
    assert shapes[0] == "portrait" and shapes[-1] == "portrait"
    assert "landscape" in shapes


@needs_soffice
def test_convert_each_has_the_same_contract(tmp_path: Path) -> None:
    a = make_docx(tmp_path / "a.docx")
    b = make_xlsx(tmp_path / "a.xlsx")
    results = convert_each_to_pdf([a, b], tmp_path / "out", soffice=SOFFICE)
    assert set(results) == {a, b}
    for pdf in results.values():
        assert isinstance(pdf, Path) and pdf.read_bytes().startswith(b"%PDF")


@needs_soffice
def test_timeout_kills_soffice_and_reports_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))  # the throw-away profile goes here
    a = make_docx(tmp_path / "a.docx")
    b = make_xlsx(tmp_path / "b.xlsx")
    results = convert_to_pdf([a, b], tmp_path / "out", timeout=0.01, soffice=SOFFICE)
    assert set(results) == {a, b}
    for message in results.values():
        assert isinstance(message, str) and message.startswith("LibreOffice 转换超时（0.01秒）")
    assert soffice_processes_mentioning(str(work)) == []
    assert list(work.iterdir()) == []  # temporary profile removed
    assert list((tmp_path / "out").iterdir()) == []


@needs_soffice
def test_a_kill_mid_conversion_leaves_no_process_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With 1 s soffice.bin is usually running already: the whole process group must go."""
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    big = tmp_path / "big.docx"
    write_docx([Para("测试正文。" * 400) for _ in range(40)], big, date=DATE)
    results = convert_to_pdf([big], tmp_path / "out", timeout=1.0, soffice=SOFFICE)
    result = results[big]
    assert isinstance(result, Path) or result.startswith("LibreOffice 转换超时（1秒）")
    assert soffice_processes_mentioning(str(work)) == []
    assert list(work.iterdir()) == []


# --------------------------------------------------------------------------- no LibreOffice needed


def test_bad_inputs_are_reported_before_soffice_runs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(random.Random(1).randbytes(3000))
    encrypted = tmp_path / "locked.docx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le"))
    html_xls = tmp_path / "export.xls"  # many systems export HTML tables as .xls
    html_xls.write_text("<html><table><tr><td>金额</td></tr></table></html>", "utf-8")
    missing = tmp_path / "missing.docx"

    results = convert_to_pdf([empty, garbage, encrypted, html_xls, missing], tmp_path / "out",
                             soffice=str(tmp_path / "no-such-soffice"))
    assert "文件为空" in results[empty]
    assert "已损坏" in results[garbage]
    assert "已加密" in results[encrypted]
    assert "找不到文件" in results[missing]
    # the HTML .xls passes the checks and reaches soffice, which cannot be started here
    assert results[html_xls].startswith("LibreOffice 转换失败：export.xls（无法启动 LibreOffice")
    assert all(isinstance(v, str) for v in results.values())


def test_output_names_never_collide_or_hit_an_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    same_stem = [tmp_path / "x" / "a.docx", tmp_path / "y" / "a.docx", tmp_path / "a.xlsx"]
    existing_input = out / "b.pdf"
    b = tmp_path / "b.docx"
    paths = output_paths([*same_stem, b], out, protected=[*same_stem, b, existing_input])
    names = [paths[f].name for f in [*same_stem, b]]
    assert names == ["a_docx.pdf", "a_docx_2.pdf", "a_xlsx.pdf", "b_2.pdf"]


def test_find_soffice_honours_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("ZONEKIT_SOFFICE", str(fake))
    assert find_soffice() == str(fake)
    monkeypatch.setenv("ZONEKIT_SOFFICE", str(tmp_path / "nope"))
    assert find_soffice() != str(tmp_path / "nope")


@pytest.mark.parametrize("variable", ["ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"])
def test_find_soffice_finds_a_windows_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    """LibreOffice's Windows installer puts soffice.exe in <Program Files>\\LibreOffice\\program, not on PATH:
    a real folder of that shape, named by the environment variable Windows sets, is found."""
    program = tmp_path / "Program Files" / "LibreOffice" / "program"
    program.mkdir(parents=True)
    exe = program / "soffice.exe"
    exe.write_bytes(b"MZ")
    exe.chmod(0o755)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("ZONEKIT_SOFFICE", raising=False)
    for name in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"):
        monkeypatch.delenv(name, raising=False)
    assert find_soffice() is None
    monkeypatch.setenv(variable, str(tmp_path / "Program Files"))
    assert find_soffice() == os.path.join(tmp_path / "Program Files", "LibreOffice", "program", "soffice.exe")
    (program / "soffice.com").write_bytes(b"MZ")
    (program / "soffice.com").chmod(0o755)
    assert Path(find_soffice() or "").name == "soffice.com"  # the console variant first: it waits for the conversion


@pytest.mark.skipif(os.name == "nt", reason="the stand-in python.exe is a shell script")
def test_the_python_libreoffice_ships_is_the_one_serve_uses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows `import uno` works only in LibreOffice's own program\\python.exe, beside soffice.exe."""
    from zonekit.serve.warm_office import UNO_PYTHON_ENV, find_uno_python

    program = tmp_path / "LibreOffice" / "program"
    program.mkdir(parents=True)
    python = program / "python.exe"
    python.write_text('#!/bin/sh\n[ "$1" = -c ] && [ "$2" = "import uno" ]\n')  # answers only the probe
    python.chmod(0o755)
    monkeypatch.delenv(UNO_PYTHON_ENV, raising=False)
    find_uno_python.cache_clear()
    try:
        assert find_uno_python(str(program / "soffice.exe")) == str(python)
        python.write_text("#!/bin/sh\nexit 1\n")  # a Python without uno is passed over
        find_uno_python.cache_clear()
        assert find_uno_python(str(program / "soffice.exe")) != str(python)
    finally:
        find_uno_python.cache_clear()


def test_no_inputs_no_work(tmp_path: Path) -> None:
    assert convert_to_pdf([], tmp_path / "out", soffice=str(tmp_path / "none")) == {}
    assert not (tmp_path / "out").exists() or os.listdir(tmp_path / "out") == []


def test_the_libreoffice_profile_is_kept_and_used_by_one_conversion_at_a_time(tmp_path, monkeypatch) -> None:
    from zonekit.document import office

    monkeypatch.setenv(office.PROFILE_ENV, str(tmp_path / "profile"))
    with office.kept_profile() as first:
        assert first == tmp_path / "profile"
        with office.kept_profile() as second:
            assert second is None  # another zonekit converting at the same moment: a throw-away profile
    with office.kept_profile() as again:
        assert again == first  # the lock is released: the next run keeps using it
    monkeypatch.setenv(office.PROFILE_ENV, "0")
    with office.kept_profile() as none:
        assert none is None


@needs_soffice
def test_conversions_reuse_the_kept_profile(tmp_path, monkeypatch) -> None:
    from zonekit.document import office

    monkeypatch.setenv(office.PROFILE_ENV, str(tmp_path / "profile"))
    src = make_docx(tmp_path / "报告.docx")
    for n in (1, 2):
        got = convert_to_pdf([src], tmp_path / f"out{n}", soffice=SOFFICE)[src]
        assert isinstance(got, Path) and got.is_file()
    assert (tmp_path / "profile" / "user").is_dir() and not (tmp_path / "profile.lock").exists()
