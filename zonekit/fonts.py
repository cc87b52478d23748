"""Find a Chinese font that reportlab can embed.

`find_cjk_font()` tries, in order: an explicit path (the `--font` option, else the ZONEKIT_FONT
environment variable), the fonts fontconfig knows for `:lang=zh`, then well-known install
locations on Linux, Windows and macOS. 仿宋/宋体 (serif) families are preferred over sans ones.
A candidate counts only if it loads as a reportlab TrueType font (CFF-flavoured OpenType such
as Noto CJK .otf does not) and actually contains Chinese glyphs. When nothing loads, the
reader-built-in CID font STSong-Light is used; it is not embedded, so the note says so.

reportlab is imported lazily so that `zonekit --help` stays fast. Loaded fonts are registered
with reportlab once per process.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

FALLBACK_CID_FONT = "STSong-Light"
FALLBACK_NOTE = "未找到可嵌入的中文字体，使用阅读器内置宋体（未嵌入）; 用 --font 指定字体文件"
_REQUIRED_CHARS = "中国申报表单位日期0123456789"
_MAX_TTC_FACES = 16

_COMMON_PATHS = (
    # Windows
    "C:/Windows/Fonts/simfang.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    # macOS
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Songti.ttc",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    # Linux
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallback.ttf",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
)

# Lower rank = preferred. Matched against the lower-cased file name and family names.
_RANK_WORDS = (
    ("fangsong", "simfang", "仿宋", "fang"),
    ("song", "simsun", "sun", "ming", "宋", "明", "serif", "kai", "楷"),
)


@dataclass(frozen=True)
class FontChoice:
    """A font registered with reportlab under `name`."""

    name: str
    path: str | None
    subfont_index: int
    embedded: bool
    note: str = ""


@dataclass(frozen=True)
class _Candidate:
    path: str
    index: int | None  # None = try every face of a collection
    family: str = ""


_CHOICES: dict[str | None, FontChoice] = {}
_LOADED: dict[tuple[str, int], str | None] = {}  # (path, index) -> registered name, None = unusable
_BAD_FILES: set[str] = set()
# reportlab errors that hold for every face of a file (CFF outlines, unreadable, past the last face)
_FILE_LEVEL_ERRORS = ("postscript outlines", "subfontIndex", "Can't open", "is not a", "Corrupt")


def find_cjk_font(explicit: str | None = None) -> FontChoice:
    """Return a registered CJK font; never raises for missing or broken font files."""
    explicit = explicit or os.environ.get("ZONEKIT_FONT") or None
    if explicit not in _CHOICES:
        _CHOICES[explicit] = _choose(explicit)
    return _CHOICES[explicit]


def fallback_font() -> FontChoice:
    """The non-embedded built-in CID font (always available)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FALLBACK_CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    return FontChoice(FALLBACK_CID_FONT, None, 0, False, FALLBACK_NOTE)


def _choose(explicit: str | None) -> FontChoice:
    note = ""
    if explicit:
        choice = _try_candidate(_explicit_candidate(explicit))
        if choice:
            return choice
        note = f"指定的字体无法使用（{explicit}）：需要含中文字形、允许嵌入的 TrueType 字体（.ttf/.ttc）; "
    seen: set[tuple[str, int | None]] = set()
    for cand in _ranked(_fontconfig_candidates() + _common_candidates()):
        if (cand.path, cand.index) in seen:
            continue
        seen.add((cand.path, cand.index))
        choice = _try_candidate(cand)
        if choice:
            used = f"改用 {choice.path}" if note else ""
            return FontChoice(choice.name, choice.path, choice.subfont_index, True, note + used)
    fb = fallback_font()
    return FontChoice(fb.name, None, 0, False, note + fb.note)


def _explicit_candidate(explicit: str) -> _Candidate:
    match = re.fullmatch(r"(.+):(\d+)", explicit)
    if match and not Path(explicit).exists():
        return _Candidate(match.group(1), int(match.group(2)))
    return _Candidate(explicit, None)


def _rank(cand: _Candidate) -> int:
    text = f"{Path(cand.path).name} {cand.family}".lower()
    for rank, words in enumerate(_RANK_WORDS):
        if any(word in text for word in words):
            return rank
    return len(_RANK_WORDS)


def _ranked(cands: list[_Candidate]) -> list[_Candidate]:
    return sorted(cands, key=_rank)  # stable: fontconfig's own order breaks ties


def _run_fc(args: list[str]) -> str:
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout if proc.returncode == 0 else ""


def _fontconfig_candidates() -> list[_Candidate]:
    cands: list[_Candidate] = []
    lines = _run_fc(["fc-match", "-f", "%{index}\t%{file}\t%{family}\n", ":lang=zh"]).splitlines()
    lines += _run_fc(["fc-list", "-f", "%{index}\t%{file}\t%{family}\n", ":lang=zh"]).splitlines()
    for line in lines:
        parts = line.split("\t")
        if len(parts) >= 2 and parts[1] and parts[0].strip().isdigit():
            family = parts[2] if len(parts) > 2 else ""
            cands.append(_Candidate(parts[1], int(parts[0]), family))
    return cands


def _common_candidates() -> list[_Candidate]:
    return [_Candidate(p, None) for p in _COMMON_PATHS if os.path.isfile(p)]


def _try_candidate(cand: _Candidate) -> FontChoice | None:
    if cand.path in _BAD_FILES or not os.path.isfile(cand.path):
        return None
    if cand.index is not None:
        indexes: range | list[int] = [cand.index]
    elif cand.path.lower().endswith((".ttc", ".otc")):
        indexes = range(_MAX_TTC_FACES)
    else:
        indexes = [0]
    for index in indexes:
        name = _load(cand.path, index)
        if name:
            return FontChoice(name, cand.path, index, True, "")
        if cand.path in _BAD_FILES:  # no other face of this file can work either
            break
    return None


def _load(path: str, index: int) -> str | None:
    """Register `path`/`index` as a TTFont; None if it cannot be used for Chinese text."""
    key = (path, index)
    if key in _LOADED:
        return _LOADED[key]
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    stem = re.sub(r"[^A-Za-z0-9]+", "", Path(path).stem) or "font"
    name = f"ZK-{stem}-{index}"
    try:
        font = TTFont(name, path, subfontIndex=index)
        usable = all(ord(ch) in font.face.charToGlyph for ch in _REQUIRED_CHARS)
    except Exception as exc:  # broken, CFF-based or out-of-range face: try the next candidate
        usable = False
        if any(marker in str(exc) for marker in _FILE_LEVEL_ERRORS):
            _BAD_FILES.add(path)
    if usable:
        pdfmetrics.registerFont(font)
    _LOADED[key] = name if usable else None
    return _LOADED[key]
