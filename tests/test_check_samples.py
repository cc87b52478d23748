"""`zonekit check` on the bundled samples: the demo is clean, the broken one yields exactly its planted problems."""

from __future__ import annotations

import json
import shutil
import subprocess

from zonekit.check.runner import check_packet
from zonekit.check.validate import validate_record, validate_table
from zonekit.findings import CODES
from zonekit.spec.form_schema import form_schema, instance_of, validator
from zonekit.spec.programme import load_programme
from zonekit.xlsx.form_reader import read_record, read_table
from zonekit.xlsx.reader import open_workbook

from .conftest import AS_OF, ROOT, SAMPLES, run_cli, soffice_or_skip

EXPECTED = json.loads((ROOT / "tests/expected/sz-building-broken.json").read_text("utf-8"))


def _keys(findings):
    return {(f.code, f.file, f.cell) for f in findings}


def test_demo_is_clean_and_eligible():
    report = check_packet(SAMPLES / "sz-building-demo", as_of=AS_OF)
    assert report.findings == []
    assert report.ok
    assert [r.status for r in report.eligibility] == ["met", "met", "met"]
    assert "3.12亿元 ≥ 2.5亿元" in report.verdict()


def test_broken_has_every_planted_problem_and_no_other_error():
    report = check_packet(SAMPLES / "sz-building-broken", as_of=AS_OF)
    expected = {(e["code"], e["file"], e["cell"]) for e in EXPECTED["findings"]}
    got = _keys(report.findings)
    assert expected <= got, expected - got
    unexpected_errors = {(f.code, f.file, f.cell) for f in report.findings if f.severity == "error"} - expected
    assert not unexpected_errors
    assert len({e["code"] for e in EXPECTED["findings"]}) >= 15
    assert not report.ok


def test_broken_messages_say_what_where_and_why():
    report = check_packet(SAMPLES / "sz-building-broken", as_of=AS_OF)
    by = {(f.code, f.cell): f for f in report.findings}
    uscc = by[("uscc_invalid", "K7")]
    assert "校验位应为“R”" in uscc.message and uscc.sheet == "附件2 入驻金融企业信息表"
    area = next(f for f in report.findings if f.code == "condition_in_principle")
    assert "20,000平方米 < 25,000平方米" in area.message and area.source == "第七条（一）"
    assert area.severity == "warning"
    dup = by[("duplicate_value", "C9")]
    assert "第5行" in dup.message


def test_json_contract(tmp_path):
    r = run_cli("check", str(SAMPLES / "sz-building-broken"), "--format", "json", "--as-of", "2026-11-22")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert set(data) == {"version", "programme", "packet", "as_of", "ok", "counts", "eligibility", "findings"}
    assert data["programme"] == "sz-building" and data["ok"] is False
    assert set(data["eligibility"]) == {"verdict", "conditions"}
    for f in data["findings"]:
        assert set(f) == {"code", "severity", "message", "message_en", "message_zh", "file", "sheet", "cell", "field",
                          "source", "hint", "rule", "hint_en", "hint_zh", "source_en", "source_zh"}
        assert f["code"] in CODES and f["severity"] in ("error", "warning", "info")


def test_english_messages():
    r = run_cli("check", str(SAMPLES / "sz-building-broken"), "--format", "json", "--lang", "en", "--as-of",
                "2026-11-22")
    data = json.loads(r.stdout)
    msg = next(f["message"] for f in data["findings"] if f["code"] == "uscc_invalid")
    assert "check" in msg.lower() and not any("\u4e00" <= ch <= "\u9fff" for ch in msg.split("'")[0])


def test_exit_codes(tmp_path):
    assert run_cli("check", str(SAMPLES / "sz-building-demo"), "--as-of", "2026-11-22").returncode == 0
    r = run_cli("check", str(tmp_path))
    assert r.returncode == 2 and "packet.toml" in r.stderr and "Traceback" not in r.stderr


def test_fast_path_agrees_with_jsonschema():
    """The per-column validators and the exported JSON Schema flag the same cells."""
    prog = load_programme("sz-building")
    for sample in ("sz-building-demo", "sz-building-broken"):
        for form in prog.forms:
            m = prog.material_of_form(form["id"])
            wb = open_workbook(SAMPLES / sample / m["folder"] / form["file"])
            read = read_record if form["kind"] == "record" else read_table
            data = read(wb, form, form["file"])
            validated, _ = (validate_record if form["kind"] == "record" else validate_table)(data, AS_OF)
            instance = instance_of(data, AS_OF)
            errors = list(validator(form_schema(form), AS_OF).iter_errors(instance))
            flagged_schema = set()
            for e in errors:
                path = list(e.absolute_path)
                if e.validator == "required":
                    key = e.message.split("'")[1]
                    path = path + [key]
                if form["kind"] == "record":
                    flagged_schema.add((0, path[-1]))
                else:
                    flagged_schema.add((data.rows[path[0]].number, path[1]))
            assert flagged_schema == validated.flagged, (sample, form["id"])
            if sample == "sz-building-broken" and form["kind"] == "table":
                assert len(flagged_schema) >= 7


def test_schema_command_prints_the_contract():
    r = run_cli("schema", "sz-building", "--form", "enterprises")
    assert r.returncode == 0
    schema = json.loads(r.stdout)["enterprises"]
    assert schema["items"]["properties"]["uscc"]["format"] == "uscc"
    assert schema["uniqueBy"] == ["name", "uscc"]


def test_resaved_by_libreoffice_gives_same_findings(tmp_path):
    soffice = soffice_or_skip()
    target = tmp_path / "broken"
    shutil.copytree(SAMPLES / "sz-building-broken", target)
    before = _keys(check_packet(target, as_of=AS_OF).findings)
    for form in ("01_申报表/附件1 申报表.xlsx", "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"):
        src = target / form
        out = tmp_path / "out"
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "xlsx",
                        "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=240)
        shutil.copyfile(out / src.name, src)
    assert _keys(check_packet(target, as_of=AS_OF).findings) == before


def test_check_prints_only_its_report():
    """A corrupt PDF is a finding, not a library's log line on stderr ("EOF marker not found")."""
    for sample in sorted(SAMPLES.glob("*-broken")):
        done = run_cli("check", str(sample), "--as-of", AS_OF.isoformat())
        assert done.returncode == 1 and done.stderr == "", (sample.name, done.stderr)
    corrupt = run_cli("check", str(SAMPLES / "sz-base-broken"), "--as-of", AS_OF.isoformat(), "--format", "json")
    said = [f["message"] for f in json.loads(corrupt.stdout)["findings"] if f["code"] == "file_unreadable"]
    assert any(".pdf 已损坏，无法打开" in m for m in said), said  # what the log line was about


def test_no_hint_sends_a_new_packet_to_packet_toml():
    """The answers live in the sheet 申报信息 (packet.toml keeps only zonekit's record and an init --unit unit):
    no hint of a sample (all made by today's init) tells a person to edit packet.toml."""
    for sample in sorted(p for p in SAMPLES.iterdir() if (p / "材料清单.xlsx").is_file()):
        for lang in ("zh", "en"):
            done = run_cli("check", str(sample), "--as-of", AS_OF.isoformat(), "--format", "json", "--lang", lang)
            for f in json.loads(done.stdout)["findings"]:
                said = f["hint"] or ""
                assert "packet.toml" not in said or "--unit" in said, (sample.name, f["code"], said)
