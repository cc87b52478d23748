"""Render a `Bundle` into one print-ready A4 PDF.

Pipeline (`render_pdf`, in `assemble`):

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

Bad user files never raise: they become placeholder pages plus a (file, message) warning, the message
a `Said` (Chinese and English).

Modules:

- `assemble`: `render_pdf`, the engine choice, the plan (one slot per part), body and front
  (cover + 目录, re-laid-out until stable) layout passes, page ranges, metadata, atomic write.
- `layout`: document blocks to reportlab flowables (paragraphs, tables, seals, figures, the
  contents page) and the A4 portrait/landscape document build.
- `flowables`: zonekit's own flowables (fake bold, cached cell wraps, the fast long table, page
  marks, full-frame image pages).
- `images`: user images decoded, EXIF-rotated, flattened and downscaled.
- `stamp`: page-number and watermark text encoded in the front document's font.
- `coverage`: characters the font lacks borrowed from other fonts (`zonekit.document.fonts.cover`), or
  reported per part when no font has them.
- `sanitize`: user-PDF checks (A4 size) and removal of scripts, XFA and attached files.
- `out_pikepdf`, `out_pypdf`: the output documents ("output documents": the renderer lays out
  pages and decides where everything goes; an output document holds the pages and does the
  PDF-object work: append a user PDF with the checks, insert generated pages, stamp,
  outline/metadata, save). Same interface and behaviour; pikepdf (qpdf) is used when installed,
  pypdf is the pure-Python fallback (`ZONEKIT_PDF_ENGINE` chooses).
- `geometry`, `report`: A4 page geometry; the `PdfReport` / `PartPages` result types.
- `warm`: `warm_up` loads reportlab, pikepdf, the font and a blank Word document in a thread while
  LibreOffice converts; `render_pdf` waits for it.

Importing the package is cheap: `render_pdf` and the rest load reportlab when first used.
"""

from typing import TYPE_CHECKING, Any

from zonekit.document.pdf.warm import warm_up

if TYPE_CHECKING:
    from zonekit.document.pdf.assemble import ENGINE_ENV, render_pdf
    from zonekit.document.pdf.report import PartPages, PdfReport

__all__ = ["ENGINE_ENV", "PartPages", "PdfReport", "render_pdf", "warm_up"]


def __getattr__(name: str) -> Any:
    if name in ("ENGINE_ENV", "render_pdf"):
        from zonekit.document.pdf import assemble

        return getattr(assemble, name)
    if name in ("PartPages", "PdfReport"):
        from zonekit.document.pdf import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
