"""A neutral document model shared by the PDF and docx renderers.

The core builds these plain objects (a cover, sections of paragraphs and tables, attached user
files); `zonekit.document.pdf` and `zonekit.document.docx` turn the same model into a PDF and a Word file. Both lay a
table's text out with the functions at the end (`fit_columns`, `break_lines`), each measuring
in its own font, so the PDF and the Word file break lines by the same rules. Nothing here
imports a rendering library.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Paragraph styles, GB/T 9704-2012 flavoured:
#   title     小标宋 2号 (22 pt), centred           subtitle  楷体 3号, centred
#   heading1  黑体 3号 ("一、…")                    heading2  楷体 3号 ("（一）…")
#   body      仿宋 3号 (16 pt), first-line indent 2 chars
#   plain     仿宋 3号, no indent                    note      仿宋 4号 (14 pt), grey-free small text
#   right     仿宋 3号, right-aligned (dates, signatures)
#   center    仿宋 3号, centred
STYLES = ("title", "subtitle", "heading1", "heading2", "body", "plain", "note", "right", "center")


@dataclass(frozen=True)
class Para:
    text: str
    style: str = "body"


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1
    bold: bool = False
    align: str = "left"  # left | center | right


CellLike = str | Cell


@dataclass(frozen=True)
class Table:
    """A table. `header` rows repeat on every printed page; `total` is the closing 合计 row."""

    rows: list[list[CellLike]]
    header: list[list[CellLike]] = field(default_factory=list)
    total: list[CellLike] | None = None
    widths: list[float] | None = None  # relative column widths (a fixed grid); None = from the content (`fit_columns`)
    font_size: float = 10.5  # 五号


@dataclass(frozen=True)
class SealBlock:
    """A signature / seal line such as "申请单位主要负责人（盖公章）：" … "年  月  日"."""

    left: str
    right: str = "年    月    日"
    stamp_mm: float = 18  # room above the line for the seal; 0 for a plain "left … right" header line


@dataclass(frozen=True)
class Spacer:
    mm: float = 5


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Image:
    """A picture zonekit drew itself (e.g. a chart), centred, `width_mm` wide (at most the text
    width), its height following the picture's aspect ratio. Users' scans are `Attachment`s."""

    path: Path
    width_mm: float = 160


Block = Para | Table | SealBlock | Spacer | PageBreak | Image


@dataclass
class Section:
    """Content zonekit generates itself (a divider page, a rendered form, a template)."""

    title: str  # used for the outline / contents entry
    blocks: list[Block]
    landscape: bool = False
    in_toc: bool = True


@dataclass
class Attachment:
    """A user's file, appended as it is (pdf), placed on A4 pages (image), or converted (office)."""

    title: str
    path: Path
    kind: str  # pdf | image | office
    in_toc: bool = True


@dataclass
class Placeholder:
    """A page standing in for a file that could not be included; says what to print separately."""

    title: str
    message: str
    in_toc: bool = True


Part = Section | Attachment | Placeholder


@dataclass
class Bundle:
    title: str  # PDF metadata title
    author: str  # PDF metadata author (the applicant)
    cover: list[Block]
    parts: list[Part]
    toc: bool = True  # insert a 目录 page after the cover
    watermark: str | None = None  # e.g. "草稿 — 未通过检查"
    subject: str = ""


# --------------------------------------------------------------------------- table text
# Both renderers lay a table out the same way, each measuring text in its own font (`measure(text)`:
# width in points at the table's font size): a cell breaks between any two Chinese characters, never
# inside a run of Latin letters, digits and signs (a date, an 18-character credit code, an amount,
# floors "25-28", a phone number) unless that run alone is wider than the cell; closing punctuation
# never starts a line (避头), opening punctuation never ends one (避尾).

Measure = Callable[[str], float]
_UNIT = re.compile(r"[!-~]+| +|.", re.S)  # a Latin run (printable ASCII), a run of spaces, or one character
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕’”…—,.;:?!)]}%‰·")
_NO_LINE_END = frozenset("（《「『【〔‘“([{")
_SOFT_BREAK_AFTER = "@./_-&?=#:"  # where an over-long Latin run (e-mail, web address) breaks first
_ADDRESS = re.compile(r"@|://|^www\.", re.I)
_ADDRESS_PIECE = re.compile(r"[^@./_\-&?=#:]*[@./_\-&?=#:]+|[^@./_\-&?=#:]+")
HEADER_MIN_CHARS = 2  # a header label is at least two characters wide ("序号" stays on one line)
FIT_SAMPLE_ROWS = 150  # rows of a long table the column widths are fitted on (evenly spread)


def text_units(text: str) -> list[str]:
    """`text` (one line) as the pieces a line may break between (an e-mail or web address breaks
    after its @ . / - signs: it is not a value like a date or a code)."""
    units: list[str] = []
    glue = False  # the previous unit was opening punctuation: this one sticks to it
    for found in _UNIT.findall(text):
        for unit in _ADDRESS_PIECE.findall(found) if _ADDRESS.search(found) else [found]:
            if units and (glue or (unit in _NO_LINE_START and not units[-1].isspace())):
                units[-1] += unit
            else:
                units.append(unit)
            glue = unit in _NO_LINE_END
    return units


