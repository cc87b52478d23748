"""Nobody edits TOML: init asks (or takes --data), the answers live in 材料清单.xlsx (sheet 申报信息),
check reads them from there and points at their cells; packets made before still check as before."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from zonekit.answers import SHEET, questions, read_sheet
from zonekit.check.runner import check_packet
from zonekit.spec.programme import load_programme

from .conftest import AS_OF, SAMPLES, run_cli, set_answers, soffice_or_skip

CHECKLIST = "材料清单.xlsx"
PROGRAMMES = ["sz-building", "sz-base", "sz-district", "g60-park", "miit-pilot", "zone3553", "qiantang"]
DEMO_ANSWERS = {  # what the sz-building demo's applicant answered (its forms carry name, contact, phone, e-mail)
    "applicant.district": "福田区", "claims.scale_path": "fiscal", "claims.commitments": "",
    "claims.hq_land_path": "否",
    "attestations.not_in_base": "是", "attestations.no_incident": "是", "attestations.operator_rules": "是",
}


def _data_args(answers: dict[str, str]) -> list[str]:
    return [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]


def _sheet_rows(root: Path) -> dict[str, tuple[int, object]]:
    ws = load_workbook(root / CHECKLIST)[SHEET]
    return {row[4].value: (row[1].row, row[1].value) for row in ws.iter_rows(min_row=4) if row[4].value}


@pytest.mark.parametrize("pid", PROGRAMMES)
def test_no_input_with_data_for_every_programme(pid: str, tmp_path: Path) -> None:
    prog = load_programme(pid)
    asked = [q for q in questions(prog) if not q.from_form]
    data = {}
    for q in asked:
        if q.kind == "bool":
            data[q.key] = "√"
        elif q.kind == "choice" and q.values:
            data[q.key] = q.choices()[-1]
    target = tmp_path / "p"
    unit = prog.section("applicant")[1]["values"][0] if pid == "qiantang" else None
    if unit:  # the reporting unit comes from --unit (the forms hold only its rows)
        data.pop("applicant.unit", None)
    args = ["init", pid, str(target), "--no-input", *_data_args(data), *(["--unit", unit] if unit else [])]
    if unit:
        data["applicant.unit"] = unit
    r = run_cli(*args)
    assert r.returncode == 0, r.stdout + r.stderr
    toml = (target / "packet.toml").read_text("utf-8")
    assert "[claims]" not in toml and "[attestations]" not in toml and f'programme = "{pid}"' in toml
    got = read_sheet(target / CHECKLIST, prog)
    assert got.found and not got.problems
    for key, value in data.items():
        section, name = key.split(".")
        q = next(x for x in asked if x.key == key)
        assert got.values[section][name] == (True if value == "√" else value if value == unit else q.values[-1]), key
    shown = json.loads(run_cli("programs", "show", pid, "--format", "json").stdout)
    assert [q["key"] for q in shown["questions"]] == [q.key for q in questions(prog)]


def test_no_terminal_never_waits(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "zonekit.cli", "init", "sz-building", str(tmp_path / "p")],
                       stdin=subprocess.PIPE, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and (tmp_path / "p" / CHECKLIST).is_file()


def _packet_from_demo(tmp_path: Path, name: str, answers: dict[str, str] | None) -> Path:
    """A new packet made by init (with `answers` as --data), then the demo's forms and files put in."""
    target = tmp_path / name
    r = run_cli("init", "sz-building", str(target), "--no-input", *_data_args(answers or {}))
    assert r.returncode == 0, r.stderr
    for folder in SAMPLES.joinpath("sz-building-demo").iterdir():
        if folder.is_dir():
            shutil.rmtree(target / folder.name)
            shutil.copytree(folder, target / folder.name)
    return target


def _outcome(root: Path) -> tuple:
    r = check_packet(root, as_of=AS_OF)
    return r.verdict(), sorted((f.code, f.severity, f.cell) for f in r.findings if f.code not in ("spec_changed",
                                                                                                  "stray_file"))


