"""zonekit.document.pdf: real bundles rendered to real PDFs and read back with pypdf (no mocks)."""

from __future__ import annotations

import datetime
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfgen import canvas

from zonekit.document import fonts
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
from zonekit.document.pdf import PdfReport, render_pdf

DATE = datetime.datetime(2024, 5, 1, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
COVER_TITLE = "深圳市重点金融产业基地和重点金融楼宇申报"
ENTERPRISE = "平安银行股份有限公司"
WATERMARK = "草稿 — 未通过检查"
A4_W, A4_H = A4


# --------------------------------------------------------------------------- inputs


def _user_pdf(path: Path, font: str, pages: int, label: str, size=A4) -> Path:
    c = canvas.Canvas(str(path), pagesize=size, invariant=1, initialFontName=font)
    for n in range(1, pages + 1):
        c.setFont(font, 14)
        c.drawString(72, size[1] - 100, f"{label} 第{n}页")
        c.showPage()
    c.save()
    return path


def _encrypted(src: Path, dst: Path, user: str, owner: str) -> Path:
    writer = PdfWriter(clone_from=src)
    writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")
    with dst.open("wb") as fh:
        writer.write(fh)
    return dst


def _with_scripts(src: Path, dst: Path) -> Path:
    """Document-level JavaScript, an open action, a page action and an embedded file."""
    writer = PdfWriter(clone_from=src)
    writer.add_attachment("secret.txt", b"embedded file")

    def js(code: str) -> DictionaryObject:
        return DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)}
        )

    root = writer.root_object
    root[NameObject("/OpenAction")] = writer._add_object(js("app.alert('open');"))
    names = root["/Names"]
    names[NameObject("/JavaScript")] = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("hello"), writer._add_object(js("app.alert(1);"))]
            )
        }
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): js("app.alert('page');")})
    with dst.open("wb") as fh:
        writer.write(fh)
    return dst


@pytest.fixture(scope="module")
def font() -> fonts.FontChoice:
    return fonts.find_cjk_font()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, font: fonts.FontChoice) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("inputs")
    files = {
        "user1": _user_pdf(d / "营业执照.pdf", font.name, 2, "用户文件一"),
        "user2": _user_pdf(d / "letter.pdf", font.name, 1, "用户文件二", size=letter),
        "corrupt": d / "corrupt.pdf",
        "bad_image": d / "broken.png",
    }
    files["corrupt"].write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a pdf\n")
    files["bad_image"].write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    files["locked"] = _encrypted(files["user1"], d / "locked.pdf", user="secret", owner="owner")
    files["owner_only"] = _encrypted(files["user1"], d / "owner_only.pdf", user="", owner="owner")
    files["scripts"] = _with_scripts(files["user1"], d / "scripts.pdf")

    photo = Image.linear_gradient("L").resize((1200, 800)).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, displayed portrait (rotate 90° clockwise)
    files["jpg"] = d / "photo.jpg"
    photo.save(files["jpg"], "JPEG", exif=exif)
    files["png"] = d / "scan.png"
    Image.new("RGBA", (900, 600), (255, 0, 0, 128)).save(files["png"])
    return files


def _rows(n: int) -> list[list[str | Cell]]:
    return [[str(i + 1), ENTERPRISE, "福田区", Cell(f"{i * 10:,}", align="right")] for i in range(n)]


