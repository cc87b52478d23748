"""Startup time of `zonekit --help` and `zonekit check` beside `python -c "import typer"`, measured in one run.

Usage: python bench/startup_bench.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import compiled  # bench/ is on sys.path when a script is run

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    compiled()
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    runs = ap.parse_args().runs
    py = sys.executable
    rows = [
        ("python -c 'import typer' (anchor)", [py, "-c", "import typer"]),
        ("zonekit --help", [py, "-m", "zonekit.cli", "--help"]),
        ("zonekit --version", [py, "-m", "zonekit.cli", "--version"]),
        ("zonekit check samples/sz-building-demo",
         [py, "-m", "zonekit.cli", "check", str(ROOT / "samples/sz-building-demo"), "--as-of", "2026-11-22"]),
        ("import typer+rich+openpyxl+jsonschema+pypdf+docx (anchor)",
         [py, "-c", "import typer, rich, openpyxl, jsonschema, pypdf, docx"]),
    ]
    anchor = None
    print(f"{'command':62} {'median s':>9} {'× typer':>8}")
    for label, cmd in rows:
        t = timed(cmd, runs)
        anchor = anchor or t
        print(f"{label:62} {t:9.3f} {t / anchor:8.2f}")


if __name__ == "__main__":
    main()