def test_data_route_gives_the_demo_verdict_and_takes_contacts_from_the_form(tmp_path: Path) -> None:
    packet = _packet_from_demo(tmp_path, "data", DEMO_ANSWERS)
    report = check_packet(packet, as_of=AS_OF)
    assert report.ok, [f.message for f in report.findings if f.severity == "error"]
    assert [r.status for r in report.eligibility] == ["met", "met", "met"]
    # nothing asked twice: 联系人 and 运营机构名称 come from 附件1
    assert report.facts.get("packet.applicant.contact") == "李敏"
    assert report.facts.get("packet.applicant.name") == report.forms["application"].fields["operator"]


def test_workbook_route_resaved_by_libreoffice_gives_the_same_verdict(tmp_path: Path) -> None:
    by_data = _outcome(_packet_from_demo(tmp_path, "data", DEMO_ANSWERS))
    packet = _packet_from_demo(tmp_path, "sheet", None)
    wb = load_workbook(packet / CHECKLIST)
    ws = wb[SHEET]
    rows = _sheet_rows(packet)
    typed = {"applicant.district": "福田区", "claims.scale_path": "1. 上年度形成地方财力≥2.5亿元",
             "claims.hq_land_path": "否",
             "attestations.not_in_base": "√", "attestations.no_incident": "是", "attestations.operator_rules": "TRUE"}
    for key, value in typed.items():
        ws.cell(rows[key][0], 2, value)
    wb.save(packet / CHECKLIST)
    exe = soffice_or_skip()
    out = tmp_path / "resaved"
    subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML",
                    "--outdir", str(out), str(packet / CHECKLIST)], check=True, capture_output=True, timeout=180)
    shutil.copyfile(out / CHECKLIST, packet / CHECKLIST)
    assert _outcome(packet) == by_data


def test_answer_findings_point_at_their_cell(tmp_path: Path) -> None:
    packet = _packet_from_demo(tmp_path, "p", {**DEMO_ANSWERS, "attestations.no_incident": ""})
    rows = _sheet_rows(packet)
    wb = load_workbook(packet / CHECKLIST)
    wb[SHEET].cell(rows["claims.hq_land_path"][0], 2, "也许")
    wb.save(packet / CHECKLIST)
    report = check_packet(packet, as_of=AS_OF)
    bad = [f for f in report.findings if f.code == "packet_field" and f.severity == "error"]
    assert [(f.file, f.sheet, f.cell) for f in bad] == [(CHECKLIST, SHEET, f"B{rows['claims.hq_land_path'][0]}")]
    assert "也许" in bad[0].message
    [missing] = [f for f in report.findings if f.code == "attestation_missing"]
    assert (missing.file, missing.sheet, missing.cell) == (CHECKLIST, SHEET, f"B{rows['attestations.no_incident'][0]}")
    assert "packet.toml" not in (missing.hint or "")


def test_the_deadline_answered_points_at_its_cell(tmp_path: Path) -> None:
    """A deadline written on the sheet 申报信息 is said there (it was said to be in packet.toml)."""
    packet = _packet_from_demo(tmp_path, "p", {**DEMO_ANSWERS, "packet.deadline": "2026-11-20"})
    [passed] = [f for f in check_packet(packet, as_of=AS_OF).findings if f.code == "deadline_passed"]
    row = _sheet_rows(packet)["packet.deadline"][0]
    assert (passed.file, passed.sheet, passed.cell) == (CHECKLIST, SHEET, f"B{row}")
    assert "申报信息" in passed.message and "packet.toml" not in passed.message and passed.source is None


def test_old_style_packet_still_checks_with_an_info(tmp_path: Path) -> None:
    new = _packet_from_demo(tmp_path, "new", DEMO_ANSWERS)
    verdict, findings = _outcome(new)
    old = tmp_path / "old"
    shutil.copytree(new, old)
    wb = load_workbook(old / CHECKLIST)
    del wb[SHEET]
    wb.save(old / CHECKLIST)
    toml = (old / "packet.toml").read_text("utf-8")
    toml += ('\n[applicant]\nname = "深圳市福华置业运营管理有限公司"\ncontact = "李敏"\nphone = "0755-83451234"\n'
             'email = "lim@fuhua-ops.example.cn"\ndistrict = "福田区"\n\n[claims]\nscale_path = "fiscal"\ncommitments '
             '= []\n'
             'hq_land_path = false\n\n[attestations]\nnot_in_base = true\nno_incident = true\noperator_rules = true\n')
    (old / "packet.toml").write_text(toml, "utf-8")
    old_verdict, old_findings = _outcome(old)
    assert old_verdict == verdict
    assert [f for f in old_findings if f[0] != "packet_field"] == findings
    info = [f for f in check_packet(old, as_of=AS_OF).findings if f.code == "packet_field"]
    assert [(f.severity, f.file) for f in info] == [("info", "packet.toml")] and "申报信息" in info[0].message
    b = run_cli("bundle", str(old), "-o", str(tmp_path / "out"), "--date", AS_OF.isoformat())
    assert b.returncode == 0, b.stdout + b.stderr


