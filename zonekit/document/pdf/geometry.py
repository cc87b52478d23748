"""A4 page geometry (points): portrait and landscape text areas with GB/T 9704-2012 margins."""

from __future__ import annotations

from dataclasses import dataclass

MM = 72 / 25.4
A4_W, A4_H = 595.2755905511812, 841.8897637795277
A4_TOLERANCE = 2 * MM


@dataclass(frozen=True)
class PageLayout:
    """A page's size and margins (points)."""

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


PORTRAIT = PageLayout(A4_W, A4_H, top=37 * MM, bottom=35 * MM, left=28 * MM, right=26 * MM)
LANDSCAPE = PageLayout(A4_H, A4_W, top=30 * MM, bottom=35 * MM, left=28 * MM, right=26 * MM)
