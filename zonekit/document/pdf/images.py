"""User images made printable: decoded, EXIF-rotated, colours flattened, downscaled to ~200 dpi."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from zonekit.document.pdf.geometry import LANDSCAPE, PORTRAIT
from zonekit.findings import Said

IMAGE_DPI = 200
MSG_FIRST_FRAME = Said("多页图像只放入了第一页", "only the first page of this multi-page image was included")


@dataclass
class PreparedImage:
    """A user's image ready to be placed on A4 pages (`prepare_image`): decoded, upright, downscaled."""

    data: Any  # io.BytesIO with JPEG bytes, or a PIL image
    width: int
    height: int
    landscape: bool


def prepare_image(path: Path) -> tuple[PreparedImage | None, Said | None]:
    """Decode, EXIF-rotate and downscale; (image, note or None) or (None, reason)."""

    try:
        with Image.open(path) as im:
            return _convert_image(im, path)
    except FileNotFoundError:
        return None, Said("文件不存在", "does not exist")
    except Exception as exc:  # not an image, truncated, decompression bomb, …
        name = type(exc).__name__
        return None, Said(f"无法识别或已损坏（{name}）", f"cannot be recognised or is damaged ({name})")


def _convert_image(im: Any, path: Path) -> tuple[PreparedImage, Said | None]:
    orientation = im.getexif().get(0x0112, 1)
    turned = orientation in (5, 6, 7, 8)
    w, h = (im.height, im.width) if turned else im.size
    landscape = w > h
    _, _, box_w, box_h = (LANDSCAPE if landscape else PORTRAIT).frame
    scale = min(box_w / w, box_h / h) * IMAGE_DPI / 72  # pixels wanted per source pixel
    shrink = scale < 0.9
    note = MSG_FIRST_FRAME if getattr(im, "n_frames", 1) > 1 else None
    if im.format == "JPEG" and orientation == 1 and not shrink and im.mode in ("RGB", "L"):
        return PreparedImage(io.BytesIO(path.read_bytes()), w, h, landscape), note
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
        return PreparedImage(io.BytesIO(buf.getvalue()), im.width, im.height, landscape), note
    return PreparedImage(im, im.width, im.height, landscape), note


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