# ------------------------------------------------------------------ asked on a terminal (a pseudo-terminal)
def _expect(fd: int, pattern: str, seen: list[str], timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if re.search(pattern, "".join(seen)):
            seen.clear()
            return
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen.append(os.read(fd, 65536).decode("utf-8", "replace"))
            except OSError:
                break
    raise AssertionError(f"never saw {pattern!r}; last output: {''.join(seen)[-800:]}")


def interview(target: Path, steps: list[tuple[str, str]], done: str, *args: str) -> None:
    """`zonekit init sz-building target *args` on a pseudo-terminal: answer each (prompt pattern,
    answer) of `steps` in turn, wait for `done`, and expect the command to succeed."""
    pty = pytest.importorskip("pty", reason="no pseudo-terminals (module pty) on this platform")
    pid, fd = pty.fork()
    if pid == 0:  # the child: zonekit init on the pseudo-terminal
        os.environ.update(COLUMNS="200", TERM="xterm")
        os.execv(sys.executable, [sys.executable, "-m", "zonekit.cli", "init", "sz-building", str(target), *args])
    seen: list[str] = []
    for pattern, answer in steps:
        _expect(fd, pattern, seen)
        os.write(fd, answer.encode() + b"\r")
    _expect(fd, done, seen)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_interactive_init_asks_validates_and_summarises(tmp_path: Path) -> None:
    target = tmp_path / "p"
    steps = [
        ("所在区", "3"),  # 南山区, picked by its number
        ("产业规模条件", "9"),  # no such number: asked again
        ("应为以下之一", "2"),
        ("承诺", ""),
        ("第八条", "否"),
        ("不在市级重点金融产业基地", "是"),
        ("无重大安全事故", "x"),  # ×/x means no
        ("专门的运营机构", "√"),
        ("截止日期", "2027-03-31"),
    ]
    interview(target, steps, "申报信息")
    got = read_sheet(target / CHECKLIST, load_programme("sz-building"))
    assert got.values["applicant"] == {"district": "南山区"}
    assert got.values["claims"]["scale_path"] == "licensed" and got.values["claims"]["hq_land_path"] is False
    assert got.values["attestations"] == {"not_in_base": True, "no_incident": False, "operator_rules": True}
    assert got.values["packet"]["deadline"] == "2027-03-31"
    assert "hq_standard" not in got.values["attestations"]  # the 第八条 questions: not asked, the path was not chosen


def test_a_carried_answer_is_asked_for_only_when_its_form_is_not_there(tmp_path: Path) -> None:
    """G60: 联系人 comes from 园区基本信息表 (recommended, not required); without that table, a warning asks
    for it in 申报信息 — never an error, the notice asks for no contact details."""
    packet = tmp_path / "g60"
    shutil.copytree(SAMPLES / "g60-park-demo", packet)
    with_form = [f for f in check_packet(packet, as_of=AS_OF).findings if f.code == "packet_field"]
    assert with_form == []
    shutil.rmtree(packet / "03_园区基本信息表")
    asked = [f for f in check_packet(packet, as_of=AS_OF).findings if f.code == "packet_field"]
    assert {f.severity for f in asked} == {"warning"} and len(asked) == 3
    assert all(f.file == CHECKLIST and f.sheet == SHEET and f.cell and "园区基本信息表" in f.message for f in asked)
    set_answers(packet, "applicant", name="嘉兴禾城科创园区运营管理有限公司", contact="沈嘉怡", phone="0573-82061234")
    assert [f for f in check_packet(packet, as_of=AS_OF).findings if f.code == "packet_field"] == []
