"""`zonekit check` on the sz-base and sz-district samples: each demo is clean and eligible, each broken packet
yields every planted problem (tests/expected/<name>.json) and no other error."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from zonekit.check.runner import check_packet
from zonekit.fields.cellvalues import uscc_ok
from zonekit.spec.programme import load_programme

from .conftest import AS_OF, ROOT, SAMPLES, run_cli

PROGRAMMES = ["sz-base", "sz-district"]


def _expected(name: str) -> dict:
    return json.loads((ROOT / f"tests/expected/{name}.json").read_text("utf-8"))


def _by_rule(report, rule):
    return [f for f in report.findings if f.rule == rule]


@pytest.mark.parametrize("pid", PROGRAMMES)
def test_demo_is_clean_and_eligible(pid):
    report = check_packet(SAMPLES / f"{pid}-demo", as_of=AS_OF)
    assert report.programme == pid
    assert report.findings == [], [(f.code, f.file, f.cell, f.message) for f in report.findings]
    assert report.ok
    statuses = [(r.id, r.status) for r in report.eligibility]
    assert report.eligibility and all(r.status == "met" for r in report.eligibility), statuses
    assert report.verdict().startswith("符合申报条件")


def test_base_demo_meets_article_6_with_realistic_figures():
    report = check_packet(SAMPLES / "sz-base-demo", as_of=AS_OF)
    assert [r.id for r in report.eligibility] == ["area", "scale", "qualification"]
    verdict = report.verdict()
    assert "16家 ≥ 15家" in verdict and "13.41亿元 ≥ 12.5亿元" in verdict  # 第六条（二）1 and 2 both hold
    assert "186,500平方米 ≥ 125,000平方米" in report.eligibility[0].detail  # 第六条（一）
    # the licensed path is claimed, so the lease contracts of 第十一条（七） are needed and present
    assert report.needed["lease_contracts"] is True and report.needed["commitment_letter"] is False
    assert any((SAMPLES / "sz-base-demo/07_租房购房或购地合同").glob("*.pdf"))


def test_district_demo_is_a_building_article_7_would_not_take():
    """第九条: a district with no qualifying base or building recommends one that meets 第七条（三） only."""
    report = check_packet(SAMPLES / "sz-district-demo", as_of=AS_OF)
    app = report.facts.records["application"]
    assert app["total_building_area"] < 25000 and app["fiscal_total"] < 25000 and app["licensed_count"] < 3
    assert app["fin_area"] < 0.6 * app["total_office_area"]  # none of 第七条（一）（二） holds
    assert app["hq_land"] is False
    assert [r.id for r in report.eligibility] == ["no_qualifying", "qualification"]


@pytest.mark.parametrize("pid", PROGRAMMES)
def test_demo_credit_codes_are_valid_and_distinct(pid):
    prog = load_programme(pid)
    m = prog.material_of_form("enterprises")
    ws = load_workbook(SAMPLES / f"{pid}-demo" / m["folder"] / prog.form("enterprises")["file"])["附件2 入驻金融企业信"
                                                                                                 "息表"]
    codes = [ws.cell(r, 11).value for r in range(5, 25) if ws.cell(r, 3).value]
    assert codes and all(uscc_ok(c) for c in codes) and len(set(codes)) == len(codes)


@pytest.mark.parametrize("pid", PROGRAMMES)
def test_broken_has_every_planted_problem_and_no_other_error(pid):
    doc = _expected(f"{pid}-broken")
    assert doc["programme"] == pid and doc["as_of"] == AS_OF.isoformat()
    assert all(e.get("problem") for e in doc["findings"])  # each planted problem says what it is and why it is one
    report = check_packet(SAMPLES / f"{pid}-broken", as_of=AS_OF)
    expected = {(e["code"], e["severity"], e["file"], e["cell"]) for e in doc["findings"]}
    got = {(f.code, f.severity, f.file, f.cell) for f in report.findings}
    assert expected <= got, expected - got
    unexpected = {x for x in got if x[1] == "error"} - expected
    assert not unexpected, unexpected
    assert not report.ok
    assert len(doc["findings"]) >= 7 and sum(e["severity"] == "error" for e in doc["findings"]) >= 4


def test_base_broken_messages_say_what_where_and_why():
    report = check_packet(SAMPLES / "sz-base-broken", as_of=AS_OF)
    [area] = [f for f in report.findings if f.code == "condition_in_principle"]
    assert "118,000平方米 < 125,000平方米" in area.message
    assert area.source == "第六条（一）" and area.severity == "warning"
    [fiscal] = _by_rule(report, "fiscal_sum")
    assert "135,614" in fiscal.message and "134,114" in fiscal.message and "第十九条" in fiscal.source
    [licensed] = _by_rule(report, "licensed_aux")
    assert "16" in licensed.message and "14" in licensed.message and licensed.severity == "warning"
    dup = next(f for f in report.findings if f.code == "duplicate_value")
    assert "第21行" in dup.message
    [attest] = [f for f in report.findings if f.code == "attestation_missing"]
    assert attest.source == "第六条（三）1"
    letter = next(f for f in report.findings if f.file == "08_承诺函")
    assert letter.source == "第十一条（八）"
    assert report.verdict().startswith("不符合申报条件")


def test_district_broken_messages_say_what_where_and_why():
    report = check_packet(SAMPLES / "sz-district-broken", as_of=AS_OF)
    [unmet] = [f for f in report.findings if f.code == "condition_unmet"]
    assert "不属于金融总部用地项目" in unmet.message and unmet.source == "第九条、第七条（三）"
    [attest] = [f for f in report.findings if f.code == "attestation_missing"]
    assert attest.source == "第九条"
    [wps] = [f for f in report.findings if f.code == "file_type"]
    assert "WPS" in wps.message and wps.source == "第十三条"
    # 申报表 and 信息表 are optional in a district recommendation (第十三条): their own problems only warn
    table = [f for f in report.findings if f.file.startswith("03_入驻金融企业信息表")]
    assert table and all(f.severity == "warning" for f in table)
    assert "校验位应为" in next(f for f in table if f.code == "uscc_invalid").message


@pytest.mark.parametrize("pid", PROGRAMMES)
def test_cli_exit_codes(pid):
    assert run_cli("check", str(SAMPLES / f"{pid}-demo"), "--as-of", AS_OF.isoformat()).returncode == 0
    assert run_cli("check", str(SAMPLES / f"{pid}-broken"), "--as-of", AS_OF.isoformat()).returncode == 1


def test_filled_samples_print_rows_tall_enough():
    """The samples were filled by a script, so their rows carry heights for the wrapped text (fit_row_heights)."""
    book = load_workbook(SAMPLES / "sz-base-demo/02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx")
    ws = book["附件2 入驻金融企业信息表"]
    heights = [ws.row_dimensions[r].height or 15 for r in range(5, 25)]
    assert min(heights) >= 2 * 1.35 * 10  # every row holds at least a wrapped address or name
