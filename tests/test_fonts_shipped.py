"""zonekit's own CJK font: shipped in the wheel with its licence, always embedded, rare characters
borrowed from a system font or reported.

`ZONEKIT_FONT_DIRS` points the system-font search at a folder: an empty one means "a machine
without Chinese fonts"; a folder with a tiny font built here (fontTools) stands for a system
宋体 or for a sans font that has a rare character.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from zonekit.bundle.build import BundleResult
from zonekit.document import fonts
from zonekit.document.model import Bundle, Para, Section, Table

from .conftest import ROOT, SAMPLES

FONT_DIR = ROOT / "zonekit" / "fontdata"
SIZE_BUDGET = 6 * 1024 * 1024
RARE = "䶮"  # U+4DAE, CJK Extension A: in no GB 2312 font (the name of 刘䶮, founder of Southern Han)
DATE = dt.datetime(2026, 11, 22, 9, 0)


def gb2312() -> str:
    chars = []
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(chars)


def pdffonts(pdf: Path, first: int | None = None, last: int | None = None) -> list[dict[str, str]]:
    args = ["pdffonts", *(["-f", str(first), "-l", str(last)] if first else []), str(pdf)]
    lines = subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()
    rows = []
    for line in lines[2:]:
        # name type encoding emb sub uni object ID: the last five columns never contain spaces
        *head, emb, sub, uni, _obj, _gen = line.split()
        rows.append({"name": head[0], "emb": emb, "sub": sub, "uni": uni})
    return rows


def poppler_or_skip() -> None:
    if not shutil.which("pdffonts"):
        pytest.skip("poppler-utils not installed (make test installs it where it can): apt-get install poppler-utils")


def tiny_font(path: Path, family: str, chars: str) -> Path:
    """A TrueType font with a square glyph for each of `chars` (+ what zonekit requires of a CJK font)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    chars = "".join(dict.fromkeys(chars + fonts.REQUIRED_CHARS + " "))
    names = [".notdef"] + [f"u{ord(c):04X}" for c in chars]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({ord(c): f"u{ord(c):04X}" for c in chars})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        if name != "u0020":
            pen.moveTo((100, -100))
            pen.lineTo((100, 800))
            pen.lineTo((900, 800))
            pen.lineTo((900, -100))
            pen.closePath()
        glyphs[name] = pen.glyph()
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({name: (1000, 100) for name in names})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    ps = family.replace(" ", "") + "-Regular"
    fb.setupNameTable({"familyName": family, "styleName": "Regular", "psName": ps})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120, fsType=0)
    fb.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    fb.save(str(path))
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- the shipped files


