"""The Word renderer: files are written, reopened with python-docx and checked at the XML level."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm

from zonekit.document.docx import DocxReport, render_docx, write_docx
from zonekit.document.model import (
    Attachment,
    Bundle,
    Cell,
    PageBreak,
    Para,
    Placeholder,
    SealBlock,
    Section,
    Spacer,
    Table,
)

DATE = dt.datetime(2024, 5, 6, 9, 30)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def report_blocks() -> list:
    return [
        Para("关于申请2024年度专项资金的报告", "title"),
        Para("市工业和信息化局：", "plain"),
        Para("一、项目基本情况", "heading1"),
        Para("（一）单位概况", "heading2"),
        Para("我单位成立于2010年，主要从事“智能制造”相关业务。", "body"),
        Table(
            header=[["序号", "项目", "金额（万元）"]],
            rows=[["1", "设备购置", "120.5"], [Cell("软件与服务", colspan=2), "30"]],
            total=["合计", "", "150.5"],
            widths=[1, 4, 2],
        ),
        Spacer(8),
        SealBlock("申请单位（盖章）："),
        PageBreak(),
        Para("注：本报告一式三份。", "note"),
    ]


def big_table(rows: int = 200) -> Table:
    return Table(
        header=[["序号", "名称", "型号", "数量", "单价（元）", "金额（元）"]],
        rows=[[str(i), f"设备{i}", f"X-{i}", "1", "100", "100"] for i in range(1, rows + 1)],
        total=["合计", "", "", str(rows), "", str(rows * 100)],
        widths=[1, 3, 2, 1, 2, 2],
        font_size=9,
    )


def make_bundle(tmp_path: Path, *, watermark: str | None = None) -> Bundle:
    return Bundle(
        title="2024年度专项资金申报材料",
        author="示例科技有限公司",
        cover=[Para("专项资金申报书", "title"), Para("申报单位：示例科技有限公司", "center")],
        parts=[
            Section("申请报告", report_blocks()),
            Section("设备明细表", [Para("二、设备明细表", "heading1"), big_table()], landscape=True),
            Section("承诺函", [Para("三、承诺函", "heading1"), Para("我单位承诺所报材料真实有效。")]),
            Attachment("营业执照", tmp_path / "营业执照（副本）.pdf", "pdf"),
            Placeholder("审计报告", "审计报告未能转换，请另行打印并附后。"),
        ],
        watermark=watermark,
    )


def body_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("word/document.xml").decode("utf-8")


def part_xml(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name).decode("utf-8")


@pytest.fixture
def report_docx(tmp_path: Path) -> Path:
    out = tmp_path / "申请报告.docx"
    write_docx(report_blocks(), out, title="申请报告", author="示例科技有限公司", date=DATE)
    return out


@pytest.fixture
def bundle_docx(tmp_path: Path) -> tuple[Path, DocxReport]:
    out = tmp_path / "申报材料.docx"
    report = render_docx(make_bundle(tmp_path, watermark="草稿 — 未通过检查"), out, date=DATE)
    return out, report


# --------------------------------------------------------------------------- write_docx


def test_headings_come_back_in_order_with_their_styles(report_docx: Path) -> None:
    d = docx.Document(str(report_docx))
    styled = [(p.style.name, p.text) for p in d.paragraphs if p.text]
    assert styled[0] == ("ZK 标题", "关于申请2024年度专项资金的报告")
    headings = [text for name, text in styled if name.startswith("Heading")]
    assert headings == ["一、项目基本情况", "（一）单位概况"]
    assert ("Heading 1", "一、项目基本情况") in styled
    assert ("Heading 2", "（一）单位概况") in styled


def test_east_asian_fonts_are_set_on_defaults_styles_and_runs(report_docx: Path) -> None:
    d = docx.Document(str(report_docx))
    styles = d.styles.element
    default_fonts = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert default_fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert default_fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would win over it

    def style_fonts(name: str):
        return d.styles[name].element.rPr.rFonts

    assert style_fonts("Normal").get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert style_fonts("Normal").get(qn("w:ascii")) == "Times New Roman"
    assert style_fonts("Heading 1").get(qn("w:eastAsia")) == "黑体"
    assert style_fonts("Heading 1").get(qn("w:asciiTheme")) is None
    assert style_fonts("Heading 2").get(qn("w:eastAsia")) == "楷体"
    assert style_fonts("ZK 标题").get(qn("w:eastAsia")) == "方正小标宋简体"
    assert d.styles["Normal"].font.size.pt == 16
    assert d.styles["ZK 标题"].font.size.pt == 22
    assert d.styles["Heading 1"].font.color.rgb is None  # not the template's theme blue

    runs = [r for p in d.paragraphs for r in p.runs] + [
        r for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs
    ]
    assert runs
    for run in runs:
        assert run._r.rPr.rFonts.get(qn("w:eastAsia")), run.text


def test_body_style_is_gbt9704(report_docx: Path) -> None:
    d = docx.Document(str(report_docx))
    body = d.styles["ZK 正文"]
    assert body.font.size.pt == 16
    assert body.paragraph_format.line_spacing.pt == 28
    ind = body.element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"


def test_page_is_a4_with_gbt_margins(report_docx: Path) -> None:
    section = docx.Document(str(report_docx)).sections[0]
    assert section.page_width.cm == pytest.approx(21.0, abs=0.01)
    assert section.page_height.cm == pytest.approx(29.7, abs=0.01)
    assert section.top_margin.cm == pytest.approx(3.7, abs=0.01)
    assert section.bottom_margin.cm == pytest.approx(3.5, abs=0.01)
    assert section.left_margin.cm == pytest.approx(2.8, abs=0.01)
    assert section.right_margin.cm == pytest.approx(2.6, abs=0.01)


def test_footers_have_page_field_odd_right_even_left(report_docx: Path) -> None:
    d = docx.Document(str(report_docx))
    assert d.settings.odd_and_even_pages_header_footer
    assert "<w:evenAndOddHeaders" in part_xml(report_docx, "word/settings.xml")
    section = d.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        assert not footer.is_linked_to_previous
        xml = footer._element.xml
        assert [t.text.strip() for t in footer._element.iter(qn("w:instrText"))] == ["PAGE"]
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        p = footer.paragraphs[0]
        assert p.text.startswith("—") and p.text.endswith("—")
        assert p._p.pPr.jc.get(qn("w:val")) == align
        fonts = p.runs[0]._r.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == "宋体"
    assert d.styles["Footer"].font.size.pt == 14
    assert "instrText" in part_xml(report_docx, "word/footer1.xml")


def test_table_header_repeats_colspan_merges_and_total_is_bold(report_docx: Path) -> None:
    d = docx.Document(str(report_docx))
    (table,) = d.tables
    assert table.style.name == "Table Grid"
    rows = table._tbl.tr_lst
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None
    assert all(r.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])
    merged = rows[2].tc_lst[0]
    assert merged.tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "2"
    assert len(rows[2].tc_lst) == 2
    assert table.cell(2, 0).text == "软件与服务"
    assert table.cell(2, 1).text == "软件与服务"  # the merged cell spans two grid columns
    total = table.rows[-1]
    assert [c.text for c in total.cells] == ["合计", "", "150.5"]
    assert total.cells[0].paragraphs[0].runs[0].bold
    assert not table.rows[1].cells[1].paragraphs[0].runs[0].bold
    assert table.rows[0].cells[0].paragraphs[0].runs[0].bold
    # relative widths 1:4:2 scaled to the 15.6 cm text width
    grid = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(grid) == pytest.approx(Cm(15.6).twips, abs=2)
    assert grid[1] == pytest.approx(grid[0] * 4, abs=4)
    run = table.rows[1].cells[1].paragraphs[0].runs[0]
    assert run.font.size.pt == 10.5
    assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_seal_block_has_right_tab_and_room_for_the_stamp(report_docx: Path) -> None:
    d = docx.Document(str(report_docx))
    paragraphs = d.paragraphs
    (i,) = [n for n, p in enumerate(paragraphs) if p.text.startswith("申请单位（盖章）：")]
    seal = paragraphs[i]
    assert seal.text == "申请单位（盖章）：\t年    月    日"
    stops = seal.paragraph_format.tab_stops
    assert len(stops) == 1 and stops[0].alignment == 2  # WD_TAB_ALIGNMENT.RIGHT
    assert stops[0].position.cm == pytest.approx(15.6, abs=0.01)
    assert all(p.text == "" for p in paragraphs[i - 3 : i])


def test_page_break_and_spacer(report_docx: Path) -> None:
    d = docx.Document(str(report_docx))
    note = [p for p in d.paragraphs if p.text.startswith("注：")][0]
    assert note.paragraph_format.page_break_before
    assert note.style.font.size.pt == 14
    spacer = [p for p in d.paragraphs if p.paragraph_format.line_spacing is not None
              and p.paragraph_format.line_spacing.pt == pytest.approx(8 * 72 / 25.4, abs=0.1)]
    assert len(spacer) == 1


def test_core_properties(report_docx: Path) -> None:
    props = docx.Document(str(report_docx)).core_properties
    assert props.title == "申请报告"
    assert props.author == "示例科技有限公司"
    assert props.last_modified_by == "zonekit"
    assert props.revision == 1
    assert props.created == props.modified == DATE.replace(tzinfo=dt.UTC)
    assert "python-docx" not in props.comments


def test_unknown_style_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown paragraph style"):
        write_docx([Para("x", "bogus")], tmp_path / "x.docx")
    assert list(tmp_path.iterdir()) == []


def test_importing_the_module_does_not_import_python_docx() -> None:
    code = "import sys, zonekit.document.docx; print('docx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- render_docx


def test_bundle_has_toc_field_and_update_fields(bundle_docx: tuple[Path, DocxReport]) -> None:
    out, _ = bundle_docx
    xml = body_xml(out)
    assert 'TOC \\o "1-2" \\h \\z \\u' in xml
    assert "<w:updateFields" in part_xml(out, "word/settings.xml")
    d = docx.Document(str(out))
    texts = [p.text for p in d.paragraphs]
    assert "目录" in texts
    toc_start = texts.index("目录")
    # the cached TOC result lists the headings in order until Word refreshes it
    assert texts[toc_start + 1 : toc_start + 7] == [
        "一、项目基本情况", "（一）单位概况", "二、设备明细表", "三、承诺函", "营业执照", "审计报告",
    ]
    # cover text is not a TOC candidate, part headings are real Heading 1
    heading1 = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert heading1 == ["一、项目基本情况", "二、设备明细表", "三、承诺函", "营业执照", "审计报告"]


def test_bundle_sections_switch_to_landscape_and_back(bundle_docx: tuple[Path, DocxReport]) -> None:
    out, report = bundle_docx
    d = docx.Document(str(out))
    sections = d.sections
    assert len(sections) == 3 == report.sections
    portrait, landscape, back = sections
    assert portrait.page_height > portrait.page_width
    assert landscape.page_width > landscape.page_height
    assert landscape.page_width.cm == pytest.approx(29.7, abs=0.01)
    assert landscape.orientation == 1  # WD_ORIENT.LANDSCAPE
    assert back.page_height > back.page_width and back.orientation == 0
    # later sections inherit the page-number footers from the first one
    assert not portrait.footer.is_linked_to_previous
    assert landscape.footer.is_linked_to_previous and back.even_page_footer.is_linked_to_previous
    # the 200-row table lives in the landscape section, scaled to the landscape text width
    big = d.tables[1]
    assert len(big.rows) == 202
    grid = [int(g.get(qn("w:w"))) for g in big._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(grid) == pytest.approx(Cm(29.7 - 2.8 - 2.6).twips, abs=2)
    assert big._tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None


def test_each_part_starts_on_a_new_page(bundle_docx: tuple[Path, DocxReport]) -> None:
    out, _ = bundle_docx
    d = docx.Document(str(out))
    starts = {"目录", "关于申请2024年度专项资金的报告", "营业执照", "审计报告"}
    for p in d.paragraphs:
        if p.text in starts and p.style.name != "toc 1":
            assert p.paragraph_format.page_break_before, p.text
    # 三、承诺函 follows the landscape section: a new section, hence a new page
    assert d.sections[2].start_type == 2  # WD_SECTION.NEW_PAGE


def test_attachments_and_placeholders_are_listed_not_embedded(bundle_docx: tuple[Path, DocxReport]) -> None:
    out, report = bundle_docx
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "本材料为单独文件：营业执照（副本）.pdf（见PDF版或另行打印）" in texts
    assert "审计报告未能转换，请另行打印并附后。" in texts
    assert report.listed_files == ["营业执照（副本）.pdf"]
    assert report.tables == 2
    assert report.paragraphs == len(texts)


def test_watermark_marks_cover_and_every_page_header(bundle_docx: tuple[Path, DocxReport], tmp_path: Path) -> None:
    out, _ = bundle_docx
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "草稿 — 未通过检查"
    first = d.sections[0]
    for header in (first.header, first.even_page_header):
        assert header.paragraphs[0].text == "草稿 — 未通过检查"
        assert header.paragraphs[0].style.font.color.rgb is not None
    assert all(s.header.is_linked_to_previous for s in d.sections[1:])

    clean = tmp_path / "clean.docx"
    render_docx(make_bundle(tmp_path), clean, date=DATE)
    with zipfile.ZipFile(clean) as zf:
        assert not any(n.startswith("word/header") for n in zf.namelist())
        assert not any("未通过检查" in zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml"))


def test_in_toc_false_keeps_headings_out_of_the_outline(tmp_path: Path) -> None:
    bundle = Bundle(title="t", author="a", cover=[Para("封面标题", "heading1")],
                    parts=[Section("内部", [Para("不进目录", "heading1")], in_toc=False)])
    out = tmp_path / "b.docx"
    render_docx(bundle, out, date=DATE)
    d = docx.Document(str(out))
    styles = {p.text: p.style for p in d.paragraphs if p.text in ("封面标题", "不进目录")}
    assert {s.name for s in styles.values()} == {"ZK 一级标题（不入目录）"}
    assert styles["封面标题"].element.pPr.find(qn("w:outlineLvl")) is None
    assert styles["封面标题"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def test_bundle_without_toc_or_cover(tmp_path: Path) -> None:
    bundle = Bundle(title="t", author="a", cover=[], parts=[Section("s", [Para("正文")])], toc=False)
    out = tmp_path / "b.docx"
    report = render_docx(bundle, out, date=DATE)
    d = docx.Document(str(out))
    assert [p.text for p in d.paragraphs] == ["正文"]
    assert not d.paragraphs[0].paragraph_format.page_break_before  # no blank first page
    assert "TOC" not in body_xml(out)
    assert "updateFields" not in part_xml(out, "word/settings.xml")
    assert report.sections == 1


# --------------------------------------------------------------------------- determinism, atomicity


def test_same_input_and_date_give_identical_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.docx", tmp_path / "b.docx", tmp_path / "c.docx"
    render_docx(make_bundle(tmp_path, watermark="草稿"), a, date=DATE)
    render_docx(make_bundle(tmp_path, watermark="草稿"), b, date=DATE)
    assert a.read_bytes() == b.read_bytes()
    render_docx(make_bundle(tmp_path, watermark="草稿"), c, date=DATE + dt.timedelta(days=1))
    assert a.read_bytes() != c.read_bytes()
    with zipfile.ZipFile(a) as zf:
        infos = zf.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(2024, 5, 6, 9, 30, 0)}


def test_write_docx_is_deterministic_without_a_date(tmp_path: Path) -> None:
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    write_docx(report_blocks(), a)
    write_docx(report_blocks(), b)
    assert a.read_bytes() == b.read_bytes()
    assert "dcterms:created" not in part_xml(a, "docProps/core.xml")
    with zipfile.ZipFile(a) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_aware_dates_are_stored_in_utc(tmp_path: Path) -> None:
    out = tmp_path / "a.docx"
    beijing = dt.timezone(dt.timedelta(hours=8))
    write_docx([Para("x")], out, date=dt.datetime(2024, 5, 6, 17, 30, tzinfo=beijing))
    assert docx.Document(str(out)).core_properties.created == dt.datetime(2024, 5, 6, 9, 30, tzinfo=dt.UTC)


def test_atomic_write_leaves_no_temp_files_and_replaces_old_output(tmp_path: Path) -> None:
    out = tmp_path / "out" / "申请报告.docx"
    out.parent.mkdir()
    out.write_bytes(b"old")
    write_docx(report_blocks(), out, date=DATE)
    render_docx(make_bundle(tmp_path), tmp_path / "out" / "b.docx", date=DATE)
    assert sorted(p.name for p in out.parent.iterdir()) == ["b.docx", "申请报告.docx"]
    assert zipfile.is_zipfile(out)
    assert out.stat().st_mode & 0o044  # readable by others, not mkstemp's 0600


def test_failed_render_leaves_nothing_behind(tmp_path: Path) -> None:
    out = tmp_path / "x.docx"
    bad = Bundle(title="t", author="a", cover=[], parts=[Section("s", [Para("x", "nope")])])
    with pytest.raises(ValueError):
        render_docx(bad, out, date=DATE)
    assert list(tmp_path.iterdir()) == []


def test_render_refuses_to_overwrite_an_input(tmp_path: Path) -> None:
    source = tmp_path / "材料.docx"
    source.write_bytes(b"user file")
    bundle = Bundle(title="t", author="a", cover=[], parts=[Attachment("材料", source, "office")])
    with pytest.raises(ValueError, match="覆盖输入文件"):
        render_docx(bundle, source, date=DATE)
    assert source.read_bytes() == b"user file"


# --------------------------------------------------------------------------- print layout (issue 13)

ENTERPRISES = [  # 附件2-like rows: names wrap, dates, floors, amounts and credit codes must not
    [str(i), "福华金融中心", f"深圳市第{i}号金融服务股份有限公司深圳分公司", f"{1200 + i * 37:,}", f"{i + 10}-{i + 12}",
     f"20{10 + i:02d}-0{i % 9 + 1}-1{i % 9}", f"9144030{i % 10}MA5G00{i % 10}QX{i % 10}", "深圳市福田区福华三路88号"]
    for i in range(1, 30)
]
ENTERPRISE_HEADER = ["序号", "楼宇名称", "金融企业名称", "使用办公面积（m2）", "使用楼层", "进驻时间",
                     "统一社会信用代码", "实际注册地址"]


def _grid_pt(table) -> list[float]:  # noqa: ANN001
    return [int(g.get(qn("w:w"))) / 20 for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def test_table_without_widths_lays_its_columns_out_from_the_content(tmp_path: Path) -> None:
    from zonekit.document.docx import CELL_MARGIN_PT, text_measure

    out = tmp_path / "t.docx"
    write_docx([Table(header=[ENTERPRISE_HEADER], rows=ENTERPRISES, font_size=9)], out)
    (table,) = docx.Document(str(out)).tables
    grid = _grid_pt(table)
    assert sum(grid) == pytest.approx(Cm(15.6).pt, abs=1)
    measure = text_measure(9)
    for j in (3, 4, 5, 6):  # area, floors, date, credit code: each fits its column on one line
        widest = max(measure(row[j]) for row in ENTERPRISES)
        assert grid[j] >= widest + 2 * CELL_MARGIN_PT, (ENTERPRISE_HEADER[j], grid[j], widest)
    assert grid[2] > max(grid[0], grid[1], grid[7])  # the longest names get the most of the room left
    rows = table._tbl.tr_lst
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None  # the header repeats on every page
    assert all(r.trPr.find(qn("w:cantSplit")) is not None for r in rows)
    assert table.rows[1].cells[6].text == ENTERPRISES[0][6]


def test_a_value_too_wide_for_a_fixed_column_is_set_smaller_not_broken(tmp_path: Path) -> None:
    out = tmp_path / "t.docx"
    write_docx([Table(rows=[["联系电话", "0755-83451234", "邮箱", "x"]], widths=[3, 1, 3, 3], font_size=10.5)], out)
    (table,) = docx.Document(str(out)).tables
    phone = table.rows[0].cells[1].paragraphs[0].runs[0]
    assert phone.font.size.pt < 10.5 and phone.font.size.pt >= 7.5
    assert table.rows[0].cells[0].paragraphs[0].runs[0].font.size.pt == 10.5


def test_seal_keeps_the_paragraph_before_it_on_its_page(report_docx: Path) -> None:
    paragraphs = docx.Document(str(report_docx)).paragraphs
    (i,) = [n for n, p in enumerate(paragraphs) if p.text.startswith("申请单位（盖章）：")]
    k = i - 1
    while not paragraphs[k].text:  # the stamp's blank lines and the spacer before them
        assert paragraphs[k].paragraph_format.keep_with_next
        k -= 1
    # the table cell paragraphs are not body paragraphs: the spacer after the table is the first kept
    assert all(p.paragraph_format.keep_with_next for p in paragraphs[k + 1 : i])


def test_cover_prints_no_page_number(bundle_docx: tuple[Path, DocxReport]) -> None:
    out, _ = bundle_docx
    section = docx.Document(str(out)).sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" not in section.first_page_footer._element.xml
    assert [t.text.strip() for t in section.footer._element.iter(qn("w:instrText"))] == ["PAGE"]


def test_seal_kept_copies_of_a_users_report(tmp_path: Path) -> None:
    """A user's Word report whose seal line would stand alone: the copy LibreOffice converts keeps
    the last paragraph (and the blank lines) with it; the date line under the seal comes along."""
    from zonekit.document.docx import seal_kept_copies

    src = tmp_path / "报告.docx"
    d = docx.Document()
    for n in range(3):
        d.add_paragraph(f"第{n + 1}段正文。" * 20)
    d.add_paragraph("")
    d.add_paragraph("申报单位（盖章）：\t年  月  日")
    d.add_paragraph("2026年11月20日")
    d.add_paragraph("备注：材料须加盖公章（盖章）后提交，本句不是签章行，不应影响前文的分页。" * 2)
    d.save(str(src))
    before = src.read_bytes()
    other = tmp_path / "表.xlsx"
    other.write_bytes(b"not looked at")
    copies = seal_kept_copies([src, other], tmp_path / "copies")
    assert copies[other] == other and src.read_bytes() == before
    assert copies[src] != src and copies[src].name == src.name
    kept = [p.paragraph_format.keep_with_next for p in docx.Document(str(copies[src])).paragraphs]
    assert kept == [None, None, True, True, True, None, None]
    assert seal_kept_copies([copies[src]], tmp_path / "again")[copies[src]] == copies[src]  # nothing left to do


def test_a_prepared_blank_document_is_used_once_and_gives_the_same_bytes(tmp_path: Path) -> None:
    """docxout.prepare (called while LibreOffice converts) only moves work earlier."""
    from zonekit.document import docx as docxout

    plain, prepared = tmp_path / "a.docx", tmp_path / "b.docx"
    write_docx(report_blocks(), plain, date=DATE)
    docxout.prepare()
    assert docxout.is_prepared()
    write_docx(report_blocks(), prepared, date=DATE)
    assert not docxout.is_prepared()
    assert prepared.read_bytes() == plain.read_bytes()
