"""reportlab layout: document blocks to flowables, the contents page, the A4 document build.

`Flow` turns paragraphs, tables (header, spans, totals; columns from the content and lines broken
as `zonekit.document.model` lays them out, so values never break; over-tall cells cut on request), seal
lines (kept with the text before them), figures, spacers and placeholder pages into flowables in
one CJK font; `build_doc` lays a story out on portrait/landscape A4 templates.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image
from reportlab import platypus as rl
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus.paraparser import ParaParser

from zonekit.document.model import (
    Block,
    Cell,
    CellLike,
    Measure,
    PageBreak,
    Para,
    SealBlock,
    Section,
    Spacer,
    Table,
    break_lines,
    fit_columns,
    keep_values_whole,
    unbreakable_width,
)
from zonekit.document.model import Image as ImageBlock
from zonekit.document.pdf.flowables import BoldCellParagraph, BoldParagraph, FastTable
from zonekit.document.pdf.geometry import A4_H, A4_W, LANDSCAPE, MM, PORTRAIT, PageLayout

TOC_DOTS = "…"
CLAMP_NOTE = "……（内容过长，已截断）"
CELL_PAD = 3  # left/right cell padding (pt)
MIN_TABLE_SIZE = 7.5  # 六号: the smallest size a table is set in to keep its values whole


def _styles(font: str) -> dict[str, Any]:
    def style(name: str, size: float = 16, leading: float = 28, **kw: Any) -> Any:
        kw.setdefault("alignment", TA_LEFT)
        return ParagraphStyle(
            f"zk-{name}", fontName=font, fontSize=size, leading=leading, wordWrap="CJK", **kw
        )

    return {
        "title": style("title", 22, 36, alignment=TA_CENTER, spaceAfter=14),
        "subtitle": style("subtitle", alignment=TA_CENTER, spaceAfter=8),
        "heading1": style("heading1", firstLineIndent=32),
        "heading2": style("heading2", firstLineIndent=32),
        "body": style("body", firstLineIndent=32, alignment=TA_JUSTIFY),
        "plain": style("plain"),
        "note": style("note", 14, 24),
        "right": style("right", alignment=TA_RIGHT),
        "center": style("center", alignment=TA_CENTER),
        "toc": style("toc", 14, 28, rightIndent=4 * 14),
        "toc-title": style("toc-title", 22, 36, alignment=TA_CENTER, spaceAfter=20),
    }


BOLD_STYLES = ("title", "heading1")
_MARKUP_CHARS = re.compile(r"[&<>]")


def _markup(text: str) -> str:
    return escape(text).replace("\r\n", "\n").replace("\n", "<br/>")


class Flow:
    """Turns document blocks into reportlab flowables in one CJK font."""

    def __init__(self, font: str):
        self.font = font
        self.styles = _styles(font)
        self._cell_styles: dict[tuple[float, str], Any] = {}
        self._plain_frags: dict[str, Any] = {}  # cell style name -> parsed fragment of plain text
        self._measures: dict[float, Measure] = {}
        self.part = ""  # title of the part being converted, for warnings
        self.clamp_cells = False  # second attempt after reportlab could not split a table row
        self.clamped: list[str] = []
        self.frame_height = PORTRAIT.frame[3]

    def section(self, section: Section) -> list[Any]:
        layout = LANDSCAPE if section.landscape else PORTRAIT
        self.frame_height = layout.frame[3]
        return self.blocks(section.blocks, layout.frame[2])

    def blocks(self, blocks: list[Block], width: float) -> list[Any]:
        blocks = list(blocks)
        while blocks and isinstance(blocks[-1], PageBreak):
            blocks.pop()  # the next part starts on a new page anyway
        out: list[Any] = []
        for block in blocks:
            flows = self.block(block, width)
            if isinstance(block, SealBlock) and block.stamp_mm and out:
                # GB/T 9704: the seal and date are never alone on a page: they keep the text before them
                k = len(out) - 1
                while k > 0 and isinstance(out[k], rl.Spacer):
                    k -= 1
                inner = [f for flow in flows for f in (flow._content if isinstance(flow, rl.KeepTogether) else [flow])]
                flows = [rl.KeepTogether([*out[k:], *inner])]  # flat: reportlab cannot nest KeepTogether
                del out[k:]
            out += flows
        return out

    def block(self, block: Block, width: float) -> list[Any]:
        if isinstance(block, Para):
            return [self.para(block.text, block.style)]
        if isinstance(block, Table):
            return self.table(block, width)
        if isinstance(block, SealBlock):
            return self.seal(block, width)
        if isinstance(block, Spacer):
            return [spacer(min(block.mm * MM, self.frame_height))]
        if isinstance(block, PageBreak):
            return [page_break()]
        if isinstance(block, ImageBlock):
            return [_figure(block, width, self.frame_height)]
        raise TypeError(f"unknown block: {block!r}")

    def para(self, text: str, style: str = "body") -> Any:
        st = self.styles.get(style, self.styles["body"])
        if not text.strip():
            return spacer(st.leading)
        cls = BoldParagraph if style in BOLD_STYLES else rl.Paragraph
        return cls(_markup(text), st)

    def placeholder(self, title: str, message: str) -> list[Any]:
        return [
            spacer(30 * MM),
            self.para(title, "title"),
            spacer(10 * MM),
            self.para(message, "body"),
            self.para("（此页为占位页）", "center"),
        ]

    def seal(self, seal: SealBlock, width: float) -> list[Any]:
        row = [[self.para(seal.left, "plain"), self.para(seal.right, "right")]]
        table = rl.Table(row, colWidths=[width * 0.6, width * 0.4])
        table.setStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), self.font),  # else reportlab selects Helvetica
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
        return [rl.KeepTogether([spacer(seal.stamp_mm * MM), table])] if seal.stamp_mm else [table]

    # -- tables

    def table(self, tbl: Table, width: float) -> list[Any]:
        rows = [*tbl.header, *tbl.rows, *([tbl.total] if tbl.total else [])]
        if not rows:
            return []
        ncols = max(1, max(sum(_cell(c)[1] for c in row) for row in rows))
        n_head = len(tbl.header)
        size, col_w, fixed = self._columns(tbl, rows, width, ncols, n_head)
        total_row = len(rows) - 1 if tbl.total else -1
        cmds = self._table_style(size, n_head, total_row)
        aligned: dict[tuple[int, str], list[int]] = {}
        data = []
        for r, row in enumerate(rows):
            out_row = self._table_row(row, r, ncols, col_w, size, fixed, r < n_head, r == total_row, cmds, aligned)
            data.append(out_row + [""] * (ncols - len(out_row)))
        for (c, align), rs in aligned.items():
            cmds += [("ALIGN", (c, r0), (c, r1), align) for r0, r1 in _runs(rs)]
        # rows are never split across pages: one taller than a page has its cells cut (see assemble)
        table = FastTable(data, colWidths=col_w, repeatRows=n_head, style=cmds, splitInRow=0)
        table.keep_last = 1 if tbl.total and len(tbl.rows) > 1 else 0
        return [table]

    def _columns(self, tbl: Table, rows: list[list[CellLike]], width: float, ncols: int,
                 n_head: int) -> tuple[float, list[float], bool]:
        """Font size, column widths and whether the widths are fixed (cells then shrink what would break)."""
        grid = tbl.widths or []
        if len(grid) == ncols and min(grid) > 0:  # a fixed grid (a record form), widened where a value would break
            texts = [[(text, span) for text, span, _, _ in map(_cell, row)] for row in rows]  # even at 六号
            scaled = [w * width / sum(grid) for w in grid]
            col_w = keep_values_whole(scaled, texts, self.measure(MIN_TABLE_SIZE), pad=CELL_PAD)
            return tbl.font_size, col_w, True
        return self._fit(rows, width, tbl.font_size, n_head)

    def _table_style(self, size: float, n_head: int, total_row: int) -> list[tuple[Any, ...]]:
        """The whole table's style: font, grid, padding, grey header and 合计 rows."""
        pad = CELL_PAD
        cmds: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), self.font),
            ("FONTSIZE", (0, 0), (-1, -1), size),
            ("LEADING", (0, 0), (-1, -1), round(size * 1.3, 2)),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        if n_head:
            cmds.append(("BACKGROUND", (0, 0), (-1, n_head - 1), colors.Color(0.92, 0.92, 0.92)))
        if total_row >= 0:
            cmds.append(("BACKGROUND", (0, total_row), (-1, total_row), colors.Color(0.85, 0.85, 0.85)))
        return cmds

    def _table_row(self, row: list[CellLike], r: int, ncols: int, col_w: list[float], size: float, fixed: bool,
                   header: bool, total: bool, cmds: list[tuple[Any, ...]],
                   aligned: dict[tuple[int, str], list[int]]) -> list[Any]:
        """Row `r`'s flowables; its spans and smaller cells go to `cmds`, its centred and right-aligned
        plain cells to `aligned` (one ALIGN command per run of rows)."""
        out_row: list[Any] = []
        for cell in row:
            c = len(out_row)
            if c >= ncols:
                break
            text, span, bold, align = _cell(cell)
            if header and not isinstance(cell, Cell):
                align = "center"
            span = min(span, ncols - c)
            avail = sum(col_w[c : c + span]) - 2 * CELL_PAD
            cell_size = self.cell_size(text, avail, size) if fixed else size  # fitted columns hold their values
            if cell_size != size:  # a value that would break in its fixed column is set smaller instead
                cmds += [("FONTSIZE", (c, r), (c, r), cell_size),
                         ("LEADING", (c, r), (c, r), round(cell_size * 1.3, 2))]
            content = self.cell(text, avail, cell_size, round(cell_size * 1.3, 2), bold or header or total, align)
            if isinstance(content, str) and align in ("center", "right"):
                aligned.setdefault((c, align.upper()), []).append(r)
            if span > 1:
                cmds.append(("SPAN", (c, r), (c + span - 1, r)))
            out_row += [content] + [""] * (span - 1)
        return out_row

    def _fit(self, rows: list[list[CellLike]], width: float, size: float,
             n_head: int) -> tuple[float, list[float], bool]:
        """Column widths from the content; a smaller size (down to 六号) when the values would break.
        The flag says the widths are a last resort (cells then shrink their own values to fit)."""
        texts = [[(text, span) for text, span, _, _ in map(_cell, row)] for row in rows]
        while True:
            widths = fit_columns(texts, width, self.measure(size), pad=CELL_PAD, header_rows=n_head)
            if widths is not None:
                return size, widths, False
            if size <= MIN_TABLE_SIZE:
                break
            size = max(MIN_TABLE_SIZE, round(size - 0.5, 1))
        ncols = max(sum(span for _, span in row) for row in texts)
        return size, [width / ncols] * ncols, True  # even 六号 values do not fit: they break where they must

    def measure(self, size: float) -> Measure:
        """Width of a text at `size` in the font (cached: a table measures the same pieces again and again)."""
        if size not in self._measures:
            cache: dict[str, float] = {}
            font = self.font

            def measure(text: str) -> float:
                w = cache.get(text)
                if w is None:
                    w = cache[text] = pdfmetrics.stringWidth(text, font, size)
                return w

            self._measures[size] = measure
        return self._measures[size]

    def cell_size(self, text: str, avail: float, size: float) -> float:
        """`size`, or the size (down to 六号) at which the widest unbreakable piece of `text` fits `avail`."""
        need = unbreakable_width(text, self.measure(size))
        if need <= avail or size <= MIN_TABLE_SIZE:
            return size
        return max(MIN_TABLE_SIZE, math.floor(size * avail / need * 10) / 10)

    def cell(self, text: str, avail: float, size: float, leading: float, bold: bool, align: str) -> Any:
        """A table cell: plain strings (one per line, broken by `break_lines`), fake bold as a paragraph."""
        measure = self.measure(size)
        one_line = "\n" not in text and measure(text) <= avail
        if one_line and not bold:
            return text  # plain strings are much faster than paragraphs
        lines = [text] if one_line else break_lines(text, avail, measure)
        if self.clamp_cells and len(lines) * leading > self.frame_height * 0.4:
            self.clamped.append(self.part)
            note = break_lines(CLAMP_NOTE, avail, measure)
            lines = lines[: max(1, int(self.frame_height * 0.4 // leading) - len(note))] + note
        if not bold:
            return "\n".join(lines)
        key = (size, align)
        if key not in self._cell_styles:
            alignment = {"center": TA_CENTER, "right": TA_RIGHT}.get(align, TA_LEFT)
            self._cell_styles[key] = ParagraphStyle(
                f"zk-cell-{size}-{align}",
                fontName=self.font,
                fontSize=size,
                leading=leading,
                alignment=alignment,
                wordWrap="CJK",
            )
        if len(lines) == 1:
            return self._cell_paragraph(BoldCellParagraph, lines[0], self._cell_styles[key])
        return BoldCellParagraph("<br/>".join(_markup(line) for line in lines), self._cell_styles[key])

    def _cell_paragraph(self, cls: Any, text: str, style: Any) -> Any:
        """Plain one-line text skips reportlab's markup parser: the style's fragment, new text.

        Any markup character or unusual whitespace takes the parser (the fragments are the same).
        """
        if not text or _MARKUP_CHARS.search(text) or " ".join(text.split()) != text:
            return cls(_markup(text), style)
        frag = self._plain_frags.get(style.name)
        if frag is None:
            _, frags, _ = ParaParser().parse("x", style)
            frag = self._plain_frags[style.name] = frags[0]
        para = cls(None, style, frags=[frag.clone(text=text)])
        para.text = text
        return para

    # -- contents page

    def toc(self, titles: list[str], numbers: list[int]) -> list[Any]:
        st = self.styles["toc"]
        out = [rl.Paragraph("目\u3000\u3000录", self.styles["toc-title"])]
        for title, number in zip(titles, numbers, strict=True):
            out.append(rl.Paragraph(f'{_markup(title)}<onDraw name="zk_toc" label="{number}"/>', st))
        return out

    def toc_pages_estimate(self, entries: int) -> int:
        """Pages of a TOC with one-line entries (a first guess; the layout has the last word)."""
        title, line = self.styles["toc-title"], self.styles["toc"]
        per_page = int(PORTRAIT.frame[3] // line.leading)
        first = int((PORTRAIT.frame[3] - title.leading - title.spaceAfter) // line.leading)
        return 1 + max(0, math.ceil((entries - first) / per_page))

    def draw_toc_number(self, canv: Any, kind: str, label: str) -> None:
        """onDraw callback: leader dots from the end of the title, number right-aligned."""
        st = self.styles["toc"]
        info = canv._curr_tx_info
        x, y = info["cur_x"], info["cur_y"]
        right = PORTRAIT.frame[2]
        num_w = pdfmetrics.stringWidth(label, self.font, st.fontSize)
        dot_w = pdfmetrics.stringWidth(TOC_DOTS, self.font, st.fontSize)
        dots = max(0, int((right - num_w - x - 4) / dot_w))
        text = canv.beginText(right - num_w - dots * dot_w, y)
        text.setFont(self.font, st.fontSize)
        text.textOut(TOC_DOTS * dots + label)
        canv.drawText(text)


def _cell(cell: CellLike) -> tuple[str, int, bool, str]:
    if isinstance(cell, Cell):
        return cell.text, max(1, cell.colspan), cell.bold, cell.align
    return str(cell), 1, False, "left"


def _runs(rows: list[int]) -> Iterator[tuple[int, int]]:
    start = prev = rows[0]
    for r in rows[1:]:
        if r != prev + 1:
            yield start, prev
            start = r
        prev = r
    yield start, prev


def spacer(height: float) -> Any:
    """Vertical space of `height` points."""
    return rl.Spacer(1, height)


def _figure(block: ImageBlock, width: float, height: float) -> Any:
    """A picture zonekit drew (a chart): centred, aspect kept, no wider than the frame nor taller than 90% of it."""
    with Image.open(block.path) as im:
        w, h = im.size
    scale = min(block.width_mm * MM, width) / w
    scale = min(scale, 0.9 * height / h)
    return rl.Image(str(block.path), w * scale, h * scale)


def page_break() -> Any:
    """The rest of the page left empty."""
    return rl.PageBreak()


def next_template(landscape: bool) -> Any:
    """The next page portrait or landscape (before a `page_break`)."""
    return rl.NextPageTemplate("landscape" if landscape else "portrait")


def build_doc(story: list[Any], font: str, landscape_first: bool, on_page: Any) -> tuple[bytes, int]:
    """Lay out `story` on A4 portrait/landscape templates; (pdf bytes, page count)."""

    def template(name: str, layout: PageLayout) -> Any:
        x, y, w, h = layout.frame
        frame = rl.Frame(x, y, w, h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=name)
        kw = {"onPage": on_page} if on_page else {}
        return rl.PageTemplate(id=name, frames=[frame], pagesize=(layout.width, layout.height), **kw)

    templates = [template("portrait", PORTRAIT), template("landscape", LANDSCAPE)]
    if landscape_first:
        templates.reverse()
    buf = io.BytesIO()
    doc = rl.BaseDocTemplate(
        buf,
        pagesize=(A4_W, A4_H),
        pageTemplates=templates,
        invariant=1,
        pageCompression=1,
        initialFontName=font,  # keeps an unembedded Helvetica out of the font list
        creator="zonekit",
    )
    with _reportlab_settings():
        doc.build(story)
    return buf.getvalue(), doc.page


@contextmanager
def _reportlab_settings() -> Iterator[None]:
    """Plain Flate streams: ASCII85 on top only costs time and ~25 % size."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved
