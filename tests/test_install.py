"""The package as users get it: a non-editable wheel carries its templates; --help stays light."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from .conftest import ROOT

HEAVY = ("openpyxl", "docx", "pypdf", "reportlab", "python_calamine", "jsonschema", "PIL")


def test_help_imports_no_heavy_library():
    code = (
        "import sys\n"
        "from zonekit import cli\n"
        "for argv in (['zonekit', '--help'], ['zonekit', 'check', '--help'], ['zonekit', 'bundle', '--help'],"
        " ['zonekit', '--version']):\n"
        "    sys.argv = argv\n"
        "    try:\n"
        "        cli.main()\n"
        "    except SystemExit as e:\n"
        "        assert e.code == 0, (argv, e.code)\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"


def test_every_command_has_help():
    for cmd in ("programs", "init", "check", "schema", "bundle", "verify"):
        r = subprocess.run([sys.executable, "-m", "zonekit.cli", cmd, "--help"], capture_output=True, text=True)
        assert r.returncode == 0 and "Usage" in r.stdout, cmd


def test_wheel_installs_outside_checkout_with_templates(tmp_path):
    dist = tmp_path / "dist"
    r = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    wheel = next(dist.glob("zonekit-*.whl"))
    with zipfile.ZipFile(wheel) as zf:  # the code is MIT, the font it ships OFL: both said, the font's licence carried
        names = zf.namelist()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode("utf-8")
    assert re.search(r"^License(-Expression)?: MIT AND OFL-1\.1$", metadata, re.M), metadata[:800]
    assert "zonekit/fontdata/OFL.txt" in names and "zonekit/fontdata/FONTLOG.txt" in names
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    r = subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(wheel)], capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ZONEKIT_TEMPLATES")}
    r = subprocess.run([str(env_dir / "bin" / "zonekit"), "programs", "--format", "json"],
                       capture_output=True, text=True, cwd=elsewhere, env=env)
    assert r.returncode == 0, r.stderr
    assert '"sz-building"' in r.stdout
    where = subprocess.run([str(py), "-c", "import zonekit.spec.programme as s; print(s.templates_root())"],
                           capture_output=True, text=True, cwd=elsewhere, env=env).stdout.strip()
    assert Path(where).is_relative_to(env_dir) and not Path(where).is_relative_to(ROOT)
    r = subprocess.run([str(env_dir / "bin" / "zonekit"), "init", "sz-base", str(elsewhere / "p")], capture_output=True,
                       text=True, cwd=elsewhere, env=env)
    assert r.returncode == 0, r.stderr
    assert (elsewhere / "p/02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx").is_file()
