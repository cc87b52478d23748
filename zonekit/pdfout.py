"""Render a `Bundle` into one print-ready A4 PDF.

Pipeline (`render_pdf`):

1. User PDFs are appended to the output `PdfWriter` as they are (pypdf `append`), scripts and
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
)
from reportlab import platypus as rl
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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
MSG_PRINT_SEPARATELY = "请单独打印该文件，放在此页位置。"
CLAMP_NOTE = "……（内容过长，已截断）"

# Timestamps and random ids a converter (e.g. LibreOffice) writes into every PDF: left out of the
# content hash that becomes our /ID, so identical content gives an identical bundle.
_VOLATILE = re.compile(
    rb"/DocChecksum\s*/[0-9A-Fa-f]+|/(?:CreationDate|ModDate)\s*\([^)]*\)|/ID\s*\[[^\]]*\]|<xmp:\w*Date>[^<]*</xmp:\w*Date>|uuid:[0-9a-fA-F-]{36}"
)


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


@dataclass
class PdfReport:
    pages: int
    parts: list[PartPages]
    warnings: list[tuple[str, str]]
    font: FontChoice


def render_pdf(bundle: Bundle, out: Path, *, font: FontChoice, date: datetime.datetime) -> PdfReport:
    """Write `bundle` to `out` (atomically) and report page ranges and warnings."""
    with _quiet_libraries() as pypdf_log, _no_gc_pauses():
        return _Renderer(bundle, font, date, pypdf_log).render(Path(out))


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
    """Collect pypdf log records and silence library warnings (this module never prints)."""
    records: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("pypdf")
    handler, propagate = _Collect(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


class _Renderer:
    def __init__(self, bundle: Bundle, font: FontChoice, date: datetime.datetime, pypdf_log: list[str]):
        self.bundle = bundle
        self.font = font
        self.date = date
        self.pypdf_log = pypdf_log
        self.writer = PdfWriter()
        self.warnings: list[tuple[str, str]] = []
        self.digest = hashlib.sha256()
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
        self.kit.attach(self.writer, front)
        numbered = [NUMBER_COVER or s.kind != "cover" for s in slots for _ in range(s.pages)]
        _stamp_pages(self.writer, self.kit, numbered)
        parts = self._page_ranges(slots)
        self._finish(parts)
        _write_atomically(self.writer, out)
        return PdfReport(len(self.writer.pages), parts, self.warnings, self.font)

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
        logged = len(self.pypdf_log)
        reader, problem = self._open_pdf(Path(att.path))
        if reader is not None:
            start = len(self.writer.pages)
            try:
                self.writer.append(reader, import_outline=False)
                if self._sanitize_appended(reader, start):
                    self._warn(att.path, MSG_SCRIPTS)
                self._check_sizes(att.path, self.writer.pages[start:])
            except Exception as exc:  # a broken object deep inside the file
                del self.writer.pages[start:]
                reader, problem = None, f"无法读取（{type(exc).__name__}）"
        if reader is None:
            self._warn(att.path, f"PDF{problem}，已用占位页代替，请单独打印")
            return self._placeholder(att.title, _cannot_include(att.path, f"PDF{problem}"), att.in_toc)
        if len(self.pypdf_log) > logged:
            self._warn(att.path, "PDF文件结构不规范，已自动修复；请检查打印效果")
        return _Slot(att.title, "pdf", att.in_toc, "writer", pages=len(self.writer.pages) - start)

    def _open_pdf(self, path: Path) -> tuple[Any, str]:
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
                self._warn(path, "PDF设有权限密码，已解除限制后合并；请确认该文件允许打印")
            count = len(reader.pages)
        except Exception as exc:
            name = type(exc).__name__
            if name == "DependencyError":
                return None, "使用AES加密，缺少解密组件（cryptography）"
            return None, f"已损坏或无法读取（{name}）"
        if count == 0:
            return None, "没有页面"
        self.digest.update(_VOLATILE.sub(b"", data))
        return reader, ""

    def _sanitize_appended(self, reader: Any, start: int) -> bool:
        """Drop scripts/embedded files that came with the last appended PDF; True if any."""
        found = _has_active_catalog(reader)
        for page in self.writer.pages[start:]:
            found |= _strip_active_page(page)
        if "/AcroForm" in reader.root_object:
            found |= _strip_active_fields(self.writer.root_object.get("/AcroForm"))
        return found

    def _check_sizes(self, path: Path, pages: list[Any]) -> None:
        odd = [(i, _page_size(p)) for i, p in enumerate(pages, 1) if not _is_a4(*_page_size(p))]
        if odd:
            first, (w, h) = odd[0]
            self._warn(
                path,
                f"{MSG_NOT_A4}（{len(odd)}页，如第{first}页 {w / MM:.0f}×{h / MM:.0f} mm），已按原样保留",
            )

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
        return _reader(data)

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
        return front_slots, _reader(data)

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
            reader = front if slot.source == "front" else body
            for k in range(slot.pages):
                self.writer.insert_page(reader.pages[slot.body_start - 1 + k], pos)
                pos += 1

    def _page_ranges(self, slots: list[_Slot]) -> list[PartPages]:
        parts, page = [], 1
        for slot in slots:
            parts.append(PartPages(slot.title, page, page + slot.pages - 1, slot.kind))
            page += slot.pages
        return parts

    def _finish(self, parts: list[PartPages]) -> None:
        w = self.writer
        for part in parts:
            w.add_outline_item(part.title, part.start_page - 1)
        w.page_mode = "/UseOutlines"
        stamp = _pdf_date(self.date)
        w.add_metadata(
            {
                "/Title": self.bundle.title,
                "/Author": self.bundle.author,
                "/Subject": self.bundle.subject,
                "/Creator": "zonekit",
                "/Producer": "zonekit (reportlab, pypdf)",
                "/CreationDate": stamp,
                "/ModDate": stamp,
            }
        )
        if w.pdf_header < "%PDF-1.4":
            w.pdf_header = "%PDF-1.4"  # transparency for the watermark
        for text in (self.bundle.title, self.bundle.author, self.bundle.subject, stamp, str(parts)):
            self.digest.update(text.encode())
        file_id = ByteStringObject(self.digest.digest()[:16])
        w._ID = ArrayObject([file_id, file_id])


def _cannot_include(path: Path | str, reason: str) -> str:
    return f"文件“{Path(path).name}”{reason}，未能放入本文件。{MSG_PRINT_SEPARATELY}"


def _assign_pages(slots: list[_Slot], marks: dict[int, int], total: int) -> None:
    for i, slot in enumerate(slots):
        slot.body_start = marks[i]
        end = marks[i + 1] - 1 if i + 1 < len(slots) else total
        slot.pages = end - slot.body_start + 1


def _reader(data: bytes) -> Any:
    return PdfReader(io.BytesIO(data))


def _pdf_date(date: datetime.datetime) -> str:
    text = date.strftime("D:%Y%m%d%H%M%S")
    offset = date.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{text}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def _write_atomically(writer: Any, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            writer.write(fh)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- user PDF checks


def _page_size(page: Any) -> tuple[float, float]:
    box = page.cropbox
    return float(box.width), float(box.height)


def _is_a4(w: float, h: float) -> bool:
    short, long_ = sorted((abs(w), abs(h)))
    return abs(short - A4_W) <= A4_TOLERANCE and abs(long_ - A4_H) <= A4_TOLERANCE


def _has_active_catalog(reader: Any) -> bool:
    root = reader.root_object
    if "/AA" in root:
        return True
    action = root.get("/OpenAction")
    if action is not None and hasattr(action.get_object(), "get"):
        if action.get_object().get("/S") in ACTIVE_ACTIONS:
            return True
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    return "/JavaScript" in names or "/EmbeddedFiles" in names


def _strip_active_page(page: Any) -> bool:
    found = False
    if "/AA" in page:
        del page["/AA"]
        found = True
    annots = page.get("/Annots")
    if annots is None:
        return found
    kept = ArrayObject()
    for ref in annots.get_object():
        annot = ref.get_object()
        if not hasattr(annot, "get"):
            continue
        if annot.get("/Subtype") == "/FileAttachment":
            found = True
            continue
        found |= _strip_actions(annot)
        kept.append(ref)
    page[NameObject("/Annots")] = kept
    return found


def _strip_actions(obj: Any) -> bool:
    found = False
    if "/AA" in obj:
        del obj["/AA"]
        found = True
    action = obj.get("/A")
    if action is not None and getattr(action.get_object(), "get", None):
        if action.get_object().get("/S") in ACTIVE_ACTIONS:
            del obj["/A"]
            found = True
    return found


def _resolve(obj: Any) -> Any:
    return obj.get_object() if obj is not None else None


def _strip_active_fields(acroform: Any) -> bool:
    if acroform is None:
        return False
    acroform = acroform.get_object()
    found = False
    if "/XFA" in acroform:
        del acroform["/XFA"]
        found = True
    stack = list(_resolve(acroform.get("/Fields")) or [])
    seen: set[int] = set()
    while stack:
        field_obj = stack.pop().get_object()
        if id(field_obj) in seen or not hasattr(field_obj, "get"):
            continue
        seen.add(id(field_obj))
        found |= _strip_actions(field_obj)
        stack.extend(_resolve(field_obj.get("/Kids")) or [])
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


class _Flow:
    """Turns document blocks into reportlab flowables in one CJK font."""

    def __init__(self, font: str):
        self.font = font
        self.styles = _styles(font)
        self._cell_styles: dict[tuple[float, str], Any] = {}
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
        return [rl.KeepTogether([_spacer(18 * MM), table])]

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
        cls = _BoldParagraph if bold else rl.Paragraph
        para = cls(_markup(text), self._cell_styles[key])
        if self.clamp_cells and self._too_tall(para, avail):
            para = self._clamped(cls, text, self._cell_styles[key], avail)
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

    def attach(self, writer: Any, front: Any) -> None:
        """Clone the front document's font objects into the output writer."""
        fonts = front.pages[0]["/Resources"]["/Font"]
        for name, resource in self._internal.items():
            self.refs[resource] = fonts.raw_get(name).clone(writer)

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


def _display_geometry(page: Any) -> tuple[float, float, str]:
    """Displayed width, height and the cm matrix mapping display space to user space."""
    box = page.cropbox
    x0, y0, x1, y1 = (float(v) for v in (box.left, box.bottom, box.right, box.top))
    w, h = x1 - x0, y1 - y0
    rotation = int(page.rotation) % 360
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
        w, h, cm = _display_geometry(page)
        key = (round(w, 2), round(h, 2), cm)
        if key not in shared:
            mark = f"q {cm} cm {_watermark_ops(kit, w, h)} Q\n" if kit.watermark else ""
            shared[key] = stream(f"\nQ\n{mark}")
        streams = [push, *_content_refs(page), shared[key]]
        if numbered[index]:
            streams.append(stream(f"q {cm} cm {_number_ops(kit, index + 1, w, h)} Q\n"))
        _set_contents(page, streams)
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


def _set_contents(page: Any, streams: list[Any]) -> None:
    page[NameObject("/Contents")] = ArrayObject(streams)


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
