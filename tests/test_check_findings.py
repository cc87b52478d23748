"""The findings model: stages yield problems, `CODES` holds severities and both languages, the runner renders."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from zonekit.check.rules import Facts, evaluate
from zonekit.check.runner import STAGES, check_packet
from zonekit.check.sentences import detail_text, verdict
from zonekit.findings import CODES, ERROR, INFO, SEVERITY_ORDER, WARNING, Problem, findings
from zonekit.xlsx.reader import ReadProblem, open_workbook

from .conftest import AS_OF, SAMPLES, run_cli

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(template: str) -> set[str]:
    return {name.split("!")[0].split(":")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_a_severity_and_well_formed_templates_in_both_languages(code: str) -> None:
    c = CODES[code]
    assert c.severity in SEVERITY_ORDER and c.zh and c.en
    for variant, (zh, en) in {**c.messages, **c.hints}.items():
        assert zh and en, (code, variant)
        _fields(zh), _fields(en)  # a stray brace raises ValueError
        assert _CJK.search(zh) or variant == "text" or zh.startswith("{"), (code, variant)


def test_a_problem_takes_its_codes_default_severity_and_hint_and_the_runner_adds_where() -> None:
    said = {"label": "申报截止日期", "label_en": "the deadline", "day": "2026-01-05", "days": 3}
    p = Problem("deadline_passed", said, source="第十条")
    assert p.severity == WARNING
    [f] = findings([p], file="packet.toml", source="elsewhere")
    assert (f.code, f.severity, f.file, f.source) == ("deadline_passed", WARNING, "packet.toml", "第十条")
    assert f.message == "申报截止日期（2026-01-05）已过 3 天"
    assert f.message_en == "3 days past — the deadline, 2026-01-05"
    assert f.hint == "请向受理部门确认是否仍可报送" and f.hint_en and not _CJK.search(f.hint_en)


def test_a_hint_the_spec_writes_wins_over_the_template_and_stands_for_both_languages() -> None:
    params = {"label": "面积", "left_label": "附件1", "left_shown": "1", "right_label": "附件2", "right_shown": "2",
              "rule": "area", "left": "a.x", "left_value": 1, "right": "b.y", "right_value": 2,
              "label_en": "Area", "left_en": "Annex 1", "right_en": "Annex 2"}
    f = Problem("consistency", params, help="以附件2为准").finding()
    assert (f.severity, f.message, f.hint, f.hint_en) == (ERROR, "面积不一致：附件1 为 1，附件2 为 2", "以附件2为准",
                                                          None)
    assert f.hint_text("en") == "以附件2为准"
    default = Problem("consistency", params).finding()
    assert default.hint == "请核对两处数字，使其一致"
    assert default.hint_text("en") == "check the two figures and make them agree"


def test_a_sentence_written_where_the_value_was_read_is_a_problem_like_any_other() -> None:
    """cellvalues' sentences (what exactly is wrong with a credit code, a date) travel as the "text" variant."""
    from zonekit.check.validate import FieldRule

    _, issue = FieldRule({"key": "k", "label": "成立日期", "type": "date"}, AS_OF).check("2023-02-30")
    assert issue is not None and type(issue) is Problem and issue.variant == "text" and issue.severity == ERROR
    zh, en = issue.texts()
    assert zh.startswith("“成立日期”") and en.startswith("'成立日期': ")
    moved = issue.at(file="a.xlsx", cell="B3").replaced(severity=INFO)
    assert type(moved) is Problem and (moved.file, moved.cell, moved.severity) == ("a.xlsx", "B3", INFO)


def test_a_workbook_that_cannot_be_read_raises_the_one_problem_type(tmp_path: Path) -> None:
    empty = tmp_path / "表.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(ReadProblem) as caught:
        open_workbook(empty)
    assert caught.value.problem.code == "file_empty" and str(caught.value) == "表.xlsx 是空文件（0 字节），请重新保存"
    renamed = tmp_path / "改名.xlsx"
    renamed.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(ReadProblem) as caught:
        open_workbook(renamed)
    assert caught.value.problem.texts()[1] == ("改名.xlsx is not an .xlsx workbook (renamed file?); "
                                               "save it as .xlsx in Excel/WPS")


