"""Read filled workbooks the way people save them (Excel, WPS, LibreOffice), safely and fast.

- The container is checked before any parser sees it: not a zip, an encrypted workbook (an OLE
  file holding EncryptionInfo), a legacy .xls/.et, a zip bomb or a sheet too large to read are
  `ReadProblem`s with a one-line message, never a traceback.
- Cell values come from python-calamine (a Rust reader, ~10x faster than openpyxl read_only).
- Defined names and formulas come straight from the package XML with zipfile + ElementTree,
  so no openpyxl import is needed to check a packet.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from zonekit import sniff as filetype
from zonekit.background import Pending, cpus
from zonekit.findings import Problem

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
MAX_UNCOMPRESSED = int(os.environ.get("ZONEKIT_MAX_XLSX_MB", "600")) * 1024 * 1024
MAX_RATIO = 250  # uncompressed / compressed for one member: beyond this it is a zip bomb
READ_AHEAD_BYTES = 1 << 20  # a sheet's XML from which reading it in a second thread pays (about 10,000 rows)
MAX_CELLS = 5_000_000  # used range (rows x columns) a sheet may span: calamine allocates it densely
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"')
# a cell with a value or formula; not <c r=".." s=".."/> nor <c ..></c>: formatting only, which calamine skips
_VALUE_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*?(?<!/)>\s*<(?:\w+:)?(?:v|is|f)\b')


class ReadProblem(Exception):
    """A workbook cannot be read: raised with the problem (findings.Problem) that says why; str(self)
    is its Chinese message."""

    def __init__(self, code: str, variant: str, **params: Any) -> None:
        self.problem = Problem(code, params, variant)
        super().__init__(self.problem.texts()[0])

    @property
    def code(self) -> str:
        return self.problem.code


def col_letter(index: int) -> str:
    """0-based column index -> A1 letters."""
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


def _col_number(letters: bytes) -> int:
    """b'A' -> 1, b'XFD' -> 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _area(c1: bytes, r1: bytes, c2: bytes, r2: bytes) -> int:
    return (abs(int(r2) - int(r1)) + 1) * (abs(_col_number(c2) - _col_number(c1)) + 1)


