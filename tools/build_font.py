#!/usr/bin/env python3
"""Rebuild zonekit's shipped CJK serif font, zonekit/fontdata/ZonekitSerifSC-Regular.ttf.

Source: Noto Serif CJK SC Regular, the "SC" face of NotoSerifCJK-Regular.ttc (SIL OFL 1.1) as
Debian's fonts-noto-cjk 1:20220127+repack1-1 installs it (upstream noto-cjk Serif 2.001). The
source file's SHA-256 is pinned below; with the same fontTools version (the `font` extra in
pyproject.toml pins it) the output is byte for byte the same on every run.

What it does:
1. keeps the characters official documents use: GB 2312 (6,763 hanzi and 682 symbols: full-width
   punctuation and digits, ①–⑩, ㈠–㈩, Ⅰ–Ⅻ, kana, Greek, Cyrillic, pinyin, bopomofo, box drawing),
   ASCII, Latin-1, a few symbols zonekit and its programme specs print (— – − 〇 ㎡ ⑪–⑳ …) and
   a short list of personal-name characters outside GB 2312 (镕 堃 喆 …);
2. drops what reportlab never reads (OpenType layout, vertical metrics, glyph names);
3. converts the CFF outlines to TrueType quadratic outlines (cu2qu, max error 1 unit of 1000),
   because reportlab embeds TrueType (glyf) fonts only;
4. renames the family to "Zonekit Serif SC" (the OFL reserves the name "Source" for the
   original, "Noto" is Google's trademark, and a subset should not pass for the full font) and
   writes FONTLOG.txt beside the font; OFL.txt beside it is the licence (written by hand).

Usage (from the repository root; `make font` does all of it):
    apt-get install fonts-noto-cjk          # the source font, about 110 MB installed
    .venv/bin/pip install -e '.[font]'      # fontTools, pinned
    .venv/bin/python tools/build_font.py    # writes zonekit/fontdata/
    .venv/bin/python tools/build_font.py --check   # rebuilds in a temporary folder, compares
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from zonekit.fsutil import sha256_file

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "zonekit" / "fontdata"
FONT_FILE = "ZonekitSerifSC-Regular.ttf"
FAMILY = "Zonekit Serif SC"
PS_NAME = "ZonekitSerifSC-Regular"

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
SOURCE_FAMILY = "Noto Serif CJK SC"
SOURCE_SHA256 = "a04178ec485dffdff7cc0c0c20e1fce9202d7e2160d805e8e44a4c8841c58481"
SOURCE_NAME = "Noto Serif CJK SC Regular 2.001 (NotoSerifCJK-Regular.ttc, Debian fonts-noto-cjk 1:20220127+repack1-1)"
FONTTOOLS_VERSION = "4.68.0"
MAX_ERR = 1.0  # cu2qu: font units (1000 per em)
SIZE_BUDGET = 6 * 1024 * 1024

# Beyond GB 2312: what zonekit, its programme specs and Chinese official documents also print.
EXTRA = (
    "—–−‐‑‒•‥‰′″€™〇〜〝〞«»‹›"  # dashes (GB 2312 maps its dash to ― U+2015), quotes, ‰
    "㎡㎢㎏㎞㎝㎜"  # units the specs and forms use (27,600㎡)
    "⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳ⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹ✓"  # list numbering, checks
)
# Personal and place-name characters outside GB 2312 that are common enough to be worth a glyph
# (GBK); anything rarer falls back to a system font or is reported by `zonekit bundle`.
NAMES = "镕堃喆昇珺玥赟琤玙璟瑄祎彧芃翀犇骉垚燚晞旻炘禛玹珣玠珅琇琍瑀璠璘"
DROP_TABLES = ["BASE", "VORG", "vhea", "vmtx", "GSUB", "GPOS", "GDEF", "DSIG"]


def gb2312() -> list[str]:
    """Every character of GB 2312 (rows 0xA1–0xF7, cells 0xA1–0xFE) in code order."""
    chars = []
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def wanted_chars() -> list[str]:
    ascii_ = [chr(c) for c in range(0x20, 0x7F)]
    latin1 = [chr(c) for c in range(0xA0, 0x100)]
    seen: dict[str, None] = {}
    for ch in [*ascii_, *latin1, *gb2312(), *EXTRA, *NAMES]:
        seen.setdefault(ch)
    return list(seen)


def source_face(path: Path) -> int:
    from fontTools.ttLib import TTCollection

    coll = TTCollection(str(path), lazy=True)
    for i, face in enumerate(coll.fonts):
        if face["name"].getDebugName(1) == SOURCE_FAMILY:
            return i
    raise SystemExit(f"{path}: no face named {SOURCE_FAMILY!r}")


def to_truetype(font) -> None:
    """CFF outlines → glyf/loca (after fontTools' Snippets/otf2ttf.py)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():  # left side bearing = xMin for TrueType outlines
        width = hmtx[name][0]
        hmtx[name] = (width, getattr(glyph, "xMin", 0) if glyph.numberOfContours else 0)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 3.0  # no glyph names
    post.extraNames, post.mapping = [], {}
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font, version: str) -> None:
    name = font["name"]
    source_version = name.getDebugName(5) or ""
    copyright_ = name.getDebugName(0) or ""
    name.names = []
    records = {
        0: copyright_,
        1: FAMILY,
        2: "Regular",
        3: f"{version};{PS_NAME}",
        4: f"{FAMILY} Regular",
        5: f"Version {version}; subset of {SOURCE_FAMILY} {source_version.split(';')[0].replace('Version ', '')}",
        6: PS_NAME,
        10: f"Subset of {SOURCE_FAMILY} Regular (GB 2312, Latin, punctuation) with TrueType outlines, "
            "made for zonekit's PDF output. Not the original font: see FONTLOG.txt.",
        13: "This Font Software is licensed under the SIL Open Font License, Version 1.1. "
            "This license is available with a FAQ at: https://openfontlicense.org",
        14: "https://openfontlicense.org",
    }
    for name_id, text in records.items():
        name.setName(text, name_id, 3, 1, 0x409)
        name.setName(text, name_id, 1, 0, 0)


