"""Render a `Bundle` into one print-ready A4 PDF.

Pipeline (`render_pdf`):

1. User PDFs are appended to the output document as they are (pikepdf `pages.extend` when pikepdf
   is installed, else pypdf `PdfWriter.append`; see "output documents" below), scripts and
   embedded files are removed; unreadable ones become placeholder pages. Images are decoded,
   EXIF-rotated and downscaled to ~200 dpi.
2. Everything zonekit generates (sections, image pages, placeholder pages) is laid out with
   reportlab platypus in one "body" document, GB/T 9704-2012 flavoured (仿宋 3号, 28 pt lines,
   margins 37/35/28/26 mm). Zero-size marks record the page each part starts on. Should
   reportlab fail to split an over-tall table row, the parts that fail alone are laid out again
   with those cells cut to 40 % of a page (and a warning).
3. The "front" document (cover + 目录) is laid out last, once the real page numbers are known;
   the TOC reserves a fixed column for the numbers so its page count does not depend on them.
4. Generated pages are inserted around the appended ones, then every page gets a tiny extra
   content stream with its page number ("— 7 —", odd pages right, even pages left) and the
   optional diagonal watermark. The stamp text uses the front document's embedded font subset,
   so nothing is re-parsed or merged page by page.
5. Outline, metadata and a content-derived /ID are added and the file is written atomically.

Bad user files never raise: they become placeholder pages plus a (file, Chinese message) warning.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import io
import logging
import math
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image, ImageOps
from pypdf import PasswordType, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    PdfObject,
)
from reportlab import platypus as rl
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus.paraparser import ParaParser

from zonekit.document import (
    Attachment,
    Block,
    Bundle,
    Cell,
    CellLike,
    PageBreak,
    Para,
    Placeholder,
    SealBlock,
    Section,
    Spacer,
    Table,
)
from zonekit.document import Image as ImageBlock
from zonekit.fonts import FontChoice

MM = 72 / 25.4
A4_W, A4_H = 595.2755905511812, 841.8897637795277
A4_TOLERANCE = 2 * MM
IMAGE_DPI = 200
PAGE_NO_SIZE = 14  # 4号
PAGE_NO_BASELINE = 26 * MM  # the dash sits ~7 mm below the 35 mm bottom margin
PAGE_NO_INSET_ODD = 26 * MM + PAGE_NO_SIZE  # 单页码居右空一字
PAGE_NO_INSET_EVEN = 28 * MM + PAGE_NO_SIZE  # 双页码居左空一字
WATERMARK_GREY = 0.55
WATERMARK_ALPHA = 0.25
TOC_DOTS = "…"
NUMBER_COVER = False  # the cover counts as page 1 but carries no printed number
ACTIVE_ACTIONS = ("/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute")

MSG_NOT_A4 = "页面尺寸不是A4"
MSG_SCRIPTS = "已删除PDF中的脚本/附件"
MSG_OWNER_PASSWORD = "PDF设有权限密码，已解除限制后合并；请确认该文件允许打印"
ENGINE_ENV = "ZONEKIT_PDF_ENGINE"  # "pypdf": never use pikepdf; "pikepdf": require it
MSG_PRINT_SEPARATELY = "请单独打印该文件，放在此页位置。"
CLAMP_NOTE = "……（内容过长，已截断）"

# Timestamps and random ids a converter (e.g. LibreOffice) writes into every PDF: left out of the
# content hash that becomes our /ID, so identical content gives an identical bundle.
_VOLATILE = re.compile(
    rb"/DocChecksum\s*/[0-9A-Fa-f]+|/(?:CreationDate|ModDate)\s*\([^)]*\)|/ID\s*\[[^\]]*\]|<xmp:\w*Date>[^<]*</xmp:\w*Date>|uuid:[0-9a-fA-F-]{36}"
)
# Where a _VOLATILE match can start (its alternatives' literal prefixes), found at memchr speed.
_VOLATILE_AT = (re.compile(rb"/(?=DocChecksum|CreationDate|ModDate|ID)"), re.compile(rb"<xmp:"), re.compile(rb"uuid:"))


@dataclass(frozen=True)
class _Layout:
    width: float
    height: float
    top: float
    bottom: float
    left: float
    right: float

    @property
    def frame(self) -> tuple[float, float, float, float]:
        """x, y, width, height of the text area."""
        return (
            self.left,
            self.bottom,
            self.width - self.left - self.right,
            self.height - self.top - self.bottom,
        )


PORTRAIT = _Layout(A4_W, A4_H, top=37 * MM, bottom=35 * MM, left=28 * MM, right=26 * MM)
LANDSCAPE = _Layout(A4_H, A4_W, top=30 * MM, bottom=35 * MM, left=28 * MM, right=26 * MM)


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
    warnings: list[tuple[str, str]]
    font: FontChoice


def render_pdf(bundle: Bundle, out: Path, *, font: FontChoice, date: datetime.datetime) -> PdfReport:
    """Write `bundle` to `out` (atomically) and report page ranges and warnings.

    The output document is assembled with pikepdf (qpdf) when it is installed, else with pypdf
    (same pages, numbers, outline and warnings; not the same bytes). Bad user files are
    placeholders with either; should qpdf still fail on something while assembling or saving,
    the bundle is rendered again with pypdf.
    """
    engine = _engine()
    with _quiet_libraries() as log, _no_gc_pauses():
        if engine is _PikeOutput:
            import pikepdf

            try:
                return _Renderer(bundle, font, date, log, _PikeOutput).render(Path(out))
            except (pikepdf.PdfError, pikepdf.ForeignObjectError, RuntimeError):
                if os.environ.get(ENGINE_ENV) == "pikepdf":
                    raise
                log.clear()
        return _Renderer(bundle, font, date, log, _PypdfOutput).render(Path(out))


def _engine() -> type[_PikeOutput] | type[_PypdfOutput]:
    """pikepdf if importable, unless ZONEKIT_PDF_ENGINE=pypdf; ZONEKIT_PDF_ENGINE=pikepdf requires it."""
    wanted = os.environ.get(ENGINE_ENV, "").strip().lower()
    if wanted == "pypdf":
        return _PypdfOutput
    try:
        import pikepdf  # noqa: F401
    except ImportError:
        if wanted == "pikepdf":
            raise
        return _PypdfOutput
    return _PikeOutput


# --------------------------------------------------------------------------- plan


@dataclass
class _Slot:
    """One part of the output PDF, in order."""

    title: str
    kind: str
    in_toc: bool
    source: str  # front | body | writer (already appended to the output writer)
    pages: int = 0
    flowables: Callable[[Any], list[Any]] | None = None  # body parts: builder(flow)
    landscape: bool = False
    body_start: int = 0  # first page in the body/front document, 1-based


@dataclass
class _Image:
    data: Any  # io.BytesIO with JPEG bytes, or a PIL image
    width: int
    height: int
    landscape: bool


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """pypdf allocates hundreds of thousands of small objects; cyclic GC passes over the
    growing heap cost more than the merge itself. Collect once afterwards instead."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _quiet_libraries() -> Iterator[list[str]]:
    """Collect pypdf/pikepdf log records and silence library warnings (this module never prints)."""
    records: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    loggers = [logging.getLogger(name) for name in ("pypdf", "pikepdf")]
    handler, propagate = _Collect(), [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield records
    finally:
        for logger, was in zip(loggers, propagate, strict=True):
            logger.removeHandler(handler)
            logger.propagate = was


class _Renderer:
    def __init__(self, bundle: Bundle, font: FontChoice, date: datetime.datetime, log: list[str], engine: Any):
        self.bundle = bundle
        self.font = font
        self.date = date
        self.log = log  # pypdf/pikepdf log records: a user PDF that adds some was repaired
        self.warnings: list[tuple[str, str]] = []
        self.digest = hashlib.sha256()
        self.out: _PypdfOutput | _PikeOutput = engine(self.digest)
        self.flow = _Flow(font.name)
        self.kit = _StampKit(font.name, bundle.watermark)
        self.clamp_parts: set[int] = set()  # body parts whose over-tall table cells get cut
        if not font.embedded:
            self.warnings.append(("字体", font.note or "中文字体未嵌入"))

    # -- orchestration

    def render(self, out: Path) -> PdfReport:
        slots = [self._plan(part) for part in self.bundle.parts]
        body = self._render_body(slots)
        front_slots, front = self._render_front(slots)
        slots = front_slots + slots
        self._insert_generated(slots, body, front)
        numbered = [NUMBER_COVER or s.kind != "cover" for s in slots for _ in range(s.pages)]
        self.out.stamp(self.kit, front, numbered)
        parts = self._page_ranges(slots)
        self._finish(parts)
        _write_atomically(out, self.out.write)
        return PdfReport(self.out.page_count, parts, self.warnings, self.font)

    def _plan(self, part: Any) -> _Slot:
        if isinstance(part, Section):
            return _Slot(
                part.title,
                "section",
                part.in_toc,
                "body",
                flowables=lambda flow, s=part: flow.section(s),
                landscape=part.landscape,
            )
        if isinstance(part, Placeholder):
            return self._placeholder(part.title, part.message, part.in_toc)
        if isinstance(part, Attachment):
            return self._plan_attachment(part)
        raise TypeError(f"unknown bundle part: {part!r}")

    def _plan_attachment(self, att: Attachment) -> _Slot:
        kind = att.kind
        if kind == "office" and Path(att.path).suffix.lower() == ".pdf":
            kind = "pdf"
        if kind == "pdf":
            return self._append_pdf(att)
        if kind == "image":
            return self._plan_image(att)
        self._warn(att.path, "无法自动转换该文件，已用占位页代替；请另存为PDF或单独打印")
        return self._placeholder(att.title, _cannot_include(att.path, "无法自动转换"), att.in_toc)

    def _placeholder(self, title: str, message: str, in_toc: bool) -> _Slot:
        return _Slot(
            title,
            "placeholder",
            in_toc,
            "body",
            flowables=lambda flow: flow.placeholder(title, message),
        )

    def _warn(self, where: Path | str, message: str) -> None:
        self.warnings.append((str(where), message))

    # -- user PDFs

    def _append_pdf(self, att: Attachment) -> _Slot:
        logged = len(self.log)
        start = self.out.page_count
        problem = self.out.append(Path(att.path), lambda message: self._warn(att.path, message))
        if problem:
            self._warn(att.path, f"PDF{problem}，已用占位页代替，请单独打印")
            return self._placeholder(att.title, _cannot_include(att.path, f"PDF{problem}"), att.in_toc)
        if len(self.log) > logged:
            self._warn(att.path, "PDF文件结构不规范，已自动修复；请检查打印效果")
        return _Slot(att.title, "pdf", att.in_toc, "writer", pages=self.out.page_count - start)

    # -- images

    def _plan_image(self, att: Attachment) -> _Slot:
        image, problem = _prepare_image(Path(att.path))
        if image is None:
            self._warn(att.path, f"图片{problem}，已用占位页代替，请单独打印")
            return self._placeholder(att.title, _cannot_include(att.path, f"图片{problem}"), att.in_toc)
        if problem:
            self._warn(att.path, problem)
        return _Slot(
            att.title,
            "image",
            att.in_toc,
            "body",
            flowables=lambda flow, img=image: [_ImagePage(img)],
            landscape=image.landscape,
        )

    # -- generated documents

    def _render_body(self, slots: list[_Slot]) -> Any:
        body = [s for s in slots if s.source == "body"]
        if not body:
            return None
        try:
            data, pages, marks = self._build_body(body)
        except rl.LayoutError:  # e.g. a table cell taller than a page that reportlab cannot split
            self.clamp_parts = {i for i, slot in enumerate(body) if not self._builds_alone(slot)}
            data, pages, marks = self._build_body(body)
            for title in dict.fromkeys(self.flow.clamped):
                self._warn(title, "表格中有单元格内容超过一页，已截断显示；请核对原表")
        _assign_pages(body, marks, pages)
        self.digest.update(data)
        return self.out.open_generated(data)

    def _builds_alone(self, slot: _Slot) -> bool:
        assert slot.flowables is not None
        try:
            _build_doc(slot.flowables(self.flow), self.font.name, slot.landscape, on_page=None)
        except rl.LayoutError:
            return False
        return True

    def _build_body(self, body: list[_Slot]) -> tuple[bytes, int, dict[int, int]]:
        story: list[Any] = []
        marks: dict[int, int] = {}
        for i, slot in enumerate(body):
            if story:
                story += [_next_template(slot.landscape), _page_break()]
            story.append(_Mark(i, marks))
            assert slot.flowables is not None
            self.flow.part, self.flow.clamp_cells = slot.title, i in self.clamp_parts
            story += slot.flowables(self.flow)
        data, pages = _build_doc(story, self.font.name, body[0].landscape, on_page=None)
        return data, pages, marks

    def _render_front(self, slots: list[_Slot]) -> tuple[list[_Slot], Any]:
        """Cover + 目录; re-laid-out until the TOC's page count is stable."""
        cover = bool(self.bundle.cover)
        entries = [s for s in slots if s.in_toc]
        toc = self.bundle.toc and bool(entries)
        counts = (1 if cover else 0, self.flow.toc_pages_estimate(len(entries)) if toc else 0)
        for _ in range(5):
            front = sum(counts)
            numbers, page = [], front + 1
            for slot in slots:
                if slot.in_toc:
                    numbers.append(page)
                page += slot.pages
            story, marks = self._front_story(cover, toc, entries, numbers)
            data, pages = _build_doc(story, self.font.name, False, on_page=self._front_page)
            measured = (
                marks.get(1, pages + 1) - 1 if cover else 0,
                pages - marks.get(1, 1) + 1 if toc else 0,
            )
            if measured == counts:
                break
            counts = measured
        front_slots = []
        if cover:
            front_slots.append(_Slot("封面", "cover", False, "front", counts[0], body_start=1))
        if toc:
            front_slots.append(_Slot("目录", "toc", False, "front", counts[1], body_start=counts[0] + 1))
        self.digest.update(data)
        return front_slots, self.out.open_generated(data)

    def _front_story(
        self, cover: bool, toc: bool, entries: list[_Slot], numbers: list[int]
    ) -> tuple[list[Any], dict[int, int]]:
        marks: dict[int, int] = {}
        story: list[Any] = []
        if cover:
            story += self.flow.blocks(self.bundle.cover, PORTRAIT.frame[2])
        if toc:
            if story:
                story.append(_page_break())
            story.append(_Mark(1, marks))
            story += self.flow.toc([s.title for s in entries], numbers)
        if not story:  # only needed for the stamp font
            story.append(_spacer(1))
        return story, marks

    def _front_page(self, canv: Any, doc: Any) -> None:
        self.kit.prime(canv)
        canv.setNamedCB("zk_toc", self.flow.draw_toc_number)

    # -- assembly

    def _insert_generated(self, slots: list[_Slot], body: Any, front: Any) -> None:
        pos = 0
        for slot in slots:
            if slot.source == "writer":
                pos += slot.pages
                continue
            doc = front if slot.source == "front" else body
            for k in range(slot.pages):
                self.out.insert(doc, slot.body_start - 1 + k, pos)
                pos += 1

    def _page_ranges(self, slots: list[_Slot]) -> list[PartPages]:
        parts, page = [], 1
        for slot in slots:
            parts.append(PartPages(slot.title, page, page + slot.pages - 1, slot.kind, slot.in_toc or slot.kind in ("cover", "toc")))
            page += slot.pages
        return parts

    def _finish(self, parts: list[PartPages]) -> None:
        stamp = _pdf_date(self.date)
        metadata = {
            "/Title": self.bundle.title,
            "/Author": self.bundle.author,
            "/Subject": self.bundle.subject,
            "/Creator": "zonekit",
            "/Producer": f"zonekit (reportlab, {self.out.name})",
            "/CreationDate": stamp,
            "/ModDate": stamp,
        }
        for text in (self.bundle.title, self.bundle.author, self.bundle.subject, stamp, str(parts)):
            self.digest.update(text.encode())
        self.out.finish(parts, metadata)


def _cannot_include(path: Path | str, reason: str) -> str:
    return f"文件“{Path(path).name}”{reason}，未能放入本文件。{MSG_PRINT_SEPARATELY}"


def _assign_pages(slots: list[_Slot], marks: dict[int, int], total: int) -> None:
    for i, slot in enumerate(slots):
        slot.body_start = marks[i]
        end = marks[i + 1] - 1 if i + 1 < len(slots) else total
        slot.pages = end - slot.body_start + 1


def _pdf_date(date: datetime.datetime) -> str:
    text = date.strftime("D:%Y%m%d%H%M%S")
    offset = date.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{text}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def _write_atomically(out: Path, write: Callable[[Any], None]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w+b") as fh:
            write(fh)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- output documents
#
# The renderer lays out pages and decides where everything goes; an output document object holds
# the pages and does the PDF-object work: append a user PDF (with the checks), insert generated
# pages, stamp, outline/metadata, save. Two implementations with the same behaviour:
# `_PikeOutput` (pikepdf/qpdf, used when installed: copies objects in C++ and reads stream data
# only while saving) and `_PypdfOutput` (pure Python, the fallback).


class _PypdfOutput:
    """The output document as a pypdf `PdfWriter` (`append` of readers, no per-page cloning)."""

    name = "pypdf"

    def __init__(self, digest: Any):
        self.writer = PdfWriter()
        self.digest = digest  # the /ID is derived from the content, user files included

    @property
    def page_count(self) -> int:
        return len(self.writer.pages)

    def append(self, path: Path, warn: Callable[[str], None]) -> str:
        """Append user PDF `path`; "" on success, else why it could not be (nothing appended)."""
        reader, problem = self._open(path, warn)
        if reader is None:
            return problem
        start = len(self.writer.pages)
        try:
            self.writer.append(reader, import_outline=False)
            found = _has_active_catalog(reader.root_object)
            for page in self.writer.pages[start:]:
                found |= _strip_active_page(page)
            if "/AcroForm" in reader.root_object:
                found |= _strip_active_fields(self.writer.root_object.get("/AcroForm"))
            if found:
                warn(MSG_SCRIPTS)
            _check_sizes(warn, [_box_size(p.cropbox) for p in self.writer.pages[start:]])
        except Exception as exc:  # a broken object deep inside the file
            del self.writer.pages[start:]
            return f"无法读取（{type(exc).__name__}）"
        return ""

    def _open(self, path: Path, warn: Callable[[str], None]) -> tuple[Any, str]:
        """(reader, "") or (None, reason)."""
        try:
            data = path.read_bytes()
        except OSError:
            return None, "文件不存在或无法读取"
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                    return None, "已加密（需要打开密码）"
                warn(MSG_OWNER_PASSWORD)
            count = len(reader.pages)
        except Exception as exc:
            name = type(exc).__name__
            if name == "DependencyError":
                return None, "使用AES加密，缺少解密组件（cryptography）"
            return None, f"已损坏或无法读取（{name}）"
        if count == 0:
            return None, "没有页面"
        _hash_stable(self.digest, data)
        return reader, ""

    def open_generated(self, data: bytes) -> Any:
        return PdfReader(io.BytesIO(data))

    def insert(self, doc: Any, index: int, pos: int) -> None:
        self.writer.insert_page(doc.pages[index], pos)

    def stamp(self, kit: _StampKit, front: Any, numbered: list[bool]) -> None:
        fonts = front.pages[0]["/Resources"]["/Font"]
        kit.attach(lambda name: fonts.raw_get(name).clone(self.writer))
        _stamp_pages(self.writer, kit, numbered)

    def finish(self, parts: list[PartPages], metadata: dict[str, str]) -> None:
        w = self.writer
        parent = None
        for part in parts:
            if part.in_toc or parent is None:
                parent = w.add_outline_item(part.title, part.start_page - 1)
            else:
                w.add_outline_item(part.title, part.start_page - 1, parent=parent)
        w.page_mode = "/UseOutlines"
        w.add_metadata(metadata)
        if w.pdf_header < "%PDF-1.4":
            w.pdf_header = "%PDF-1.4"  # transparency for the watermark
        file_id = ByteStringObject(self.digest.digest()[:16])
        w._ID = ArrayObject([file_id, file_id])

    def write(self, fh: Any) -> None:
        self.writer.write(fh)


class _PikeOutput:
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

    def append(self, path: Path, warn: Callable[[str], None]) -> str:
        """Append user PDF `path`; "" on success, else why it could not be (nothing appended)."""
        pk = self.pk
        try:  # from memory: one open file per input could exhaust the descriptors
            data = path.read_bytes()
        except OSError:
            return "文件不存在或无法读取"
        try:
            src = pk.Pdf.open(io.BytesIO(data))
            if src.is_encrypted:
                warn(MSG_OWNER_PASSWORD)
            count = len(src.pages)
        except pk.PasswordError:
            return "已加密（需要打开密码）"
        except Exception as exc:
            return f"已损坏或无法读取（{type(exc).__name__}）"
        if count == 0:
            return "没有页面"
        start = len(self.pdf.pages)
        try:
            # scripts and attachments are removed from the source first, so they are never copied
            found = _has_active_catalog(src.Root)
            for page in src.pages:
                found |= _strip_active_page(page.obj)
            acroform = src.Root.get("/AcroForm")
            if acroform is not None:
                found |= _strip_active_fields(acroform)
            self.pdf.pages.extend(src.pages)
            if acroform is not None:
                self._merge_acroform(src)
            if found:
                warn(MSG_SCRIPTS)
            _check_sizes(warn, [_box_size(p.cropbox) for p in self.pdf.pages[start:]])
        except Exception as exc:  # a broken object deep inside the file
            del self.pdf.pages[start:]
            return f"无法读取（{type(exc).__name__}）"
        for message in src.get_warnings():  # qpdf's repair notes: the renderer warns about the file
            logging.getLogger("pikepdf").warning(message)
        self.version = max(self.version, _version(src.pdf_version))
        self.sources.append(src)
        return ""

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

    def stamp(self, kit: _StampKit, front: Any, numbered: list[bool]) -> None:
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
            w, h, cm = _display_geometry(page.cropbox, int(page.obj.get("/Rotate", 0)))
            key = (round(w, 2), round(h, 2), cm)
            if key not in shared:
                mark = f"q {cm} cm {_watermark_ops(kit, w, h)} Q\n" if kit.watermark else ""
                shared[key] = pdf.make_stream(f"\nQ\n{mark}".encode("ascii"))
            contents = page.obj.get("/Contents")
            streams = [] if contents is None else list(contents) if isinstance(contents, pk.Array) else [contents]
            streams = [push, *streams, shared[key]]
            if numbered[index]:
                ops = f"q {cm} cm {_number_ops(kit, index + 1, w, h)} Q\n"
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


# --------------------------------------------------------------------------- user PDF checks


def _box_size(box: Any) -> tuple[float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    return x1 - x0, y1 - y0


def _is_a4(w: float, h: float) -> bool:
    short, long_ = sorted((abs(w), abs(h)))
    return abs(short - A4_W) <= A4_TOLERANCE and abs(long_ - A4_H) <= A4_TOLERANCE


def _check_sizes(warn: Callable[[str], None], sizes: list[tuple[float, float]]) -> None:
    odd = [(i, size) for i, size in enumerate(sizes, 1) if not _is_a4(*size)]
    if odd:
        first, (w, h) = odd[0]
        warn(f"{MSG_NOT_A4}（{len(odd)}页，如第{first}页 {abs(w) / MM:.0f}×{abs(h) / MM:.0f} mm），已按原样保留")


# The helpers below work on pypdf and pikepdf objects alike (dict-like, `in`, `get`, `del`).


def _deref(obj: Any) -> Any:
    """The object an indirect reference points to (pypdf); pikepdf dereferences by itself.

    (No hasattr() on pikepdf objects: a missing attribute raises ValueError there.)
    """
    return obj.get_object() if isinstance(obj, PdfObject) else obj


def _is_dict(obj: Any) -> bool:
    if isinstance(obj, DictionaryObject):
        return True
    pikepdf = sys.modules.get("pikepdf")
    return pikepdf is not None and isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream))


def _same_kind_array(like: Any, items: list[Any]) -> Any:
    pikepdf = sys.modules.get("pikepdf")
    if pikepdf is not None and isinstance(like, pikepdf.Object):
        return pikepdf.Array(items)
    return ArrayObject(items)


def _identity(obj: Any) -> Any:
    objgen = getattr(obj, "objgen", None)  # pikepdf wrappers are new Python objects on every access
    return objgen if objgen and objgen != (0, 0) else id(obj)


def _has_active_catalog(root: Any) -> bool:
    if "/AA" in root:
        return True
    action = root.get("/OpenAction")
    if action is not None and _is_dict(_deref(action)):
        if _deref(action).get("/S") in ACTIVE_ACTIONS:
            return True
    names = root.get("/Names")
    names = _deref(names) if names is not None else {}
    return "/JavaScript" in names or "/EmbeddedFiles" in names


def _strip_active_page(page: Any) -> bool:
    found = False
    if "/AA" in page:
        del page["/AA"]
        found = True
    annots = page.get("/Annots")
    if annots is None:
        return found
    annots = _deref(annots)
    kept = []
    for ref in annots:
        annot = _deref(ref)
        if not _is_dict(annot):
            continue
        if annot.get("/Subtype") == "/FileAttachment":
            found = True
            continue
        found |= _strip_actions(annot)
        kept.append(ref)
    page[NameObject("/Annots")] = _same_kind_array(annots, kept)
    return found


def _strip_actions(obj: Any) -> bool:
    found = False
    if "/AA" in obj:
        del obj["/AA"]
        found = True
    action = obj.get("/A")
    if action is not None and _is_dict(_deref(action)):
        if _deref(action).get("/S") in ACTIVE_ACTIONS:
            del obj["/A"]
            found = True
    return found


def _strip_active_fields(acroform: Any) -> bool:
    if acroform is None:
        return False
    acroform = _deref(acroform)
    if not _is_dict(acroform):
        return False
    found = False
    if "/XFA" in acroform:
        del acroform["/XFA"]
        found = True
    fields = acroform.get("/Fields")
    stack = list(_deref(fields)) if fields is not None else []
    seen: set[Any] = set()
    while stack:
        field_obj = _deref(stack.pop())
        if _identity(field_obj) in seen or not _is_dict(field_obj):
            continue
        seen.add(_identity(field_obj))
        found |= _strip_actions(field_obj)
        kids = field_obj.get("/Kids")
        stack.extend(_deref(kids) if kids is not None else [])
    return found


# --------------------------------------------------------------------------- images


def _prepare_image(path: Path) -> tuple[_Image | None, str]:
    """Decode, EXIF-rotate and downscale; (image, note) or (None, reason)."""

    try:
        with Image.open(path) as im:
            return _convert_image(im, path)
    except FileNotFoundError:
        return None, "文件不存在"
    except Exception as exc:  # not an image, truncated, decompression bomb, …
        return None, f"无法识别或已损坏（{type(exc).__name__}）"


def _convert_image(im: Any, path: Path) -> tuple[_Image, str]:
    orientation = im.getexif().get(0x0112, 1)
    turned = orientation in (5, 6, 7, 8)
    w, h = (im.height, im.width) if turned else im.size
    landscape = w > h
    _, _, box_w, box_h = (LANDSCAPE if landscape else PORTRAIT).frame
    scale = min(box_w / w, box_h / h) * IMAGE_DPI / 72  # pixels wanted per source pixel
    shrink = scale < 0.9
    note = "多页图像只放入了第一页" if getattr(im, "n_frames", 1) > 1 else ""
    if im.format == "JPEG" and orientation == 1 and not shrink and im.mode in ("RGB", "L"):
        return _Image(io.BytesIO(path.read_bytes()), w, h, landscape), note
    target = (max(1, round(w * scale)), max(1, round(h * scale)))
    if shrink and im.format == "JPEG":
        im.draft(im.mode, (target[1], target[0]) if turned else target)
    im.load()
    photo = im.format == "JPEG"
    im = _flatten_colours(ImageOps.exif_transpose(im))
    if shrink:
        im = im.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if photo or im.getcolors(256) is None:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=88)
        return _Image(io.BytesIO(buf.getvalue()), im.width, im.height, landscape), note
    return _Image(im, im.width, im.height, landscape), note


