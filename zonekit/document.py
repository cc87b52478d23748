"""A neutral document model shared by the PDF and docx renderers.

The core builds these plain objects (a cover, sections of paragraphs and tables, attached user
files); `zonekit.pdf` and `docxout` turn the same model into a PDF and a Word file. Nothing here
imports a rendering library.
"""

from __future__ import annotations

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
    widths: list[float] | None = None  # relative column widths; None = equal
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
