"""What `render_pdf` returns: page count, the page range of every part, warnings, the font used."""

from __future__ import annotations

from dataclasses import dataclass

from zonekit.document.fonts import FontChoice
from zonekit.findings import Said


@dataclass
class PartPages:
    title: str
    start_page: int  # 1-based, inclusive
    end_page: int
    kind: str  # cover | toc | section | pdf | image | placeholder
    in_toc: bool = True  # False: nested in the outline under the part before it (a material's files)


@dataclass
class PdfReport:
    pages: int
    parts: list[PartPages]
    warnings: list[tuple[str, Said]]  # (where, what), in Chinese and English
    font: FontChoice
