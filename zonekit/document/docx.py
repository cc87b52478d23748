"""Word (.docx) renderer for the neutral document model (`zonekit.document.model`).

The look follows GB/T 9704-2012 (党政机关公文格式) closely enough for office staff who print and
stamp the result in WPS or Word:

* A4, margins 3.7 / 3.5 / 2.8 / 2.6 cm (top / bottom / left / right);
* 仿宋 3号 (16 pt) body text on a fixed 28 pt line pitch, first line indented by two characters;
* 小标宋 2号 titles, 黑体 / 楷体 3号 headings on Word's built-in "Heading 1/2" styles, so a TOC
  field and the navigation pane find them;
* "— 1 —" page numbers in 4号宋体, right-aligned on odd pages and left-aligned on even pages;
* grid tables whose header rows repeat on every printed page, their columns laid out from the
  content as in the PDF (`document.fit_columns`): dates, credit codes and amounts never break;
* seal lines ("申报单位（盖章）：" … 年 月 日) kept on the page of the text before them, and the
  cover without a page number (it counts as page 1, as in the PDF).

East Asian fonts are always written explicitly (`w:rFonts/@w:eastAsia`); python-docx's
`font.name` only sets the Latin slots, which leaves Chinese text in whatever font Word picks.
Fonts that are often missing (仿宋_GB2312, 方正小标宋简体) get a `w:altName` in the font table so
Word substitutes 仿宋 / 宋体 rather than a random font.

Entry points:

* `write_docx` – one document from a list of blocks (Word templates such as 申请报告, 承诺函);
* `render_docx` – a whole `Bundle`: cover, 目录 page with a real TOC field, then every part on a
  new page (landscape sections as landscape Word sections). User files are not embedded; they are
  listed by name;
* `seal_kept_copies` – copies of users' Word files for the PDF conversion in which the seal line
  keeps the paragraph before it on its page (GB/T 9704: a seal never stands alone on a page).

Output is deterministic (fixed zip timestamps, member order and core-property dates) and
written atomically (`zonekit.fsutil.write_bytes`: a temporary file beside it, then moved). python-docx is
imported inside functions so that importing this module stays cheap.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.document.model import (
    Attachment,
    Block,
    Bundle,
    Cell,
    CellLike,
    Image,
    PageBreak,
    Para,
    Placeholder,
    SealBlock,
    Section,
    Spacer,
    Table,
    fit_columns,
    keep_values_whole,
    unbreakable_width,
)
from zonekit.fsutil import write_bytes

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.paragraph import Paragraph

# --------------------------------------------------------------------------- page geometry

PAGE_WIDTH_CM = 21.0
PAGE_HEIGHT_CM = 29.7
MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
HEADER_DISTANCE_CM = 1.5
FOOTER_DISTANCE_CM = 2.5
SEAL_BLANK_LINES = 3  # room for the round stamp above the signature line
CELL_MARGIN_PT = 5.4  # Word's default left/right cell margin (108 twips) in the "Table Grid" style
_CELL_PAD_PT = CELL_MARGIN_PT + 1  # and a point of slack: Word and LibreOffice wrap a text exactly as wide as the cell
MIN_TABLE_PT = 7.5  # 六号: the smallest size a table is set in to keep its values whole

# --------------------------------------------------------------------------- fonts

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体"
SONGTI = "宋体"
LATIN = "Times New Roman"
# Written as w:altName in the font table: Word substitutes these when the first one is missing.
FONT_ALTERNATES = {FANGSONG: "仿宋", XIAOBIAOSONG: SONGTI}

WATERMARK_COLOR = "C00000"
TOC_INSTRUCTION = ' TOC \\o "1-2" \\h \\z \\u '
TOC_HINT = "（目录由 Word/WPS 打开时自动更新；如未显示页码，请右键点击目录选择“更新域”。）"


@dataclass(frozen=True)
class _Look:
    """How one paragraph style looks (sizes in points)."""

    font: str
    size: float
    align: str = "both"  # left | center | right | both (justified)
    indent_chars: int = 0  # first-line indent, in characters
    left_chars: int = 0  # left indent, in characters
    line: float | None = 28.0  # exact line pitch; None = single spacing
    latin: str = LATIN
    bold: bool = False
    after: float = 0.0
    keep_next: bool = False
    color: str | None = None


@dataclass(frozen=True)
class _StyleDef:
    style_id: str  # w:styleId
    name: str  # the name Word shows (for built-ins: python-docx's UI name)
    look: _Look
    builtin: bool = False  # restyle a style already in the template instead of adding one


_BODY = _Look(FANGSONG, 16, indent_chars=2)
_HEADING1 = _Look(HEITI, 16, indent_chars=2, latin=HEITI, keep_next=True)
_HEADING2 = _Look(KAITI, 16, indent_chars=2, latin=KAITI, keep_next=True)

# Keys are Para.style values plus a few internal ones (prefixed with "_").
_STYLE_DEFS: dict[str, _StyleDef] = {
    "title": _StyleDef("ZKTitle", "ZK 标题", _Look(XIAOBIAOSONG, 22, "center", line=36, latin=XIAOBIAOSONG, after=14)),
    "subtitle": _StyleDef("ZKSubtitle", "ZK 副标题", _Look(KAITI, 16, "center", latin=KAITI)),
    "heading1": _StyleDef("Heading1", "Heading 1", _HEADING1, builtin=True),
    "heading2": _StyleDef("Heading2", "Heading 2", _HEADING2, builtin=True),
    "body": _StyleDef("ZKBody", "ZK 正文", _BODY),
    "plain": _StyleDef("ZKPlain", "ZK 正文无缩进", _Look(FANGSONG, 16)),
    "center": _StyleDef("ZKCenter", "ZK 居中", _Look(FANGSONG, 16, "center")),
    "right": _StyleDef("ZKRight", "ZK 右对齐", _Look(FANGSONG, 16, "right")),
    "note": _StyleDef("ZKNote", "ZK 注释", _Look(FANGSONG, 14, line=24)),
    # headings of parts kept out of the 目录 (cover, in_toc=False): same look, no outline level
    "_heading1_notoc": _StyleDef("ZKHeading1NoToc", "ZK 一级标题（不入目录）", _HEADING1),
    "_heading2_notoc": _StyleDef("ZKHeading2NoToc", "ZK 二级标题（不入目录）", _HEADING2),
    "_table": _StyleDef("ZKTableText", "ZK 表格文字", _Look(FANGSONG, 10.5, "left", line=None)),
    "_seal": _StyleDef("ZKSeal", "ZK 签章", _Look(FANGSONG, 16, "left")),
    "_toc1": _StyleDef("TOC1", "toc 1", _Look(FANGSONG, 16, "left")),
    "_toc2": _StyleDef("TOC2", "toc 2", _Look(FANGSONG, 16, "left", left_chars=2)),
    "_watermark": _StyleDef(
        "ZKWatermark", "ZK 草稿标记",
        _Look(HEITI, 14, "center", line=None, latin=HEITI, bold=True, color=WATERMARK_COLOR)
    ),
    "_footer": _StyleDef("Footer", "Footer", _Look(SONGTI, 14, "right", line=None, latin=SONGTI), builtin=True),
}
_NOTOC = {"heading1": "_heading1_notoc", "heading2": "_heading2_notoc"}


@dataclass
class DocxReport:
    """What `render_docx` wrote."""

    paragraphs: int
    tables: int
    sections: int
    listed_files: list[str] = field(default_factory=list)


# =========================================================================== public API


def write_docx(
    blocks: list[Block],
    out: Path,
    *,
    title: str = "",
    author: str = "",
    date: dt.datetime | None = None,
) -> None:
    """Write `blocks` as one Word document (A4 portrait, GB/T 9704 styles) to `out`.

    With `date` the output is byte-identical for identical input; without it the core
    properties carry no created/modified dates at all (still deterministic).
    """
    doc = _new_document()
    writer = _Writer(doc)
    writer.blocks(blocks)
    writer.finish(watermark=None)
    _set_core_properties(doc, title=title, author=author, subject="", date=date)
    _save(doc, Path(out), date)


def render_docx(bundle: Bundle, out: Path, *, date: dt.datetime) -> DocxReport:
    """Render a whole application packet as one editable Word document.

    Cover, then (if `bundle.toc`) a 目录 page holding a TOC field that Word/WPS refresh on
    open, then every part on a new page. Attachments and placeholders are listed, not embedded.
    """
    out = Path(out)
    _refuse_to_overwrite_inputs(out, bundle)
    doc = _new_document()
    writer = _Writer(doc)

    if bundle.watermark:
        writer.para(bundle.watermark, "_watermark")
    writer.in_toc = False
    writer.blocks(bundle.cover)
    writer.in_toc = True
    writer.cover = bool(bundle.cover)

    if bundle.toc:
        writer.new_page()
        writer.toc(_toc_entries(bundle))
        _set_update_fields(doc)

    listed: list[str] = []
    for part in bundle.parts:
        writer.start_part(landscape=isinstance(part, Section) and part.landscape)
        writer.in_toc = part.in_toc
        if isinstance(part, Section):
            writer.blocks(part.blocks)
        elif isinstance(part, Attachment):
            writer.para(part.title, "heading1")
            writer.para(f"本材料为单独文件：{part.path.name}（见PDF版或另行打印）", "body")
            listed.append(part.path.name)
        elif isinstance(part, Placeholder):
            writer.para(part.title, "heading1")
            writer.para(part.message, "body")
        else:  # pragma: no cover - guarded by the type checker
            raise TypeError(f"unknown part type: {type(part).__name__}")
    writer.in_toc = True

    writer.finish(watermark=bundle.watermark)
    _set_core_properties(doc, title=bundle.title, author=bundle.author, subject=bundle.subject, date=date)
    _save(doc, out, date)
    return DocxReport(
        paragraphs=len(doc.paragraphs),
        tables=len(doc.tables),
        sections=len(doc.sections),
        listed_files=listed,
    )


def seal_kept_copies(files: list[Path], folder: Path) -> dict[Path, Path]:
    """For each of `files`, the file LibreOffice should convert: a .docx whose seal lines
    ("申报单位（盖章）：" …) would not keep the paragraph before them gets a copy in `folder` where
    they do (keep-with-next on that paragraph and the blank lines between); the user's file is
    only read. Any other file, or a .docx that needs nothing (or cannot be read), maps to itself."""
    out: dict[Path, Path] = {}
    for i, src in enumerate(files):
        out[src] = src
        if src.suffix.lower() != ".docx":
            continue
        dst = folder / str(i) / src.name
        try:
            if _copy_with_seals_kept(src, dst):
                out[src] = dst
        except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):  # damaged: LibreOffice's to refuse
            pass
    return out


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_SEAL_LINE = re.compile(r"[（(]\s*[盖签]?\s*公?\s*章\s*[）)]")  # （盖章） （公章） （盖公章） （签章）
_CN_DIGITS = r"[\s\d〇零一二三四五六七八九十]*"
_DATE_LINE = re.compile(rf"^{_CN_DIGITS}年{_CN_DIGITS}月{_CN_DIGITS}日\s*$")
_SEAL_MAX_CHARS = 40  # a seal line is short; a sentence that mentions （盖章） is not one


def _w(tag: str) -> str:
    return f"{{{_W_NS}}}{tag}"


def _copy_with_seals_kept(src: Path, dst: Path) -> bool:
    from lxml import etree

    with zipfile.ZipFile(src) as zin:
        xml = zin.read("word/document.xml")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(xml, parser)
        body = root.find(_w("body"))
        if body is None or not _keep_seals(body):
            return False
        dst.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == "word/document.xml":
                    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
                zout.writestr(info, data)
    return True


def _keep_seals(body: Any) -> bool:
    """keep-with-next from the text before each seal line down to it (and on to a date line under it)."""
    changed = False
    for p in body.iterchildren(_w("p")):
        text = _p_text(p).strip()
        if not _SEAL_LINE.search(text) or len(text.replace(" ", "").replace("\t", "")) > _SEAL_MAX_CHARS:
            continue
        changed |= _keep_with_next_back_to_text(p.getprevious())
        after = p.getnext()
        chain = [p]
        while after is not None and after.tag == _w("p") and not _p_text(after).strip():
            chain.append(after)
            after = after.getnext()
        if after is not None and after.tag == _w("p") and _DATE_LINE.match(_p_text(after)):
            for q in chain:
                changed |= _set_keep_next(q)
    return changed


def _keep_with_next_back_to_text(el: Any) -> bool:
    """From `el` back: blank paragraphs and the first paragraph with text keep with the next one.

    Stops at a table, a section end or a page break: what comes before those is not moved."""
    changed = False
    while el is not None and el.tag == _w("p"):
        ppr = el.find(_w("pPr"))
        if (ppr is not None and ppr.find(_w("sectPr")) is not None) or any(
            br.get(_w("type")) == "page" for br in el.iter(_w("br"))
        ):
            break
        changed |= _set_keep_next(el)
        if _p_text(el).strip():
            break
        el = el.getprevious()
    return changed


def _set_keep_next(p: Any) -> bool:
    from lxml import etree

    if hasattr(p, "get_or_add_pPr"):  # a python-docx paragraph (the writer's own)
        ppr = p.get_or_add_pPr()
        was, ppr.keepNext_val = ppr.keepNext_val, True
        return not was
    ppr = p.find(_w("pPr"))
    if ppr is None:
        ppr = etree.SubElement(p, _w("pPr"))
        p.insert(0, ppr)
    keep = ppr.find(_w("keepNext"))
    if keep is not None:
        if keep.get(_w("val"), "true") in ("true", "1", "on"):
            return False
        keep.attrib.pop(_w("val"), None)
        return True
    keep = etree.Element(_w("keepNext"))
    style = ppr.find(_w("pStyle"))
    ppr.insert(0 if style is None else list(ppr).index(style) + 1, keep)  # schema order: after pStyle
    return True


def _p_text(p: Any) -> str:
    return "".join(t.text or "" for t in p.iter(_w("t")))


# =========================================================================== the writer


class _Writer:
    """Appends blocks to a python-docx Document, tracking page breaks and orientation."""

    def __init__(self, doc: DocxDocument) -> None:
        self.doc = doc
        self.body = doc.element.body
        self.landscape = False
        self.in_toc = True  # False: headings get look-alike styles without an outline level
        self.cover = False  # the document opens with a cover page (no page number on it)
        self._pending_break = False

    # ---- geometry

    def text_width_twips(self) -> int:
        page = PAGE_HEIGHT_CM if self.landscape else PAGE_WIDTH_CM
        return _cm_to_twips(page - MARGINS_CM["left"] - MARGINS_CM["right"])

    # ---- blocks

    def blocks(self, blocks: list[Block]) -> None:
        for block in blocks:
            self.block(block)

    def block(self, block: Block) -> None:
        if isinstance(block, Para):
            self.para(block.text, block.style)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, SealBlock):
            self.seal(block)
        elif isinstance(block, Spacer):
            self.spacer(block.mm)
        elif isinstance(block, PageBreak):
            self.new_page()
        elif isinstance(block, Image):
            self.image(block)
        else:
            raise TypeError(f"unknown block type: {type(block).__name__}")

    def image(self, block: Image) -> None:
        """A picture zonekit drew (a chart), embedded in its own centred paragraph."""
        from docx.enum.text import WD_LINE_SPACING
        from docx.shared import Mm, Twips

        p = self.para("", "center")
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # the styles' exact line height would clip it
        p.add_run().add_picture(str(block.path), width=min(Mm(block.width_mm), Twips(self.text_width_twips())))

    def para(self, text: str, style: str) -> Paragraph:
        """A paragraph in one of the document.STYLES (or an internal "_…" style)."""
        if not self.in_toc:
            style = _NOTOC.get(style, style)
        try:
            sdef = _STYLE_DEFS[style]
        except KeyError:
            raise ValueError(f"unknown paragraph style: {style!r}") from None
        p = self._new_paragraph(sdef.style_id)
        if text:
            _add_run(p, text, sdef.look)
        return p

    def table(self, table: Table) -> None:
        if self._pending_break:
            self._tiny_paragraph()  # carries the page break; a table cannot
        tbl = _build_table(table, self.text_width_twips())
        self.body.sectPr.addprevious(tbl)

    def seal(self, seal: SealBlock) -> None:
        """Blank lines for the stamp, then "left … right" split by a right-aligned tab stop."""
        from docx.enum.text import WD_TAB_ALIGNMENT
        from docx.shared import Twips

        look = _STYLE_DEFS["_seal"].look
        if seal.stamp_mm:
            self._keep_previous_with_next()
        for _ in range(SEAL_BLANK_LINES if seal.stamp_mm else 0):
            self.para("", "_seal").paragraph_format.keep_with_next = True
        p = self._new_paragraph(_STYLE_DEFS["_seal"].style_id)
        p.paragraph_format.tab_stops.add_tab_stop(Twips(self.text_width_twips()), WD_TAB_ALIGNMENT.RIGHT)
        _add_run(p, f"{seal.left}\t{seal.right}", look)

    def _keep_previous_with_next(self) -> None:
        """The paragraph before a seal block (and any spacers between) stays on the seal's page."""
        _keep_with_next_back_to_text(self.body.sectPr.getprevious())

    def spacer(self, mm: float) -> None:
        from docx.enum.text import WD_LINE_SPACING
        from docx.shared import Pt

        p = self.para("", "plain")
        fmt = p.paragraph_format
        fmt.line_spacing = Pt(max(mm, 0.5) * 72 / 25.4)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY

    def toc(self, entries: list[tuple[int, str]]) -> None:
        """The 目录 page: a title and a TOC field whose cached result lists the entries."""
        self.para("目录", "title")
        rows = [(_STYLE_DEFS[f"_toc{level}"], text) for level, text in entries]
        rows.append((_STYLE_DEFS["note"], TOC_HINT))
        for i, (sdef, text) in enumerate(rows):
            p = self._new_paragraph(sdef.style_id)
            if i == 0:
                _field_begin(p, TOC_INSTRUCTION, sdef.look, dirty=True)
            _add_run(p, text, sdef.look)
            if i == len(rows) - 1:
                _field_end(p, sdef.look)

    # ---- pages and sections

    def new_page(self) -> None:
        """The next block starts on a new page (no-op at the very start of the document)."""
        if self._has_content():
            self._pending_break = True

    def start_part(self, *, landscape: bool) -> None:
        if landscape != self.landscape:
            self.new_section(landscape=landscape)
        else:
            self.new_page()

    def new_section(self, *, landscape: bool) -> None:
        """End the current Word section (new page) and start one in the given orientation.

        The section properties of the ending section go into its last paragraph, as Word does
        itself, so no empty paragraph (and possibly empty page) is added after it.
        """
        from docx.enum.section import WD_SECTION

        sentinel = self.body.sectPr
        last = sentinel.getprevious()
        if last is None or last.tag != _qn("w:p") or last.xpath("./w:pPr/w:sectPr"):
            last = self._tiny_paragraph()._p
        last.set_sectPr(copy.deepcopy(sentinel))
        for ref in sentinel.xpath("w:headerReference|w:footerReference"):
            sentinel.remove(ref)  # later sections inherit headers/footers ("link to previous")
        self.landscape = landscape
        self._pending_break = False
        section = self.doc.sections[-1]
        section.start_type = WD_SECTION.NEW_PAGE
        _page_setup(section, landscape=landscape)

    def finish(self, *, watermark: str | None) -> None:
        """Footers with page numbers (and the draft marker) on the first section; the rest link to it."""
        self.doc.settings.odd_and_even_pages_header_footer = True
        first = self.doc.sections[0]
        _page_number_paragraph(first.footer.paragraphs[0], odd=True)
        _page_number_paragraph(first.even_page_footer.paragraphs[0], odd=False)
        headers = [first.header, first.even_page_header]
        if self.cover:  # the cover counts as page 1 but prints no number, as in the PDF
            first.different_first_page_header_footer = True
            first.first_page_footer.paragraphs[0]._p.get_or_add_pPr().style = _STYLE_DEFS["_footer"].style_id
            headers.append(first.first_page_header)
        if watermark:
            for header in headers:
                _watermark_paragraph(header.paragraphs[0], watermark)

    # ---- helpers

    def _has_content(self) -> bool:
        return self.body.sectPr.getprevious() is not None

    def _new_paragraph(self, style_id: str) -> Paragraph:
        p = self.doc.add_paragraph()
        p._p.get_or_add_pPr().style = style_id
        if self._pending_break:
            p.paragraph_format.page_break_before = True
            self._pending_break = False
        return p

    def _tiny_paragraph(self) -> Paragraph:
        """A 1 pt high empty paragraph (after a table, or to carry a page break)."""
        from docx.enum.text import WD_LINE_SPACING
        from docx.shared import Pt

        p = self._new_paragraph(_STYLE_DEFS["plain"].style_id)
        fmt = p.paragraph_format
        fmt.line_spacing = Pt(1)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        mark = _child(p._p.get_or_add_pPr(), "w:rPr", _PPR_AFTER_RPR)  # the paragraph mark
        mark.get_or_add_sz().val = Pt(1)
        return p