def _bundle(inputs: dict[str, Path], watermark: str | None = WATERMARK) -> Bundle:
    table = Table(
        rows=_rows(300),
        header=[["序号", "企业名称", "所在区", "金额（万元）"]],
        total=[Cell("合计", colspan=3, align="center"), "448,500"],
        widths=[1, 5, 2, 2],
    )
    return Bundle(
        title=COVER_TITLE,
        author=ENTERPRISE,
        subject="申报材料",
        cover=[Spacer(40), Para(COVER_TITLE, "title"), Para(f"申报单位：{ENTERPRISE}", "center")],
        parts=[
            Section(
                "一、申请报告",
                [
                    Para("申请报告", "title"),
                    Para("一、企业基本情况", "heading1"),
                    Para("本企业成立于二〇〇〇年，" * 30),
                    Para("（一）经营情况", "heading2"),
                    Para("注：以上数据来自审计报告。", "note"),
                    SealBlock("申请单位（盖章）："),
                    PageBreak(),
                ],
            ),
            Section("二、企业明细表", [Para("企业明细表", "title"), table], landscape=True),
            Attachment("营业执照", inputs["user1"], "pdf"),
            Attachment("信纸尺寸文件", inputs["user2"], "pdf"),
            Attachment("现场照片", inputs["jpg"], "image"),
            Attachment("扫描件", inputs["png"], "image"),
            Attachment("损坏的文件", inputs["corrupt"], "pdf"),
            Attachment("加密的文件", inputs["locked"], "pdf"),
            Attachment("权限密码文件", inputs["owner_only"], "pdf"),
            Attachment("带脚本的文件", inputs["scripts"], "pdf"),
            Attachment("坏图片", inputs["bad_image"], "image"),
            Placeholder("审计报告", "审计报告原件另行装订。"),
        ],
        watermark=watermark,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, inputs, font) -> tuple[PdfReport, Path, PdfReader]:
    out = tmp_path_factory.mktemp("out") / "bundle.pdf"
    report = render_pdf(_bundle(inputs), out, font=font, date=DATE)
    return report, out, PdfReader(out)


def _part(report: PdfReport, title: str):
    return next(p for p in report.parts if p.title == title)


def _text(reader: PdfReader, page_no: int) -> str:
    return reader.pages[page_no - 1].extract_text()


# --------------------------------------------------------------------------- structure


def test_page_count_is_the_sum_of_parts(rendered):
    report, _, reader = rendered
    assert report.pages == len(reader.pages)
    assert sum(p.end_page - p.start_page + 1 for p in report.parts) == report.pages
    page = 1
    for part in report.parts:
        assert part.start_page == page and part.end_page >= part.start_page
        page = part.end_page + 1
    kinds = [p.kind for p in report.parts]
    assert kinds[:2] == ["cover", "toc"]
    assert [p.title for p in report.parts[:2]] == ["封面", "目录"]
    assert _part(report, "二、企业明细表").end_page > _part(report, "二、企业明细表").start_page
    for title in ("损坏的文件", "加密的文件", "坏图片", "审计报告"):
        assert _part(report, title).kind == "placeholder"
    assert _part(report, "权限密码文件").kind == "pdf"


def test_chinese_text_is_extractable(rendered):
    report, _, reader = rendered
    assert COVER_TITLE in _text(reader, 1)
    table = _part(report, "二、企业明细表")
    for n in range(table.start_page, table.end_page + 1):
        assert ENTERPRISE in _text(reader, n)
    placeholder = _part(report, "损坏的文件")
    text = _text(reader, placeholder.start_page)
    assert "corrupt.pdf" in text and "请单独打印" in text


def test_page_numbers(rendered):
    report, _, reader = rendered
    section = _part(report, "一、申请报告").start_page
    appended = _part(report, "营业执照").start_page
    for n in (section, appended, appended + 1, report.pages):
        assert f"— {n} —" in _text(reader, n)
    assert "— 1 —" not in _text(reader, 1)  # the cover counts but is not numbered


def test_page_numbers_sit_on_the_outer_edge(rendered):
    report, _, reader = rendered
    for n in range(2, 6):
        page = reader.pages[n - 1]
        found: list[float] = []

        def visit(text, cm, tm, font_dict, font_size, n=n, found=found):
            if text.strip() == f"— {n} —":
                found.append(cm[4] + tm[4])

        page.extract_text(visitor_text=visit)
        assert found, n
        middle = float(page.mediabox.width) / 2
        assert (found[0] > middle) if n % 2 else (found[0] < middle)


def test_outline_points_at_each_part(rendered):
    report, _, reader = rendered
    outline = [(item.title, reader.get_destination_page_number(item) + 1) for item in reader.outline]
    assert outline == [(p.title, p.start_page) for p in report.parts]


