"""How fast is `zonekit collect` on a round of Shenzhen packets, next to the work it is built on?

    python bench/collect_bench.py                          # 500 packets x 200 enterprises, --jobs 1 and 2
    python bench/collect_bench.py --packets 50 --rows 100  # a quick look

Builds the packets in a temporary folder: each a copy of samples/sz-building-demo (other files
hard-linked) with its own building, applicant, district and phone in packet.toml and 附件1, and a
附件2 written with XlsxWriter the way Excel/WPS write it (title rows 1-3, the spec's header labels
in row 4, data from row 5, 合计 row with formulas *and* cached results, the helper sheet). 附件1
is made consistent with 附件2 (企业数, 面积, 财力, 企业总数, 办公/建筑面积) through openpyxl, so the
packets check clean and the run times reading and checking, not reporting. Planted across packets:
one 统一社会信用代码 (packets 0/1), one enterprise name (6/7), one building name (2/3), one phone (4/5);
the bench reads the workbook's 冲突 sheet back and says whether exactly these were found.

Every measurement runs in its own subprocess, --repeat times, the runs of all commands alternating
(so a burst of other work on the machine hits each of them alike), and the median is printed: wall
clock including start-up, CPU time of all the processes it waited for (--jobs workers included),
peak RSS of the largest of them. Anchors in the same run: python-calamine reading all the 附件2
files in one process, and `check_packet` over every packet in one process (what collect must do
anyway). Then the two workbook writers on the same collected result — XlsxWriter `constant_memory`
(zonekit's) and openpyxl write-only writing the same cells (the writer zonekit used before) — and
the cross-packet conflict search alone on synthetic rows at 1x and 4x the size, to show it is
linear (hash joins). Peak memory needs the `resource` module (Linux/macOS); elsewhere it is "-".
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import compiled, write_table_footer, write_table_header  # bench/ is on sys.path when a script is run

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "samples" / "sz-building-demo"
AS_OF = "2026-11-22"
DISTRICTS = ["福田区", "罗湖区", "南山区", "盐田区", "宝安区", "龙岗区", "龙华区", "坪山区", "光明区", "大鹏新区"]
ENTERPRISES = "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"
APPLICATION = "01_申报表/附件1 申报表.xlsx"

# Runs argv[1:] once: wall seconds, CPU seconds (user + system, all processes it waited for: the
# workers of --jobs too) and the peak RSS of the largest of them. CPU time is what to compare when the
# machine is shared; wall time is what a user waits.
RUNNER = """
import json, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
s = time.perf_counter() - t
try:
    import resource
except ImportError:  # Windows: wall time only
    print(json.dumps({"s": s, "cpu": None, "mb": None, "rc": rc}))
else:
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    mb = u.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    print(json.dumps({"s": s, "cpu": u.ru_utime + u.ru_stime, "mb": mb, "rc": rc}))
"""

CALAMINE_ALL = """
import sys
from pathlib import Path
from python_calamine import CalamineWorkbook
n = 0
for p in sorted(Path(sys.argv[1]).glob("p*/" + sys.argv[2])):
    n += len(CalamineWorkbook.from_path(str(p)).get_sheet_by_name(sys.argv[3]).to_python())
assert n > 4, n
"""

# The CPU time of collect --jobs 1 split in two: collect() alone (check, extract, conflicts, sheets' data;
# no workbook) and write_workbook() of its result (XlsxWriter constant_memory).
BREAKDOWN = """
import datetime, json, sys, time
from pathlib import Path
from zonekit.collect import collect
from zonekit.collect.workbook import write_workbook
t = time.process_time()
r = collect([Path(sys.argv[1])], as_of=datetime.date.fromisoformat(sys.argv[2]))
a = time.process_time() - t
t = time.process_time()
write_workbook(r, Path(sys.argv[3]))
b = time.process_time() - t
cells = sum(len(v.rows) * (len(v.header) - 1) for v in r.verification) + len(r.packets) * (15 + len(r.columns))
print(json.dumps({"collect": a, "write": b, "cells": cells}))
"""

# The two writers on one collected result (pickled once by PICKLE): zonekit's XlsxWriter constant_memory
# writer, and openpyxl write-only writing the same cells (values, header style, freeze, filter, widths)
# the way zonekit's writer did before. CPU seconds of the writing alone; peak memory of the process.
PICKLE = """
import datetime, pickle, sys
from pathlib import Path
from zonekit.collect import collect
r = collect([Path(sys.argv[1])], as_of=datetime.date.fromisoformat(sys.argv[2]))
for v in r.verification:
    v.frozen = list(v.rows)  # the lines as the writers get them, derived once here