# =========================================================================== tables


def _build_table(table: Table, text_width: int) -> Any:
    """A `w:tbl` element: fixed layout, grid borders, repeating header rows, bold total row."""
    all_rows = [*table.header, *table.rows, *([table.total] if table.total else [])]
    ncols = max((sum(_cell(c).colspan for c in row) for row in all_rows), default=1) or 1
    size = table.font_size
    fixed = bool(table.widths) and len(table.widths or []) == ncols and min(table.widths or [0]) > 0
    if fixed:  # widened where a value would break even at 六号
        texts = [[(c.text, c.colspan) for c in map(_cell, row)] for row in all_rows]
        kept = keep_values_whole([w / 20 for w in _column_widths(table.widths, ncols, text_width)], texts,
                                 text_measure(MIN_TABLE_PT), pad=_CELL_PAD_PT)
        col_widths = [int(w * 20) for w in kept]
        col_widths[-1] += text_width - sum(col_widths)
    else:
        size, col_widths = _fitted_widths(all_rows, ncols, text_width, size, len(table.header))

    tbl = _el("w:tbl")
    tbl_pr = _sub(tbl, "w:tblPr")
    _sub(tbl_pr, "w:tblStyle", val="TableGrid")
    _sub(tbl_pr, "w:tblW", w=str(sum(col_widths)), type="dxa")
    _sub(tbl_pr, "w:jc", val="center")
    _sub(tbl_pr, "w:tblLayout", type="fixed")
    _sub(tbl_pr, "w:tblLook", val="04A0", firstRow="1", lastRow="0", firstColumn="1", lastColumn="0",
         noHBand="0", noVBand="1")
    grid = _sub(tbl, "w:tblGrid")
    for width in col_widths:
        _sub(grid, "w:gridCol", w=str(width))

    for row in table.header:
        tbl.append(_build_row(row, col_widths, size, header=True, bold=True))
    for row in table.rows:
        tbl.append(_build_row(row, col_widths, size))
    if table.total:
        tbl.append(_build_row(table.total, col_widths, size, bold=True))
    return tbl


