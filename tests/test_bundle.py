"""`zonekit bundle` and `zonekit verify` on the demo sample: real PDF/docx read back."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from docx import Document
from pypdf import PdfReader

from zonekit.bundle.build import build_bundle, bundle_date, verify
from zonekit.errors import BundleRefused

from .conftest import SAMPLES, run_cli


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "out"
    result = build_bundle(SAMPLES / "sz-building-demo", out, date=bundle_date("2026-11-22"))
    return result


def test_outputs_and_parts(bundled):
    assert bundled.pdf.name == "申报材料.pdf" and bundled.docx.name == "申报材料.docx"
    reader = PdfReader(bundled.pdf)
    assert len(reader.pages) == bundled.pages == bundled.parts[-1]["end"]
    assert sum(p["end"] - p["start"] + 1 for p in bundled.parts) == bundled.pages
    assert "深圳市市级重点金融楼宇认定申报材料" in reader.pages[0].extract_text()
    assert reader.metadata.title == "深圳市市级重点金融楼宇认定申报材料"
    assert reader.metadata.author == "深圳市福华置业运营管理有限公司"


def test_enterprise_table_and_page_numbers(bundled):
    reader = PdfReader(bundled.pdf)
    table = next(p for p in bundled.parts if p["title"].endswith("入驻金融企业信息表") and p["kind"] == "section"
                 and not p["title"].startswith("二"))
    text = "".join(reader.pages[i - 1].extract_text() for i in range(table["start"], table["end"] + 1))
    flat = "".join(text.split())  # names wrap inside narrow cells
    assert "鹏城证券股份有限公司" in flat and "合计" in flat and "27,600" in flat
    page = reader.pages[table["start"] - 1]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # 附件2 is landscape
    for n in (3, bundled.pages):
        assert f"— {n} —" in reader.pages[n - 1].extract_text()


def test_toc_matches_real_pages(bundled):
    reader = PdfReader(bundled.pdf)
    toc = reader.pages[1].extract_text()
    dividers = [p for p in bundled.parts if p["title"][:2] in ("一、", "二、", "三、", "四、", "五、", "六、", "七、")
                and p["kind"] == "section" and "—" not in p["title"]]
    assert len(dividers) == 7
    flat = "".join(toc.split())  # pypdf extracts each right-aligned number before its title
    for p in dividers:
        assert re.search(rf"…{p['start']}{re.escape(p['title'])}", flat), (p, flat)
        assert p["title"] in reader.pages[p["start"] - 1].extract_text()


def test_outline_points_at_parts(bundled):
    reader = PdfReader(bundled.pdf)
    top = [o for o in reader.outline if not isinstance(o, list)]
    titles = {o.title: reader.get_destination_page_number(o) + 1 for o in top}
    for p in bundled.parts:
        if p["title"] in titles:
            assert titles[p["title"]] == p["start"]
    assert "一、申报表" in titles and "七、楼宇内持牌金融机构的资质证明文件" in titles
    # one top-level entry per material (plus cover and contents); its files nested under it
    dividers = [p["title"] for p in bundled.parts
                if "、" in p["title"][:3] and "—" not in p["title"] and p["kind"] == "section"]
    assert [t for t in titles if t not in ("封面", "目录")] == dividers
    outline = reader.outline
    at = next(i for i, o in enumerate(outline)
              if not isinstance(o, list) and o.title == "五、入驻金融企业租房或购房合同")
    leases = outline[at + 1]
    assert isinstance(leases, list) and len(leases) == 3


def test_converted_report_is_real_pages(bundled):
    part = next(p for p in bundled.parts if p["title"].endswith("申请报告.docx"))
    if shutil.which("soffice") is None:
        assert part["kind"] == "placeholder" and bundled.incomplete
    else:
        assert part["kind"] == "pdf"
        text = PdfReader(bundled.pdf).pages[part["start"] - 1].extract_text()
        assert "楼宇地理位置" in text


def test_docx_has_cover_and_east_asian_fonts(bundled):
    doc = Document(bundled.docx)
    texts = [p.text for p in doc.paragraphs]
    assert "深圳市市级重点金融楼宇认定申报材料" in texts
    xml = doc.element.xml + doc.styles.element.xml
    assert 'w:eastAsia="' in xml
    assert any("深圳市土地使用权出让合同书.pdf" in t for t in texts)  # user PDFs are listed, not embedded


def test_manifest_and_verify(bundled, tmp_path):
    manifest = json.loads(bundled.manifest.read_text("utf-8"))
    assert manifest["programme"] == "sz-building" and manifest["check"]["ok"] is True
    assert {o["path"] for o in manifest["outputs"]} == {"申报材料.pdf", "申报材料.docx"}
    assert any(i["path"].endswith("附件2 入驻金融企业信息表.xlsx") for i in manifest["inputs"])
    assert verify(bundled.out).ok
    # a one-byte change in a copy of the outputs is caught
    copy = tmp_path / "copy"
    shutil.copytree(bundled.out, copy)
    pdf = copy / "申报材料.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 1
    pdf.write_bytes(bytes(data))
    r = run_cli("verify", str(copy), "--packet", str(SAMPLES / "sz-building-demo"))
    assert r.returncode == 1 and "申报材料.pdf" in r.stdout


def test_verify_catches_edited_form(bundled, tmp_path):
    packet = tmp_path / "packet"
    shutil.copytree(SAMPLES / "sz-building-demo", packet)
    assert verify(bundled.out, packet).ok
    form = packet / "01_申报表/附件1 申报表.xlsx"
    form.write_bytes(form.read_bytes() + b"\0")
    result = verify(bundled.out, packet)
    assert not result.ok and any("附件1" in p for p in result.changed)


def test_deterministic(tmp_path):
    a = build_bundle(SAMPLES / "sz-building-demo", tmp_path / "a", date=bundle_date("2026-11-22"))
    b = build_bundle(SAMPLES / "sz-building-demo", tmp_path / "b", date=bundle_date("2026-11-22"))
    assert a.pdf.read_bytes() == b.pdf.read_bytes()
    assert a.docx.read_bytes() == b.docx.read_bytes()


def test_refuses_errors_and_draft_watermarks(tmp_path):
    with pytest.raises(BundleRefused) as e:
        build_bundle(SAMPLES / "sz-building-broken", tmp_path / "x", date=bundle_date("2026-11-22"))
    assert "uscc" not in str(e.value) and "校验位" in str(e.value)
    assert not (tmp_path / "x" / "申报材料.pdf").exists()
    r = run_cli("bundle", str(SAMPLES / "sz-building-broken"), "-o", str(tmp_path / "y"), "--date", "2026-11-22")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    d = build_bundle(SAMPLES / "sz-building-broken", tmp_path / "d", draft=True, date=bundle_date("2026-11-22"))
    assert d.pdf.name == "申报材料-draft.pdf" and d.docx.name == "申报材料-draft.docx"
    reader = PdfReader(d.pdf)
    assert all("草稿" in page.extract_text() for page in reader.pages)
    warned = {w for w, _ in d.warnings}
    assert any("租赁合同01" in w for w in warned)  # the encrypted PDF gets a placeholder + warning


def test_inputs_untouched(tmp_path):
    packet = tmp_path / "p"
    shutil.copytree(SAMPLES / "sz-building-demo", packet)
    before = {p: p.read_bytes() for p in packet.rglob("*") if p.is_file()}
    build_bundle(packet, tmp_path / "out", date=bundle_date("2026-11-22"))
    assert {p: p.read_bytes() for p in packet.rglob("*") if p.is_file()} == before


def test_fonts_embedded_and_cover_renders(bundled, tmp_path):
    if not shutil.which("pdffonts") or not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed: apt-get install poppler-utils")
    generated = next(p["start"] for p in bundled.parts if p["kind"] not in ("cover", "toc", "section")) - 1
    # zonekit's own pages embed their fonts; appended user PDFs are left as they are
    fonts = subprocess.run(["pdffonts", "-f", "1", "-l", str(generated), str(bundled.pdf)], capture_output=True,
                           text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("yes" in r[-5:-2] for r in rows), fonts
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(bundled.pdf), str(tmp_path / "cover")],
                   check=True)
    assert list(tmp_path.glob("cover*.png"))


# ------------------------------------------------------------------ the cover note: copies and the notice's contacts
def test_cover_says_two_copies_for_shenzhen(bundled):
    reader = PdfReader(bundled.pdf)
    cover = "".join(reader.pages[0].extract_text().split())
    assert "（本材料一式两份，盖申报单位公章）" in cover
    assert "通知所列联系方式" not in cover  # seed 002 gives none
    assert any("（本材料一式两份，盖申报单位公章）" in p.text for p in Document(bundled.docx).paragraphs)


@pytest.mark.parametrize(("sample", "contacts"), [
    ("miit-pilot-demo", ["工业和信息化部工业文化发展中心（申报咨询）：联系人宋晓旭，电话010-68200662（五）",
                         "中国信息通信研究院（系统咨询）：联系人何阳，电话010-62300196（五）",
                         "工业和信息化部财务司（政策咨询）：联系人周楠，电话010-68205889（五）"]),
    ("g60-park-demo", ["G60联席办金融服务中心：联系人王海凤，电话18813196285；"
                       "联系人王祺，电话18917955717（三（三）1）"]),
    ("zone3553-demo", ["3553工程计划管理办公室（申报窗口）：电话010-64011007-308，邮箱ztyhtian@126.com，"
                       "地址北京市东城区北河沿大街83号（六）"]),
])
def test_cover_has_the_notices_contacts_and_no_copy_count(sample, contacts, tmp_path):
    # draft: the cover is the same, and the test does not depend on the demo passing every check
    result = build_bundle(SAMPLES / sample, tmp_path / "out", draft=True, date=bundle_date("2026-11-22"))
    reader = PdfReader(result.pdf)
    cover = "".join(reader.pages[0].extract_text().split())
    assert "通知所列联系方式：" in cover
    for line in contacts:
        assert line in cover, (line, cover)
    assert "目录" in "".join(reader.pages[1].extract_text().split())  # the cover is still one page
    assert not any("一式" in page.extract_text() for page in reader.pages)
    texts = [p.text for p in Document(result.docx).paragraphs]
    assert "通知所列联系方式：" in texts and not any("一式" in t for t in texts)