def _lines(page) -> list[str]:
    """Text grouped by baseline, left to right (independent of drawing order)."""
    pieces: dict[int, list[tuple[float, str]]] = {}

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            y = round(cm[5] + tm[5])
            pieces.setdefault(y, []).append((cm[4] + tm[4], text.strip()))

    page.extract_text(visitor_text=visit)
    return ["".join(t for _, t in sorted(row)) for _, row in sorted(pieces.items(), reverse=True)]


def test_contents_page_lists_real_start_pages(rendered):
    report, _, reader = rendered
    toc = _part(report, "目录")
    lines = [line for n in range(toc.start_page, toc.end_page + 1) for line in _lines(reader.pages[n - 1])]
    for part in report.parts[2:]:
        pattern = re.compile(rf"^{re.escape(part.title)}…+{part.start_page}$")
        assert any(pattern.match(line) for line in lines), (part.title, part.start_page, lines)


def test_page_sizes_and_orientation(rendered):
    report, _, reader = rendered
    generated = ("cover", "toc", "section", "image", "placeholder")
    for part in report.parts:
        for n in range(part.start_page, part.end_page + 1):
            box = reader.pages[n - 1].mediabox
            w, h = float(box.width), float(box.height)
            if part.kind in generated:
                assert sorted((w, h)) == pytest.approx([A4_W, A4_H], abs=1)
            if part.title == "二、企业明细表" or part.title == "扫描件":
                assert w > h, (part.title, n)
            if part.title in ("一、申请报告", "现场照片"):  # EXIF 6 turns the photo upright
                assert h > w, (part.title, n)


def test_watermark_on_every_page(rendered):
    _, _, reader = rendered
    for page in reader.pages:
        assert WATERMARK in page.extract_text()


def test_without_watermark_and_deterministic(tmp_path, inputs, font, rendered):
    _, first, _ = rendered
    again = tmp_path / "again.pdf"
    render_pdf(_bundle(inputs), again, font=font, date=DATE)
    assert first.read_bytes() == again.read_bytes()

    plain = tmp_path / "plain.pdf"
    render_pdf(_bundle(inputs, watermark=None), plain, font=font, date=DATE)
    for page in PdfReader(plain).pages:
        assert "未通过检查" not in page.extract_text()


def test_metadata(rendered):
    _, _, reader = rendered
    meta = reader.metadata
    assert meta.title == COVER_TITLE
    assert meta.author == ENTERPRISE
    assert meta.subject == "申报材料"
    assert meta.creator == "zonekit"
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20240501093000+08'00'"
    assert reader.trailer["/ID"][0] == reader.trailer["/ID"][1]


def test_warnings_name_the_problem_files(rendered, inputs):
    report, _, _ = rendered
    by_file: dict[str, list[str]] = {}
    for where, message in report.warnings:
        by_file.setdefault(Path(where).name, []).append(message.zh)
    assert any("损坏" in m for m in by_file["corrupt.pdf"])
    assert any("加密" in m for m in by_file["locked.pdf"])
    assert any("权限密码" in m for m in by_file["owner_only.pdf"])
    assert any("已删除PDF中的脚本/附件" in m for m in by_file["scripts.pdf"])
    assert any("无法识别" in m for m in by_file["broken.png"])
    assert any("页面尺寸不是A4" in m for m in by_file["letter.pdf"])
    assert "营业执照.pdf" not in by_file and "photo.jpg" not in by_file


def test_scripts_and_embedded_files_are_dropped(rendered):
    _, out, reader = rendered
    root = reader.trailer["/Root"]
    assert "/OpenAction" not in root and "/AA" not in root
    names = root.get("/Names", {})
    assert "/JavaScript" not in names and "/EmbeddedFiles" not in names
    assert all("/AA" not in page for page in reader.pages)
    assert b"/JavaScript" not in out.read_bytes()
    assert b"app.alert" not in out.read_bytes()


def test_inputs_untouched_and_no_temp_files(tmp_path, inputs, font):
    before = {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in inputs.items()}
    out = tmp_path / "sub" / "out.pdf"
    render_pdf(_bundle(inputs), out, font=font, date=DATE)
    after = {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in inputs.items()}
    assert before == after
    assert [p.name for p in out.parent.iterdir()] == ["out.pdf"]


