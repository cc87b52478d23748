"""How fast is `zonekit bundle`, next to LibreOffice and qpdf and to its own stages? (not a test)

    .venv/bin/python bench/bundle_bench.py [--demo-runs 5] [--demo-only]
                                           [--pdfs 200] [--pages 5] [--rows 2000] [--docx 10] [--keep DIR]

First, side by side: `zonekit bundle samples/sz-building-demo` (CLI, ZONEKIT_TIMINGS=1 for its stage
clock) and LibreOffice converting that packet's one report alone (`soffice --headless --convert-to
pdf 03_申请报告/申请报告.docx`, with a private profile warmed by one discarded run), the floor for a
bundle that must convert a Word file. The two are run alternately, --demo-runs times each, and the
medians are compared (target: the bundle at most 1.5x the conversion alone); other people's
LibreOffice runs on the same machine make single figures noisy. --demo-only stops there.

Then the big packet:

A copy of samples/sz-building-demo (in a temp dir, or DIR with --keep) gets:

- N user PDFs of 5 pages each, generated with reportlab in the material folders 04–07 (the demo's
  own PDFs are removed, so the bundle holds exactly these): 3/4 are text pages with Chinese
  (half in an embedded TrueType subset, half in the reader-built-in CID font STSong-Light), 1/4
  are image-only "scans" (one greyscale JPEG per page, like a scanner's output);
- a 附件2 of R rows written with openpyxl into the workbook `zonekit init` made (rows from 5,
  columns A..K, the 合计 row moved below the data with its COUNTA/SUM formulas, defined names
  and the helper sheet updated), 附件1 made consistent through its ZK_APPLICATION_* names, both
  re-saved through LibreOffice so the formulas carry cached values and `check` is clean;
- D user docx files (python-docx, a few pages each): 03_申请报告/申请报告.docx is replaced by one
  of them, the rest go to the folders 04–07, so the bundle converts exactly these D files.

Then, in one run, side by side:

(a) `zonekit bundle` on the packet (CLI subprocess, ZONEKIT_TIMINGS=1 for the stage split);
    wall time and peak RSS from getrusage(RUSAGE_CHILDREN) of a fresh runner process (the
    LibreOffice child counts too; the Python process's own peak is reported by the timings);
(b) `qpdf --empty --pages f1.pdf … -- out.pdf` on the same N PDFs;
(c) the zonekit merge stage alone: render_pdf of a Bundle of just the N PDFs (cover, TOC,
    page numbers, one outline item per file), in this process, with each output engine
    (ZONEKIT_PDF_ENGINE=pikepdf, the default when installed, and =pypdf, the fallback);
(d) the R-row 附件2 section alone, built from the packet's check result as `bundle` builds it;
(e) LibreOffice alone on the D docx: convert_to_pdf (one process) vs convert_each_to_pdf.

(b)–(d) are the best of 3 runs (wall and CPU); (a) and (e) are one run each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import compiled, match_application  # bench/ is on sys.path when a script is run

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEMO = ROOT / "samples" / "sz-building-demo"
DATE = "2026-11-22"
BUILDING = "福华金融中心"
ADDRESS = "深圳市福田区福华三路88号"
PDF_FOLDERS = {  # folder -> share of the user PDFs
    "04_土地使用权出让合同书": 0.05,
    "05_租房或购房合同": 0.70,
    "06_纳税情况证明": 0.15,
    "07_持牌金融机构资质证明": 0.10,
}
DOCX_FOLDERS = ["04_土地使用权出让合同书", "05_租房或购房合同", "06_纳税情况证明", "07_持牌金融机构资质证明"]
SCAN_VARIANTS = 8  # distinct scan images; every image page still carries its own copy

# Runs argv[1:] once with ZONEKIT_TIMINGS=1; prints wall seconds, peak RSS (MB) and the timings line.
RUNNER = """
import json, os, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                   env={**os.environ, "ZONEKIT_TIMINGS": "1"})
s = time.perf_counter() - t
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
line = next((ln for ln in p.stderr.splitlines() if ln.startswith("zonekit-timings: ")), "")
print(json.dumps({"s": s, "cpu": kids.ru_utime + kids.ru_stime, "mb": kids.ru_maxrss / 1024, "rc": p.returncode,
                  "timings": json.loads(line.split(": ", 1)[1]) if line else None,
                  "tail": p.stdout.strip().splitlines()[-3:] + p.stderr.strip().splitlines()[-3:]}))
