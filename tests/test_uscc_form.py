"""A 统一社会信用代码 through the whole check: a letter in the region code is an error; a valid code
typed in lower case, with spaces or full-width is a warning naming its canonical form, and the
canonical code is what the check keeps, compares for duplicates and prints in the bundle."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl

from tests.conftest import AS_OF, SAMPLES
from zonekit.check.runner import check_packet
from zonekit.check.validate import MAX_PER_COLUMN, FieldRule, validate_record, validate_table
from zonekit.document.forms import record_blocks, table_blocks
from zonekit.document.model import Table
from zonekit.fields.cellvalues import make_uscc
from zonekit.findings import CODES, ERROR, WARNING
from zonekit.findings import findings as rendered
from zonekit.spec.form_schema import form_schema, instance_of, validator
from zonekit.xlsx.form_reader import CellValue, FormData, Row

TODAY = dt.date(2026, 11, 22)
CODE = "91440300MA5G001QX2"
OTHER = "91440300708461136T"
USCC = {"key": "uscc", "label": "统一社会信用代码", "type": "uscc", "required": True, "unique": True}
TABLE = {"id": "enterprises", "kind": "table", "title": "入驻企业信息表", "file": "企业.xlsx", "sheet": "企业",
         "columns": [{"key": "name", "label": "企业名称", "type": "text", "required": True}, USCC]}


def _table(codes: list[str]) -> FormData:
    rows = [Row(3 + i, {"name": f"企业{i}", "uscc": code}) for i, code in enumerate(codes)]
    return FormData(TABLE, "企业.xlsx", "企业", rows=rows, columns={"name": 0, "uscc": 1})


def test_new_code_is_documented():
    assert "uscc_form" in CODES


def test_field_rule_keeps_the_canonical_code_with_a_warning():
    rule = FieldRule(USCC, TODAY)
    for spelt in ("91440300ma5g001qx2", " 91440300MA5G001QX2", "9144\u30000300MA5G001QX2",
                  "９１４４０３００ＭＡ５Ｇ００１ＱＸ２"):
        value, issue = rule.check(spelt)
        assert value == CODE
        assert issue is not None and issue.code == "uscc_form" and issue.severity == WARNING
        zh, en = issue.texts()
        assert f"应为大写半角、不含空格：{CODE}" in zh and CODE in en
    assert rule.check(CODE) == (CODE, None)


def test_letter_in_region_code_is_an_error():
    value, issue = FieldRule(USCC, TODAY).check("9144A300MA5G001QX2")
    assert issue is not None and issue.code == "uscc_invalid" and issue.severity == ERROR
    assert "第3—8位为行政区划码，只能是数字，第5位为“A”" in issue.texts()[0]


def test_table_findings_and_kept_values():
    codes = [CODE, OTHER.lower(), "9144A300MA5G001QX2", "９１４４０３００７０８４６１１３６Ｔ", "91440300ma5g001qx2"]
    data = _table(codes)
    out, problems = validate_table(data, TODAY)
    findings = rendered(problems)
    got = sorted((f.code, f.severity, f.cell) for f in findings)
    assert got == [
        ("duplicate_value", ERROR, "B6"),  # the full-width OTHER repeats row 4
        ("duplicate_value", ERROR, "B7"),  # the lower-case CODE repeats row 3
        ("uscc_form", WARNING, "B4"), ("uscc_form", WARNING, "B6"), ("uscc_form", WARNING, "B7"),
        ("uscc_invalid", ERROR, "B5"),
    ], findings
    assert out.columns["uscc"] == [CODE, OTHER, None, OTHER, CODE]
    by_cell = {(f.code, f.cell): f for f in findings}
    assert f"应为大写半角、不含空格：{OTHER}" in by_cell["uscc_form", "B4"].message
    assert f"“{CODE}”与第3行重复" in by_cell["duplicate_value", "B7"].message  # named by its canonical form
    # the exported JSON Schema flags the same cells
    errors = validator(form_schema(TABLE), TODAY).iter_errors(instance_of(data, TODAY))
    assert {(data.rows[e.absolute_path[0]].number, e.absolute_path[1]) for e in errors} == out.flagged


def test_two_rows_differing_only_in_case_are_duplicates():
    out, problems = validate_table(_table([CODE, CODE.lower()]), TODAY)
    findings = rendered(problems)
    dups = [f for f in findings if f.code == "duplicate_value"]
    assert [(f.cell, f.severity) for f in dups] == [("B4", ERROR)]
    assert out.columns["uscc"] == [CODE, CODE]


def test_many_spelling_warnings_are_summarised_as_a_warning():
    codes = [make_uscc("91440300", f"MA{i:06d}").lower() + " " for i in range(MAX_PER_COLUMN + 3)]
    out, problems = validate_table(_table(codes), TODAY)
    findings = rendered(problems)
    assert {f.severity for f in findings} == {WARNING}
    assert len(findings) == MAX_PER_COLUMN + 1 and "另有 3 处同类问题" in findings[-1].message
    assert all(v == v.strip().upper() for v in out.columns["uscc"])


def test_record_form_keeps_the_canonical_code():
    form = {"id": "application", "kind": "record", "title": "申报表", "file": "申报表.xlsx", "sheet": "申报表",
            "fields": [{**USCC, "unique": False}]}
    data = FormData(form, "申报表.xlsx", "申报表", fields={"uscc": CellValue(" 91440300ma5g001qx2", "申报表", "B2")})
    out, problems = validate_record(data, TODAY)
    findings = rendered(problems)
    assert [(f.code, f.severity, f.cell) for f in findings] == [("uscc_form", WARNING, "B2")]
    assert out.fields["uscc"] == CODE
    table = next(b for b in record_blocks(form, out.fields) if isinstance(b, Table))
    assert [c.text for c in table.rows[0]] == ["统一社会信用代码", CODE]


def test_bundle_table_prints_the_canonical_code():
    out, _ = validate_table(_table([CODE.lower(), "9144 0300 7084 6113 6t"]), TODAY)
    rows = [list(r) for r in zip(*(out.columns[c["key"]] for c in TABLE["columns"]), strict=True)]
    table = next(b for b in table_blocks(TABLE, rows, TABLE["title"]) if isinstance(b, Table))
    assert [r[1] for r in table.rows] == [CODE, OTHER]


def test_sample_packet_with_a_lower_case_code(tmp_path):
    packet = tmp_path / "demo"
    shutil.copytree(SAMPLES / "sz-building-demo", packet)
    path = packet / "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert ws["K5"].value == CODE
    ws["K5"] = "91440300ma5g001qx2"
    wb.save(path)
    report = check_packet(packet, as_of=AS_OF)
    # (openpyxl drops the cached results of the 合计 formulas: those are formula_uncached warnings)
    mine = [f for f in report.findings if f.file and f.file.startswith("02_") and f.code != "formula_uncached"]
    assert [(f.code, f.severity, f.cell) for f in mine] == [("uscc_form", WARNING, "K5")], mine
    assert report.forms["enterprises"].columns["uscc"][0] == CODE
