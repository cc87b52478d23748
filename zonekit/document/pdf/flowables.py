"""zonekit's own reportlab flowables.

Fake-bold paragraphs, bold table-cell paragraphs that keep their line breaks, the long table that
draws plain string cells fast and never splits a row across pages, zero-size page marks and
full-frame image pages.
"""

from __future__ import annotations

from typing import Any

from reportlab import platypus as rl
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from zonekit.document.pdf.images import PreparedImage


class BoldParagraph(rl.Paragraph):
    """Fake bold (fill + thin stroke): the CJK fonts around have no bold face."""

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.addLiteral("2 Tr")
        canv.setLineWidth(self.style.fontSize * 0.035)
        canv.setStrokeColor(self.style.textColor)
        super().draw()
        canv.restoreState()


class _WrapOnce:
    """Table-cell paragraphs keep their line breaks for a given width.

    reportlab measures every remaining row again each time a long table is split across pages
    (and once more to draw it), re-breaking each cell's lines; the result only depends on the
    width. Same output, about a fifth less time for a 2,000-row 附件2.
    """

    _wrapped: tuple[float, tuple[float, float], Any] | None = None  # width, size, the line breaks

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        wrapped = self._wrapped
        # split() drops blPara when the paragraph cannot start on this page: then break again
        if wrapped is not None and wrapped[0] == availWidth and getattr(self, "blPara", None) is wrapped[2]:
            return wrapped[1]
        size = super().wrap(availWidth, availHeight)  # type: ignore[misc]
        self._wrapped = (availWidth, size, getattr(self, "blPara", None))
        return size


class BoldCellParagraph(_WrapOnce, BoldParagraph):
    """A bold table cell: fake bold, wrapped once per width."""


class FastTable(rl.LongTable):
    """LongTable drawing plain string cells (one line or several) with one literal BT…ET each, and
    never leaving its last `keep_last` rows (a 合计 row) to start a page alone.

    reportlab's own path builds a text object per cell, which dominates the time of tables with
    thousands of rows; the output is the same text at the same position. (reportlab's NOSPLIT
    does the keeping too, but recomputes its ranges at every split: seconds for a long table.)
    """

    keep_last = 0
    _curcellstyle: Any  # reportlab's: the style of the cell drawn last

    def _getFirstPossibleSplitRowPosition(self, availHeight: float, ignoreSpans: int = 0) -> int:  # noqa: N802, N803
        n = super()._getFirstPossibleSplitRowPosition(availHeight, ignoreSpans)
        rows = len(self._rowHeights)
        if self.keep_last and rows - self.keep_last <= n < rows:
            n = max(rows - self.keep_last - 1, 0)  # the row before comes along (or, at the top, nothing fits)
        repeat = self.repeatRows if isinstance(self.repeatRows, int) else max(self.repeatRows) + 1
        return n if n > repeat else 0

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
        parts = super().split(availWidth, availHeight)
        if parts:
            parts[-1].keep_last = self.keep_last  # reportlab makes the parts without our attributes
        return parts

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:
        font = pdfmetrics.getFont(cellstyle.fontname)
        if type(cellval) is not str or not cellval or not isinstance(font, TTFont) or cellstyle.valign != "MIDDLE":
            return super()._drawCell(cellval, cellstyle, pos, size)
        canv, st = self.canv, cellstyle
        if self._curcellstyle is not st:
            canv.setFillColor(st.color)
            self._curcellstyle = st
        (x0, y), (width, height) = pos, size
        lines = cellval.split("\n")
        y += (st.bottomPadding + height - st.topPadding + len(lines) * st.leading) / 2 - st.fontsize
        doc, ops = canv._doc, []
        for line in lines:
            x = x0
            if st.alignment == "LEFT":
                x += st.leftPadding
            else:
                text_w = pdfmetrics.stringWidth(line, st.fontname, st.fontsize)
                if st.alignment == "RIGHT":
                    x += width - st.rightPadding - text_w
                else:
                    x += (width + st.leftPadding - st.rightPadding - text_w) / 2
            if line:
                shown = " ".join(f"{font.getSubsetInternalName(subset, doc)} {st.fontsize:g} Tf <{data.hex()}> Tj"
                                 for subset, data in font.splitString(line, doc))
                ops.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm {shown}")
            y -= st.leading
        if ops:
            canv.addLiteral(f"BT {' '.join(ops)} ET")
        return None


class Mark(rl.Flowable):
    """Zero-size flowable recording the page it lands on."""

    def __init__(self, key: int, sink: dict[int, int]):
        super().__init__()
        self.key, self.sink = key, sink

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.sink.setdefault(self.key, self.canv.getPageNumber())


class ImagePage(rl.Flowable):
    """Fills the frame; draws the image centred, aspect kept."""

    def __init__(self, image: PreparedImage):
        super().__init__()
        self.image = image

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.aw, self.ah = aw, ah
        return aw, ah

    def draw(self) -> None:
        img = self.image
        scale = min(self.aw / img.width, self.ah / img.height)
        w, h = img.width * scale, img.height * scale
        self.canv.drawImage(ImageReader(img.data), (self.aw - w) / 2, (self.ah - h) / 2, w, h)