def break_lines(text: str, width: float, measure: Measure) -> list[str]:
    """`text` broken into lines no wider than `width`; spaces at a break are dropped."""
    lines: list[str] = []
    for para in text.replace("\r\n", "\n").split("\n"):
        line, used = "", 0.0
        for unit in text_units(para):
            w = measure(unit)
            if unit.isspace():
                if line and used + w <= width + 1e-6:
                    line, used = line + unit, used + w
                elif line:
                    lines.append(line.rstrip())
                    line, used = "", 0.0
                continue
            if used + w <= width + 1e-6:
                line, used = line + unit, used + w
                continue
            if line:
                lines.append(line.rstrip())
            if w > width + 1e-6:  # wider than a line on its own (a web address): cut
                *full, line = _cut(unit, width, measure)
                lines += full
                used = measure(line)
            else:
                line, used = unit, w
        lines.append(line.rstrip())
    return lines


def _cut(text: str, width: float, measure: Measure) -> list[str]:
    """An over-wide run in pieces that fit: after @ . / - … where possible, else anywhere."""
    pieces: list[str] = []
    while text and measure(text) > width + 1e-6:
        n = 1
        while n < len(text) and measure(text[: n + 1]) <= width + 1e-6:
            n += 1
        soft = max(text.rfind(ch, 0, n) for ch in _SOFT_BREAK_AFTER) + 1
        if soft >= max(2, n // 2):
            n = soft
        pieces.append(text[:n])
        text = text[n:]
    return [*pieces, text]


def unbreakable_width(text: str, measure: Measure, *, header: bool = False) -> float:
    """The widest piece of `text` a line cannot break inside (a header: at least two characters)."""
    widest = max((measure(u) for line in text.split("\n") for u in text_units(line) if not u.isspace()), default=0.0)
    if header:
        for line in text.split("\n"):
            widest = max(widest, measure(line.strip()[:HEADER_MIN_CHARS]))
    return widest


@dataclass(frozen=True)
class _FitCell:
    row: int
    col: int
    span: int
    text: str


def fit_columns(rows: list[list[tuple[str, int]]], available: float, measure: Measure, *, pad: float,
                header_rows: int = 0) -> list[float] | None:
    """Column widths (points, summing to `available`) laid out from the content, or None when the
    unbreakable pieces alone (dates, codes, amounts) are wider than `available` at this size.

    `rows` holds each row's cells as (text, colspan). Every column is at least as wide as its widest
    unbreakable piece and, when the table fits, as wide as its longest text. Otherwise a few
    candidate layouts are made — the room above the minimum shared in proportion to what each
    column lacks of one line per cell, or to its amount of text (rows and header weighted
    differently, to the powers ½, ¾ and 1: short values stay on one line, long names and
    addresses wrap) — and the one that prints the fewest lines (each row as tall as its tallest
    cell, a header line counting three) is kept.
    """
    ncols = max((sum(span for _, span in row) for row in rows), default=0)
    if ncols == 0 or available <= 0:
        return None
    needs = _column_needs(rows, ncols, measure, pad, header_rows)
    least = needs.least
    most = [max(m, lo) for m, lo in zip(needs.most, least, strict=True)]
    if sum(least) > available + 1e-6:
        return None
    if sum(most) <= available:
        return _spread(most, most, available)
    sample = _sample(needs.cells, len(rows), header_rows)
    candidates = [_spread(least, [m - lo for m, lo in zip(most, least, strict=True)], available)]
    for header_share in HEADER_VOLUMES:
        demand = [v + header_share * h for v, h in zip(needs.volume, needs.head, strict=True)]
        candidates += [_share(least, most, [d**power for d in demand], available) for power in (0.5, 0.75, 1.0)]
    return min(candidates, key=lambda widths: _printed_lines(sample, widths, pad, measure, header_rows))


@dataclass
class _ColumnNeeds:
    """What the columns of a table need (points): `least` for their widest unbreakable piece, `most` for
    their longest line, and their amount of text (`volume` for the rows, `head` for the header)."""

    least: list[float]
    most: list[float]
    volume: list[float]
    head: list[float]
    cells: list[_FitCell] = field(default_factory=list)
    spanned: list[tuple[int, int, float, float]] = field(default_factory=list)  # col, span, least, most

    def add(self, cell: _FitCell, measure: Measure, pad: float, header: bool) -> None:
        c, span, text = cell.col, cell.span, cell.text
        segments = [measure(line) for line in text.split("\n")] if text else [0.0]
        high = max(segments) + 2 * pad
        if span == 1 and high <= self.least[c]:
            low = high  # no piece of it can be wider than the column's least already
        else:
            low = unbreakable_width(text, measure, header=header) + 2 * pad
        if span == 1:
            self.least[c], self.most[c] = max(self.least[c], low), max(self.most[c], high)
            (self.head if header else self.volume)[c] += sum(segments)
        else:
            self.spanned.append((c, span, low, high))
        if text.strip():
            self.cells.append(cell)

    def widen_for_spans(self) -> None:
        """A spanned cell's pieces must fit across its columns: what they lack is shared among them."""
        for c, span, low, high in self.spanned:
            for limits, need in ((self.least, low), (self.most, high)):
                short = need - sum(limits[c : c + span])
                if short > 0:
                    for k in range(c, c + span):
                        limits[k] += short / span


def _column_needs(rows: list[list[tuple[str, int]]], ncols: int, measure: Measure, pad: float,
                  header_rows: int) -> _ColumnNeeds:
    needs = _ColumnNeeds([2 * pad] * ncols, [2 * pad] * ncols, [0.0] * ncols, [0.0] * ncols)
    for r, row in enumerate(rows):
        c = 0
        for text, span in row:
            if c >= ncols:
                break
            span = max(1, min(span, ncols - c))
            needs.add(_FitCell(r, c, span, text), measure, pad, r < header_rows)
            c += span
    needs.widen_for_spans()
    return needs


HEADER_VOLUMES = (0.3, 1.0, 3.0)  # in sharing the room, a header's text counts less, as much or more than a row's
HEADER_WEIGHT = 3  # in choosing a layout, a header line counts as three: on every page, and a tall header reads badly


def keep_values_whole(widths: list[float], rows: list[list[tuple[str, int]]], smallest: Measure, *,
                      pad: float) -> list[float]:
    """A fixed grid (`widths` in points) widened where a value would break even at the smallest size
    (`smallest` measures at it): such a column takes the room it lacks from the others, in proportion
    to what they have above their own needs. Cells then shrink their text only as far as they must."""
    need = [2 * pad] * len(widths)
    for row in rows:
        c = 0
        for text, span in row:
            if span == 1 and c < len(need) and text.strip():
                need[c] = max(need[c], unbreakable_width(text, smallest) + 2 * pad)
            c += max(1, span)
    short = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=True))
    spare = [max(0.0, w - n) for n, w in zip(need, widths, strict=True)]
    if short <= 1e-6 or sum(spare) <= 1e-6:
        return widths
    take = min(1.0, short / sum(spare))
    out = [max(w, n) if n > w else w - k * take for w, n, k in zip(widths, need, spare, strict=True)]
    scale = sum(widths) / sum(out)  # below 1 only when even all the room left cannot hold every value
    return [w * scale for w in out]


