"""The Chinese font zonekit's own PDF pages are set in, and where rare characters come from.

`find_cjk_font()` picks the main font, in this order:
1. an explicit font: the `--font` option, else the ZONEKIT_FONT environment variable
   (`path` or `path:index` for one face of a .ttc);
2. a system 仿宋/宋体 (serif) font — Windows' simfang/simsun, macOS' Songti, Debian's AR PL
   UMing, … — from fontconfig's `:lang=zh` fonts and well-known install locations, or only from
   the folders in ZONEKIT_FONT_DIRS when that is set (os.pathsep-separated; an empty folder
   means "no system fonts");
3. zonekit's own font, `zonekit/fontdata/ZonekitSerifSC-Regular.ttf` (Noto Serif CJK SC cut to
   GB 2312, Latin and punctuation; SIL OFL, see OFL.txt and FONTLOG.txt beside it; rebuilt by
   tools/build_font.py). It ships in the wheel, so in practice the search ends here;
4. only if that file is missing (a broken install): a system sans font, then the reader-built-in
   CID font STSong-Light, which is not embedded — the note says so.
A candidate counts only if it loads as a reportlab TrueType font (CFF-flavoured OpenType such as
Noto CJK .otf/.ttc does not) and actually contains Chinese glyphs.

Characters the main font lacks (rare names) are drawn from the first other font that has them:
the remaining system fonts (serif first, sans too) and the shipped font. `cover()` sets that up
for the text about to be rendered and says which characters no font has, so that the bundle can
report them.

reportlab is imported lazily so that `zonekit --help` stays fast. Loaded fonts are registered
with reportlab once per process.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from zonekit.findings import Said

FALLBACK_CID_FONT = "STSong-Light"
FALLBACK_NOTE = "未找到可嵌入的中文字体，使用阅读器内置宋体（未嵌入）; 用 --font 指定字体文件"
FALLBACK_NOTE_EN = ("no Chinese font that can be embedded was found, so the PDF reader's built-in Song font is used "
                    "(not embedded); name a font file with --font")
FONT_DIRS_ENV = "ZONEKIT_FONT_DIRS"
SHIPPED_FONT = Path(__file__).resolve().parents[1] / "fontdata" / "ZonekitSerifSC-Regular.ttf"
SHIPPED_NOTE = "zonekit 内置宋体 Zonekit Serif SC（Noto Serif CJK SC 的 GB 2312 子集，子集嵌入）"
SHIPPED_NOTE_EN = ("zonekit's own Song font Zonekit Serif SC (the GB 2312 part of Noto Serif CJK SC, embedded as a "
                   "subset)")
REQUIRED_CHARS = "中国申报表单位日期0123456789"  # a font without all of these is not a CJK font for a bundle
_MAX_TTC_FACES = 16
_FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")

_COMMON_PATHS = (
    # Windows
    "C:/Windows/Fonts/simfang.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/simkai.ttf",
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
_SERIF_RANKS = len(_RANK_WORDS)  # ranks below this may be the main font; the rest only lend glyphs


@dataclass(frozen=True)
class FontChoice:
    """A font registered with reportlab under `name`; `fallbacks` lend the glyphs it lacks."""

    name: str
    path: str | None
    subfont_index: int
    embedded: bool
    note: str = ""
    fallbacks: tuple[tuple[str, int | None], ...] = ()  # (path, face or None = any face), in order
    note_en: str = ""  # `note` in English

    def said_note(self) -> Said:
        """What the bundle says of its font: the note, else the font's name (Chinese and English)."""
        return Said(self.note or self.name, self.note_en or self.note or self.name)


@dataclass(frozen=True)
class Candidate:
    """A font file fontconfig or the known folders offer, before it is opened."""

    path: str
    index: int | None  # None = try every face of a collection
    family: str = ""


_CHOICES: dict[tuple[str | None, str | None], FontChoice] = {}
_LOADED: dict[tuple[str, int], str | None] = {}  # (path, index) -> registered name, None = unusable
_BAD_FILES: set[str] = set()
# reportlab errors that hold for every face of a file (CFF outlines, unreadable, past the last face)
_FILE_LEVEL_ERRORS = ("postscript outlines", "subfontIndex", "Can't open", "is not a", "Corrupt")


def find_cjk_font(explicit: str | None = None) -> FontChoice:
    """Return a registered CJK font; never raises for missing or broken font files."""
    explicit = explicit or os.environ.get("ZONEKIT_FONT") or None
    key = (explicit, os.environ.get(FONT_DIRS_ENV) or None)
    if key not in _CHOICES:
        _CHOICES[key] = _choose(explicit)
    return _CHOICES[key]