"""


# ------------------------------------------------------------------ inputs
def scan_jpegs(folder: Path, font_path: str | None, index: int) -> list[Path]:
    """A few A4 greyscale 150-dpi 'scans' with Chinese text and paper noise."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(7)
    out = []
    try:
        font = ImageFont.truetype(font_path, 30, index=index) if font_path else ImageFont.load_default()
    except OSError:
        font = ImageFont.load_default()
    for k in range(SCAN_VARIANTS):
        im = Image.new("L", (1240, 1754), 246)
        d = ImageDraw.Draw(im)
        d.text((420, 120), "房屋租赁合同（复印件）", fill=20, font=font)
        for line in range(28):
            y = 230 + line * 46
            d.text((120, y),
                   f"第{line + 1}条 出租方与承租方就{BUILDING}第{k + 10}层房屋租赁事宜约定如下，双方共同遵守。",
                   fill=rng.randint(10, 60), font=font)
        d.ellipse((860, 1450, 1140, 1730), outline=90, width=8)  # the seal
        paper = Image.effect_noise(im.size, 20)
        im = Image.blend(im, paper, 0.1).filter(ImageFilter.GaussianBlur(1.2))
        path = folder / f"scan{k}.jpg"
        im.save(path, "JPEG", quality=75)
        out.append(path)
    return out


def make_pdfs(folder: Path, n: int, pages: int, ttf: str, scans: list[Path]) -> list[Path]:
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    saved, rl_config.useA85 = rl_config.useA85, 0  # binary streams, as scanners and office suites write them
    try:
        return _make_pdfs(folder, n, pages, ttf, scans, canvas, A4)
    finally:
        rl_config.useA85 = saved


def _make_pdfs(folder: Path, n: int, pages: int, ttf: str, scans: list[Path], canvas, A4) -> list[Path]:  # noqa: N803
    names = list(PDF_FOLDERS)
    quotas = [math.floor(n * share) for share in PDF_FOLDERS.values()]
    quotas[1] += n - sum(quotas)
    targets = [folder / name for name, q in zip(names, quotas, strict=True) for _ in range(q)]
    paths = []
    for i, where in enumerate(targets):
        path = where / f"材料{i + 1:03d}_{'扫描件' if i % 4 == 3 else '租赁合同'}.pdf"
        c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
        for p in range(pages):
            if i % 4 == 3:  # image-only scan
                c.drawImage(str(scans[(i + p) % len(scans)]), 0, 0, A4[0], A4[1])
            else:
                font = ttf if i % 2 == 0 else "STSong-Light"
                c.setFont(font, 16)
                c.drawCentredString(A4[0] / 2, A4[1] - 80, f"房屋租赁合同（第{i + 1}份）")
                c.setFont(font, 11)
                for line in range(34):
                    c.drawString(60, 740 - line * 19,
                                 f"第{p + 1}页第{line + 1}行：承租方深圳市鹏城第{i + 1}号金融服务有限公司，"
                                 f"租赁面积{100 + i}平方米。")
            c.showPage()
        c.save()
        paths.append(path)
    return paths