def _flatten_colours(im: Any) -> Any:
    """RGB or L, transparency composited on white paper."""

    if im.mode in ("RGB", "L"):
        return im
    if im.mode == "P":
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        im = im.convert("RGBA")
        paper = Image.new("RGB", im.size, "white")
        paper.paste(im, mask=im.getchannel("A"))
        return paper
    if im.mode in ("1", "I;16", "I;16B", "I;16L", "I", "F"):
        return im.convert("L") if im.mode == "1" else _to_grey(im)
    return im.convert("RGB")


def _to_grey(im: Any) -> Any:
    """16-bit / integer / float greyscale stretched to 8 bits."""
    im = im.convert("F")
    lo, hi = im.getextrema()
    scale = 255 / (hi - lo) if hi > lo else 1.0
    return im.point(lambda v: (v - lo) * scale).convert("L")


# --------------------------------------------------------------------------- reportlab layout


def _styles(font: str) -> dict[str, Any]:
    def style(name: str, size: float = 16, leading: float = 28, **kw: Any) -> Any:
        kw.setdefault("alignment", TA_LEFT)
        return ParagraphStyle(
            f"zk-{name}", fontName=font, fontSize=size, leading=leading, wordWrap="CJK", **kw
        )

    return {
        "title": style("title", 22, 36, alignment=TA_CENTER, spaceAfter=14),
        "subtitle": style("subtitle", alignment=TA_CENTER, spaceAfter=8),
        "heading1": style("heading1", firstLineIndent=32),
        "heading2": style("heading2", firstLineIndent=32),
        "body": style("body", firstLineIndent=32, alignment=TA_JUSTIFY),
        "plain": style("plain"),
        "note": style("note", 14, 24),
        "right": style("right", alignment=TA_RIGHT),
        "center": style("center", alignment=TA_CENTER),
        "toc": style("toc", 14, 28, rightIndent=4 * 14),
        "toc-title": style("toc-title", 22, 36, alignment=TA_CENTER, spaceAfter=20),
    }