def build(source: Path, out: Path) -> dict[str, object]:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    face = source_face(source)
    font = TTFont(str(source), fontNumber=face, recalcTimestamp=False, lazy=False)
    cmap = font.getBestCmap()
    wanted = wanted_chars()
    absent = [ch for ch in wanted if ord(ch) not in cmap]
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = [0x409]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False
    options.drop_tables += DROP_TABLES
    options.recalc_timestamp = False
    options.prune_unicode_ranges = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in wanted if ord(ch) in cmap])
    subsetter.subset(font)
    to_truetype(font)
    rename(font, "2.001.1")
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out), reorderTables=True)
    return {"face": face, "chars": len(wanted) - len(absent), "absent": absent, "glyphs": len(font.getGlyphOrder())}


FONTLOG = """\
FONTLOG for {font}
=====================================

{font} ("{family}") is a Modified Version of Noto Serif CJK SC Regular,
made for zonekit's PDF output. It is licensed under the SIL Open Font License 1.1: see OFL.txt
beside it. It is not the original font and is not endorsed by its authors (Adobe, Google).

Source:   {source}
          SHA-256 {sha}
Built by: tools/build_font.py in the zonekit repository (fontTools {ft})
Changes:  subset to {chars} characters (GB 2312, ASCII, Latin-1, a few symbols and personal-name
          characters, see the script), {glyphs} glyphs; OpenType layout and vertical tables,
          glyph names and hints dropped; CFF outlines converted to TrueType (cu2qu, max error
          {err:g}/1000 em); family renamed to "{family}".
Size:     {size} bytes (budget {budget} bytes)
SHA-256:  {out_sha}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help=f"source font (default {SOURCE})")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help="where to write the font and FONTLOG.txt")
    parser.add_argument("--check", action="store_true",
                        help="rebuild in a temporary folder and compare with the shipped font")
    parser.add_argument("--any-source", action="store_true", help="accept a source font with another SHA-256")
    args = parser.parse_args(argv)

    import fontTools

    if not args.source.is_file():
        print(f"{args.source} not found: apt-get install fonts-noto-cjk (or --source PATH)", file=sys.stderr)
        return 2
    got = sha256_file(args.source)
    if got != SOURCE_SHA256 and not args.any_source:
        print(f"{args.source}: SHA-256 {got}, expected {SOURCE_SHA256} ({SOURCE_NAME}); --any-source to build anyway",
              file=sys.stderr)
        return 2
    if fontTools.version != FONTTOOLS_VERSION:
        print(f"warning: fontTools {fontTools.version}, the shipped font was built with {FONTTOOLS_VERSION}: "
              "bytes may differ", file=sys.stderr)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            built = Path(tmp) / FONT_FILE
            build(args.source, built)
            shipped = OUT_DIR / FONT_FILE
            same = shipped.is_file() and sha256_file(built) == sha256_file(shipped)
            print(f"{'same' if same else 'DIFFERENT'}: rebuilt {sha256_file(built)}, shipped "
                  f"{sha256_file(shipped) if shipped.is_file() else '(missing)'}")
            return 0 if same else 1
    out = args.out_dir / FONT_FILE
    info = build(args.source, out)
    size = out.stat().st_size
    (args.out_dir / "FONTLOG.txt").write_text(FONTLOG.format(
        font=FONT_FILE, family=FAMILY, source=SOURCE_NAME, sha=got, ft=fontTools.version, chars=info["chars"],
        glyphs=info["glyphs"], err=MAX_ERR, size=size, budget=SIZE_BUDGET, out_sha=sha256_file(out)), "utf-8")
    absent = "".join(info["absent"])  # type: ignore[arg-type]
    print(f"{out}: {size:,} bytes, {info['chars']} characters, {info['glyphs']} glyphs (face {info['face']})")
    if absent:
        print(f"not in the source font, left out: {absent}")
    if size > SIZE_BUDGET:
        print(f"over the size budget of {SIZE_BUDGET:,} bytes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