def make_docx(path: Path, k: int) -> None:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    for section in doc.sections:  # python-docx starts from US Letter
        section.page_width, section.page_height = Mm(210), Mm(297)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "FangSong", Pt(16)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    doc.add_heading(f"关于{BUILDING}入驻金融企业情况的说明（{k + 1}）", level=1)
    for sec in range(4):
        doc.add_heading(f"{'一二三四'[sec]}、第{sec + 1}部分", level=2)
        for para in range(8):
            doc.add_paragraph(f"{BUILDING}位于{ADDRESS}，第{sec + 1}部分第{para + 1}段。"
                              + "楼宇运营机构为入驻金融企业提供"
                                "政策申报辅导、人才公寓对接、会议路演场地等一站式服务，"
                                "管理制度健全，服务流程规范。" * 3)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("序号", "企业名称", "面积（m2）", "进驻时间"), strict=True):
        cell.text = text
    for r in range(25):
        cells = table.add_row().cells
        for cell, text in zip(cells, (str(r + 1), f"深圳市鹏城第{r + 1}号金融服务有限公司", f"{120 + r}", "2021-06-01"),
                              strict=True):
            cell.text = text
    doc.save(str(path))


def fill_forms(packet: Path, rows: int) -> dict[str, float]:
    """附件2 with `rows` rows (openpyxl, init's layout), 附件1 consistent with it; LibreOffice re-save."""
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    from zonekit.fields.cellvalues import make_uscc
    from zonekit.spec.programme import load_programme
    from zonekit.xlsx.names import AUX_SHEET

    prog = load_programme("sz-building")
    form = prog.form("enterprises")
    kinds = next(c for c in form["columns"] if c["key"] == "kind")["values"]
    path = packet / "02_入驻金融企业信息表" / form["file"]
    wb = openpyxl.load_workbook(path)
    ws = wb[form["sheet"]]
    old_total = int(next(iter(wb.defined_names["ZK_ENTERPRISES_TOTAL"].destinations))[1].split("$")[-1])
    total_cells = [(c.column, c.value, c._style) for c in ws[old_total]]
    first, last = 5, 4 + rows
    rng = random.Random(rows)
    area = fiscal = 0.0
    staff = 0
    start = dt.date(2005, 1, 1)
    style_row = [c._style for c in ws[first]]
    for i in range(rows):
        r = first + i
        a, f, s = round(rng.uniform(80, 900), 1), round(rng.uniform(5, 400), 2), rng.randint(3, 300)
        area, fiscal, staff = area + a, fiscal + f, staff + s
        values = [i + 1, BUILDING, f"深圳市鹏城第{i + 1}号金融服务有限公司", kinds[i % len(kinds)], a,
                  f"{i % 48 + 1}", f, s,
                  dt.datetime.combine(start + dt.timedelta(days=rng.randint(0, 7000)), dt.time()),
                  f"{ADDRESS}{i % 48 + 1}层{i}室", make_uscc("91440300", f"{i:08d}")]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(r, col, value)
            if r > old_total - 1:
                cell._style = style_row[col - 1]
    for r in range(last + 1, old_total + 1):  # fewer rows than the template's blank ones: clear the rest
        for col in range(1, 12):
            ws.cell(r, col).value = None
    t = last + 1
    for col, value, style in total_cells:
        cell = ws.cell(t, col)
        cell._style = style
        if isinstance(value, str) and value.startswith("="):  # =SUM(E5:E24) -> =SUM(E5:E2004)
            value = re.sub(r"\$?([A-K])\$?\d+:\$?([A-K])\$?\d+", rf"\g<1>{first}:\g<2>{last}", value)
        cell.value = value
    sheet_ref = f"'{form['sheet']}'"
    for name, ref in (("ZK_ENTERPRISES_DATA", f"$A${first}:$K${last}"), ("ZK_ENTERPRISES_TOTAL", f"$A${t}:$K${t}")):
        del wb.defined_names[name]
        wb.defined_names[name] = DefinedName(name, attr_text=f"{sheet_ref}!{ref}")
    aux = wb[AUX_SHEET]
    for i in range(rows):
        aux.cell(3 + i, 1, f"深圳市鹏城第{i + 1}号金融服务有限公司")
        aux.cell(3 + i, 2, "是" if i < 5 else "否")
    wb.save(path)

    figures = match_application(packet, prog, rows, area, fiscal)
    app = packet / "01_申报表" / prog.form("application")["file"]
    resave([app, path])
    return figures


