"""The output document with pikepdf (qpdf): the default engine when pikepdf is installed.

Same interface and behaviour as `out_pypdf.PypdfOutput`: qpdf copies objects in C++ and reads
stream data only while saving. pikepdf is imported when an output is created, so this module
loads without it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zonekit.document.pdf.report import PartPages
from zonekit.document.pdf.sanitize import (
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


class PikeOutput:
    """The output document as a pikepdf `Pdf` (qpdf): `pages.extend` of each user PDF."""

    name = "pikepdf"

    def __init__(self, digest: Any):  # the /ID is a hash of the written file instead (see `write`)
        import pikepdf

        self.pk = pikepdf
        self.pdf = pikepdf.Pdf.new()
        self.sources: list[Any] = []  # kept open: qpdf reads copied streams from them while saving
        self.version = (1, 4)  # transparency for the watermark; raised to the newest input's

    @property
    def page_count(self) -> int:
        return len(self.pdf.pages)

    def append(self, path: Path, warn: Callable[[Said], None]) -> Said | None:
        """Append user PDF `path`; None on success, else why it could not be (nothing appended)."""
        pk = self.pk
        try:  # from memory: one open file per input could exhaust the descriptors
            data = path.read_bytes()
        except OSError:
            return MSG_UNREADABLE
        try:
            src = pk.Pdf.open(io.BytesIO(data))
            if src.is_encrypted:
                warn(MSG_OWNER_PASSWORD)
            count = len(src.pages)
        except pk.PasswordError:
            return MSG_ENCRYPTED
        except Exception as exc:
            return damaged(type(exc).__name__)
        if count == 0:
            return MSG_NO_PAGES
        start = len(self.pdf.pages)
        try:
            # scripts and attachments are removed from the source first, so they are never copied
            found = has_active_catalog(src.Root)
            for page in src.pages:
                found |= strip_active_page(page.obj)
            acroform = src.Root.get("/AcroForm")
            if acroform is not None:
                found |= strip_active_fields(acroform)
            self.pdf.pages.extend(src.pages)
            if acroform is not None:
                self._merge_acroform(src)
            if found:
                warn(MSG_SCRIPTS)
            check_sizes(warn, [box_size(p.cropbox) for p in self.pdf.pages[start:]])
        except Exception as exc:  # a broken object deep inside the file
            del self.pdf.pages[start:]
            return broken(type(exc).__name__)
        for message in src.get_warnings():  # qpdf's repair notes: the renderer warns about the file
            logging.getLogger("pikepdf").warning(message)
        self.version = max(self.version, _version(src.pdf_version))
        self.sources.append(src)
        return None

    def _merge_acroform(self, src: Any) -> None:
        """As pypdf's append: the first form dictionary is kept, later files add their /Fields."""
        pk = self.pk
        form = src.Root.AcroForm
        if not form.is_indirect:
            src.Root.AcroForm = src.make_indirect(form)
        copied = self.pdf.copy_foreign(src.Root.AcroForm)
        if "/AcroForm" not in self.pdf.Root:
            self.pdf.Root.AcroForm = copied
            return
        mine = self.pdf.Root.AcroForm
        if not isinstance(mine.get("/Fields"), pk.Array):
            mine.Fields = pk.Array()
        fields = copied.get("/Fields")
        if isinstance(fields, pk.Array):
            mine.Fields.extend(fields)

    def open_generated(self, data: bytes) -> Any:
        pdf = self.pk.Pdf.open(io.BytesIO(data))
        self.sources.append(pdf)
        return pdf

    def insert(self, doc: Any, index: int, pos: int) -> None:
        self.pdf.pages.insert(pos, doc.pages[index])

    def stamp(self, kit: StampKit, front: Any, numbered: list[bool]) -> None:
        pk, pdf = self.pk, self.pdf
        fonts = front.pages[0].obj.Resources.Font
        kit.attach(lambda name: pdf.copy_foreign(fonts[name]))
        push = pdf.make_stream(b"q\n")
        gstate = pdf.make_indirect(
            pk.Dictionary(Type=pk.Name.ExtGState, ca=WATERMARK_ALPHA, CA=WATERMARK_ALPHA)
        )
        shared: dict[tuple[float, float, str], Any] = {}
        for index, page in enumerate(pdf.pages):
            # qpdf copies inherited /Rotate, /MediaBox, /CropBox onto each page it imports
            w, h, cm = display_geometry(page.cropbox, int(page.obj.get("/Rotate", 0)))
            key = (round(w, 2), round(h, 2), cm)
            if key not in shared:
                mark = f"q {cm} cm {watermark_ops(kit, w, h)} Q\n" if kit.watermark else ""
                shared[key] = pdf.make_stream(f"\nQ\n{mark}".encode("ascii"))
            contents = page.obj.get("/Contents")
            streams = [] if contents is None else list(contents) if isinstance(contents, pk.Array) else [contents]
            streams = [push, *streams, shared[key]]
            if numbered[index]:
                ops = f"q {cm} cm {number_ops(kit, index + 1, w, h)} Q\n"
                streams.append(pdf.make_stream(ops.encode("ascii")))
            page.obj.Contents = pk.Array(streams)
            res = page.obj.get("/Resources")
            if res is None:
                page.obj.Resources = res = pk.Dictionary()
            for key_name, entries in (("/Font", kit.refs), ("/ExtGState", {"/ZK_GS": gstate})):
                sub = res.get(key_name)
                if sub is None:
                    res[key_name] = sub = pk.Dictionary()
                for name, ref in entries.items():
                    sub[name] = ref

    def finish(self, parts: list[PartPages], metadata: dict[str, str]) -> None:
        pk, pdf = self.pk, self.pdf
        with pdf.open_outline() as outline:
            for part in parts:
                item = pk.OutlineItem(part.title, part.start_page - 1)
                if part.in_toc or not outline.root:
                    outline.root.append(item)
                else:
                    outline.root[-1].children.append(item)
        pdf.Root.PageMode = pk.Name.UseOutlines
        pdf.trailer.Info = pdf.make_indirect(pk.Dictionary(metadata))

    def write(self, fh: Any) -> None:
        """Save, then put a hash of the file in place of qpdf's fixed placeholder /ID.

        qpdf's own `deterministic_id` hashes the content in a second pass: ~40 % more save time.
        """
        self.pdf.save(fh, min_version=".".join(map(str, self.version)), static_id=True)
        fh.flush()
        fh.seek(0)
        file_id = hashlib.file_digest(fh, "sha256").hexdigest()[:32].encode("ascii")
        end = fh.seek(0, os.SEEK_END)
        tail_at = fh.seek(max(0, end - 4096))
        placeholder = b"<" + _QPDF_STATIC_ID + b">"
        at = fh.read().rfind(b"/ID [" + placeholder + placeholder + b"]")
        if at < 0:  # not the trailer qpdf writes: render_pdf falls back to pypdf
            raise RuntimeError("qpdf wrote no placeholder /ID")
        fh.seek(tail_at + at)
        fh.write(b"/ID [<" + file_id + b"><" + file_id + b">]")


_QPDF_STATIC_ID = b"31415926535897932384626433832795"  # what qpdf writes for static_id=True


def _version(text: str) -> tuple[int, int]:
    try:
        major, minor = text.split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return (1, 4)