def _build_row(row: list[CellLike], col_widths: list[int], font_size: float, *, header: bool = False,
               bold: bool = False) -> Any:
    tr = _el("w:tr")
    tr_pr = _sub(tr, "w:trPr")
    _sub(tr_pr, "w:cantSplit")
    if header:
        _sub(tr_pr, "w:tblHeader")
    cells = [_cell(c, header=header) for c in row]
    used = sum(c.colspan for c in cells)
    cells += [Cell("")] * (len(col_widths) - used)  # short rows are padded with empty cells
    col = 0
    for cell in cells:
        span = max(1, min(cell.colspan, len(col_widths) - col))
        width = sum(col_widths[col:col + span])
        size = _cell_size(cell.text, width, font_size)
        tr.append(_build_cell(cell, width, span, size, bold or cell.bold))
        col += span
    return tr


def _build_cell(cell: Cell, width: int, span: int, font_size: float, bold: bool) -> Any:
    tc = _el("w:tc")
    tc_pr = _sub(tc, "w:tcPr")
    _sub(tc_pr, "w:tcW", w=str(width), type="dxa")
    if span > 1:
        _sub(tc_pr, "w:gridSpan", val=str(span))
    _sub(tc_pr, "w:vAlign", val="center")
    p = _sub(tc, "w:p")
    p_pr = _sub(p, "w:pPr")
    _sub(p_pr, "w:pStyle", val=_STYLE_DEFS["_table"].style_id)
    _sub(p_pr, "w:jc", val=cell.align if cell.align in ("left", "center", "right") else "left")
    if cell.text:
        _cell_run(p, cell.text, font_size, bold)
    return tc


