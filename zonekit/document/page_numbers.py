"""Page numbers a user's PDF prints itself, found in its text layer.

The bundle stamps its own GB/T 9704 number (— n —) at the bottom outer edge of every page. A
scan or export that already carries a number there ("— 3 —", "- 3 -", "第 3 页", "3 / 10") would
print two numbers, the wrong one first: the bundle says which file brings its own numbering.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

BOTTOM = 0.12  # the band at the foot of the page (share of its height) where page numbers are printed
# — 7 —, 第7页（共9页）, 7/9, page 7 of 9, a bare 7 (a bare 2023 at the foot is more likely a year)
_NUMBER = re.compile(r"^\s*(?:[—–-]\s*\d{1,4}\s*[—–-]|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"
                     r"|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?|\d{1,3})\s*$", re.I)
MAX_PAGES = 20  # pages looked at per file: numbering shows on the first ones


def own_page_numbers(path: Path) -> str | None:
    """The first page number the PDF prints at the foot of a page, as printed ("— 1 —"), or None."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        for page in reader.pages[:MAX_PAGES]:
            for text in _foot_texts(page):
                if _NUMBER.match(text):
                    return text.strip()
    except Exception:  # a damaged file is reported by the material check; here it just has no numbers to find
        return None
    return None


def _foot_texts(page: Any) -> list[str]:
    """The text runs a page draws in its bottom band."""
    low = float(page.mediabox.bottom) + float(page.mediabox.height) * BOTTOM
    found: list[str] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: object) -> None:
        y = tm[5] * cm[3] + cm[5]  # the text matrix's origin in page space (no rotation or skew in what matters here)
        if text.strip() and y <= low:
            found.append(text)

    page.extract_text(visitor_text=visit)
    return found
