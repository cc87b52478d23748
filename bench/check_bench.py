"""How fast is `zonekit check` on a big 附件2, next to the bare readers it is built on?

    python bench/check_bench.py                 # 10,000 and 100,000 rows
    python bench/check_bench.py --rows 30000

For each size a copy of samples/sz-building-demo gets a 附件2 written the way Excel/WPS write
files (XlsxWriter: shared strings, a <dimension>, the 合计 formulas *with* cached results), same
layout as `zonekit init`: title rows 1-3, the spec's header labels in row 4, data rows, 合计 row,
and the helper sheet. 附件1 is updated with openpyxl so that it agrees with the new 附件2 (企业数,
面积, 财力, 企业总数, 办公/建筑面积): the check is a clean one and times reading + validating, not
reporting thousands of consistency findings. Data are seeded-random, so every run writes the same
files. When LibreOffice is installed, the same packet is measured a second time with that 附件2
opened and saved again by LibreOffice (`soffice --convert-to xlsx`), the case the issue's target
names: LibreOffice writes every string that mixes Chinese with Latin letters or digits as rich
text, so its shared strings are about ten times Excel's and calamine takes twice as long.

Every measurement runs in its own subprocess: a tiny runner starts the command, times it (wall
clock, so Python start-up and imports are included for every row alike) and reports the child's
peak RSS from resource.getrusage(RUSAGE_CHILDREN).ru_maxrss. Linux/macOS only (resource module).
`zonekit check` and the calamine read, whose ratio is the target, take turns --repeat times and
the medians are shown, so a slow spell of a shared machine weighs on both. zonekit reads a big
helper sheet in a second thread when it has a spare CPU: `taskset -c 0 python bench/check_bench.py`
shows the single-CPU figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# bench/ is on sys.path when a script is run
from _common import compiled, match_application, write_table_footer, write_table_header

from zonekit.background import cpus

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "samples" / "sz-building-demo"
AS_OF = "2026-11-22"

# Runs argv[1:] once; prints {"s": wall seconds, "mb": the child's peak RSS in MB, "rc": exit code}.
RUNNER = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
s = time.perf_counter() - t
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"s": s, "mb": kb / (1024 * 1024 if sys.platform == "darwin" else 1024), "rc": rc}))
"""

OPENPYXL = """
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
n = sum(1 for _ in wb[sys.argv[2]].iter_rows(values_only=True))
assert n > 4, n
"""

CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name(sys.argv[2]).to_python()
assert len(rows) > 4, len(rows)
"""

# The same rules as the spec's columns, as a Table Schema; the 3 title rows are skipped by the dialect.
FRICTIONLESS = """
import json, sys
from pathlib import Path
from frictionless import Dialect, Resource, Schema, formats
path = Path(sys.argv[1])
schema = Schema.from_descriptor(json.loads(sys.argv[3]))
dialect = Dialect(header_rows=[4], controls=[formats.ExcelControl(sheet=sys.argv[2])])
report = Resource(path.name, basepath=str(path.parent), schema=schema, dialect=dialect).validate(limit_errors=100)
task = report.tasks[0]
assert task.stats["rows"] > 4, task.stats  # all rows read (errors are the 合计 row's, which the schema cannot skip)
"""


# ------------------------------------------------------------------ writing the packet
def make_packet(target: Path, n: int) -> dict[str, float]:
    """Copy the demo packet to `target` with an n-row 附件2; returns the figures written to 附件1."""
    import xlsxwriter

    from zonekit.fields.cellvalues import make_uscc
    from zonekit.spec.programme import load_programme

    prog = load_programme("sz-building")
    form = prog.form("enterprises")
    cols = form["columns"]
    shutil.copytree(DEMO, target)
    rng = random.Random(n)
    kinds = next(c for c in cols if c["key"] == "kind")["values"]
    building = "福华金融中心"

    path = target / "02_入驻金融企业信息表" / form["file"]
    path.unlink()
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(form["sheet"])
    datef = write_table_header(wb, ws, form, building)
    area = fiscal = 0.0
    staff = 0
    names: list[str] = []
    start = dt.date(2005, 1, 1)
    for i in range(n):
        a, f, s = round(rng.uniform(80, 900), 1), round(rng.uniform(5, 400), 2), rng.randint(3, 300)
        area, fiscal, staff = area + a, fiscal + f, staff + s
        r = 4 + i
        names.append(f"深圳市鹏城第{i + 1}号金融服务有限公司")
        ws.write_row(r, 0, [i + 1, building, names[-1], kinds[i % len(kinds)], a, f"{i % 48 + 1}", f, s])
        ws.write_datetime(r, 8, dt.datetime.combine(start + dt.timedelta(days=rng.randint(0, 7000)), dt.time()), datef)
        ws.write_row(r, 9, [f"深圳市福田区福华三路88号{i % 48 + 1}层{i}室", make_uscc("91440300", f"{i:08d}")])
    write_table_footer(wb, ws, names, area, fiscal, staff)
    wb.close()

    figures = match_application(target, prog, n, area, fiscal)
    return figures


def libreoffice_saved(packet: Path, target: Path) -> Path | None:
    """A copy of `packet` whose 附件2 LibreOffice has opened and saved again; None without LibreOffice."""
    from zonekit.document.office import find_soffice

    soffice = find_soffice()
    if not soffice:
        return None
    shutil.copytree(packet, target)
    xlsx = target / "02_入驻金融企业信息表" / "附件2 入驻金融企业信息表.xlsx"
    out = target.parent / "lo-out"
    profile = (target.parent / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--calc", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(xlsx)],
                   capture_output=True, check=True, timeout=600)
    shutil.copyfile(out / xlsx.name, xlsx)
    return target


def table_schema() -> dict:
    from zonekit.spec.programme import load_programme

    types = {"seq": "integer", "number": "number", "integer": "integer", "date": "date"}
    fields = []
    for c in load_programme("sz-building").form("enterprises")["columns"]:
        f: dict = {"name": c["label"], "type": types.get(c.get("type", "text"), "string")}
        cons = {k: v
                for k, v in (("required", c.get("required")), ("unique", c.get("unique")), ("minimum", c.get("min")))
                if v and not (k == "minimum" and f["type"] == "date")}
        if c.get("type") == "choice":
            cons["enum"] = c["values"]
        if c.get("type") == "uscc":
            cons["pattern"] = "[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}"
        if cons:
            f["constraints"] = cons
        fields.append(f)
    return {"fields": fields}


# ------------------------------------------------------------------ measuring
def measure(argv: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", RUNNER, *argv], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def have(module: str) -> bool:
    return subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True).returncode == 0


def zonekit_findings(packet: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "zonekit.cli", "check", str(packet), "--format", "json",
                          "--as-of", AS_OF],
                         capture_output=True, text=True)
    counts = json.loads(out.stdout)["counts"]
    return {"rc": out.returncode, **counts}


def _medians(runs: dict[str, list[str]], repeat: int) -> dict[str, dict]:
    """Each command run `repeat` times, taking turns; per command the median time and the largest peak RSS."""
    seen: dict[str, list[dict]] = {what: [] for what in runs}
    for _ in range(repeat):
        for what, argv in runs.items():
            seen[what].append(measure(argv))
    return {what: {"s": statistics.median(r["s"] for r in rs), "mb": max(r["mb"] for r in rs), "rc": rs[0]["rc"]}
            for what, rs in seen.items()}


def main() -> None:
    compiled()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--libreoffice-from", type=int, default=100_000,
                    help="also measure a LibreOffice-saved copy for tables of at least this many rows (default 100000)")
    ap.add_argument("--repeat", type=int, default=5,
                    help="runs of zonekit check and of the calamine read, alternating; the median is shown (default 5)")
    args = ap.parse_args()
    sheet = "附件2 入驻金融企业信息表"
    friction = have("frictionless")
    print(f"python {sys.version.split()[0]}, {sys.platform}, {cpus()} CPUs; every run is its own subprocess; "
          f"zonekit and calamine: median of {args.repeat} alternating runs, the others: one run\n")
    print(f"{'rows':>8}  {'what':<44} {'time s':>8} {'peak MB':>8}  note")
    print("-" * 96)
    for n in args.rows:
        with tempfile.TemporaryDirectory(prefix="zk-bench-") as tmp:
            packet = Path(tmp) / "packet"
            make_packet(packet, n)
            copies = [("XlsxWriter", packet)]
            if n >= args.libreoffice_from and (saved := libreoffice_saved(packet, Path(tmp) / "lo-packet")):
                copies.append(("LibreOffice-saved", saved))
            for written_by, where in copies:
                print(f"{n:>8,}  附件2 written by {written_by}")
                measure_packet(where, n, args.repeat, sheet, friction)
    measure_demo()


def measure_packet(packet: Path, n: int, repeat: int, sheet: str, friction: bool) -> None:
    """One packet's rows of the table: zonekit check and the bare readers of its 附件2."""
    xlsx = packet / "02_入驻金融企业信息表" / "附件2 入驻金融企业信息表.xlsx"
    size = xlsx.stat().st_size / 2**20
    runs = {
        "zonekit check (CLI, whole packet)": [sys.executable, "-m", "zonekit.cli", "check", str(packet),
                                              "--as-of", AS_OF],
        "openpyxl read_only, values_only": [sys.executable, "-c", OPENPYXL, str(xlsx), sheet],
        "python-calamine to_python()": [sys.executable, "-c", CALAMINE, str(xlsx), sheet],
    }
    if friction:
        runs["frictionless validate (Table Schema)"] = [sys.executable, "-c", FRICTIONLESS, str(xlsx), sheet,
                                                        json.dumps(table_schema(), ensure_ascii=False)]
    found = zonekit_findings(packet)
    zk, cal = "zonekit check (CLI, whole packet)", "python-calamine to_python()"
    results = _medians({zk: runs[zk], cal: runs[cal]}, repeat)  # alternating: a slow spell hits both
    for what, argv in runs.items():
        r = results[what] if what in results else measure(argv)
        note = ""
        if what.startswith("zonekit"):
            note = f"exit {found['rc']}: {found['error']} errors, {found['warning']} warnings"
        elif r["rc"]:
            note = f"exit {r['rc']}"
        print(f"{n:>8,}  {what:<44} {r['s']:>8.2f} {r['mb']:>8.0f}  {note}")
    if not friction:
        print(f"{n:>8,}  {'frictionless validate':<44} {'—':>8} {'—':>8}  "
              "not installed — pip install frictionless")
    z, c = results[zk], results[cal]
    print(f"{n:>8,}  {'ratio zonekit check / calamine':<44} {z['s'] / c['s']:>8.2f} {z['mb'] / c['mb']:>8.2f}  "
          f"附件2 is {size:.1f} MB on disk")
    print("-" * 96)


def measure_demo() -> None:
    """The everyday case: the demo packet, beside importing typer."""
    demo = [sys.executable, "-m", "zonekit.cli", "check", str(DEMO), "--as-of", AS_OF]
    typer = [sys.executable, "-c", "import typer"]
    for what, argv in (("zonekit check samples/sz-building-demo", demo), ('python -c "import typer"', typer)):
        rs = [measure(argv) for _ in range(5)]
        print(f"{'demo':>8}  {what:<44} {sum(r['s'] for r in rs) / 5:>8.3f} {max(r['mb'] for r in rs):>8.0f}  "
              f"mean of 5 runs (exit {rs[0]['rc']})")


if __name__ == "__main__":
    main()
