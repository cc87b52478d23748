"""`render_pdf`: plan the parts, lay out body and front, assemble, stamp, write.

One slot per bundle part, in order: user PDFs go straight into the output document, everything
else is laid out in one "body" document; the front document (cover + 目录) is laid out until its
page count is stable, then generated pages are inserted around the appended ones, every page is
stamped, and outline, metadata and /ID are added before the atomic write.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import logging
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from reportlab import platypus as rl

from zonekit.document.fonts import FontChoice
from zonekit.document.model import Attachment, Bundle, Placeholder, Section
from zonekit.document.pdf.coverage import cover_bundle
from zonekit.document.pdf.flowables import ImagePage, Mark
from zonekit.document.pdf.geometry import PORTRAIT
from zonekit.document.pdf.images import prepare_image
from zonekit.document.pdf.layout import Flow, build_doc, next_template, page_break, spacer
from zonekit.document.pdf.out_pikepdf import PikeOutput
from zonekit.document.pdf.out_pypdf import PypdfOutput
from zonekit.document.pdf.report import PartPages, PdfReport
from zonekit.document.pdf.stamp import StampKit
from zonekit.findings import Said
from zonekit.fsutil import write_stream

NUMBER_COVER = False  # the cover counts as page 1 but carries no printed number
ENGINE_ENV = "ZONEKIT_PDF_ENGINE"  # "pypdf": never use pikepdf; "pikepdf": require it
MSG_PRINT_SEPARATELY = "请单独打印该文件，放在此页位置。"


def render_pdf(bundle: Bundle, out: Path, *, font: FontChoice, date: datetime.datetime) -> PdfReport:
    """Write `bundle` to `out` (atomically) and report page ranges and warnings.

    The output document is assembled with pikepdf (qpdf) when it is installed, else with pypdf
    (same pages, numbers, outline and warnings; not the same bytes). Bad user files are
    placeholders with either; should qpdf still fail on something while assembling or saving,
    the bundle is rendered again with pypdf.
    """
    from zonekit.document.pdf.warm import wait

    wait()  # for what warm_up was loading (the font, pikepdf)
    engine = output_engine()
    with _quiet_libraries() as log, _no_gc_pauses():
        if engine is PikeOutput:
            import pikepdf

            try:
                return _Renderer(bundle, font, date, log, PikeOutput).render(Path(out))
            except (pikepdf.PdfError, pikepdf.ForeignObjectError, RuntimeError):
                if os.environ.get(ENGINE_ENV) == "pikepdf":
                    raise
                log.clear()
        return _Renderer(bundle, font, date, log, PypdfOutput).render(Path(out))


def output_engine() -> type[PikeOutput] | type[PypdfOutput]:
    """pikepdf if importable, unless ZONEKIT_PDF_ENGINE=pypdf; ZONEKIT_PDF_ENGINE=pikepdf requires it."""
    wanted = os.environ.get(ENGINE_ENV, "").strip().lower()
    if wanted == "pypdf":
        return PypdfOutput
    try:
        import pikepdf  # noqa: F401
    except ImportError:
        if wanted == "pikepdf":
            raise
        return PypdfOutput
    return PikeOutput


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
        self.warnings: list[tuple[str, Said]] = []
        self.digest = hashlib.sha256()
        self.out: PypdfOutput | PikeOutput = engine(self.digest)
        self.flow = Flow(font.name)
        self.kit = StampKit(font.name, bundle.watermark)
        self.clamp_parts: set[int] = set()  # body parts whose over-tall table cells get cut
        if not font.embedded:
            self.warnings.append(("字体", Said(font.note or "中文字体未嵌入",
                                               font.note_en or "the Chinese font is not embedded")))
        self.warnings += cover_bundle(bundle, font)  # rare characters: borrowed from other fonts, or reported

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
        write_stream(out, self.out.write, overwrite=True)
        return PdfReport(self.out.page_count, parts, self.warnings, self.font)

    def _plan(self, part: Any) -> _Slot:
        if isinstance(part, Section):
            return _Slot(
                part.title,
                "section",
                part.in_toc,
                "body",
                flowables=partial(Flow.section, section=part),
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
        self._warn(att.path, Said("无法自动转换该文件，已用占位页代替；请另存为PDF或单独打印",
                                  f"“{Path(att.path).name}” could not be converted automatically: a placeholder "
                                  "page stands in for it; save it as PDF or print it separately"))
        return self._placeholder(att.title, _cannot_include(att.path, "无法自动转换"), att.in_toc)

    def _placeholder(self, title: str, message: str, in_toc: bool) -> _Slot:
        return _Slot(
            title,
            "placeholder",
            in_toc,
            "body",
            flowables=lambda flow: flow.placeholder(title, message),
        )

    def _warn(self, where: Path | str, message: Said) -> None:
        self.warnings.append((str(where), message))

    # -- user PDFs

    def _append_pdf(self, att: Attachment) -> _Slot:
        logged = len(self.log)
        start = self.out.page_count
        problem = self.out.append(Path(att.path), lambda message: self._warn(att.path, message))
        if problem:
            self._warn(att.path, Said(f"PDF{problem.zh}，已用占位页代替，请单独打印",
                                      f"the PDF {problem.en}: a placeholder page stands in for it; "
                                      "print it separately"))
            return self._placeholder(att.title, _cannot_include(att.path, f"PDF{problem.zh}"), att.in_toc)
        if len(self.log) > logged:
            self._warn(att.path, Said("PDF文件结构不规范，已自动修复；请检查打印效果",
                                      "the PDF's inner structure was faulty and has been repaired automatically; "
                                      "check how it prints"))
        return _Slot(att.title, "pdf", att.in_toc, "writer", pages=self.out.page_count - start)

    # -- images

    def _plan_image(self, att: Attachment) -> _Slot:
        image, problem = prepare_image(Path(att.path))
        if image is None:
            assert problem is not None
            self._warn(att.path, Said(f"图片{problem.zh}，已用占位页代替，请单独打印",
                                      f"the image {problem.en}: a placeholder page stands in for it; "
                                      "print it separately"))
            return self._placeholder(att.title, _cannot_include(att.path, f"图片{problem.zh}"), att.in_toc)
        if problem:
            self._warn(att.path, problem)
        return _Slot(
            att.title,
            "image",
            att.in_toc,
            "body",
            flowables=partial(_image_page, image),
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
                self._warn(title, Said("表格中有单元格内容超过一页，已截断显示；请核对原表",
                                       "a table cell holds more than a page of text and has been cut short; "
                                       "check it against the original table"))
        _assign_pages(body, marks, pages)
        self.digest.update(data)
        return self.out.open_generated(data)

    def _builds_alone(self, slot: _Slot) -> bool:
        assert slot.flowables is not None
        try:
            build_doc(slot.flowables(self.flow), self.font.name, slot.landscape, on_page=None)
        except rl.LayoutError:
            return False
        return True

    def _build_body(self, body: list[_Slot]) -> tuple[bytes, int, dict[int, int]]:
        story: list[Any] = []
        marks: dict[int, int] = {}
        for i, slot in enumerate(body):
            if story:
                story += [next_template(slot.landscape), page_break()]
            story.append(Mark(i, marks))
            assert slot.flowables is not None
            self.flow.part, self.flow.clamp_cells = slot.title, i in self.clamp_parts
            story += slot.flowables(self.flow)
        data, pages = build_doc(story, self.font.name, body[0].landscape, on_page=None)
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
            data, pages = build_doc(story, self.font.name, False, on_page=self._front_page)
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
                story.append(page_break())
            story.append(Mark(1, marks))
            story += self.flow.toc([s.title for s in entries], numbers)
        if not story:  # only needed for the stamp font
            story.append(spacer(1))
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
            in_toc = slot.in_toc or slot.kind in ("cover", "toc")
            parts.append(PartPages(slot.title, page, page + slot.pages - 1, slot.kind, in_toc))
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


def _image_page(image: Any, flow: Any) -> list[Any]:
    return [ImagePage(image)]


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