with open(sys.argv[3], "wb") as f:
    pickle.dump(r, f)
"""

WRITE_XLSXWRITER = """
import json, pickle, sys, time
from pathlib import Path
from zonekit.collect.workbook import write_workbook
r = pickle.load(open(sys.argv[1], "rb"))
t = time.process_time()
write_workbook(r, Path(sys.argv[2]))
write = time.process_time() - t
"""

WRITE_OPENPYXL = """
import json, pickle, re, sys, time
from pathlib import Path
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
r = pickle.load(open(sys.argv[1], "rb"))
t = time.process_time()
wb = Workbook(write_only=True)
WIDE = re.compile(r"[\\u1100-\\uffff]")
def width(v):
    text = "" if v is None else v if isinstance(v, str) else f"{v:,.2f}" if isinstance(v, float) else str(v)
    line = max(text.split("\\n"), key=len) if text else ""
    return len(line) + len(WIDE.findall(line))
def sheet(name, header, rows, title=None, note=None):
    ws = wb.create_sheet(name)
    head = 1 + bool(title) + bool(note)
    widths = [width(h) + 2 for h in header]
    for row in rows[:300]:
        for j, v in enumerate(row[: len(widths)]):
            widths[j] = max(widths[j], width(v) + 1)
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w, 6), 60)
    ws.freeze_panes = f"A{head + 1}"
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(header))}{head + max(len(rows), 1)}"
    for text, font in ((title, Font(bold=True, size=14)), (note, Font(size=10, color="555555"))):
        if text:
            c = WriteOnlyCell(ws, text)
            c.font = font
            ws.append([c])
    fill, bold = PatternFill("solid", fgColor="DDEBF7"), Font(bold=True)
    cells = []
    for h in header:
        c = WriteOnlyCell(ws, h)
        c.font, c.fill, c.alignment = bold, fill, Alignment(wrap_text=True, vertical="center")
        cells.append(c)
    ws.append(cells)
    for row in rows:
        end = len(row)
        while end and row[end - 1] is None:
            end -= 1
        ws.append(row[:end])
summary = [[p.index + 1, p.packet, p.programme, p.name, *(p.value(c.ref) for c in r.columns), p.counts.get("error"),
            p.counts.get("warning"), p.counts.get("info"), p.eligibility, p.path, p.error] for p in r.packets]
sheet("汇总", ["序号", "材料包", "申报项目", "申报单位", *(c.label for c in r.columns), "错误", "警告", "提示",
             "申报条件", "满足情况", "无法读取的原因"], summary)
conflicts = [[i, c.label, c.severity, c.value, r.packets[c.a.packet].packet, r.packets[c.a.packet].name, c.a.text(),
              r.packets[c.b.packet].packet, r.packets[c.b.packet].name, c.b.text(), c.source, c.note]
             for i, c in enumerate(r.conflicts, 1)]
sheet("冲突", ["序号", "类型", "级别", "值", "材料包A", "申报单位A", "位置A", "材料包B", "申报单位B", "位置B", "依据",
             "说明"], conflicts)
for v in r.verification:
    sheet(v.sheet, v.header, v.frozen, v.title, v.note)
wb.save(sys.argv[2])
write = time.process_time() - t
"""

PEAK = """
try:
    import resource
    mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