def fallback_font() -> FontChoice:
    """The non-embedded built-in CID font (always available)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FALLBACK_CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    return FontChoice(FALLBACK_CID_FONT, None, 0, False, FALLBACK_NOTE, note_en=FALLBACK_NOTE_EN)


def cover(choice: FontChoice, chars: Iterable[str]) -> dict[str, str | None]:
    """Make `choice` draw every character of `chars` it lacks from its first fallback that has it.

    Returns those characters, each with the font file it now comes from, or None when no font
    has it (reportlab then draws the main font's .notdef box). Text the main font covers is laid
    out and encoded exactly as before; nothing is done for the CID font. Each call replaces what
    the previous one set up (call it once per document, before laying it out).
    """
    from reportlab.pdfbase import pdfmetrics

    font = pdfmetrics.getFont(choice.name)
    mixed: Any = _mixed_font_class()  # made at run time: mypy would narrow `font` to `object`
    if not isinstance(font, mixed):
        return {}
    have = font.face.charToGlyph
    lacking = sorted({ch for ch in chars if ord(ch) not in have and ch.isprintable() and not ch.isspace()})
    lenders = {ch: _lender(choice, ch) for ch in lacking}
    font.borrow({ch: lender for ch, lender in lenders.items() if lender is not None})
    return {ch: lender.face.filename if lender is not None else None for ch, lender in lenders.items()}


def _lender(choice: FontChoice, ch: str) -> Any:
    from reportlab.pdfbase import pdfmetrics

    for path, index in choice.fallbacks:
        loaded = _try_candidate(Candidate(path, index))
        if loaded and loaded.name != choice.name:
            font = pdfmetrics.getFont(loaded.name)
            if ord(ch) in font.face.charToGlyph:
                return font
    return None


def _choose(explicit: str | None) -> FontChoice:
    note = note_en = ""
    if explicit:
        choice = _try_candidate(_explicit_candidate(explicit))
        if choice:
            return _with_fallbacks(choice, _system_candidates())
        note = f"指定的字体无法使用（{explicit}）：需要含中文字形、允许嵌入的 TrueType 字体（.ttf/.ttc）; "
        note_en = (f"the font given (“{explicit}”) cannot be used: it must be a TrueType font (.ttf/.ttc) with "
                   "Chinese characters that allows embedding; ")
    system = _system_candidates()
    for cand in _in_order(system):
        choice = _try_candidate(cand)
        if choice:
            if choice.path == str(SHIPPED_FONT):
                own = note + ("改用 " if note else "") + SHIPPED_NOTE
                own_en = note_en + ("using " if note else "") + SHIPPED_NOTE_EN
            else:
                own = f"{note}改用 {choice.path}" if note else ""
                own_en = f"{note_en}using “{choice.path}” instead" if note else ""
            return _with_fallbacks(FontChoice(choice.name, choice.path, choice.subfont_index, True, own,
                                              note_en=own_en), system)
    fb = fallback_font()
    return FontChoice(fb.name, None, 0, False, note + fb.note, note_en=note_en + fb.note_en)


def _in_order(system: list[Candidate]) -> list[Candidate]:
    """System serif fonts, the shipped font, then system sans fonts."""
    serif = [c for c in system if _rank(c) < _SERIF_RANKS]
    sans = [c for c in system if _rank(c) >= _SERIF_RANKS]
    return [*serif, Candidate(str(SHIPPED_FONT), 0, "Zonekit Serif SC"), *sans]


def _with_fallbacks(choice: FontChoice, system: list[Candidate]) -> FontChoice:
    """`choice`, lending from every other font in `_in_order`."""
    ordered = _in_order(system)
    seen: set[tuple[str, int | None]] = set()
    fallbacks = []
    for c in ordered:
        if (c.path, c.index) not in seen and not (c.path == choice.path and c.index in (None, choice.subfont_index)):
            seen.add((c.path, c.index))
            fallbacks.append((c.path, c.index))
    return replace(choice, fallbacks=tuple(fallbacks))


def _system_candidates() -> list[Candidate]:
    """System fonts, serif first: ZONEKIT_FONT_DIRS only when set, else fontconfig and known paths."""
    dirs = os.environ.get(FONT_DIRS_ENV)
    found = _folder_candidates(dirs) if dirs else _fontconfig_candidates() + _common_candidates()
    seen: set[tuple[str, int | None]] = set()
    unique = []
    for cand in found:
        if (cand.path, cand.index) not in seen:
            seen.add((cand.path, cand.index))
            unique.append(cand)
    return ranked(unique)


def _folder_candidates(dirs: str) -> list[Candidate]:
    cands = []
    for folder in dirs.split(os.pathsep):
        if folder and os.path.isdir(folder):
            files = sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in _FONT_SUFFIXES and p.is_file())
            cands += [Candidate(str(p), None, p.stem) for p in files]
    return cands


def _explicit_candidate(explicit: str) -> Candidate:
    match = re.fullmatch(r"(.+):(\d+)", explicit)
    if match and not Path(explicit).exists():
        return Candidate(match.group(1), int(match.group(2)))
    return Candidate(explicit, None)


def _rank(cand: Candidate) -> int:
    text = f"{Path(cand.path).name} {cand.family}".lower()
    for rank, words in enumerate(_RANK_WORDS):
        if any(word in text for word in words):
            return rank
    return len(_RANK_WORDS)


def ranked(cands: list[Candidate]) -> list[Candidate]:
    """The candidates in the order zonekit tries them: 仿宋, then 宋体/明体 and other serif families, then the rest."""
    return sorted(cands, key=_rank)  # stable: fontconfig's own order breaks ties


def _run_fc(args: list[str]) -> str:
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout if proc.returncode == 0 else ""


def _fontconfig_candidates() -> list[Candidate]:
    cands: list[Candidate] = []
    lines = _run_fc(["fc-match", "-f", "%{index}\t%{file}\t%{family}\n", ":lang=zh"]).splitlines()
    lines += _run_fc(["fc-list", "-f", "%{index}\t%{file}\t%{family}\n", ":lang=zh"]).splitlines()
    for line in lines:
        parts = line.split("\t")
        if len(parts) >= 2 and parts[1] and parts[0].strip().isdigit():
            family = parts[2] if len(parts) > 2 else ""
            cands.append(Candidate(parts[1], int(parts[0]), family))
    return cands


def _common_candidates() -> list[Candidate]:
    return [Candidate(p, None) for p in _COMMON_PATHS if os.path.isfile(p)]


def _try_candidate(cand: Candidate) -> FontChoice | None:
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

    stem = re.sub(r"[^A-Za-z0-9]+", "", Path(path).stem) or "font"
    name = f"ZK-{stem}-{index}"
    try:
        font = _mixed_font_class()(name, path, subfontIndex=index)
        usable = all(ord(ch) in font.face.charToGlyph for ch in REQUIRED_CHARS)
    except Exception as exc:  # broken, CFF-based or out-of-range face: try the next candidate
        usable = False
        if any(marker in str(exc) for marker in _FILE_LEVEL_ERRORS):
            _BAD_FILES.add(path)
    if usable:
        pdfmetrics.registerFont(font)
    _LOADED[key] = name if usable else None
    return _LOADED[key]


# Subset numbers of a lending font are shifted by this much per lender, so that one font's
# splitString/getSubsetInternalName can speak for several embedded fonts.
_LENDER_STRIDE = 1 << 20


@cache
def _mixed_font_class() -> type:
    """reportlab's TTFont, plus characters borrowed from other TTFonts (see `cover`).

    Until `lend` is called it behaves exactly like TTFont. Afterwards text with a borrowed
    character is split into runs per font; each run is measured and encoded by its own font,
    which embeds its own subset. Defined on first use: reportlab is imported lazily.
    """
    from reportlab.pdfbase.ttfonts import TTFont

    class MixedTTFont(TTFont):
        _borrowed: frozenset[str] = frozenset()
        _routes: dict[str, Any] = {}  # character -> the font it is drawn from
        _lenders: list[Any] = []

        def borrow(self, routes: dict[str, Any]) -> None:
            """Draw each character of `routes` from its font from now on (and no others)."""
            self._routes = dict(routes)
            self._lenders = list(dict.fromkeys(routes.values()))
            self._borrowed = frozenset(routes)

        def _runs(self, text: str) -> list[tuple[int, str]]:
            """(0 = this font, k = k-th lender, run of text)."""
            runs: list[tuple[int, str]] = []
            for ch in text:
                lender = self._routes.get(ch)
                k = self._lenders.index(lender) + 1 if lender is not None else 0
                if runs and runs[-1][0] == k:
                    runs[-1] = (k, runs[-1][1] + ch)
                else:
                    runs.append((k, ch))
            return runs

        def stringWidth(self, text: Any, size: float, encoding: str = "utf8") -> float:  # noqa: N802
            if not self._borrowed or self._borrowed.isdisjoint(_text(text)):
                return super().stringWidth(text, size, encoding)
            own = super().stringWidth
            return sum(self._lenders[k - 1].stringWidth(run, size) if k else own(run, size)
                       for k, run in self._runs(_text(text)))

        def splitString(self, text: Any, doc: Any, encoding: str = "utf-8") -> list[tuple[int, bytes]]:  # noqa: N802
            if not self._borrowed or self._borrowed.isdisjoint(_text(text)):
                return super().splitString(text, doc, encoding)
            out: list[tuple[int, bytes]] = []
            for k, run in self._runs(_text(text)):
                if k:
                    out += [(k * _LENDER_STRIDE + s, data) for s, data in self._lenders[k - 1].splitString(run, doc)]
                else:
                    out += super().splitString(run, doc, encoding)
            return out

        def getSubsetInternalName(self, subset: int, doc: Any) -> str:  # noqa: N802
            k, own = divmod(subset, _LENDER_STRIDE)
            if k:
                return self._lenders[k - 1].getSubsetInternalName(own, doc)
            return super().getSubsetInternalName(subset, doc)

    return MixedTTFont


def _text(text: Any) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else text
