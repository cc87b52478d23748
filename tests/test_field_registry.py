"""The field-type registry: a type is one class in zonekit.fields.types, and the check, the JSON
Schema, the written form and the printed bundle all ask it (a 邮政编码 type added in the test)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from zonekit.check.validate import FieldRule
from zonekit.document.forms import record_blocks, table_blocks
from zonekit.document.model import Table
from zonekit.fields import types
from zonekit.fields.types import ExcelCheck, FieldType, field_type
from zonekit.spec.form_schema import form_schema, validator
from zonekit.spec.programme import load_programme, meta_schema
from zonekit.xlsx.form_writer import write_form

TODAY = dt.date(2026, 1, 15)
PROMPT = "6位邮政编码，如 518000"


@pytest.fixture
def postcode() -> Iterator[type[FieldType]]:
    """邮政编码, registered for one test as a programme would add it: one class, nothing else."""

    @field_type("postcode")
    class PostcodeField(FieldType):
        centered = True
        number_format = "@"

        def schema(self, spec: dict[str, Any]) -> dict[str, Any]:
            return {"type": "string", "pattern": "^[0-9]{6}$"}

        def typed_check(self, spec: dict[str, Any]) -> ExcelCheck | None:
            return ExcelCheck("textLength", "6", "equal", prompt=PROMPT)

        def show(self, value: Any) -> str:
            if isinstance(value, int | float) and not isinstance(value, bool):
                return f"{int(value):06d}"
            return super().show(value)

    yield PostcodeField
    del types.TYPES["postcode"]


def _table_form() -> dict[str, Any]:
    return {"id": "units", "kind": "table", "file": "表2.xlsx", "sheet": "单位", "title": "单位信息表",
            "blank_rows": 5, "columns": [{"key": "seq", "label": "序号", "type": "seq"},
                                         {"key": "name", "label": "单位名称"},
                                         {"key": "zip", "label": "邮政编码", "type": "postcode"}]}


def _record_form() -> dict[str, Any]:
    return {"id": "app", "kind": "record", "file": "表1.xlsx", "sheet": "申报表", "title": "申报表",
            "fields": [{"key": "name", "label": "单位名称", "row": 1},
                       {"key": "zip", "label": "邮政编码", "type": "postcode", "row": 2}]}


def _validation_at(ws: Any, cell: str) -> Any:
    return next(dv for dv in ws.data_validations.dataValidation if cell in dv.sqref)


def test_a_registered_type_gets_its_data_validation_and_look_in_the_written_table(postcode, tmp_path: Path) -> None:
    path = tmp_path / "表2.xlsx"
    write_form(_table_form(), path)
    ws = load_workbook(path)["单位"]
    header = next(r for r in range(1, 10) if ws.cell(r, 3).value == "邮政编码")
    first, last = header + 1, header + 5
    dv = _validation_at(ws, f"C{first}")
    assert (dv.type, dv.operator, dv.formula1) == ("textLength", "equal", "6")
    assert str(dv.sqref) == f"C{first}:C{last}"
    assert dv.prompt == PROMPT and dv.promptTitle == "邮政编码" and dv.showInputMessage
    assert dv.showErrorMessage  # Excel refuses a code of another length
    cell = ws.cell(first, 3)
    assert cell.number_format == "@" and cell.alignment.horizontal == "center"
    assert ws.cell(first, 2).number_format == "General"  # the untyped column beside it is unchanged
    assert [ws.cell(r, 1).value for r in range(first, last + 1)] == [1, 2, 3, 4, 5]  # 序号: numbering


def test_a_registered_type_gets_its_data_validation_in_the_written_record(postcode, tmp_path: Path) -> None:
    path = tmp_path / "表1.xlsx"
    write_form(_record_form(), path)
    ws = load_workbook(path)["申报表"]
    row = next(r for r in range(1, 12) if ws.cell(r, 1).value == "邮政编码")
    dv = _validation_at(ws, f"B{row}")
    assert (dv.type, dv.formula1, dv.prompt) == ("textLength", "6", PROMPT)


def test_a_registered_type_has_its_schema_and_its_values_are_checked_by_it(postcode) -> None:
    schema = form_schema(_table_form())
    assert schema["items"]["properties"]["zip"] == {"title": "邮政编码", "type": "string", "pattern": "^[0-9]{6}$"}
    assert "seq" not in schema["items"]["properties"]
    check = validator(schema, TODAY)
    assert not list(check.iter_errors([{"name": "甲", "zip": "518000"}]))
    assert [list(e.path) for e in check.iter_errors([{"name": "甲", "zip": "51800"}])] == [[0, "zip"]]
    rule = FieldRule({"key": "zip", "label": "邮政编码", "type": "postcode"}, TODAY)
    assert isinstance(rule.type, postcode) and rule.parse(518000.0) == ("518000", None)


def test_a_registered_type_prints_its_values_its_own_way(postcode) -> None:
    blocks = table_blocks(_table_form(), [[1, "甲公司", 518000.0]], "单位信息表")
    table = next(b for b in blocks if isinstance(b, Table))
    assert table.rows == [["1", "甲公司", "518000"]]  # a figure would print as 518,000
    record = next(b for b in record_blocks(_record_form(), {"name": "甲公司", "zip": 18000}) if isinstance(b, Table))
    assert any(getattr(c, "text", None) == "018000" for row in record.rows for c in row)


def test_the_meta_schema_accepts_exactly_the_registered_types(postcode) -> None:
    assert "postcode" in meta_schema()["$defs"]["type"]["enum"]
    del types.TYPES["postcode"]
    try:
        assert "postcode" not in meta_schema()["$defs"]["type"]["enum"]
    finally:
        types.TYPES["postcode"] = postcode()
    assert set(meta_schema()["$defs"]["type"]["enum"]) >= {"text", "number", "uscc", "seq"}


def test_what_other_code_asks_of_a_type_is_answered_by_the_registry() -> None:
    assert sorted(n for n, t in types.TYPES.items() if t.numeric) == ["integer", "number", "percent"]
    assert sorted(n for n, t in types.TYPES.items() if t.contact) == ["email", "phone"]
    assert [n for n, t in types.TYPES.items() if t.numbering] == ["seq"]
    assert types.of("no-such-type") is types.of_field({"key": "x", "label": "x"}) is types.UNTYPED


def test_programme_views_split_the_forms_by_kind() -> None:
    prog = load_programme("sz-building")
    assert prog.record_forms and prog.table_forms
    assert {f["kind"] for f in prog.record_forms} == {"record"} and {f["kind"] for f in prog.table_forms} == {"table"}
    assert len(prog.record_forms) + len(prog.table_forms) == len(prog.forms)
    with_form = next(m for m in prog.materials if m.get("form"))
    assert prog.form_of(with_form) is prog.form(with_form["form"])
    assert prog.form_of(next(m for m in prog.materials if not m.get("form"))) is None