def _cell_run(p: Any, text: str, size: float, bold: bool) -> None:
    """The run `_add_run` would make in a table cell, as plain elements: tables have thousands of cells."""
    look = _STYLE_DEFS["_table"].look
    r = _sub(p, "w:r")
    r_pr = _sub(r, "w:rPr")
    _sub(r_pr, "w:rFonts", ascii=look.latin, hAnsi=look.latin, eastAsia=look.font, cs=look.latin, hint="eastAsia")
    if bold:
        _sub(r_pr, "w:b")
    _sub(r_pr, "w:sz", val=str(round(size * 2)))
    for i, line in enumerate(text.replace("\r\n", "\n").split("\n")):
        if i:
            _sub(r, "w:br")
        for j, piece in enumerate(line.split("\t")):
            if j:
                _sub(r, "w:tab")
            if piece:
                t = _sub(r, "w:t")
                t.text = piece
                if piece != piece.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


# Latin text is measured, in thousandths of an em, as the wider of Times New Roman (the runs'
# w:ascii font, Word and WPS on Windows) and DejaVu Serif (what LibreOffice substitutes where Times
# is missing): a value must not break in either. Chinese (and ambiguous-width signs, set in the East
# Asian font) take one em; Word and LibreOffice put about a quarter em between Chinese and Latin.
_LATIN_WIDTHS = (
    318, 402, 460, 838, 636, 950, 890, 275, 390, 390, 500, 838, 318, 338, 318, 337, 636, 636, 636, 636, 636, 636, 636,
    636, 636, 636, 337, 337, 838, 838, 838, 536, 1000, 722, 735, 765, 802, 730, 694, 799, 872, 395, 401, 747, 664, 1024,
    875, 820, 673, 820, 753, 685, 667, 843, 722, 1028, 722, 722, 695, 390, 337, 390, 838, 500, 500, 596, 640, 560, 640,
    592, 370, 640, 644, 320, 310, 606, 320, 948, 644, 602, 640, 640, 478, 513, 402, 644, 565, 856, 564, 565, 527, 636,
    337, 636, 838,
)
_AUTOSPACE_EM = 0.25