def resave(paths: list[Path]) -> None:
    """Round-trip through LibreOffice (as samples/build_samples.py does): cached formula values."""
    from zonekit.document.office import find_soffice

    soffice = find_soffice()
    if not soffice:
        sys.exit("LibreOffice (soffice) is needed to write the forms")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
                        "xlsx:Calc MS Excel 2007 XML", "--outdir", tmp, *map(str, paths)],
                       check=True, capture_output=True, timeout=300)
        for p in paths:
            shutil.copyfile(Path(tmp) / p.name, p)


def make_packet(packet: Path, args: argparse.Namespace, ttf: str, font_path: str | None, index: int) -> dict:
    shutil.copytree(DEMO, packet)
    for name in PDF_FOLDERS:
        for p in (packet / name).glob("*.pdf"):
            p.unlink()
    scratch = packet.parent / "scans"
    scratch.mkdir(exist_ok=True)
    pdfs = make_pdfs(packet, args.pdfs, args.pages, ttf, scan_jpegs(scratch, font_path, index))
    docx = [packet / "03_申请报告" / "申请报告.docx"]
    docx += [packet / DOCX_FOLDERS[k % len(DOCX_FOLDERS)] / f"补充说明{k:02d}.docx" for k in range(1, args.docx)]
    for k, p in enumerate(docx[: args.docx]):
        make_docx(p, k)
    figures = fill_forms(packet, args.rows)
    return {"pdfs": pdfs, "docx": docx[: args.docx], "figures": figures}


# ------------------------------------------------------------------ the demo packet beside LibreOffice alone
def demo_vs_soffice(runs: int) -> None:
    """`zonekit bundle` on the demo packet and soffice on its report, alternately; medians."""
    from zonekit.document.office import find_soffice

    soffice = find_soffice()
    if not soffice:
        print("demo: soffice not found, skipped\n")
        return
    report = DEMO / "03_申请报告" / "申请报告.docx"
    with tempfile.TemporaryDirectory(prefix="zk-demo-bench-") as tmp:
        work = Path(tmp)
        profile = (work / "lo-profile").as_uri()
        lo = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
              "--outdir", str(work / "lo"), str(report)]
        zk = zonekit("bundle", str(DEMO), "-o", str(work / "out"), "--date", DATE)
        subprocess.run(lo, capture_output=True, check=True, timeout=300)  # creates and warms the profile
        subprocess.run(zk, capture_output=True, check=True, timeout=300)  # and the OS file cache for zonekit
        walls: dict[str, list[float]] = {"soffice": [], "zonekit": []}
        stages: dict[str, list[float]] = {}
        for i in range(runs):
            for name in (("soffice", "zonekit") if i % 2 == 0 else ("zonekit", "soffice")):
                cmd = lo if name == "soffice" else zk
                got = json.loads(subprocess.run([sys.executable, "-c", RUNNER, *cmd], capture_output=True, text=True,
                                                check=True).stdout)
                if got["rc"] != 0:
                    sys.exit(f"{name} failed (exit {got['rc']}): {got['tail']}")
                walls[name].append(got["s"])
                if name == "zonekit" and got["timings"]:
                    for stage, secs in got["timings"]["stages"].items():
                        stages.setdefault(stage, []).append(secs)
                    stages.setdefault("(inside build_bundle)", []).append(got["timings"]["total"])
    zk_s, lo_s = statistics.median(walls["zonekit"]), statistics.median(walls["soffice"])
    print(f"demo: samples/sz-building-demo, {runs} alternating runs each, medians (min–max)")
    print(f"  {'zonekit bundle (CLI, whole packet)':<44} {zk_s:6.2f} s  "
          f"({min(walls['zonekit']):.2f}–{max(walls['zonekit']):.2f})")
    for stage, secs in stages.items():
        print(f"    {stage:<42} {statistics.median(secs):6.2f} s")
    print(f"  {'soffice --convert-to pdf 申请报告.docx':<44} {lo_s:6.2f} s  "
          f"({min(walls['soffice']):.2f}–{max(walls['soffice']):.2f})")
    print(f"  ratio {zk_s / lo_s:.2f}x (target <= 1.5x)\n")


