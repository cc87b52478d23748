"""Which characters of a bundle the font has: rare ones borrowed from other fonts, the rest reported.

`cover_bundle` collects the text of every part (cover, sections, placeholder pages, the titles
the contents page lists), has `zonekit.document.fonts.cover` route the characters the main font lacks
to a font that has them, and returns one warning per part and character that no font has —
such a character prints as the font's empty box, so the reader must check it by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from zonekit.document.fonts import FontChoice, cover
from zonekit.document.model import Attachment, Bundle, Cell, Para, Placeholder, SealBlock, Section, Table
from zonekit.findings import Said

COVER = "封面"
_CONTEXT = 6  # characters shown on each side of a missing one


def cover_bundle(bundle: Bundle, font: FontChoice) -> list[tuple[str, Said]]:
    texts = list(_texts(bundle))
    found = cover(font, "".join(text for _, text in texts))
    missing = {ch for ch, source in found.items() if source is None}
    warnings: list[tuple[str, Said]] = []
    seen: set[tuple[str, str]] = set()
    for where, text in texts:
        for i, ch in enumerate(text):
            if ch in missing and where is not None and (where, ch) not in seen:
                seen.add((where, ch))
                warnings.append((where, _message(text, i, ch)))
    return warnings


def _message(text: str, i: int, ch: str) -> Said:
    context = text[max(0, i - _CONTEXT):i + _CONTEXT + 1].strip()
    return Said(f"“{context}”中的“{ch}”（U+{ord(ch):04X}）不在所用字体中，本机其他中文字体也没有，PDF 中显示为空框；"
                "请安装含该字的字体（如 Debian 的 fonts-wqy-zenhei）后重新生成，或用 --font 指定字体文件，"
                "或打印后手写补正",
                f"the character “{ch}” (U+{ord(ch):04X}) in “{context}” is in neither the font used nor any other "
                "Chinese font on this computer, so the PDF shows an empty box for it: install a font that has it "
                "(e.g. Debian's fonts-wqy-zenhei) and make the bundle again, or name a font file with --font, "
                "or write the character in by hand after printing")


def _texts(bundle: Bundle) -> Iterator[tuple[str | None, str]]:
    """(part title, text) for everything zonekit may set in the bundle's font."""
    for text in _block_texts(bundle.cover):
        yield COVER, text
    for part in bundle.parts:
        yield part.title, part.title
        if isinstance(part, Section):
            for text in _block_texts(part.blocks):
                yield part.title, text
        elif isinstance(part, Placeholder):
            yield part.title, part.message
        elif isinstance(part, Attachment):  # named on its placeholder page, should it fail: borrow, do not report
            yield None, Path(part.path).name
    if bundle.watermark:
        yield "水印", bundle.watermark


def _block_texts(blocks: Iterable[Any]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Para):
            yield block.text
        elif isinstance(block, SealBlock):
            yield block.left
            yield block.right
        elif isinstance(block, Table):
            for row in [*block.header, *block.rows, *([block.total] if block.total else [])]:
                for cell in row:
                    value = cell.text if isinstance(cell, Cell) else cell
                    if value is not None:
                        yield str(value)
