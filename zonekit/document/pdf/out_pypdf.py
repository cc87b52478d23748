"""The output document with pypdf: the fallback engine (always so with ZONEKIT_PDF_ENGINE=pypdf).

Same interface and behaviour as `out_pikepdf.PikeOutput` (not the same bytes): append user PDFs,
insert generated pages, stamp, outline/metadata, write. The /ID is a hash of the content, user
files included minus their volatile timestamps and ids.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pypdf import PasswordType, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)

from zonekit.document.pdf.report import PartPages
from zonekit.document.pdf.sanitize import (
    MSG_AES,
    MSG_ENCRYPTED,
    MSG_NO_PAGES,
    MSG_OWNER_PASSWORD,
    MSG_SCRIPTS,
    MSG_UNREADABLE,
    box_size,
    broken,
    check_sizes,
    damaged,
    has_active_catalog,
    strip_active_fields,
    strip_active_page,
)
from zonekit.document.pdf.stamp import (
    WATERMARK_ALPHA,
    StampKit,
    display_geometry,
    number_ops,
    watermark_ops,
)
from zonekit.findings import Said

# Timestamps and random ids a converter (e.g. LibreOffice) writes into every PDF: left out of the
# content hash that becomes our /ID, so identical content gives an identical bundle.
_VOLATILE = re.compile(
    rb"/DocChecksum\s*/[0-9A-Fa-f]+|/(?:CreationDate|ModDate)\s*\([^)]*\)|/ID\s*\[[^\]]*\]|<xmp:\w*Date>[^<]*</xmp:\w*Date>|uuid:[0-9a-fA-F-]{36}"
)
# Where a _VOLATILE match can start (its alternatives' literal prefixes), found at memchr speed.
_VOLATILE_AT = (re.compile(rb"/(?=DocChecksum|CreationDate|ModDate|ID)"), re.compile(rb"<xmp:"), re.compile(rb"uuid:"))


class PypdfOutput:
    """The output document as a pypdf `PdfWriter` (`append` of readers, no per-page cloning)."""

    name = "pypdf"

    def __init__(self, digest: Any):
        self.writer = PdfWriter()
        self.digest = digest  # the /ID is derived from the content, user files included

    @property
    def page_count(self) -> int:
        return len(self.writer.pages)

    def append(self, path: Path, warn: Callable[[Said], None]) -> Said | None:
        """Append user PDF `path`; None on success, else why it could not be (nothing appended)."""
        reader, problem = self._open(path, warn)
        if reader is None:
            return problem
        start = len(self.writer.pages)
        try:
            self.writer.append(reader, import_outline=False)
            found = has_active_catalog(reader.root_object)
            for page in self.writer.pages[start:]:
                found |= strip_active_page(page)
            if "/AcroForm" in reader.root_object:
                found |= strip_active_fields(self.writer.root_object.get("/AcroForm"))
            if found:
                warn(MSG_SCRIPTS)
            check_sizes(warn, [box_size(p.cropbox) for p in self.writer.pages[start:]])
        except Exception as exc:  # a broken object deep inside the file
            pages: Any = self.writer.pages  # a list-like view that deletes (typed as a Sequence)
            del pages[start:]
            return broken(type(exc).__name__)
        return None

    def _open(self, path: Path, warn: Callable[[Said], None]) -> tuple[Any, Said | None]:
        """(reader, None) or (None, reason)."""
        try:
            data = path.read_bytes()
        except OSError:
            return None, MSG_UNREADABLE
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                    return None, MSG_ENCRYPTED
                warn(MSG_OWNER_PASSWORD)
            count = len(reader.pages)
        except Exception as exc:
            name = type(exc).__name__
            if name == "DependencyError":
                return None, MSG_AES
            return None, damaged(name)
        if count == 0:
            return None, MSG_NO_PAGES
        _hash_stable(self.digest, data)
        return reader, None

    def open_generated(self, data: bytes) -> Any:
        return PdfReader(io.BytesIO(data))

    def insert(self, doc: Any, index: int, pos: int) -> None:
        self.writer.insert_page(doc.pages[index], pos)

    def stamp(self, kit: StampKit, front: Any, numbered: list[bool]) -> None:
        fonts = front.pages[0]["/Resources"]["/Font"]
        kit.attach(lambda name: fonts.raw_get(name).clone(self.writer))
        _stamp_pages(self.writer, kit, numbered)

    def finish(self, parts: list[PartPages], metadata: dict[str, str]) -> None:
        w = self.writer
        parent = None
        for part in parts:
            if part.in_toc or parent is None:
                parent = w.add_outline_item(title=part.title, page_number=part.start_page - 1)
            else:
                w.add_outline_item(title=part.title, page_number=part.start_page - 1, parent=parent)
        w.page_mode = "/UseOutlines"
        w.add_metadata(metadata)
        if w.pdf_header < "%PDF-1.4":
            w.pdf_header = "%PDF-1.4"  # transparency for the watermark
        file_id = ByteStringObject(self.digest.digest()[:16])
        w._ID = ArrayObject([file_id, file_id])

    def write(self, fh: Any) -> None:
        self.writer.write(fh)


def _hash_stable(digest: Any, data: bytes) -> None:
    """`digest.update(_VOLATILE.sub(b"", data))`, about 8x faster on big files.

    Every alternative of `_VOLATILE` starts with a literal, so the pattern is only tried where one
    of them occurs; `re` alone tries it at every byte of a scan's image data.
    """
    view, pos = memoryview(data), 0
    for start in sorted({m.start() for rx in _VOLATILE_AT for m in rx.finditer(data)}):
        if start < pos:
            continue
        match = _VOLATILE.match(data, start)
        if match:
            digest.update(view[pos:start])
            pos = match.end()
    digest.update(view[pos:])


def _stamp_pages(writer: Any, kit: StampKit, numbered: list[bool]) -> None:
    """Wrap each page's content in q/Q and append page number + watermark streams."""

    def stream(data: str) -> Any:
        obj = DecodedStreamObject()
        obj.set_data(data.encode("ascii"))
        return writer._add_object(obj)

    push = stream("q\n")
    gstate = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/ExtGState"),
                NameObject("/ca"): FloatObject(WATERMARK_ALPHA),
                NameObject("/CA"): FloatObject(WATERMARK_ALPHA),
            }
        )
    )
    shared: dict[tuple[float, float, str], Any] = {}
    for index, page in enumerate(writer.pages):
        w, h, cm = display_geometry(page.cropbox, page.rotation)
        key = (round(w, 2), round(h, 2), cm)
        if key not in shared:
            mark = f"q {cm} cm {watermark_ops(kit, w, h)} Q\n" if kit.watermark else ""
            shared[key] = stream(f"\nQ\n{mark}")
        streams = [push, *_content_refs(page), shared[key]]
        if numbered[index]:
            streams.append(stream(f"q {cm} cm {number_ops(kit, index + 1, w, h)} Q\n"))
        page[NameObject("/Contents")] = ArrayObject(streams)
        _add_resources(page, kit.refs, gstate)


def _content_refs(page: Any) -> list[Any]:
    contents = page.get("/Contents")
    if contents is None:
        return []
    if isinstance(contents, ArrayObject):
        return list(contents)
    resolved = contents.get_object()
    if isinstance(resolved, ArrayObject):
        return list(resolved)
    return [contents]


def _add_resources(page: Any, fonts: dict[str, Any], gstate: Any) -> None:
    res = page.get("/Resources")
    if res is None:
        res = DictionaryObject()
        page[NameObject("/Resources")] = res
    res = res.get_object()
    for key, entries in (("/Font", fonts), ("/ExtGState", {"/ZK_GS": gstate})):
        sub = res.get(key)
        if sub is None:
            sub = DictionaryObject()
            res[NameObject(key)] = sub
        sub = sub.get_object()
        for name, ref in entries.items():
            sub[NameObject(name)] = ref
