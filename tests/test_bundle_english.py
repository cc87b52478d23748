"""What `zonekit bundle` says (warnings, the font note, refusals) in English as well as in Chinese:
real packets copied from samples/, real broken files planted in them, real PDFs rendered."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfgen import canvas

from zonekit.bundle import build
from zonekit.bundle.build import BundleResult, build_bundle, bundle_date, verify
from zonekit.document import fonts
from zonekit.document.model import Attachment, Bundle, Para, Section
from zonekit.document.office import convert_to_pdf
from zonekit.document.pdf import render_pdf
from zonekit.document.pdf.assemble import ENGINE_ENV
from zonekit.errors import BundleRefused, PacketError
from zonekit.findings import Said

from .conftest import SAMPLES

DATE = bundle_date("2026-11-22")
LEASES = "05_租房或购房合同"
RARE = "\u4dae"  # in no font zonekit ships (GB 2312 subset), nor in a folder without fonts
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def assert_english(text: str, *names: str) -> None:
    """`text` is English: no Chinese character or full-width punctuation outside “…” quotes and the `names`
    (the file paths a sentence names), which stay as the person sees them."""
    bare = re.sub(r"“[^”]*”", "", text)
    for name in names:
        bare = bare.replace(name, "")
    assert not _CJK.search(bare), text
    assert re.search(r"[A-Za-z]{3}", bare), text


def assert_bilingual(where: str, said: Said) -> None:
    assert isinstance(said, Said), said
    assert _CJK.search(said.zh), said
    assert_english(said.en, where, Path(where).name)
    assert said.text("en") == said.en and said.text("zh") == said.zh


def _pdf(path: Path, size: tuple[float, float] = A4, foot: str | None = None) -> Path:
    c = canvas.Canvas(str(path), pagesize=size, invariant=1)
    c.drawString(72, size[1] - 100, "Lease contract")
    if foot:
        c.drawString(size[0] / 2, 30, foot)
    c.showPage()
    c.save()
    return path


def _by_file(result: BundleResult, name: str) -> list[Said]:
    return [said for where, said in result.warnings if Path(where).name == name]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> BundleResult:
    """A draft bundle of the demo packet with a corrupt PDF, a Letter-size PDF and a PDF that prints its own
    page numbers, on a machine without LibreOffice, with a --font that cannot be used."""
    base = tmp_path_factory.mktemp("english")
    packet = base / "packet"
    shutil.copytree(SAMPLES / "sz-building-demo", packet)
    leases = packet / LEASES
    (leases / "租赁合同09_损坏.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a pdf\n")
    _pdf(leases / "租赁合同08_信纸.pdf", letter)
    _pdf(leases / "租赁合同07_自带页码.pdf", foot="- 1 -")
    (base / "bad.ttf").write_bytes(b"not a font")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("zonekit.document.office.find_soffice", lambda: None)
        return build_bundle(packet, base / "out", draft=True, date=DATE, font=str(base / "bad.ttf"))


def test_every_bundle_warning_is_said_in_both_languages(planted):
    assert planted.warnings
    for where, said in planted.warnings:
        assert_bilingual(where, said)


def test_non_a4_pdf(planted):
    [said] = [s for s in _by_file(planted, "租赁合同08_信纸.pdf") if "A4" in s.zh]
    assert said.zh == "页面尺寸不是A4（1页，如第1页 216×279 mm），已按原样保留"
    assert said.en == "pages are not A4 (1 of them, e.g. page 1: 216×279 mm); they are kept as they are"


def test_corrupt_pdf_left_out_by_check(planted):
    rel = f"{LEASES}/租赁合同09_损坏.pdf"
    [said] = _by_file(planted, "租赁合同09_损坏.pdf")
    assert said.zh.startswith(f"{rel} 已损坏") and rel in planted.incomplete
    assert said.en.startswith(f"{rel}: ") and "corrupt" in said.en


def test_own_page_numbers(planted):
    [said] = [s for s in _by_file(planted, "租赁合同07_自带页码.pdf") if s.zh.startswith("该文件自带页码")]
    assert said.zh == "该文件自带页码（如“- 1 -”），打印后会与申报材料的统一页码同时出现：请换用不带页码的版本"
    assert said.en.startswith("the file prints page numbers of its own (such as “- 1 -”)")


def test_office_files_without_libreoffice(planted):
    [said] = _by_file(planted, "申请报告.docx")
    assert said.zh == "未找到 LibreOffice（soffice），无法自动转换"
    assert said.en == "LibreOffice (soffice) was not found, so the file could not be converted automatically"


def test_font_note(planted):
    note = planted.font_note
    assert isinstance(note, Said)
    assert note.zh.startswith("指定的字体无法使用（") and "改用 " in note.zh
    assert note.en.startswith("the font given (“") and "cannot be used" in note.en and "using " in note.en
    assert_english(note.en)


def test_manifest_carries_message_en_and_verify_reads_old_manifests(planted, tmp_path):
    data = json.loads(planted.manifest.read_text("utf-8"))
    assert data["warnings"] == [{"where": where, "message": said.zh, "message_en": said.en}
                                for where, said in planted.warnings]
    assert data["font"]["note"] == planted.font_note.zh  # the font entry is as it was
    old = tmp_path / "out"
    shutil.copytree(planted.out, old)
    data["warnings"] = [{"where": w["where"], "message": w["message"]} for w in data["warnings"]]
    (old / "manifest.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    assert verify(old).ok


def test_system_font_note_is_bilingual():
    note = fonts.find_cjk_font().said_note()
    assert note.zh  # the note, else the font's name
    assert_english(note.en)


# --------------------------------------------------------------------------- the PDF renderer's own warnings


@pytest.mark.parametrize("engine", ["pikepdf", "pypdf"])
def test_renderer_warnings(engine, tmp_path, monkeypatch):
    from pypdf import PdfWriter

    monkeypatch.setenv(ENGINE_ENV, engine)
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a pdf\n")
    writer = PdfWriter(clone_from=_pdf(tmp_path / "营业执照.pdf"))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    image = tmp_path / "broken.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    word = tmp_path / "申请报告.docx"
    word.write_bytes(b"PK")
    letter_pdf = _pdf(tmp_path / "letter.pdf", letter)
    parts = [Attachment("损坏", corrupt, "pdf"), Attachment("加密", locked, "pdf"), Attachment("图片", image, "image"),
             Attachment("报告", word, "office"), Attachment("信纸", letter_pdf, "pdf")]
    bundle = Bundle(title="t", author="a", cover=[Para("封面", "plain")], parts=parts)
    report = render_pdf(bundle, tmp_path / "out.pdf", font=fonts.find_cjk_font(), date=DATE)
    said = {Path(where).name: s for where, s in report.warnings}
    for where, s in report.warnings:
        assert_bilingual(where, s)
    assert re.fullmatch(r"PDF已损坏或无法读取（\w+），已用占位页代替，请单独打印", said["corrupt.pdf"].zh)
    assert re.fullmatch(r"the PDF is damaged or cannot be read \(\w+\): a placeholder page stands in for it; "
                        r"print it separately", said["corrupt.pdf"].en)
    assert said["locked.pdf"] == Said("PDF已加密（需要打开密码），已用占位页代替，请单独打印",
                                      "the PDF is encrypted (it needs a password to open): a placeholder page "
                                      "stands in for it; print it separately")
    assert re.fullmatch(r"图片无法识别或已损坏（\w+），已用占位页代替，请单独打印", said["broken.png"].zh)
    assert said["申请报告.docx"] == Said("无法自动转换该文件，已用占位页代替；请另存为PDF或单独打印",
                                         "“申请报告.docx” could not be converted automatically: a placeholder page "
                                         "stands in for it; save it as PDF or print it separately")
    assert said["letter.pdf"].zh == "页面尺寸不是A4（1页，如第1页 216×279 mm），已按原样保留"


def test_missing_glyph(tmp_path, monkeypatch):
    (tmp_path / "none").mkdir()
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, str(tmp_path / "none"))
    monkeypatch.delenv("ZONEKIT_FONT", raising=False)
    bundle = Bundle(title="t", author="a", cover=[Para(f"联系人：刘{RARE}", "plain")],
                    parts=[Section("附件2", [Para(f"刘{RARE}科技", "plain")])])
    report = render_pdf(bundle, tmp_path / "rare.pdf", font=fonts.find_cjk_font(), date=DATE)
    missing = [(where, said) for where, said in report.warnings if f"U+{ord(RARE):04X}" in said.zh]
    assert [where for where, _ in missing] == ["封面", "附件2"]
    where, said = missing[0]
    assert said.zh.startswith(f"“联系人：刘{RARE}”中的“{RARE}”（U+4DAE）不在所用字体中，本机其他中文字体也没有")
    assert said.en.startswith(f"the character “{RARE}” (U+4DAE) in “联系人：刘{RARE}” is in neither the font used")
    assert_bilingual(where, said)


# --------------------------------------------------------------------------- errors


def test_bundle_refused_in_english(tmp_path):
    with pytest.raises(BundleRefused) as e:
        build_bundle(SAMPLES / "sz-building-broken", tmp_path / "x", date=DATE)
    zh, en = str(e.value), e.value.text("en")
    assert re.match(r"材料包有 \d+ 个错误，未生成申报材料（改正后重试，或加 --draft 生成草稿）：\n", zh)
    first, *listed = en.split("\n")
    assert re.fullmatch(r"the packet has \d+ errors, so no bundle was made \(correct them and try again, or add "
                        r"--draft to make a draft\):", first)
    assert len(listed) == len(zh.split("\n")) - 1 and "校验位" not in en
    assert listed[0].startswith("  - “01_申报表/附件1 申报表.xlsx” [“附件1 申报表”] B5 ")  # names quoted


def test_bundle_refused_for_too_many_rows_in_english(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "MAX_BUNDLE_ROWS", 1)
    with pytest.raises(BundleRefused) as e:
        build_bundle(SAMPLES / "sz-building-demo", tmp_path / "x", date=DATE)
    assert "超过打包上限 1 行" in str(e.value)
    assert e.value.en and "more than the 1 a bundle takes" in e.value.en
    assert_english(e.value.en)


def test_verify_of_a_folder_without_manifest(tmp_path):
    with pytest.raises(PacketError) as e:
        verify(tmp_path)
    assert "无法读取" in str(e.value)
    assert e.value.en and "cannot be read" in e.value.en
    assert_english(e.value.en, str(tmp_path / "manifest.json"))


def test_office_conversion_failures_in_english(tmp_path):
    """Files LibreOffice is never handed (empty, not what their name says): the same Chinese string as ever,
    with its English beside it."""
    empty, garbage = tmp_path / "空白.docx", tmp_path / "报表.xlsx"
    empty.write_bytes(b"")
    garbage.write_bytes(b"this is not a workbook")
    results = convert_to_pdf([empty, garbage], tmp_path / "out", soffice=str(tmp_path / "no-soffice"))
    assert results[empty] == "LibreOffice 转换失败：空白.docx（文件为空）"
    assert results[empty].en == "LibreOffice could not convert “空白.docx” (the file is empty)"
    assert results[garbage] == "LibreOffice 转换失败：报表.xlsx（文件已损坏或内容与扩展名不符）"
    assert results[garbage].said == Said(str(results[garbage]), results[garbage].en)
    assert_english(results[garbage].en)


def test_no_cjk_helper_catches_chinese():
    with pytest.raises(AssertionError):
        assert_english("the file 已损坏")
    assert_english("“营业执照.pdf” could not be converted automatically")

