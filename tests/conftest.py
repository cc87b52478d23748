from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
AS_OF = dt.date(2026, 11, 22)


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zonekit.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(SAMPLES / "sz-building-demo", target)
    return target


def soffice_or_skip() -> str:
    from zonekit.document.office import find_soffice

    exe = find_soffice()
    if not exe:
        pytest.skip("LibreOffice (soffice) not installed: "
                    "apt-get install libreoffice-calc-nogui libreoffice-writer-nogui")
    return exe


def set_answers(root: Path, section: str | None = None, **values: object) -> None:
    """Answer questions in the packet's sheet 申报信息 (材料清单.xlsx) as a person would in WPS/Excel:
    set_answers(root, "claims", path="continuation") or set_answers(root, **{"claims.path": "continuation"})."""
    import tomllib

    from openpyxl import load_workbook

    from zonekit.answers import SHEET, questions
    from zonekit.spec.programme import load_programme

    prog = load_programme(tomllib.loads((root / "packet.toml").read_text("utf-8"))["packet"]["programme"])
    by_key = {q.key: q for q in questions(prog)}
    wanted = {(f"{section}.{k}" if section else k): v for k, v in values.items()}
    if section == "applicant" or section is None:  # a bare applicant key is the usual case in the tests
        wanted = {k if k in by_key else f"applicant.{k}": v for k, v in wanted.items()}
    path = root / "材料清单.xlsx"
    wb = load_workbook(path)
    ws = wb[SHEET]
    rows = {ws.cell(r, 5).value: r for r in range(4, ws.max_row + 1)}
    for key, value in wanted.items():
        assert key in by_key, f"no question {key}"
        ws.cell(rows[key], 2, by_key[key].shown(value) if not isinstance(value, str) else value)
    wb.save(path)


def copy_answers(src: Path, dst: Path) -> None:
    """The answers of packet `src` (its sheet 申报信息) typed into packet `dst`'s sheet."""
    import tomllib

    from zonekit.answers import read_sheet
    from zonekit.spec.programme import load_programme

    prog = load_programme(tomllib.loads((src / "packet.toml").read_text("utf-8"))["packet"]["programme"])
    got = read_sheet(src / "材料清单.xlsx", prog)
    set_answers(dst, **{f"{section}.{name}": value
                        for section, values in got.values.items() for name, value in values.items()})
