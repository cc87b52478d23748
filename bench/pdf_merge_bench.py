"""Timing check for zonekit.document.pdf (not a test; run by hand).

    .venv/bin/python bench/pdf_merge_bench.py [--files 200] [--pages 5] [--rows 2000]

1. merges N generated 5-page PDFs with page numbers, outline and a TOC, next to
   `qpdf --empty --pages … -- out.pdf` on the same files (the anchor, measured in this run);
2. renders one landscape Section holding an 11-column table of R short CJK rows.
Font loading is timed separately (it happens once per process). Each figure is the best of three
runs, wall-clock and CPU time (CPU time is the fairer comparison on a busy machine).
"""

from __future__ import annotations

import argparse
import datetime
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import compiled  # noqa: E402  (bench/ is on sys.path when a script is run)

from zonekit.document.fonts import find_cjk_font  # noqa: E402
from zonekit.document.model import Attachment, Bundle, Para, Section, Table  # noqa: E402
from zonekit.document.pdf import render_pdf  # noqa: E402

DATE = datetime.datetime(2024, 5, 1, 9, 30)


def make_inputs(folder: Path, files: int, pages: int, font: str) -> list[Path]:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    paths = []
    for i in range(files):
        path = folder / f"in{i:03d}.pdf"
        c = canvas.Canvas(str(path), pagesize=A4, invariant=1, initialFontName=font)
        for p in range(pages):
            c.setFont(font, 12)
            for line in range(30):
                c.drawString(72, 780 - line * 20, f"附件 {i} 第 {p + 1} 页 第 {line + 1} 行 营业执照复印件")
            c.showPage()
        c.save()
        paths.append(path)
    return paths


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its children); best of 3 runs."""
    best = (float("inf"), float("inf"))
    for _ in range(3):
        wall, cpu = time.perf_counter(), _cpu()
        fn()
        best = min(best, (time.perf_counter() - wall, _cpu() - cpu))
    return best


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    compiled()
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--pages", type=int, default=5)
    ap.add_argument("--rows", type=int, default=2000)
    args = ap.parse_args()

    load = time.perf_counter()
    font = find_cjk_font()
    print(f"font: {font.name} ({font.path}) loaded in {time.perf_counter() - load:.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = make_inputs(folder, args.files, args.pages, font.name)
        bundle = Bundle(
            title="合并测试",
            author="zonekit",
            cover=[Para("合并测试", "title")],
            parts=[Attachment(f"附件{i + 1}", p, "pdf") for i, p in enumerate(inputs)],
        )
        ours = timed(lambda: render_pdf(bundle, folder / "ours.pdf", font=font, date=DATE))
        label = f"{args.files} PDFs x {args.pages} pages"
        print(f"zonekit merge ({label}, numbers, outline, TOC): wall {ours[0]:.2f} s, cpu {ours[1]:.2f} s")
        if shutil.which("qpdf"):
            cmd = ["qpdf", "--empty", "--pages", *map(str, inputs), "--", str(folder / "qpdf.pdf")]
            anchor = timed(lambda: subprocess.run(cmd, check=True))
            print(
                f"qpdf --empty --pages (same files):   wall {anchor[0]:.2f} s, cpu {anchor[1]:.2f} s"
                f"   ratio wall {ours[0] / anchor[0]:.2f}x, cpu {ours[1] / anchor[1]:.2f}x"
            )
        else:
            print("qpdf not installed: no anchor")

        rows = [
            [
                str(i + 1),
                f"深圳市某某科技有限公司{i}",
                "福田区",
                "金融业",
                "2023",
                "120",
                "35",
                "8",
                "是",
                "否",
                "备注",
            ]
            for i in range(args.rows)
        ]
        header = [["序号", "企业名称", "区", "行业", "年度", "营收", "纳税", "人数", "入驻", "迁入", "说明"]]
        table = Table(rows=rows, header=header, widths=[1, 4, 1.5, 1.5, 1, 1, 1, 1, 1, 1, 1.5])
        bundle = Bundle(
            title="大表测试",
            author="zonekit",
            cover=[],
            toc=False,
            parts=[Section("明细表", [Para("明细表", "title"), table], landscape=True)],
        )
        report = None

        def run_table() -> None:
            nonlocal report
            report = render_pdf(bundle, folder / "table.pdf", font=font, date=DATE)

        took = timed(run_table)
        print(
            f"{args.rows}-row x 11-column table section: wall {took[0]:.2f} s, cpu {took[1]:.2f} s "
            f"({report.pages} pages)"
        )


if __name__ == "__main__":
    main()