def test_shipped_font_its_licence_and_budget():
    font = Path(fonts.SHIPPED_FONT)
    assert font.is_file() and font.parent == FONT_DIR
    assert font.stat().st_size <= SIZE_BUDGET  # README: size budget 6 MB
    licence = (FONT_DIR / "OFL.txt").read_text("utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Copyright 2017-2022 Adobe" in licence
    fontlog = (FONT_DIR / "FONTLOG.txt").read_text("utf-8")
    # the font is the one tools/build_font.py wrote (`make font-check` rebuilds and compares)
    assert re.search(r"^SHA-256:\s+([0-9a-f]{64})$", fontlog, re.M).group(1) == sha256(font)


def test_shipped_font_covers_gb2312_and_every_text_zonekit_prints():
    from reportlab.pdfbase.ttfonts import TTFont

    have = TTFont("zk-test-shipped", str(fonts.SHIPPED_FONT)).face.charToGlyph
    wanted = set(gb2312()) | {chr(c) for c in range(0x20, 0x7F)}
    assert len(gb2312()) == 7445  # 6,763 hanzi + 682 symbols
    # the programme specs and the strings of the modules that write PDF text: a character
    # missing here is added to EXTRA in tools/build_font.py and the font rebuilt (`make font`)
    texts = [path.read_text("utf-8") for path in (ROOT / "templates").rglob("*.toml")]
    modules = [*(ROOT / "zonekit" / "document" / "pdf").glob("*.py")]
    modules += [*(ROOT / "zonekit" / "bundle").glob("*.py")]
    modules += [ROOT / "zonekit" / name for name in ("document/forms.py", "fields/types.py", "check/indicators.py",
                                                      "scaffold.py", "spec/wording.py")]
    for path in modules:
        texts += string_literals(path)
    for text in texts:
        wanted |= {ch for ch in text if ord(ch) > 0x7F and ch.isprintable() and not ch.isspace()}
    missing = sorted(ch for ch in wanted if ord(ch) not in have)
    assert not missing, [f"{ch} U+{ord(ch):04X}" for ch in missing]


def string_literals(path: Path) -> list[str]:
    """The module's string constants, docstrings left out."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_fonts_module_stays_light():
    code = "import sys, zonekit.document.fonts; print('reportlab' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.stdout.strip() == "False", r.stderr


# --------------------------------------------------------------------------- the search order


def test_search_order_explicit_then_system_serif_then_shipped(tmp_path, monkeypatch):
    sans = tiny_font(tmp_path / "sans" / "TestHei.ttf", "Test Hei", "")
    song = tiny_font(tmp_path / "serif" / "TestSong.ttf", "Test Song", "")
    monkeypatch.delenv("ZONEKIT_FONT", raising=False)

    monkeypatch.setenv(fonts.FONT_DIRS_ENV, str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    shipped = fonts.find_cjk_font()
    assert shipped.path == str(fonts.SHIPPED_FONT) and shipped.embedded and "内置" in shipped.note

    monkeypatch.setenv(fonts.FONT_DIRS_ENV, str(sans.parent))  # a system sans font only lends glyphs
    choice = fonts.find_cjk_font()
    assert choice.path == str(fonts.SHIPPED_FONT) and (str(sans), None) in choice.fallbacks

    monkeypatch.setenv(fonts.FONT_DIRS_ENV, os.pathsep.join([str(sans.parent), str(song.parent)]))
    choice = fonts.find_cjk_font()  # a system 宋体 wins over the shipped font
    assert choice.path == str(song) and choice.embedded
    assert [p for p, _ in choice.fallbacks] == [str(fonts.SHIPPED_FONT), str(sans)]

    assert fonts.find_cjk_font(str(sans)).path == str(sans)  # --font wins over everything


def test_rare_character_borrowed_from_a_system_font_or_reported(tmp_path, monkeypatch):
    poppler_or_skip()
    from zonekit.document.pdf import render_pdf

    name = f"刘{RARE}"
    bundle = Bundle(title="t", author="a", cover=[Para(f"联系人：{name}", "plain")],
                    parts=[Section("附件2 入驻金融企业信息表", [Table(rows=[["1", f"{name}科技有限公司"]],
                                                                header=[["序号", "企业名称"]])])])
    lender = tiny_font(tmp_path / "fonts" / "TestRareSans.ttf", "Test Rare Sans", RARE)
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, str(lender.parent))
    report = render_pdf(bundle, tmp_path / "borrowed.pdf", font=fonts.find_cjk_font(), date=DATE)
    assert not [w for w in report.warnings if RARE in w[1].zh]
    used = pdffonts(tmp_path / "borrowed.pdf")
    assert {r["name"].split("+")[1] for r in used} == {"ZonekitSerifSC-Regular", "TestRareSans-Regular"}
    assert all(r["emb"] == "yes" for r in used)

    (tmp_path / "none").mkdir()
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, str(tmp_path / "none"))
    report = render_pdf(bundle, tmp_path / "missing.pdf", font=fonts.find_cjk_font(), date=DATE)
    missing = [(where, said.zh) for where, said in report.warnings if f"“{RARE}”（U+4DAE）" in said.zh]
    assert [where for where, _ in missing] == ["封面", "附件2 入驻金融企业信息表"], report.warnings
    assert f"“联系人：{name}”" in missing[0][1]
    assert {r["name"].split("+")[1] for r in pdffonts(tmp_path / "missing.pdf")} == {"ZonekitSerifSC-Regular"}


# --------------------------------------------------------------------------- a bundle on a machine without CJK fonts


@pytest.fixture(scope="module")
def bundled_without_fonts(tmp_path_factory) -> BundleResult:
    """`zonekit bundle` of the demo packet, its contact renamed 李{RARE}, with no system font visible."""
    from zonekit.bundle.build import build_bundle

    base = tmp_path_factory.mktemp("nofonts")
    packet = base / "packet"
    shutil.copytree(SAMPLES / "sz-building-demo", packet)
    from openpyxl import load_workbook

    form1 = packet / "01_申报表/附件1 申报表.xlsx"  # the contact is 附件1's (申报信息 takes it from there)
    wb = load_workbook(form1)
    sheet, ref = next(iter(wb.defined_names["ZK_APPLICATION_CONTACT"].destinations))
    wb[sheet][ref.replace("$", "")] = f"李{RARE}"
    wb.save(form1)

    table = packet / "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"
    wb = load_workbook(table)
    ws = wb["附件2 入驻金融企业信息表"]
    ws["C16"] = f"深港{RARE}跨境金融科技服务有限公司"  # a rare character in a form: reported by its file
    for col, value in {"C": 12, "E": 27600, "G": 31249, "H": 1486}.items():
        ws[f"{col}25"] = value
    wb.save(table)
    (base / "no-fonts").mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(fonts.FONT_DIRS_ENV, str(base / "no-fonts"))
        mp.delenv("ZONEKIT_FONT", raising=False)
        return build_bundle(packet, base / "out", date=DATE)


def test_bundle_without_system_fonts_embeds_every_font_of_its_pages(bundled_without_fonts):
    poppler_or_skip()
    result = bundled_without_fonts
    assert "内置宋体" in result.font_note.zh
    manifest = json.loads(result.manifest.read_text("utf-8"))
    assert manifest["font"]["embedded"] is True and not [w for w in manifest["warnings"] if w["where"] == "字体"]
    own = [p for p in result.parts if p["kind"] in ("cover", "toc", "section", "placeholder")]
    assert {p["kind"] for p in own} >= {"cover", "toc", "section"}
    for part in own:  # appended user PDFs keep their own fonts
        used = pdffonts(result.pdf, part["start"], part["end"])
        assert used and all(row["emb"] == "yes" for row in used), (part, used)
        assert {row["name"].split("+", 1)[1] for row in used} == {"ZonekitSerifSC-Regular"}, (part, used)


def test_rare_name_reported_by_part_and_character(bundled_without_fonts):
    manifest = json.loads(bundled_without_fonts.manifest.read_text("utf-8"))
    hits = [w for w in manifest["warnings"] if f"“{RARE}”（U+4DAE）" in w["message"]]
    assert [w["where"] for w in hits] == ["封面（packet.toml 与表单中的文字）", "01_申报表/附件1 申报表.xlsx",
                                         "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"], manifest["warnings"]
    assert f"李{RARE}" in hits[0]["message"] and f"李{RARE}" in hits[1]["message"]
    assert f"深港{RARE}" in hits[2]["message"]


def test_page_renders_with_the_shipped_font(bundled_without_fonts, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed: pdftoppm missing")
    from PIL import Image

    pdf = bundled_without_fonts.pdf
    subprocess.run(["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")],
                   check=True, capture_output=True)
    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as im:
        assert im.convert("L").getextrema()[0] < 100  # dark text on the cover


# --------------------------------------------------------------------------- the wheel


def test_wheel_carries_font_and_licence_and_uses_it(tmp_path):
    dist = tmp_path / "dist"
    r = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    wheel = next(dist.glob("zonekit-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert {"zonekit/fontdata/ZonekitSerifSC-Regular.ttf", "zonekit/fontdata/OFL.txt",
                "zonekit/fontdata/FONTLOG.txt"} <= names
        assert z.read("zonekit/fontdata/ZonekitSerifSC-Regular.ttf") == fonts.SHIPPED_FONT.read_bytes()
    # a non-editable install (no dependencies: this interpreter has them) finds its own copy
    site = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                        str(wheel)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    (tmp_path / "no-fonts").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), fonts.FONT_DIRS_ENV: str(tmp_path / "no-fonts")}
    env.pop("ZONEKIT_FONT", None)
    code = "import zonekit.document.fonts as f; c = f.find_cjk_font(); print(c.path, c.embedded)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert r.returncode == 0, r.stderr
    path, embedded = r.stdout.split()
    assert Path(path) == site / "zonekit" / "fontdata" / "ZonekitSerifSC-Regular.ttf" and embedded == "True"
