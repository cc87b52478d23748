"""The copy of an office file that LibreOffice converts for the bundle: without its own page numbers.

The bundle numbers every page itself (GB/T 9704: — n — at the outer edge); a Word report that
prints its own "— 1 —" or "第 1 页" would show two numbers, the wrong one first. So a .docx is
converted from a copy whose header and footer parts holding a page-number field (PAGE, NUMPAGES,
SECTIONPAGES) are blanked, and an .xlsx from a copy whose sheets' page headers and footers are
removed. The user's file is never touched; other formats are copied as they are.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

_PAGE_FIELD = re.compile(rb"\b(?:PAGE|NUMPAGES|SECTIONPAGES)\b")
_FIELD_CODE = re.compile(rb'w:instr="[^"]*"|<w:instrText\b[^>]*>[^<]*</w:instrText>')
_PART = re.compile(r"word/(?:header|footer)\d*\.xml")
_ROOT = re.compile(rb"^(.*?<w:(hdr|ftr)\b[^>]*>)", re.S)
_SHEET_PART = re.compile(r"xl/worksheets/sheet\d+\.xml")
_HEADER_FOOTER = re.compile(rb"<headerFooter\b[^>]*/>|<headerFooter\b.*?</headerFooter>", re.S)


def copy_without_page_numbers(src: Path, dst: Path) -> bool:
    """Copy `src` to `dst`, dropping the page numbers it would print itself; True if any were dropped."""
    suffix = src.suffix.lower()
    try:
        if suffix == ".docx":
            return _rewrite(src, dst, _PART, _blank_if_numbered)
        if suffix in (".xlsx", ".xlsm"):
            return _rewrite(src, dst, _SHEET_PART, _without_header_footer)
    except (zipfile.BadZipFile, OSError, KeyError, EOFError):
        pass  # a damaged file is LibreOffice's to refuse, as it is
    shutil.copyfile(src, dst)
    return False


def _blank_if_numbered(xml: bytes) -> bytes | None:
    """A header/footer part with a page-number field, as an empty one (same root and namespaces)."""
    if not any(_PAGE_FIELD.search(code) for code in _FIELD_CODE.findall(xml)):
        return None
    root = _ROOT.match(xml)
    if root is None:
        return None
    return root.group(1) + b"<w:p/></w:" + root.group(2) + b">"


def _without_header_footer(xml: bytes) -> bytes | None:
    found = _HEADER_FOOTER.search(xml)
    if found is None or not re.search(rb"&amp;[PN]", found.group(0)):
        return None
    return _HEADER_FOOTER.sub(b"", xml)


def _rewrite(src: Path, dst: Path, parts: re.Pattern[str], change: Callable[[bytes], bytes | None]) -> bool:
    changed = False
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if parts.fullmatch(info.filename):
                new = change(data)
                if new is not None:
                    data, changed = new, True
            zout.writestr(info, data)
    return changed
