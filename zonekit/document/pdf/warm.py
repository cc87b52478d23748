"""What rendering needs, loaded in a thread while LibreOffice converts the office files.

`zonekit bundle` waits on soffice for most of its run; meanwhile the Python process is idle. The
bundle calls `warm_up()` just before it starts LibreOffice: reportlab, pikepdf and pypdf are
imported, the CJK font chosen and registered, and a blank GB/T 9704 Word document prepared
(`zonekit.document.docx.prepare`), on another CPU. `render_pdf` waits for this work before it starts (so nothing
is loaded twice, nor at the same time); on a single CPU it is done at once instead (see
`zonekit.background`). Nothing here changes what is rendered.
"""

from __future__ import annotations

from typing import Any

_pending: Any = None  # the Pending of the last warm_up()


def warm_up(font: str | None = None) -> None:
    """Start loading what `render_pdf` and `render_docx` need (`font`: as for `find_cjk_font`)."""
    global _pending
    from zonekit.background import Pending
    from zonekit.document.docx import prepare

    prepare()
    if _pending is None:
        _pending = Pending(_load, font)


def wait() -> None:
    """Block until `warm_up`'s work is done (re-raising what it raised); no-op without one."""
    global _pending
    pending, _pending = _pending, None
    if pending is not None:
        pending.result()


def warming() -> bool:
    """Whether `warm_up`'s work has been started and not yet waited for."""
    return _pending is not None


def _load(font: str | None) -> None:
    import pypdf  # noqa: F401  (the pypdf engine and the page-number check)

    from zonekit.document.fonts import find_cjk_font
    from zonekit.document.pdf import assemble

    assemble.output_engine()  # imports pikepdf when it is installed
    find_cjk_font(font)