def test_a_conditions_detail_is_data_said_in_either_language() -> None:
    facts = Facts(packet={"applicant": {"area": 20000}}, labels={"packet.applicant.area": "建筑面积"})
    node = {"id": "area", "title": "建筑面积不低于25000平方米", "source": "第七条",
            "test": {"left": "packet.applicant.area", "op": ">=", "right": 25000, "unit": "m2"}}
    r = evaluate(node, facts)
    assert r.status == "unmet"
    assert r.detail == detail_text(r) == "建筑面积 20,000平方米 < 25,000平方米，差 5,000平方米"
    assert detail_text(r, "en") == "packet.applicant.area 20,000 m² < 25,000 m², 5,000 m² short"
    assert verdict([r]) == "不符合申报条件：建筑面积不低于25000平方米"
    assert verdict([r], "en") == "not eligible: area"


def test_the_check_is_a_list_of_stages_in_the_order_findings_are_told() -> None:
    assert [s.__name__ for s in STAGES] == ["read_answers", "read_forms", "check_answers", "responsibility",
                                            "indicators",
                                           "file_references", "cross_form", "check_eligibility", "materials",
                                           "deadlines"]


def test_lang_en_is_english_for_the_verdict_conditions_and_hints() -> None:
    r = run_cli("check", str(SAMPLES / "sz-building-broken"), "--format", "json", "--lang", "en", "--as-of",
                AS_OF.isoformat())
    data = json.loads(r.stdout)
    assert data["eligibility"]["verdict"] == "not eligible: Building qualifications (all of the following)"
    [area] = [f for f in data["findings"] if f["code"] == "condition_in_principle"]
    assert not _CJK.search(area["message"]), area["message"]
    [attest] = [f for f in data["findings"] if f["code"] == "attestation_missing"]
    assert attest["hint_en"].startswith("if it is true") and attest["hint_zh"].startswith("情况属实的")
    assert attest["hint"] == attest["hint_en"]  # what the page and the text report show, in the language asked
    zh = json.loads(run_cli("check", str(SAMPLES / "sz-building-broken"), "--format", "json", "--as-of",
                            AS_OF.isoformat()).stdout)
    [attest_zh] = [f for f in zh["findings"] if f["code"] == "attestation_missing"]
    assert attest_zh["hint"] == attest_zh["hint_zh"] == attest["hint_zh"]
    text = run_cli("check", str(SAMPLES / "sz-building-broken"), "--lang", "en", "--as-of", AS_OF.isoformat(),
                   env={"COLUMNS": "250", "PATH": "/usr/bin:/bin"}).stdout
    assert "Verdict: not eligible: Building qualifications (all of the following)" in text
    assert "✘ not met Building qualifications" in text and "not attested yet: No major safety accident" in text
    assert "未满足" not in text and "尚未确认：" not in text


def test_chinese_stays_as_it_was_on_the_samples() -> None:
    report = check_packet(SAMPLES / "sz-building-broken", as_of=AS_OF)
    assert report.verdict() == "不符合申报条件：楼宇资质（同时满足以下条件）"
    [area] = [f for f in report.findings if f.code == "condition_in_principle"]
    assert area.message.endswith("基地（楼宇）总建筑面积 20,000平方米 < 25,000平方米，差 5,000平方米（“原则上”条件，需"
                                 "说明理由）")


@pytest.mark.parametrize(("spec", "raw", "variant", "params"), [
    ({"type": "number", "min": 0, "unit": "万元"}, -5, "below", {"value": -5, "unit": "万元", "low": 0}),
    ({"type": "integer", "max": 10}, 12, "above", {"value": 12, "unit": "", "high": 10}),
    ({"type": "date", "min": "2020-01-01"}, "2019-05-04", "before",
     {"value": AS_OF.replace(2019, 5, 4), "low": AS_OF.replace(2020, 1, 1)}),
    ({"type": "date", "max": "today"}, "2030-01-02", "after_today",
     {"value": AS_OF.replace(2030, 1, 2), "high": AS_OF}),
    ({"type": "choice", "values": ["是", "否"]}, "也许", "",
     {"value": "也许", "allowed_zh": "是、否", "allowed_en": "是, 否"}),
])
def test_the_field_types_sentences_have_their_templates(spec: dict, raw: object, variant: str, params: dict) -> None:
    """zonekit.fields.types says what is wrong as a code, a variant and parameters; CODES says it in words."""
    from zonekit.check.validate import FieldRule

    _, issue = FieldRule({"key": "k", "label": "面积", **spec}, AS_OF).check(raw)
    code = "value_choice" if spec["type"] == "choice" else "value_range"
    assert issue is not None and (issue.code, issue.variant) == (code, variant)
    assert issue.texts() == Problem(code, {"label": "面积", **params}, variant).texts()