def _em(ch: str) -> float:
    code = ord(ch)
    if 32 <= code < 127:
        return _LATIN_WIDTHS[code - 32] / 1000
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.5


def text_measure(size: float) -> Any:
    """A function giving the width of a text at `size` (points) as Word sets it, cached: a table measures
    the same pieces again and again."""
    cache: dict[str, float] = {}

    def measure(text: str) -> float:
        width = cache.get(text)
        if width is None:
            ems = [_em(ch) for ch in text]
            wide = [w == 1.0 and not ch.isspace() for ch, w in zip(text, ems, strict=True)]
            gaps = sum(1 for a, b in zip(wide, wide[1:], strict=False) if a != b)
            width = cache[text] = size * (sum(ems) + _AUTOSPACE_EM * gaps)
        return width

    return measure


def _fitted_widths(rows: list[list[CellLike]], ncols: int, text_width: int, size: float,
                   header_rows: int) -> tuple[float, list[int]]:
    """Column widths (twips) from the content, as in the PDF; a smaller size (down to 六号) if values would break."""
    texts = [[(c.text, c.colspan) for c in map(_cell, row)] for row in rows]
    while True:
        fitted = fit_columns(texts, text_width / 20, text_measure(size), pad=_CELL_PAD_PT, header_rows=header_rows)
        if fitted is not None or size <= MIN_TABLE_PT:
            break
        size = max(MIN_TABLE_PT, round(size - 0.5, 1))
    if fitted is None:
        return size, _column_widths(None, ncols, text_width)
    out = [int(w * 20) for w in fitted]
    out[-1] += text_width - sum(out)
    return size, out