BOLD_STYLES = ("title", "heading1")
_MARKUP_CHARS = re.compile(r"[&<>]")


def _markup(text: str) -> str:
    return escape(text).replace("\r\n", "\n").replace("\n", "<br/>")


class _BoldParagraph(rl.Paragraph):
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


class _CellParagraph(_WrapOnce, rl.Paragraph):
    pass


class _BoldCellParagraph(_WrapOnce, _BoldParagraph):
    pass


class _Flow:
    """Turns document blocks into reportlab flowables in one CJK font."""

    def __init__(self, font: str):
        self.font = font
        self.styles = _styles(font)
        self._cell_styles: dict[tuple[float, str], Any] = {}
        self._plain_frags: dict[str, Any] = {}  # cell style name -> parsed fragment of plain text
        self.part = ""  # title of the part being converted, for warnings
        self.clamp_cells = False  # second attempt after reportlab could not split a table row
        self.clamped: list[str] = []
        self.frame_height = PORTRAIT.frame[3]

    def section(self, section: Section) -> list[Any]:
        layout = LANDSCAPE if section.landscape else PORTRAIT
        self.frame_height = layout.frame[3]
        return self.blocks(section.blocks, layout.frame[2])

    def blocks(self, blocks: list[Block], width: float) -> list[Any]:
        blocks = list(blocks)
        while blocks and isinstance(blocks[-1], PageBreak):
            blocks.pop()  # the next part starts on a new page anyway
        out: list[Any] = []
        for block in blocks:
            out += self.block(block, width)
        return out

    def block(self, block: Block, width: float) -> list[Any]:
        if isinstance(block, Para):
            return [self.para(block.text, block.style)]
        if isinstance(block, Table):
            return self.table(block, width)
        if isinstance(block, SealBlock):
            return self.seal(block, width)
        if isinstance(block, Spacer):
            return [_spacer(min(block.mm * MM, self.frame_height))]
        if isinstance(block, PageBreak):
            return [_page_break()]
        if isinstance(block, ImageBlock):
            return [_figure(block, width, self.frame_height)]
        raise TypeError(f"unknown block: {block!r}")

    def para(self, text: str, style: str = "body") -> Any:
        st = self.styles.get(style, self.styles["body"])
        if not text.strip():
            return _spacer(st.leading)
        cls = _BoldParagraph if style in BOLD_STYLES else rl.Paragraph
        return cls(_markup(text), st)

    def placeholder(self, title: str, message: str) -> list[Any]:
        return [
            _spacer(30 * MM),
            self.para(title, "title"),
            _spacer(10 * MM),
            self.para(message, "body"),
            self.para("（此页为占位页）", "center"),
        ]

    def seal(self, seal: SealBlock, width: float) -> list[Any]:
        row = [[self.para(seal.left, "plain"), self.para(seal.right, "right")]]
        table = rl.Table(row, colWidths=[width * 0.6, width * 0.4])
        table.setStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), self.font),  # else reportlab selects Helvetica
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
        return [rl.KeepTogether([_spacer(seal.stamp_mm * MM), table])] if seal.stamp_mm else [table]

    # -- tables

    def table(self, tbl: Table, width: float) -> list[Any]:
        rows = [*tbl.header, *tbl.rows, *([tbl.total] if tbl.total else [])]
        if not rows:
            return []
        ncols = max(1, max(sum(_cell(c)[1] for c in row) for row in rows))
        rel = tbl.widths if tbl.widths and len(tbl.widths) == ncols and min(tbl.widths) > 0 else [1] * ncols
        col_w = [w * width / sum(rel) for w in rel]
        size, pad = tbl.font_size, 3
        leading = round(size * 1.3, 2)
        n_head = len(tbl.header)
        total_row = len(rows) - 1 if tbl.total else -1
        cmds: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), self.font),
            ("FONTSIZE", (0, 0), (-1, -1), size),
            ("LEADING", (0, 0), (-1, -1), leading),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        if n_head:
            cmds.append(("BACKGROUND", (0, 0), (-1, n_head - 1), colors.Color(0.92, 0.92, 0.92)))
        if total_row >= 0:
            cmds.append(("BACKGROUND", (0, total_row), (-1, total_row), colors.Color(0.85, 0.85, 0.85)))
        aligned: dict[tuple[int, str], list[int]] = {}
        data = []
        for r, row in enumerate(rows):
            emphasised = r < n_head or r == total_row
            out_row: list[Any] = []
            for cell in row:
                c = len(out_row)
                if c >= ncols:
                    break
                text, span, bold, align = _cell(cell)
                if r < n_head and not isinstance(cell, Cell):
                    align = "center"
                span = min(span, ncols - c)
                avail = sum(col_w[c : c + span]) - 2 * pad
                content = self.cell(text, avail, size, leading, bold or emphasised, align)
                if isinstance(content, str) and align in ("center", "right"):
                    aligned.setdefault((c, align.upper()), []).append(r)
                if span > 1:
                    cmds.append(("SPAN", (c, r), (c + span - 1, r)))
                out_row += [content] + [""] * (span - 1)
            data.append(out_row + [""] * (ncols - len(out_row)))
        for (c, align), rs in aligned.items():
            cmds += [("ALIGN", (c, r0), (c, r1), align) for r0, r1 in _runs(rs)]
        return [_FastTable(data, colWidths=col_w, repeatRows=n_head, style=cmds, splitInRow=1)]

    def cell(self, text: str, avail: float, size: float, leading: float, bold: bool, align: str) -> Any:
        if not bold and "\n" not in text and pdfmetrics.stringWidth(text, self.font, size) <= avail:
            return text  # plain strings are much faster than paragraphs
        key = (size, align)
        if key not in self._cell_styles:
            alignment = {"center": TA_CENTER, "right": TA_RIGHT}.get(align, TA_LEFT)
            self._cell_styles[key] = ParagraphStyle(
                f"zk-cell-{size}-{align}",
                fontName=self.font,
                fontSize=size,
                leading=leading,
                alignment=alignment,
                wordWrap="CJK",
            )
        cls = _BoldCellParagraph if bold else _CellParagraph
        para = self._cell_paragraph(cls, text, self._cell_styles[key])
        if self.clamp_cells and self._too_tall(para, avail):
            para = self._clamped(cls, text, self._cell_styles[key], avail)
        return para

    def _cell_paragraph(self, cls: Any, text: str, style: Any) -> Any:
        """Plain one-line text skips reportlab's markup parser: the style's fragment, new text.

        Any markup character or unusual whitespace takes the parser (the fragments are the same).
        """
        if not text or _MARKUP_CHARS.search(text) or " ".join(text.split()) != text:
            return cls(_markup(text), style)
        frag = self._plain_frags.get(style.name)
        if frag is None:
            _, frags, _ = ParaParser().parse("x", style)
            frag = self._plain_frags[style.name] = frags[0]
        para = cls(None, style, frags=[frag.clone(text=text)])
        para.text = text
        return para

    def _too_tall(self, para: Any, avail: float) -> bool:
        return para.wrap(avail, 1e9)[1] > self.frame_height * 0.4

    def _clamped(self, cls: Any, text: str, style: Any, avail: float) -> Any:
        """The longest prefix of `text` (plus a note) filling at most 40 % of a page."""
        self.clamped.append(self.part)
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._too_tall(cls(_markup(text[:mid] + CLAMP_NOTE), style), avail):
                hi = mid - 1
            else:
                lo = mid
        return cls(_markup(text[:lo] + CLAMP_NOTE), style)

    # -- contents page

    def toc(self, titles: list[str], numbers: list[int]) -> list[Any]:
        st = self.styles["toc"]
        out = [rl.Paragraph("目\u3000\u3000录", self.styles["toc-title"])]
        for title, number in zip(titles, numbers, strict=True):
            out.append(rl.Paragraph(f'{_markup(title)}<onDraw name="zk_toc" label="{number}"/>', st))
        return out

    def toc_pages_estimate(self, entries: int) -> int:
        """Pages of a TOC with one-line entries (a first guess; the layout has the last word)."""
        title, line = self.styles["toc-title"], self.styles["toc"]
        per_page = int(PORTRAIT.frame[3] // line.leading)
        first = int((PORTRAIT.frame[3] - title.leading - title.spaceAfter) // line.leading)
        return 1 + max(0, math.ceil((entries - first) / per_page))

    def draw_toc_number(self, canv: Any, kind: str, label: str) -> None:
        """onDraw callback: leader dots from the end of the title, number right-aligned."""
        st = self.styles["toc"]
        info = canv._curr_tx_info
        x, y = info["cur_x"], info["cur_y"]
        right = PORTRAIT.frame[2]
        num_w = pdfmetrics.stringWidth(label, self.font, st.fontSize)
        dot_w = pdfmetrics.stringWidth(TOC_DOTS, self.font, st.fontSize)
        dots = max(0, int((right - num_w - x - 4) / dot_w))
        text = canv.beginText(right - num_w - dots * dot_w, y)
        text.setFont(self.font, st.fontSize)
        text.textOut(TOC_DOTS * dots + label)
        canv.drawText(text)


def _cell(cell: CellLike) -> tuple[str, int, bool, str]:
    if isinstance(cell, Cell):
        return cell.text, max(1, cell.colspan), cell.bold, cell.align
    return str(cell), 1, False, "left"


def _runs(rows: list[int]) -> Iterator[tuple[int, int]]:
    start = prev = rows[0]
    for r in rows[1:]:
        if r != prev + 1:
            yield start, prev
            start = r
        prev = r
    yield start, prev


def _spacer(height: float) -> Any:
    return rl.Spacer(1, height)


def _figure(block: ImageBlock, width: float, height: float) -> Any:
    """A picture zonekit drew (a chart): centred, aspect kept, no wider than the frame nor taller than 90% of it."""
    with Image.open(block.path) as im:
        w, h = im.size
    scale = min(block.width_mm * MM, width) / w
    scale = min(scale, 0.9 * height / h)
    return rl.Image(str(block.path), w * scale, h * scale)


def _page_break() -> Any:
    return rl.PageBreak()


def _next_template(landscape: bool) -> Any:
    return rl.NextPageTemplate("landscape" if landscape else "portrait")


class _FastTable(rl.LongTable):
    """LongTable drawing single-line string cells with one literal BT…ET each.

    reportlab's own path builds a text object per cell, which dominates the time of tables with
    thousands of rows; the output is the same text at the same position.
    """

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:
        font = pdfmetrics.getFont(cellstyle.fontname)
        if type(cellval) is not str or "\n" in cellval or not cellval or not isinstance(font, TTFont):
            return super()._drawCell(cellval, cellstyle, pos, size)
        canv, st = self.canv, cellstyle
        if self._curcellstyle is not st:
            canv.setFillColor(st.color)
            self._curcellstyle = st
        (x, y), (width, height) = pos, size
        if st.alignment == "LEFT":
            x += st.leftPadding
        else:
            text_w = pdfmetrics.stringWidth(cellval, st.fontname, st.fontsize)
            if st.alignment == "RIGHT":
                x += width - st.rightPadding - text_w
            else:
                x += (width + st.leftPadding - st.rightPadding - text_w) / 2
        y += (st.bottomPadding + height - st.topPadding + st.leading) / 2 - st.fontsize
        doc, ops = canv._doc, []
        for subset, data in font.splitString(cellval, doc):
            ops.append(f"{font.getSubsetInternalName(subset, doc)} {st.fontsize:g} Tf <{data.hex()}> Tj")
        canv.addLiteral(f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm {' '.join(ops)} ET")
        return None


class _Mark(rl.Flowable):
    """Zero-size flowable recording the page it lands on."""

    def __init__(self, key: int, sink: dict[int, int]):
        super().__init__()
        self.key, self.sink = key, sink

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.sink.setdefault(self.key, self.canv.getPageNumber())


class _ImagePage(rl.Flowable):
    """Fills the frame; draws the image centred, aspect kept."""

    def __init__(self, image: _Image):
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


def _build_doc(story: list[Any], font: str, landscape_first: bool, on_page: Any) -> tuple[bytes, int]:
    """Lay out `story` on A4 portrait/landscape templates; (pdf bytes, page count)."""

    def template(name: str, layout: _Layout) -> Any:
        x, y, w, h = layout.frame
        frame = rl.Frame(x, y, w, h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=name)
        kw = {"onPage": on_page} if on_page else {}
        return rl.PageTemplate(id=name, frames=[frame], pagesize=(layout.width, layout.height), **kw)

    templates = [template("portrait", PORTRAIT), template("landscape", LANDSCAPE)]
    if landscape_first:
        templates.reverse()
    buf = io.BytesIO()
    doc = rl.BaseDocTemplate(
        buf,
        pagesize=(A4_W, A4_H),
        pageTemplates=templates,
        invariant=1,
        pageCompression=1,
        initialFontName=font,  # keeps an unembedded Helvetica out of the font list
        creator="zonekit",
    )
    with _reportlab_settings():
        doc.build(story)
    return buf.getvalue(), doc.page


@contextmanager
def _reportlab_settings() -> Iterator[None]:
    """Plain Flate streams: ASCII85 on top only costs time and ~25 % size."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


# --------------------------------------------------------------------------- page stamps


@dataclass
class _StampKit:
    """Encodes stamp text in the front document's font so that any page can use it.

    reportlab forgets a document's subset state once it is saved, so `prime` (called while the
    front document is laid out) records the code of every character a stamp can contain.
    """

    font: str
    watermark: str | None
    refs: dict[str, Any] = field(default_factory=dict)  # resource name -> font object in writer
    _codes: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # char -> (resource, code)
    _internal: dict[str, str] = field(default_factory=dict)  # front-doc font name -> resource name

    @property
    def dash(self) -> str:
        font = pdfmetrics.getFont(self.font)
        if isinstance(font, TTFont) and ord("—") not in font.face.charToGlyph:
            return "-"
        return "—"

    def prime(self, canv: Any) -> None:
        doc, font = canv._doc, pdfmetrics.getFont(self.font)
        self._codes.clear()
        self._internal.clear()
        for ch in dict.fromkeys(f"{self.dash} 0123456789{self.watermark or ''}"):
            if isinstance(font, TTFont):
                ((subset, code),) = font.splitString(ch, doc)
                name = font.getSubsetInternalName(subset, doc)
            else:  # CID font: UCS-2 codes, one font resource
                name, code = doc.getInternalFontName(self.font), ch.encode("utf-16-be")
            resource = self._internal.setdefault(name, f"/ZK_{name.lstrip('/')}")
            self._codes[ch] = (resource, code)

    def attach(self, clone: Callable[[str], Any]) -> None:
        """Copy the front document's font objects into the output: `clone(name in front doc)`."""
        for name, resource in self._internal.items():
            self.refs[resource] = clone(name)

    def show(self, text: str, size: float) -> str:
        """Content-stream operators showing `text` at the current text position."""
        ops, current, run = [], None, b""
        for ch in text:
            resource, code = self._codes[ch]
            if resource != current and run:
                ops.append(f"{current} {size:g} Tf <{run.hex()}> Tj")
                run = b""
            current = resource
            run += code
        if run:
            ops.append(f"{current} {size:g} Tf <{run.hex()}> Tj")
        return " ".join(ops)

    def width(self, text: str, size: float) -> float:
        return pdfmetrics.stringWidth(text, self.font, size)


def _display_geometry(box: Any, rotation: int) -> tuple[float, float, str]:
    """Displayed width, height and the cm matrix mapping display space to user space."""
    x0, y0, x1, y1 = (float(v) for v in box)
    w, h = x1 - x0, y1 - y0
    rotation = int(rotation) % 360
    if rotation == 90:
        return h, w, f"0 1 -1 0 {x1:.2f} {y0:.2f}"
    if rotation == 180:
        return w, h, f"-1 0 0 -1 {x1:.2f} {y1:.2f}"
    if rotation == 270:
        return h, w, f"0 -1 1 0 {x0:.2f} {y1:.2f}"
    return w, h, f"1 0 0 1 {x0:.2f} {y0:.2f}"


def _watermark_ops(kit: _StampKit, w: float, h: float) -> str:
    text = kit.watermark or ""
    angle = math.atan2(h, w)
    size = min(72.0, 0.75 * math.hypot(w, h) / max(kit.width(text, 1), 1))
    cos, sin = math.cos(angle), math.sin(angle)
    half, lift = kit.width(text, size) / 2, size * 0.35
    x = w / 2 - cos * half + sin * lift
    y = h / 2 - sin * half - cos * lift
    return (
        f"/ZK_GS gs {WATERMARK_GREY} g BT {cos:.4f} {sin:.4f} {-sin:.4f} {cos:.4f} {x:.2f} {y:.2f} Tm "
        f"{kit.show(text, size)} ET"
    )


def _number_ops(kit: _StampKit, number: int, w: float, h: float) -> str:
    text = f"{kit.dash} {number} {kit.dash}"
    text_w = kit.width(text, PAGE_NO_SIZE)
    baseline = min(PAGE_NO_BASELINE, h * 0.08)
    if number % 2:
        x = w - min(PAGE_NO_INSET_ODD, w * 0.1) - text_w
    else:
        x = min(PAGE_NO_INSET_EVEN, w * 0.1)
    return f"0 g BT 1 0 0 1 {x:.2f} {baseline:.2f} Tm {kit.show(text, PAGE_NO_SIZE)} ET"


def _stamp_pages(writer: Any, kit: _StampKit, numbered: list[bool]) -> None:
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
        w, h, cm = _display_geometry(page.cropbox, page.rotation)
        key = (round(w, 2), round(h, 2), cm)
        if key not in shared:
            mark = f"q {cm} cm {_watermark_ops(kit, w, h)} Q\n" if kit.watermark else ""
            shared[key] = stream(f"\nQ\n{mark}")
        streams = [push, *_content_refs(page), shared[key]]
        if numbered[index]:
            streams.append(stream(f"q {cm} cm {_number_ops(kit, index + 1, w, h)} Q\n"))
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