def test_small_bundles(tmp_path, font):
    """No cover, no TOC, an empty section, an unknown attachment kind."""
    bundle = Bundle(
        title="t",
        author="a",
        cover=[],
        toc=False,
        parts=[
            Section("空白", []),
            Attachment("表格", tmp_path / "x.xlsx", "office"),
            Attachment("不存在", tmp_path / "missing.pdf", "pdf"),
        ],
    )
    report = render_pdf(bundle, tmp_path / "small.pdf", font=font, date=DATE)
    assert [(p.kind, p.start_page, p.end_page) for p in report.parts] == [
        ("section", 1, 1),
        ("placeholder", 2, 2),
        ("placeholder", 3, 3),
    ]
    reader = PdfReader(tmp_path / "small.pdf")
    assert len(reader.pages) == 3 and "— 1 —" in reader.pages[0].extract_text()
    assert {Path(w).name for w, _ in report.warnings} == {"x.xlsx", "missing.pdf"}


def test_large_photo_is_downscaled(tmp_path, font):
    photo = tmp_path / "big.jpg"
    Image.effect_noise((6000, 4000), 60).convert("RGB").save(photo, "JPEG", quality=95)
    assert photo.stat().st_size > 5_000_000
    bundle = Bundle("t", "a", cover=[], toc=False, parts=[Attachment("照片", photo, "image")])
    out = tmp_path / "photo.pdf"
    report = render_pdf(bundle, out, font=font, date=DATE)
    assert report.pages == 1 and not report.warnings
    page = PdfReader(out).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    (image,) = page.images
    assert max(image.image.size) <= 243 / 25.4 * 200 + 2  # ~200 dpi across the text area
    assert out.stat().st_size < photo.stat().st_size / 3


def test_unsplittable_table_cell_is_cut_not_fatal(tmp_path, font):
    """reportlab cannot split some over-tall rows; such a part is re-laid-out with cut cells."""
    long_text = "这是一段很长的说明文字，" * 400
    url = "https://example.com/" + "a" * 600
    table = Table(rows=[["1", long_text, url, "", "", "", ""]], header=[["序号", "说明", "链接"]])
    bundle = Bundle(
        "t",
        "a",
        cover=[],
        toc=False,
        parts=[
            Section("正常", [Para("正文")]),
            Section("超长表格", [table]),
            Section("其后", [Para("后文")]),
        ],
    )
    report = render_pdf(bundle, tmp_path / "tall.pdf", font=font, date=DATE)
    assert [w for w in report.warnings if w[0] == "超长表格"]
    assert all(w[0] != "正常" for w in report.warnings)
    reader = PdfReader(tmp_path / "tall.pdf")
    text = reader.pages[_part(report, "超长表格").start_page - 1].extract_text()
    assert "内容过长，已截断" in text.replace("\n", "")
    assert "后文" in reader.pages[_part(report, "其后").start_page - 1].extract_text()