def _cell_size(text: str, width: int, size: float) -> float:
    """`size`, or the size (down to 六号) at which the widest unbreakable piece of `text` fits the cell."""
    room = width / 20 - 2 * _CELL_PAD_PT
    need = unbreakable_width(text, text_measure(size))
    if need <= room or size <= MIN_TABLE_PT:
        return size
    return max(MIN_TABLE_PT, int(size * room / need * 2) / 2)


def _cell(value: CellLike, *, header: bool = False) -> Cell:
    if isinstance(value, Cell):
        return value
    return Cell(str(value), align="center" if header else "left")


def _column_widths(widths: list[float] | None, ncols: int, text_width: int) -> list[int]:
    """Relative widths scaled to the text width (twips); missing or bad widths become equal."""
    rel = [float(w) for w in (widths or [])][:ncols]
    if len(rel) < ncols or any(w <= 0 for w in rel):
        rel = [1.0] * ncols
    total = sum(rel)
    out = [int(text_width * w / total) for w in rel]
    out[-1] += text_width - sum(out)
    return out


# =========================================================================== fields, footers, headers


def _field_begin(p: Paragraph, instruction: str, look: _Look, *, dirty: bool = False) -> None:
    begin = _add_run(p, "", look)._r
    attrs = {"fldCharType": "begin"}
    if dirty:
        attrs["dirty"] = "true"
    _sub(begin, "w:fldChar", **attrs)
    instr = _sub(_add_run(p, "", look)._r, "w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = instruction
    _sub(_add_run(p, "", look)._r, "w:fldChar", fldCharType="separate")


def _field_end(p: Paragraph, look: _Look) -> None:
    _sub(_add_run(p, "", look)._r, "w:fldChar", fldCharType="end")


def _page_number_paragraph(p: Paragraph, *, odd: bool) -> None:
    """'— 1 —' with a PAGE field; odd pages right-aligned, even pages left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    sdef = _STYLE_DEFS["_footer"]
    p._p.get_or_add_pPr().style = sdef.style_id
    fmt = p.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    if odd:
        fmt.right_indent = Pt(sdef.look.size)
    else:
        fmt.left_indent = Pt(sdef.look.size)
    _add_run(p, "— ", sdef.look)
    _field_begin(p, " PAGE ", sdef.look)
    _add_run(p, "1", sdef.look)
    _field_end(p, sdef.look)
    _add_run(p, " —", sdef.look)


def _watermark_paragraph(p: Paragraph, text: str) -> None:
    sdef = _STYLE_DEFS["_watermark"]
    p._p.get_or_add_pPr().style = sdef.style_id
    _add_run(p, text, sdef.look)


def _toc_entries(bundle: Bundle) -> list[tuple[int, str]]:
    """(level, text) of the headings a TOC field will collect: the cached result Word replaces."""
    entries: list[tuple[int, str]] = []
    for part in bundle.parts:
        if not part.in_toc:
            continue
        if isinstance(part, Section):
            for block in part.blocks:
                if isinstance(block, Para) and block.style in ("heading1", "heading2") and block.text:
                    entries.append((1 if block.style == "heading1" else 2, block.text))
        else:
            entries.append((1, part.title))
    return entries


# =========================================================================== document setup


_prepared: Any = None  # a Pending blank document made by prepare(), for the next document written


def prepare() -> None:
    """Make the next document's blank GB/T 9704 starting point now, in a thread (python-docx's
    import and the styles take a tenth of a second): called while LibreOffice converts."""
    global _prepared
    if _prepared is None:
        from zonekit.background import Pending

        _prepared = Pending(_blank_document)


def is_prepared() -> bool:
    """Whether a blank document `prepare` made waits for the next document written."""
    return _prepared is not None


def _new_document() -> DocxDocument:
    global _prepared
    prepared, _prepared = _prepared, None
    return prepared.result() if prepared is not None else _blank_document()


def _blank_document() -> DocxDocument:
    import docx

    doc = docx.Document()
    _drop_template_leftovers(doc)
    _set_defaults(doc)
    for sdef in _STYLE_DEFS.values():
        _define_style(doc, sdef)
    _add_font_alternates(doc)
    _page_setup(doc.sections[0], landscape=False)
    return doc


def _drop_template_leftovers(doc: DocxDocument) -> None:
    """python-docx's template ships a thumbnail of a blank page and a Word 2010 styles copy."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    stale = {RT.THUMBNAIL, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"}
    for rels in (doc.part.package.rels, doc.part.rels):
        for r_id in [r_id for r_id, rel in rels.items() if rel.reltype in stale]:
            del rels[r_id]