# ------------------------------------------------------------------ measuring
def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, runs: int = 3) -> tuple[float, float]:
    """(wall, CPU of this process and its children), best of `runs`."""
    best = (math.inf, math.inf)
    for _ in range(runs):
        wall, cpu = time.perf_counter(), _cpu()
        fn()
        best = min(best, (time.perf_counter() - wall, _cpu() - cpu))
    return best


def zonekit(*args: str) -> list[str]:
    return [sys.executable, "-m", "zonekit.cli", *args]


def main() -> None:
    compiled()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pdfs", type=int, default=200)
    ap.add_argument("--pages", type=int, default=5)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--docx", type=int, default=10)
    ap.add_argument("--keep", type=Path, help="build the packet in this (new) directory and keep it")
    ap.add_argument("--demo-runs", type=int, default=5, help="alternating runs of the demo bundle and of soffice alone")
    ap.add_argument("--demo-only", action="store_true", help="only the demo packet beside LibreOffice alone")
    args = ap.parse_args()

    demo_vs_soffice(args.demo_runs)
    if args.demo_only:
        return

    from zonekit.bundle.parts import form_section
    from zonekit.check.runner import check_packet
    from zonekit.document.fonts import find_cjk_font
    from zonekit.document.model import Attachment, Bundle, Para
    from zonekit.document.office import convert_each_to_pdf, convert_to_pdf, find_soffice
    from zonekit.document.pdf import ENGINE_ENV, render_pdf
    from zonekit.spec.programme import load_programme

    date = dt.datetime.combine(dt.date.fromisoformat(DATE), dt.time(9, 0))
    font = find_cjk_font()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
    with tempfile.TemporaryDirectory(prefix="zk-bundle-bench-") as tmp:
        work = args.keep or Path(tmp)
        packet = work / "packet"
        t0 = time.perf_counter()
        made = make_packet(packet, args, font.name, font.path, font.subfont_index)
        size = sum(p.stat().st_size for p in made["pdfs"]) / 2**20
        print(f"packet: {args.pdfs} PDFs x {args.pages} pages ({size:.1f} MB, 1/4 image-only), {args.rows}-row 附件2, "
              f"{len(made['docx'])} docx; built in {time.perf_counter() - t0:.1f} s")
        print(f"font: {font.name} ({font.path}); python {sys.version.split()[0]}; "
              f"{os.cpu_count()} CPUs\n")

        check = subprocess.run(zonekit("check", str(packet), "--as-of", DATE, "--format", "json"),
                               capture_output=True, text=True)
        counts = json.loads(check.stdout)["counts"]
        draft = [] if counts["error"] == 0 else ["--draft"]
        print(f"check: exit {check.returncode}, {counts['error']} errors, {counts['warning']} warnings"
              + ("" if not draft else " -> bundling with --draft"))

        # (a) the whole command
        out = work / "out"
        cmd = zonekit("bundle", str(packet), "-o", str(out), "--date", DATE, *draft)
        a = json.loads(subprocess.run([sys.executable, "-c", RUNNER, *cmd],
                                      capture_output=True, text=True, check=True).stdout)
        if a["rc"] != 0:
            sys.exit(f"zonekit bundle failed (exit {a['rc']}): {a['tail']}")
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
        pages = manifest["outputs"][0]["pages"][1]
        warned = manifest["warnings"] + [{"where": m, "message": "incomplete"} for m in manifest["incomplete"]]
        print(f"bundle: {pages} pages, {len(warned)} warnings"
              + "".join(f"\n  {w['where']}: {w['message']}" for w in warned[:5]))

        # (b) qpdf on the same PDFs
        pdfs = [str(p) for p in made["pdfs"]]
        qpdf_cmd = ["qpdf", "--empty", "--pages", *pdfs, "--", str(work / "qpdf.pdf")]
        b = timed(lambda: subprocess.run(qpdf_cmd, check=True)) if shutil.which("qpdf") else None

        # (c) zonekit merge stage alone
        merge_bundle = Bundle(title="合并测试", author="zonekit", cover=[Para("合并测试", "title")],
                              parts=[Attachment(f"附件{i + 1}", p, "pdf") for i, p in enumerate(made["pdfs"])])
        engines = {}
        for engine in ("pikepdf", "pypdf"):  # the default when installed, and the fallback
            os.environ[ENGINE_ENV] = engine
            try:
                engines[engine] = timed(lambda: render_pdf(merge_bundle, work / "merge.pdf", font=font, date=date))
            except ImportError:
                engines[engine] = None
            finally:
                del os.environ[ENGINE_ENV]

        # (d) the 附件2 section alone, as bundle builds it
        report = check_packet(packet, as_of=date.date())
        prog = load_programme(report.programme)
        material = next(m for m in prog.materials if m.get("form") == "enterprises")
        table_bundle = Bundle(title="附件2", author="zonekit", cover=[], toc=False,
                              parts=[form_section(prog, report, material)])
        got = {}
        d = timed(lambda: got.setdefault("r", render_pdf(table_bundle, work / "table.pdf", font=font, date=date)))

        # (e) LibreOffice: one process vs one per file
        e1 = e2 = None
        if find_soffice():
            e1 = timed(lambda: convert_to_pdf(made["docx"], work / "lo-one"), runs=1)
            e2 = timed(lambda: convert_each_to_pdf(made["docx"], work / "lo-each"), runs=1)

    n = args.pdfs
    rows = [
        ("(a) zonekit bundle (CLI, whole packet)", a["s"], a["cpu"],
         f"{pages} pages; peak RSS {a['mb']:.0f} MB (incl. soffice)"),
    ]
    timings = a["timings"] or {}
    for stage, secs in timings.get("stages", {}).items():
        rows.append((f"      stage: {stage}", secs, None, ""))
    if timings.get("peak_rss_mb"):
        rows.append(("      zonekit process alone", None, None, f"peak RSS {timings['peak_rss_mb']:.0f} MB"))
    if b:
        rows.append((f"(b) qpdf --empty --pages ({n} PDFs)", *b, "anchor"))
    for engine, c in engines.items():
        if c is None:
            rows.append((f"(c) zonekit merge stage, {engine}", None, None, f"{engine} not installed"))
            continue
        note = f"{c[0] / b[0]:.2f}x qpdf wall, {c[1] / b[1]:.2f}x CPU (target <= 1.5x)" if b else ""
        rows.append((f"(c) zonekit merge stage ({n} PDFs), {engine}", *c, note))
    rows.append((f"(d) {args.rows}-row 附件2 section alone", *d, f"{got['r'].pages} pages (target < 2 s)"))
    if e1 and e2:
        rows.append((f"(e) LibreOffice, {len(made['docx'])} docx, one process", *e1, ""))
        rows.append((f"    LibreOffice, {len(made['docx'])} docx, one per file", *e2,
                     f"{e2[0] / e1[0]:.2f}x the one-process run"))
    else:
        rows.append(("(e) LibreOffice", None, None, "soffice not found"))

    def fmt(v: float | None) -> str:
        return f"{v:8.2f}" if v is not None else f"{'':8}"

    print(f"\n{'what':<48} {'wall s':>8} {'cpu s':>8}  note")
    print("-" * 110)
    for what, wall, cpu, note in rows:
        print(f"{what:<48} {fmt(wall)} {fmt(cpu)}  {note}")


if __name__ == "__main__":
    main()