def test_rotated_appended_page_is_stamped_upright(tmp_path, font):
    src = _user_pdf(tmp_path / "src.pdf", font.name, 2, "旋转页")
    writer = PdfWriter(clone_from=src)
    writer.pages[1].rotate(90)
    rotated = tmp_path / "rotated.pdf"
    with rotated.open("wb") as fh:
        writer.write(fh)
    bundle = Bundle("t", "a", cover=[], toc=False, parts=[Attachment("旋转", rotated, "pdf")])
    render_pdf(bundle, tmp_path / "out.pdf", font=font, date=DATE)
    page = PdfReader(tmp_path / "out.pdf").pages[1]
    assert page.rotation == 90
    found: list[tuple[float, ...]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip() == "— 2 —":
            found.append(tuple(cm))

    page.extract_text(visitor_text=visit)
    # the stamp's own matrix undoes /Rotate 90, so it reads horizontally on screen and paper
    assert found and found[0][:4] == (0, 1, -1, 0)


# --------------------------------------------------------------------------- fonts


def test_font_preference_and_environment(monkeypatch, font):
    ranked = fonts.ranked(
        [
            fonts.Candidate("/f/wqy-zenhei.ttc", 0, "WenQuanYi Zen Hei"),
            fonts.Candidate("/f/uming.ttc", 0, "AR PL UMing"),
            fonts.Candidate("C:/Windows/Fonts/simfang.ttf", 0, "FangSong"),
        ]
    )
    assert [Path(c.path).name for c in ranked] == ["simfang.ttf", "uming.ttc", "wqy-zenhei.ttc"]
    if font.path:
        monkeypatch.setenv("ZONEKIT_FONT", font.path)
        assert fonts.find_cjk_font().path == font.path


def test_fallback_font_still_renders_chinese(tmp_path, inputs):
    choice = fonts.fallback_font()
    assert not choice.embedded and "未找到可嵌入的中文字体" in choice.note
    bundle = Bundle(
        title="t",
        author="a",
        cover=[Para(COVER_TITLE, "title")],
        parts=[
            Section(
                "明细",
                [Table(rows=_rows(3), header=[["序号", "企业名称", "区", "金额"]], widths=[1, 5, 2, 2])],
            ),
            Attachment("营业执照", inputs["user1"], "pdf"),
        ],
        watermark=WATERMARK,
    )
    out = tmp_path / "fallback.pdf"
    report = render_pdf(bundle, out, font=choice, date=DATE)
    reader = PdfReader(out)
    assert COVER_TITLE in reader.pages[0].extract_text()
    assert ENTERPRISE in reader.pages[2].extract_text()
    assert "— 4 —" in reader.pages[3].extract_text()
    assert any(where == "字体" for where, _ in report.warnings)


def test_find_cjk_font_explicit_bad_path_falls_back_gracefully(tmp_path):
    bogus = tmp_path / "not-a-font.ttf"
    bogus.write_bytes(b"nope")
    choice = fonts.find_cjk_font(str(bogus))
    assert "指定的字体无法使用" in choice.note
    from reportlab.pdfbase import pdfmetrics

    assert choice.name in pdfmetrics.getRegisteredFontNames()


# --------------------------------------------------------------------------- poppler


def test_all_fonts_embedded(rendered, font):
    if not shutil.which("pdffonts"):
        pytest.skip("poppler-utils not installed: pdffonts missing")
    assert font.embedded, font.note  # zonekit ships its own font: there is always one to embed
    _, out, _ = rendered
    lines = subprocess.run(
        ["pdffonts", str(out)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    rows = lines[2:]
    assert rows, lines
    for row in rows:
        emb = row[-26:].split()[0]  # columns: … emb sub uni object ID
        assert emb == "yes", row
    assert any("+" in row.split()[0] for row in rows)  # a subset of the TrueType font


def test_page_one_rasterises(rendered, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed: pdftoppm missing")
    _, out, _ = rendered
    subprocess.run(
        ["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-png", str(out), str(tmp_path / "p")],
        check=True,
        capture_output=True,
    )
    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as im:
        assert im.size[0] > 100 and im.getextrema() != ((255, 255), (255, 255), (255, 255))


# --------------------------------------------------------------------------- print layout (issue 13)

CODES = [f"9144030{i % 10}MA5G{i:03d}QX{i % 10}" for i in range(60)]


def _enterprise_table(n: int = 60) -> Table:
    return Table(
        header=[[Cell(h, bold=True, align="center") for h in
                 ("序号", "楼宇名称", "金融企业名称", "属于金融企业总部（一级分支机构、营业部、营业网点等）",
                  "使用办公面积（m2）", "使用楼层", "进驻时间", "实际注册地址", "统一社会信用代码")]],
        rows=[[str(i + 1), "福华金融中心", f"深圳市第{i + 1}号金融服务股份有限公司" + "深圳分公司" * (i % 3),
               "一级分支机构", f"{1200 + i * 37:,}", f"{i % 40 + 1}-{i % 40 + 3}",
               f"20{10 + i % 14:02d}-0{i % 9 + 1}-1{i % 9}",
               f"深圳市福田区福华三路88号{i % 40 + 1}层", CODES[i]] for i in range(n)],
        total=["合计", "/", str(n), "/", "99,999", "", "/", "", ""],
        font_size=9,
    )


def test_table_columns_follow_the_content_values_whole_header_on_every_page(tmp_path, font):
    bundle = Bundle("t", "a", cover=[], toc=False, parts=[Section("附件2", [_enterprise_table()], landscape=True)])
    report = render_pdf(bundle, tmp_path / "t.pdf", font=font, date=DATE)
    reader = PdfReader(tmp_path / "t.pdf")
    texts = [_text(reader, n) for n in range(1, report.pages + 1)]
    assert report.pages >= 2
    for code in CODES:
        assert sum(code in t for t in texts) == 1, code  # whole, on one page
    for i in range(60):
        date = f"20{10 + i % 14:02d}-0{i % 9 + 1}-1{i % 9}"
        assert any(date in t for t in texts), date
    for t in texts:
        flat = re.sub(r"\s", "", t)
        assert "统一社会信用代码" in flat and "属于金融企业总部（一级分支机构、营业部、营业网点等）" in flat


def test_a_table_fills_the_page_before_it_breaks_and_rows_are_never_split(font):
    from zonekit.document.pdf.geometry import LANDSCAPE
    from zonekit.document.pdf.layout import Flow

    flow = Flow(font.name)
    x, y, width, height = LANDSCAPE.frame
    flow.frame_height = height
    (table,) = flow.table(_enterprise_table(), width)
    table.wrap(width, height)
    first, rest = table.split(width, height)
    used = first.wrap(width, height)[1]
    rest.wrap(width, height)
    next_row = rest._rowHeights[1]  # after the repeated header
    assert used <= height < used + next_row  # the next row would not have fitted
    assert rest._cellvalues[0] == first._cellvalues[0]  # the header repeats
    assert first._cellvalues[-1][0] != "" and rest._cellvalues[1][0] != ""  # whole rows on both sides


def test_seal_block_keeps_the_paragraph_before_it(tmp_path, font):
    """GB/T 9704: the seal and date never stand alone on a page; the text before them comes along."""
    filler = [Para(f"第{n}段。" + "正文内容，" * 30) for n in range(1, 7)]
    bundle = Bundle("t", "a", cover=[], toc=False,
                    parts=[Section("报告", [Para("报告", "title"), *filler, Para("最后一段正文。", "body"), Spacer(20),
                                          SealBlock("申报单位（盖章）：")])])
    report = render_pdf(bundle, tmp_path / "s.pdf", font=font, date=DATE)
    reader = PdfReader(tmp_path / "s.pdf")
    assert report.pages == 2
    last = _text(reader, 2)
    assert "申报单位（盖章）" in last and "最后一段正文" in last


def test_page_numbers_follow_gbt9704_on_a4_both_ways(rendered):
    """— n — in 4号 (14 pt), its dashes 7 mm below the text area, one character in from its outer edge."""
    report, _, reader = rendered
    mm = 72 / 25.4
    for n in range(2, report.pages + 1):
        page = reader.pages[n - 1]
        if float(page.mediabox.width) not in (pytest.approx(A4_W, abs=1), pytest.approx(A4_H, abs=1)):
            continue
        found = []

        def visit(text, cm, tm, font_dict, font_size, n=n, found=found):
            if text.strip() == f"— {n} —":
                found.append((cm[4] + tm[4], cm[5] + tm[5], font_size))

        page.extract_text(visitor_text=visit)
        [(x, y, size)] = found
        assert size == 14 and y == pytest.approx(26 * mm, abs=0.5)
        if n % 2 == 0:
            assert x == pytest.approx(28 * mm + 14, abs=0.5)


def test_warm_up_only_moves_work_earlier(tmp_path, inputs, font):
    from zonekit.document.pdf import warm, warm_up

    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_pdf(_bundle(inputs), a, font=font, date=DATE)
    warm_up()
    render_pdf(_bundle(inputs), b, font=font, date=DATE)
    assert not warm.warming()  # render_pdf waited for it
    assert a.read_bytes() == b.read_bytes()