def _printed_lines(cells: list[_FitCell], widths: list[float], pad: float, measure: Measure,
                   header_rows: int) -> tuple[int, int]:
    """(the rows' heights in lines, header lines weighted; all cells' lines) as `break_lines` prints them."""
    tallest: dict[int, int] = {}
    total = 0
    for cell in cells:
        inner = sum(widths[cell.col : cell.col + cell.span]) - 2 * pad
        n = len(break_lines(cell.text, inner, measure))
        tallest[cell.row] = max(tallest.get(cell.row, 1), n)
        total += n
    return sum(n * (HEADER_WEIGHT if r < header_rows else 1) for r, n in tallest.items()), total


def _share(least: list[float], most: list[float], demand: list[float], available: float) -> list[float]:
    """`available` shared in proportion to `demand`, each column kept within [least, most]."""
    fixed: dict[int, float] = {}
    while True:
        free = [c for c in range(len(least)) if c not in fixed]
        if not free:
            widths = [fixed[c] for c in range(len(least))]
            return _spread(widths, widths, available)
        room = available - sum(fixed.values())
        total = sum(demand[c] for c in free)
        share = {c: room * demand[c] / total if total > 0 else room / len(free) for c in free}
        over = [c for c in free if share[c] > most[c]]
        under = [c for c in free if share[c] < least[c]]
        if not over and not under:
            return [fixed.get(c, share.get(c, 0.0)) for c in range(len(least))]
        for c in over or under:
            fixed[c] = most[c] if over else least[c]


def _spread(widths: list[float], weights: list[float], available: float) -> list[float]:
    """`widths` plus what is left of `available`, shared in proportion to `weights`."""
    extra, total = available - sum(widths), sum(weights)
    if total <= 0:
        return [w + extra / len(widths) for w in widths]
    return [w + extra * k / total for w, k in zip(widths, weights, strict=True)]


def _sample(cells: list[_FitCell], nrows: int, header_rows: int) -> list[_FitCell]:
    """The header and an evenly spread sample of a long table's rows: the fit costs rows × candidates."""
    if nrows <= FIT_SAMPLE_ROWS:
        return cells
    step = (nrows - header_rows) / FIT_SAMPLE_ROWS
    keep = set(range(header_rows)) | {header_rows + int(i * step) for i in range(FIT_SAMPLE_ROWS)} | {nrows - 1}
    return [cell for cell in cells if cell.row in keep]
