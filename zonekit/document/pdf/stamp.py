"""Page stamps: the "— n —" page numbers and the diagonal watermark, as content-stream operators.

`StampKit` encodes the stamp characters in the front document's embedded font subset, so the
output engines (`out_pikepdf`, `out_pypdf`) add a few operators to any page, nothing merged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from zonekit.document.pdf.geometry import MM

PAGE_NO_SIZE = 14  # 4号
PAGE_NO_BASELINE = 26 * MM  # the dash sits ~7 mm below the 35 mm bottom margin
PAGE_NO_INSET_ODD = 26 * MM + PAGE_NO_SIZE  # 单页码居右空一字
PAGE_NO_INSET_EVEN = 28 * MM + PAGE_NO_SIZE  # 双页码居左空一字
PAGE_NO_MAX_SHARE = 0.16  # of the page's width/height: the limits above apply on A4 both ways (not on a small page)
WATERMARK_GREY = 0.55
WATERMARK_ALPHA = 0.25


@dataclass
class StampKit:
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


def display_geometry(box: Any, rotation: int) -> tuple[float, float, str]:
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


def watermark_ops(kit: StampKit, w: float, h: float) -> str:
    """The content-stream operators of the draft watermark: grey, across the page's diagonal, centred."""
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


def number_ops(kit: StampKit, number: int, w: float, h: float) -> str:
    """GB/T 9704 on A4 (portrait or landscape): one character inside the text area's outer edge,
    the dashes 7 mm below it; on a much smaller page the same, scaled down so it stays on the paper."""
    text = f"{kit.dash} {number} {kit.dash}"
    text_w = kit.width(text, PAGE_NO_SIZE)
    baseline = min(PAGE_NO_BASELINE, h * PAGE_NO_MAX_SHARE)
    if number % 2:
        x = w - min(PAGE_NO_INSET_ODD, w * PAGE_NO_MAX_SHARE) - text_w
    else:
        x = min(PAGE_NO_INSET_EVEN, w * PAGE_NO_MAX_SHARE)
    return f"0 g BT 1 0 0 1 {x:.2f} {baseline:.2f} Tm {kit.show(text, PAGE_NO_SIZE)} ET"
