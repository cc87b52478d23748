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
    return subprocess.run([sys.executable, "-m", "zonekit.cli", *args], capture_output=True, text=True, cwd=cwd, env=env)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(SAMPLES / "sz-building-demo", target)
    return target


def soffice_or_skip() -> str:
    from zonekit.office import find_soffice

    exe = find_soffice()
    if not exe:
        pytest.skip("LibreOffice (soffice) not installed: apt-get install libreoffice-calc-nogui libreoffice-writer-nogui")
    return exe