except ImportError:
    mb = None
print(json.dumps({"write": write, "mb": mb}))
"""

CHECK_ALL = """
import datetime, sys
from pathlib import Path
from zonekit.check.runner import check_packet
for p in sorted(Path(sys.argv[1]).glob("p*")):
    check_packet(p, as_of=datetime.date.fromisoformat(sys.argv[2]))
"""


# ------------------------------------------------------------------ building the round
def _building(i: int) -> str:
    return f"鹏城金融大厦{2 if i == 3 else i:03d}"  # planted: packet 3 names packet 2's building


def _enterprise(i: int, j: int) -> tuple[str, str]:
    from zonekit.fields.cellvalues import make_uscc

    name = f"鹏城{6 if (i, j) == (7, 3) else i:03d}号楼第{j + 1}号金融服务有限公司"  # planted: 7/3 = 6/3
    uscc = make_uscc("91440300", f"{0:03d}{10:05d}") if (i, j) == (1, 0) else make_uscc("91440300", f"{i:03d}{j:05d}")
    return name, uscc  # planted: packet 1 row 5 has packet 0 row 15's code


def write_enterprises(path: Path, i: int, n: int, form: dict) -> dict[str, float]:
    import xlsxwriter

    cols = form["columns"]
    kinds = next(c for c in cols if c["key"] == "kind")["values"]
    rng = random.Random(i)
    building = _building(i)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(form["sheet"])
    datef = write_table_header(wb, ws, form, building)
    area = fiscal = 0.0
    staff = 0
    names = []
    for j in range(n):
        a, f, s = round(rng.uniform(80, 900), 1), round(rng.uniform(5, 400), 2), rng.randint(3, 300)
        area, fiscal, staff = area + a, fiscal + f, staff + s
        name, uscc = _enterprise(i, j)
        names.append(name)
        r = 4 + j
        ws.write_row(r, 0, [j + 1, building, name, kinds[j % len(kinds)], a, f"{j % 48 + 1}", f, s])
        ws.write_datetime(r, 8, _date(rng), datef)
        ws.write_row(r, 9, [f"深圳市{DISTRICTS[i % len(DISTRICTS)]}鹏城路{i}号{j % 48 + 1}层", uscc])
    write_table_footer(wb, ws, names, area, fiscal, staff)
    wb.close()
    office = math.ceil(area / 0.55)
    return {"fin_count": n, "fin_area": round(area, 1), "fiscal_total": round(fiscal, 2), "company_count": n + 34,
            "total_office_area": office, "total_building_area": math.ceil(office * 1.3), "licensed_count": min(5, n)}


def _date(rng: random.Random):
    import datetime as dt

    return dt.datetime(2005, 1, 1) + dt.timedelta(days=rng.randint(0, 7000))


def build_round(top: Path, packets: int, rows: int) -> None:
    import openpyxl

    from zonekit.spec.programme import load_programme

    form = load_programme("sz-building").form("enterprises")
    app = openpyxl.load_workbook(DEMO / APPLICATION)  # loaded once, saved once per packet
    cells = {}
    for key in ("name", "address", "operator", "phone", "email", "fin_count", "fin_area", "fiscal_total",
                "company_count", "total_office_area", "total_building_area", "licensed_count"):
        sheet, ref = next(iter(app.defined_names[f"ZK_APPLICATION_{key.upper()}"].destinations))
        cells[key] = app[sheet][ref.replace("$", "")]
    toml = (DEMO / "packet.toml").read_text("utf-8")
    for i in range(packets):
        root = top / f"p{i:04d}"
        shutil.copytree(DEMO, root, copy_function=os.link)
        district = DISTRICTS[i % len(DISTRICTS)]
        applicant = f"深圳市鹏城第{i:03d}置业运营有限公司"
        phone = f"0755-8{4 if i == 5 else i:07d}"  # planted: packet 5 uses packet 4's phone
        text = (toml.replace("深圳市福华置业运营管理有限公司", applicant).replace('"福田区"', f'"{district}"')
                .replace("0755-83451234", phone).replace("lim@fuhua-ops.example.cn", f"ops{i}@pengcheng.example.cn"))
        (root / "packet.toml").unlink()
        (root / "packet.toml").write_text(text, "utf-8")
        (root / ENTERPRISES).unlink()
        figures = write_enterprises(root / ENTERPRISES, i, rows, form)
        figures.update(name=_building(i), address=f"深圳市{district}鹏城路{i}号", operator=applicant, phone=phone,
                       email=f"ops{i}@pengcheng.example.cn")
        for key, value in figures.items():
            cells[key].value = value
        (root / APPLICATION).unlink()
        app.save(root / APPLICATION)


def measure(argv: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", RUNNER, *argv], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


# ------------------------------------------------------------------ checking what was found
def planted_found(xlsx: Path) -> str:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("冲突").to_python()[1:]
    kinds: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        if r[0] != "":
            kinds.setdefault(r[1], set()).add((Path(r[4]).name, Path(r[7]).name))
    want = {"同一统一社会信用代码出现在两个材料包中": {("p0000", "p0001")},
            "同一金融企业名称出现在两个材料包中": {("p0006", "p0007")},
            "同一基地（楼宇）名称出现在两个材料包中": {("p0002", "p0003")},
            "不同申报单位填写了相同的联系电话": {("p0004", "p0005")}}
    return "all 4 planted conflicts found, nothing else" if kinds == want else f"MISMATCH: {kinds}"


def linear_conflicts(packets: int, rows: int) -> list[tuple[int, float]]:
    """find_conflicts alone on synthetic rows (no files) at 1x and 4x the packets: time should grow 4x, not 16x."""
    from zonekit.collect import PacketRow, TableRows, find_conflicts
    from zonekit.spec.programme import load_programme

    prog = load_programme("sz-building")
    out = []
    for n in (packets, packets * 4):
        rs = []
        for i in range(n):
            t = TableRows("f.xlsx", "s", ("name", "uscc", "building"), {"name": "C", "uscc": "K", "building": "B"},
                          [(5 + j, f"企业{i}-{j}", f"U{i:05d}{j:05d}", f"楼{i}") for j in range(rows)])
            rs.append(PacketRow(i, f"p{i}", "sz-building", {"name": f"单位{i}", "phone": f"0755-8{i:07d}"},
                                values={"application.name": f"楼{i}", "application.address": f"地址{i}"},
                                tables={"enterprises": t}))
        start = time.perf_counter()
        found = find_conflicts(rs, [prog])
        out.append((n * rows, time.perf_counter() - start))
        assert not found, found[:3]
    return out


def _collect(jobs: int) -> str:
    return f"zonekit collect --jobs {jobs} -o 汇总.xlsx"


def _median(values: list[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return statistics.median(got) if got else None


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def main() -> None:
    compiled()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--packets", type=int, default=500)
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=5, help="runs of each command, alternating; the median is shown")
    args = ap.parse_args()
    if args.packets < 8:
        sys.exit("--packets must be at least 8 (the planted conflicts use packets 0-7)")
    print(f"python {sys.version.split()[0]}, {sys.platform}, {os.cpu_count()} CPUs; "
          f"{args.packets} packets x {args.rows} enterprises; each figure is the median of {args.repeat} runs, "
          f"each in its own subprocess, the commands alternating\n")
    with tempfile.TemporaryDirectory(prefix="zk-collect-bench-") as tmp:
        top = Path(tmp) / "round"
        top.mkdir()
        start = time.perf_counter()
        build_round(top, args.packets, args.rows)
        print(f"built in {time.perf_counter() - start:.1f} s (not measured below)\n")
        print(f"{'what':<52} {'wall s':>7} {'CPU s':>7} {'peak MB':>8} {'CPU ms/packet':>14}  note")
        print("-" * 110)
        sheet = "附件2 入驻金融企业信息表"
        anchor = "anchor: check_packet on every packet (one process)"
        calamine = "anchor: python-calamine reads every 附件2"
        runs = {
            calamine: [sys.executable, "-c", CALAMINE_ALL, str(top), ENTERPRISES, sheet],
            anchor: [sys.executable, "-c", CHECK_ALL, str(top), AS_OF],
        }
        for jobs in args.jobs:
            out = Path(tmp) / f"汇总-{jobs}.xlsx"
            runs[_collect(jobs)] = [sys.executable, "-m", "zonekit.cli", "collect", str(top), "-o", str(out),
                                    "--jobs", str(jobs), "--as-of", AS_OF]
        results: dict[str, list[dict]] = {what: [] for what in runs}
        for _ in range(args.repeat):
            for what, argv in runs.items():
                results[what].append(measure(argv))
        medians = {}
        for what, argv in runs.items():
            rs = results[what]
            wall, cpu, mb = (_median([r[k] for r in rs]) for k in ("s", "cpu", "mb"))
            medians[what] = wall
            note = f"exit {sorted({r['rc'] for r in rs})}"
            if "collect" in what:
                note += "; " + planted_found(Path(argv[argv.index("-o") + 1]))
            per = None if cpu is None else 1000 * cpu / args.packets
            print(f"{what:<52} {wall:>7.2f} {_fmt(cpu, '7.2f')} {_fmt(mb, '8.0f')} {_fmt(per, '14.1f')}  {note}")
        if len(args.jobs) == 2:
            one, two = (medians[_collect(j)] for j in args.jobs)
            print(f"  (wall times: collect --jobs {args.jobs[0]} is {one / medians[anchor]:.2f}x the check_packet "
                  f"anchor; --jobs {args.jobs[1]} is {two / one:.2f}x --jobs {args.jobs[0]})")
        out = subprocess.run([sys.executable, "-c", BREAKDOWN, str(top), AS_OF, str(Path(tmp) / "split.xlsx")],
                             capture_output=True, text=True, check=True)
        split = json.loads(out.stdout)
        print(f"{'  of which collect(): check, extract, conflicts':<52} {'':>7} {split['collect']:>7.2f}")
        print(f"{'  of which write_workbook() (XlsxWriter)':<52} {'':>7} {split['write']:>7.2f} {'':>8} {'':>14}  "
              f"about {split['cells']:,} cells")
        print("-" * 110)
        pickled = Path(tmp) / "result.pickle"
        subprocess.run([sys.executable, "-c", PICKLE, str(top), AS_OF, str(pickled)], check=True)
        writers = {"XlsxWriter constant_memory (zonekit)": WRITE_XLSXWRITER,
                   "openpyxl write-only, same cells": WRITE_OPENPYXL}
        timed: dict[str, list[dict]] = {w: [] for w in writers}
        for _ in range(args.repeat):
            for what, code in writers.items():
                out = subprocess.run([sys.executable, "-c", code + PEAK, str(pickled), str(Path(tmp) / "w.xlsx")],
                                     capture_output=True, text=True, check=True)
                timed[what].append(json.loads(out.stdout))
        for what in writers:
            cpu, mb = (_median([r[k] for r in timed[what]]) for k in ("write", "mb"))
            print(f"{'writer: ' + what:<52} {'':>7} {_fmt(cpu, '7.2f')} {_fmt(mb, '8.0f')} "
                  f"{'':>14}  CPU s of the writing alone; peak MB of the process, the loaded result included")
        print("-" * 110)
    for n, s in linear_conflicts(args.packets, args.rows):
        print(f"{'find_conflicts alone, synthetic rows':<52} {s:>7.3f} {'':>7} {'':>8} {'':>14}  {n:,} enterprise rows")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"\nload average at the end: {_fmt(load, '.2f')} (other work on this machine slows the wall times)")


if __name__ == "__main__":
    main()