def _set_defaults(doc: DocxDocument) -> None:
    """docDefaults and Normal: 仿宋 3号, zh-CN, no paragraph spacing."""
    styles_el = doc.styles.element
    r_pr = styles_el.find(_qn("w:docDefaults")).find(_qn("w:rPrDefault")).find(_qn("w:rPr"))
    _set_fonts(r_pr, FANGSONG, LATIN)
    _set_attrs(r_pr.get_or_add_sz(), val="32")
    _set_attrs(_child(r_pr, "w:szCs", _RPR_AFTER_SZCS), val="32")
    _set_attrs(_child(r_pr, "w:lang", _RPR_AFTER_LANG), val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    p_pr = styles_el.find(_qn("w:docDefaults")).find(_qn("w:pPrDefault")).find(_qn("w:pPr"))
    p_pr.get_or_add_spacing()
    _set_attrs(p_pr.spacing, before="0", after="0", line="240", lineRule="auto")
    _apply_look(doc.styles["Normal"], _Look(FANGSONG, 16))
    theme_lang = doc.settings.element.find(_qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(_qn("w:eastAsia"), "zh-CN")


def _define_style(doc: DocxDocument, sdef: _StyleDef) -> None:
    from docx.enum.style import WD_STYLE_TYPE

    if sdef.builtin:
        style = doc.styles[sdef.name]
    else:
        style = doc.styles.add_style(sdef.name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = sdef.style_id
        style.base_style = doc.styles["Normal"]
        style.quick_style = True
    _apply_look(style, sdef.look)


def _apply_look(style: Any, look: _Look) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt, RGBColor

    font = style.font
    font.size = Pt(look.size)
    font.bold = look.bold
    font.italic = False
    r_pr = style.element.get_or_add_rPr()
    r_pr._remove_color()  # the built-in headings are theme blue
    if look.color:
        font.color.rgb = RGBColor.from_string(look.color)
    _set_fonts(r_pr, look.font, look.latin)

    fmt = style.paragraph_format
    fmt.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "both": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[look.align]
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(look.after)
    if look.line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing = Pt(look.line)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.keep_with_next = look.keep_next
    fmt.first_line_indent = Pt(look.size * look.indent_chars)
    fmt.left_indent = Pt(look.size * look.left_chars)
    ind = style.element.get_or_add_pPr().get_or_add_ind()
    # character units win over absolute ones in Word/WPS and follow the font size
    ind.set(_qn("w:firstLineChars"), str(look.indent_chars * 100))
    ind.set(_qn("w:leftChars"), str(look.left_chars * 100))


def _add_font_alternates(doc: DocxDocument) -> None:
    """Font-table entries with w:altName, so Word substitutes a sensible installed font."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    for name, alternate in FONT_ALTERNATES.items():
        font = etree.SubElement(root, _qn("w:font"), {_qn("w:name"): name})
        etree.SubElement(font, _qn("w:altName"), {_qn("w:val"): alternate})
        etree.SubElement(font, _qn("w:charset"), {_qn("w:val"): "86"})  # GB2312
        etree.SubElement(font, _qn("w:family"), {_qn("w:val"): "modern" if name == FANGSONG else "script"})
        etree.SubElement(font, _qn("w:pitch"), {_qn("w:val"): "fixed" if name == FANGSONG else "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_setup(section: Any, *, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (PAGE_HEIGHT_CM, PAGE_WIDTH_CM) if landscape else (PAGE_WIDTH_CM, PAGE_HEIGHT_CM)
    section.page_width = Cm(width)
    section.page_height = Cm(height)
    section.top_margin = Cm(MARGINS_CM["top"])
    section.bottom_margin = Cm(MARGINS_CM["bottom"])
    section.left_margin = Cm(MARGINS_CM["left"])
    section.right_margin = Cm(MARGINS_CM["right"])
    section.header_distance = Cm(HEADER_DISTANCE_CM)
    section.footer_distance = Cm(FOOTER_DISTANCE_CM)
    section.gutter = Cm(0)


def _set_update_fields(doc: DocxDocument) -> None:
    """Ask Word to refresh fields (the TOC page numbers) when the file is opened."""
    _set_attrs(_child(doc.settings.element, "w:updateFields", _SETTINGS_AFTER_UPDATE_FIELDS), val="true")


def _set_core_properties(doc: DocxDocument, *, title: str, author: str, subject: str,
                         date: dt.datetime | None) -> None:
    props = doc.core_properties
    props.title = title[:255]
    props.author = author[:255]
    props.subject = subject[:255]
    props.last_modified_by = "zonekit"
    props.revision = 1
    props.comments = ""
    props.keywords = ""
    props.category = ""
    if date is not None:
        stamp = _naive_utc(date)
        props.created = stamp
        props.modified = stamp
    else:
        element = props._element
        for name in ("created", "modified"):
            for child in element.findall(f"{{http://purl.org/dc/terms/}}{name}"):
                element.remove(child)


def _refuse_to_overwrite_inputs(out: Path, bundle: Bundle) -> None:
    target = out.resolve()
    for part in bundle.parts:
        if isinstance(part, Attachment) and Path(part.path).resolve() == target:
            raise ValueError(f"输出文件不能覆盖输入文件：{out}")


# =========================================================================== saving


def _save(doc: DocxDocument, out: Path, date: dt.datetime | None) -> None:
    buffer = io.BytesIO()
    doc.save(buffer)
    write_bytes(out, _normalise_zip(buffer.getvalue(), _zip_timestamp(date)), overwrite=True)


def _normalise_zip(data: bytes, date_time: tuple[int, int, int, int, int, int]) -> bytes:
    """Rewrite the package with fixed timestamps/attributes so equal input gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        names.sort(key=lambda n: n != "[Content_Types].xml")  # stable: keeps the writer's order
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()


def _zip_timestamp(date: dt.datetime | None) -> tuple[int, int, int, int, int, int]:
    if date is None:
        return (1980, 1, 1, 0, 0, 0)
    d = _naive_utc(date)
    if d.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (min(d.year, 2107), d.month, d.day, d.hour, d.minute, d.second)


# =========================================================================== XML helpers


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _el(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement

    return OxmlElement(tag, {_qn(f"w:{k}"): v for k, v in attrs.items()})


def _sub(parent: Any, tag: str, **attrs: str) -> Any:
    child = _el(tag, **attrs)
    parent.append(child)
    return child


# Schema order of the few children added outside python-docx's own API (ECMA-376 sequences).
_PPR_AFTER_RPR = ("w:sectPr", "w:pPrChange")
_RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_RPR_AFTER_SZCS = ("w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl",
                   "w:cs", "w:em", "w:lang", *_RPR_AFTER_LANG)
_SETTINGS_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr",
    "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
    "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)


def _child(parent: Any, tag: str, successors: tuple[str, ...] = ()) -> Any:
    """The `tag` child of `parent`; created in schema order (before `successors`) if missing."""
    found = parent.find(_qn(tag))
    if found is None:
        found = parent.insert_element_before(_el(tag), *successors)
    return found


def _set_attrs(element: Any, **attrs: str) -> None:
    for name, value in attrs.items():
        element.set(_qn(f"w:{name}"), value)


def _set_fonts(r_pr: Any, east_asia: str, latin: str) -> None:
    """Explicit fonts for every script slot; theme font references would override them."""
    r_fonts = r_pr.get_or_add_rFonts()
    for theme_attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        r_fonts.attrib.pop(_qn(f"w:{theme_attr}"), None)
    r_fonts.set(_qn("w:ascii"), latin)
    r_fonts.set(_qn("w:hAnsi"), latin)
    r_fonts.set(_qn("w:eastAsia"), east_asia)
    r_fonts.set(_qn("w:cs"), latin)
    r_fonts.set(_qn("w:hint"), "eastAsia")  # “”、— etc. in the East Asian font


def _add_run(p: Paragraph, text: str, look: _Look, *, size: float | None = None,
             bold: bool | None = None) -> Any:
    """A run with explicit East Asian fonts; "\\n" becomes a line break, "\\t" a tab."""
    from docx.shared import Pt

    run = p.add_run(text)
    _set_fonts(run._r.get_or_add_rPr(), look.font, look.latin)
    if size is not None:
        run.font.size = Pt(size)
    if bold:
        run.bold = True
    return run


def _cm_to_twips(cm: float) -> int:
    return int(round(cm * 1440 / 2.54))


def _naive_utc(date: dt.datetime) -> dt.datetime:
    """Aware datetimes are converted to UTC; naive ones are taken as they are."""
    if date.tzinfo is not None:
        date = date.astimezone(dt.UTC).replace(tzinfo=None)
    return date.replace(microsecond=0)