def split_ref(ref: str) -> tuple[int, int]:
    """'$B$12' -> (row 11, col 1), 0-based."""
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", ref.strip().upper())
    if not m:
        raise ValueError(ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et")


def sniff(path: Path) -> str:
    """The kind of workbook `path` holds ("xlsx", "xlsb", "ods" or "xls" — .et too), whatever its
    name says; ReadProblem unless it is a readable, reasonably sized workbook."""
    name = path.name
    try:
        size = path.stat().st_size
        head = filetype.head(path)
    except OSError as e:
        raise ReadProblem("file_unreadable", "open", name=name, error=e.strerror) from e
    if size == 0:
        raise ReadProblem("file_empty", "workbook", name=name)
    kind = filetype.container(head)
    if kind == "ole":
        if filetype.ole_encrypted(path):
            raise ReadProblem("file_unreadable", "password", name=name)
        if size > MAX_UNCOMPRESSED:
            raise ReadProblem("file_too_large", "ole", name=name, mb=size // 2**20, limit=MAX_UNCOMPRESSED // 2**20)
        return "xls"  # Excel 97-2003 .xls, or WPS .et (the same kind of container)
    if kind != "zip":
        raise ReadProblem("file_unreadable", "not_xlsx", name=name)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            members = {i.filename for i in infos}
            mimetype = z.read("mimetype")[:100] if "mimetype" in members else b""
    except (zipfile.BadZipFile, OSError, zlib.error) as e:
        raise ReadProblem("file_unreadable", "corrupt_zip", name=name) from e
    total = sum(i.file_size for i in infos)
    for i in infos:
        if i.compress_size and i.file_size / max(i.compress_size, 1) > MAX_RATIO and i.file_size > 50 * 1024 * 1024:
            raise ReadProblem("file_unreadable", "zip_bomb", name=name, member=i.filename)
    if total > MAX_UNCOMPRESSED:
        raise ReadProblem("file_too_large", "zip", name=name, mb=total // 2**20, limit=MAX_UNCOMPRESSED // 2**20)
    if "xl/workbook.xml" in members:
        entity = xml_with_entities(path, [m for m in members if m.endswith((".xml", ".rels"))])
        if entity:
            raise ReadProblem("file_unreadable", "entities_xlsx", name=name, member=entity)
        return "xlsx"
    if "xl/workbook.bin" in members:
        return "xlsb"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    if "word/document.xml" in members or mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        raise ReadProblem("file_unreadable", "text_document", name=name)
    raise ReadProblem("file_unreadable", "no_workbook_xml", name=name)


def xml_with_entities(path: Path, members: list[str]) -> str | None:
    """The first package member whose XML declares a DTD or entities (a billion-laughs bomb), if any.

    A declaration can only come before the root element, so the first 4 KB of each member tell."""
    try:
        with zipfile.ZipFile(path) as z:
            for member in members:
                with z.open(member) as f:
                    head = f.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    return member
    except (zipfile.BadZipFile, OSError, zlib.error, KeyError, EOFError):
        return None  # a damaged member is reported by the reader that needs it
    return None


def pays_to_read_ahead(sheet_bytes: int, strings_bytes: int, biggest_other: int, *, alongside: bool = False) -> bool:
    """Whether reading a sheet in a second thread, with its own parse of the shared strings, is hidden
    by the biggest other sheet (the form sheet) being read meanwhile; sizes are uncompressed XML.
    `alongside`: started as the workbook is opened, so both threads parse the strings at once.
    Excel-like 100,000-row 附件2: helper 10.6 MB + strings 16.4 MB < 39.7 MB, yes; the same file
    saved by LibreOffice: 20.6 + 151.7 MB > 57.3 MB, no, unless alongside (20.6 < 57.3)."""
    return sheet_bytes >= READ_AHEAD_BYTES and sheet_bytes + (0 if alongside else strings_bytes) < biggest_other


@dataclass
class Workbook:
    """A checked workbook: sheet names, defined names, cached values via calamine."""

    path: Path
    sheet_names: list[str]
    names: dict[str, tuple[str, str]]  # defined name -> (sheet, "$B$4" or "$A$4:$K$4")
    _sheet_xml: dict[str, str] = field(default_factory=dict)
    _calamine: Any = None
    _ahead: dict[str, Pending[Any]] = field(default_factory=dict)  # sheet -> its rows, being read
    _xml_sizes: dict[str, int] = field(default_factory=dict)  # package member -> uncompressed bytes
    _strings_xml: str = "xl/sharedStrings.xml"  # the shared strings part (its name as the workbook's rels give it)

    def read_ahead(self, sheet: str, *, alongside: bool = False) -> None:
        """Start reading `sheet` now, alongside the form sheet; `rows(sheet)` then picks it up.

        It gets its own CalamineWorkbook (one cannot be read by two threads at once), which parses
        the shared strings again: worth it only for a big sheet, with a spare CPU, and when the
        shared strings and this sheet are read before the biggest other sheet is. LibreOffice writes
        every string mixing Chinese and Latin letters as rich text, so its shared strings can be
        several times the size of the sheets, and parsing them twice would cost more than it hides,
        unless both parses run at once (`alongside`: asked for by `open_workbook(ahead=...)`);
        otherwise this does nothing and `rows(sheet)` reads it after the form sheet."""
        size = self._xml_sizes.get(self._sheet_xml.get(sheet, ""), 0)
        biggest = max((self._xml_sizes.get(m, 0) for s, m in self._sheet_xml.items() if s != sheet), default=0)
        pays = pays_to_read_ahead(size, self._xml_sizes.get(self._strings_xml, 0), biggest, alongside=alongside)
        if sheet in self._ahead or sheet not in self.sheet_names or not pays or cpus() < 2:
            return
        from python_calamine import CalamineWorkbook

        self._ahead[sheet] = Pending(lambda: self._read(CalamineWorkbook.from_path(str(self.path)), sheet))

    def rows(self, sheet: str) -> tuple[int, int, list[list[Any]]]:
        """(first_row, first_col, rows) of the used range, 0-based offsets; values are cached results."""
        ahead = self._ahead.pop(sheet, None)
        return ahead.result() if ahead is not None else self._read(self._calamine, sheet)

    def _read(self, calamine: Any, sheet: str) -> tuple[int, int, list[list[Any]]]:
        self._check_extent(sheet)
        try:
            s = calamine.get_sheet_by_name(sheet)
            start = s.start or (0, 0)
            rows = s.to_python(skip_empty_area=True)
        except Exception as e:  # calamine raises its own error types for malformed XML
            raise ReadProblem("file_unreadable", "sheet", name=self.path.name, sheet=sheet, error=_short(e)) from e
        width = max(map(len, rows), default=0)
        if min(map(len, rows), default=0) < width:  # calamine gives a rectangle; readers rely on one
            rows = [r + [""] * (width - len(r)) for r in rows]
        return start[0], start[1], rows

    def _check_extent(self, sheet: str) -> None:
        """Refuse a sheet whose used range is huge: one stray value at XFD1048576 spans 17 billion cells
        and calamine would abort the whole process allocating them. The <dimension> that office suites
        write is trusted when small; otherwise (or when absent) the cells holding a value are scanned."""
        member = self._sheet_xml.get(sheet)
        if not member:
            return
        lo_r = lo_c = 1 << 30
        hi_r = hi_c = 0
        try:
            with zipfile.ZipFile(self.path) as z, z.open(member) as f:
                chunk = f.read(16384)
                m = _DIMENSION.search(chunk.split(b"sheetData", 1)[0])
                if m and _area(m.group(1), m.group(2), m.group(3) or m.group(1), m.group(4) or m.group(2)) <= MAX_CELLS:
                    return
                buf = b""
                while True:
                    buf += chunk
                    cut = max(buf.rfind(b"<"), 0) if chunk else len(buf)  # a tag cut by the chunk boundary waits
                    for c in _VALUE_CELL.finditer(buf, 0, cut):
                        r, col = int(c.group(2)), _col_number(c.group(1))
                        lo_r, hi_r, lo_c, hi_c = min(lo_r, r), max(hi_r, r), min(lo_c, col), max(hi_c, col)
                    if not chunk:
                        break
                    buf, chunk = buf[cut:], f.read(1 << 20)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError) as e:  # bad CRC, bad deflate data
            raise ReadProblem("file_unreadable", "sheet_corrupt", name=self.path.name, sheet=sheet) from e
        cells = (hi_r - lo_r + 1) * (hi_c - lo_c + 1) if hi_r else 0
        if cells > MAX_CELLS:
            last = f"{col_letter(hi_c - 1)}{hi_r}"
            raise ReadProblem("file_too_large", "extent", name=self.path.name, sheet=sheet, last=last,
                              wan=cells // 10000, cells=cells)

    def formulas(self, sheet: str, *, wanted: set[str] | None = None, limit_bytes: int = 400 * 2**20) -> dict[str, str]:
        """Cell -> formula text, read by streaming the sheet XML (only `wanted` cells if given)."""
        member = self._sheet_xml.get(sheet)
        if not member:
            return {}
        out: dict[str, str] = {}
        pattern = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*?>(?:<f[^>]*?>([^<]*)</f>|<f[^>]*/>)')
        tail = b""
        read = 0
        with zipfile.ZipFile(self.path) as z, z.open(member) as f:
            while read < limit_bytes:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                read += len(chunk)
                buf = tail + chunk
                cut = buf.rfind(b"<c ")
                body, tail = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
                for m in pattern.finditer(body):
                    ref = m.group(1).decode()
                    if wanted is None or ref in wanted:
                        out[ref] = (m.group(2) or b"").decode("utf-8", "replace")
            for m in pattern.finditer(tail):
                ref = m.group(1).decode()
                if wanted is None or ref in wanted:
                    out[ref] = (m.group(2) or b"").decode("utf-8", "replace")
        return out


def open_workbook(path: Path, ahead: tuple[str, ...] = ()) -> Workbook:
    """The workbook in `path`, whatever its name: .xlsx/.xlsm with its defined names and formulas;
    .xls, .et, .xlsb and .ods (cell values only, found by their labels) through calamine.
    The sheets `ahead` are read in a second thread from now on where that pays (`Workbook.read_ahead`)."""
    kind = sniff(path)
    if kind != "xlsx":
        return _other_workbook(path, kind)
    try:
        with zipfile.ZipFile(path) as z:
            sizes = {i.filename: i.file_size for i in z.infolist()}
            wb_xml = ET.fromstring(z.read("xl/workbook.xml"))
            rels_xml = "xl/_rels/workbook.xml.rels"
            rels = ET.fromstring(z.read(rels_xml)) if rels_xml in z.namelist() else None
    except (ET.ParseError, KeyError, zipfile.BadZipFile) as e:
        raise ReadProblem("file_unreadable", "damaged", name=path.name, error=_short(e)) from e
    targets: dict[str | None, str] = {}
    strings = "xl/sharedStrings.xml"
    if rels is not None:
        for r in rels.findall("rel:Relationship", _NS):
            t = r.get("Target", "")
            targets[r.get("Id")] = t.lstrip("/") if t.startswith("/") else "xl/" + t
            if r.get("Type", "").endswith("/sharedStrings"):
                strings = targets[r.get("Id")]
    sheets: list[str] = []
    xml: dict[str, str] = {}
    for s in wb_xml.findall("m:sheets/m:sheet", _NS):
        sheet_name = s.get("name", "")
        sheets.append(sheet_name)
        rid = s.get(f"{{{_NS['r']}}}id")
        if rid in targets:
            xml[sheet_name] = targets[rid]
    names: dict[str, tuple[str, str]] = {}
    for d in wb_xml.findall("m:definedNames/m:definedName", _NS):
        if d.get("localSheetId") is not None or not d.text or "!" not in d.text:
            continue
        sheet, ref = d.text.rsplit("!", 1)
        names[d.get("name", "").upper()] = (sheet.strip("'").replace("''", "'"), ref)
    from python_calamine import CalamineWorkbook

    wb = Workbook(path, sheets, names, xml, None, _xml_sizes=sizes, _strings_xml=strings)
    for sheet in ahead:
        wb.read_ahead(sheet, alongside=True)
    try:
        wb._calamine = CalamineWorkbook.from_path(str(path))
    except Exception as e:
        raise ReadProblem("file_unreadable", "unreadable", name=path.name, error=_short(e)) from e
    return wb


def _other_workbook(path: Path, kind: str) -> Workbook:
    from python_calamine import CalamineWorkbook

    try:
        with path.open("rb") as f:  # from_path goes by the extension; a file object by the content
            cal = CalamineWorkbook.from_filelike(f)
    except Exception as e:
        text = str(e).lower()
        if "password" in text or "encrypt" in text:
            raise ReadProblem("file_unreadable", "password_other", name=path.name) from e
        raise ReadProblem("file_unreadable", "other_kind", name=path.name, kind=kind, error=_short(e)) from e
    return Workbook(path, list(cal.sheet_names), {}, {}, cal)


def _short(e: BaseException) -> str:
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    return text[:120]
