"""The whole-column fast paths a big table takes must give exactly what the cell-by-cell path gives,
and the helper sheet (read in a background thread) must still be matched and reported precisely."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import AS_OF, SAMPLES, run_cli
from zonekit.background import Pending
from zonekit.check.runner import check_packet
from zonekit.check.validate import FieldRule, fast_column
from zonekit.fields.cellvalues import make_uscc, norm_label, norm_labels
from zonekit.xlsx import reader as xlsx_read
from zonekit.xlsx.names import AUX_SHEET
from zonekit.xlsx.reader import open_workbook

TODAY = dt.date(2026, 11, 22)
ENTERPRISES = "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"

# what cells of a filled table hold: clean values, and the ones a person gets wrong
CELLS = st.one_of(
    st.sampled_from(["总部", "一级分支机构", "营业部", "是", "否", "", " 总部", "总部 ", "深圳分行", "Ｘ", "1,200",
                     "12万元"]),
    st.sampled_from([make_uscc("91440300", f"{i:08d}") for i in range(5)] + ["91440300MA5G001QX3",
                                                                             "91440300ma5g001qx2"]),
    st.floats(min_value=-5, max_value=5000, allow_nan=False).map(lambda x: round(x, 2)),
    st.integers(-3, 300).map(float),
    st.dates(dt.date(1970, 1, 1), dt.date(2030, 12, 31)),
    st.datetimes(dt.datetime(1970, 1, 1), dt.datetime(2030, 12, 31)),
    st.none(),
    st.booleans(),
)
SPECS = [
    {"label": "名称", "type": "text", "required": True},
    {"label": "类型", "type": "choice", "values": ["总部", "一级分支机构", "营业部"], "required": True},
    {"label": "是否持牌", "type": "bool"},
    {"label": "代码", "type": "uscc", "required": True},
    {"label": "面积", "type": "number", "min": 0, "unit": "m2", "required": True},
    {"label": "比例", "type": "percent", "min": 0, "max": 100},
    {"label": "人数", "type": "integer", "min": 0},
    {"label": "进驻时间", "type": "date", "min": "1978-01-01", "max": "today", "required": True},
]


@settings(max_examples=300)
@given(st.sampled_from(SPECS), st.lists(CELLS, max_size=12), st.booleans())
def test_fast_column_is_the_cell_by_cell_result(spec, raws, one_kind):
    if one_kind and raws:  # columns of one type are the ones the fast path can take
        raws = [r for r in raws if type(r) is type(raws[0])]
    rule = FieldRule(spec, TODAY)
    column = fast_column(rule, raws)
    checked = [rule.check(r) for r in raws]
    if column is None:
        return
    assert all(issue is None for _, issue in checked), (raws, checked)
    assert column == [value for value, _ in checked]
    assert [type(v) for v in column] == [type(v) for v, _ in checked]


def test_fast_column_takes_clean_columns():
    # the point of it: a clean column of each kind does not fall back to the cell-by-cell path
    clean = {"text": ["深圳分行", "鹏城证券"], "choice": ["总部", "营业部"], "bool": ["是", "否"],
             "uscc": [make_uscc("91440300", "00000001")], "number": [0.0, 12.5], "percent": [3.5, 100.0],
             "integer": [0.0, 12.0], "date": [dt.datetime(2020, 1, 1), dt.datetime(2021, 6, 30)]}
    for spec in SPECS:
        assert fast_column(FieldRule(spec, TODAY), clean[spec["type"]]) is not None, spec["type"]
    assert fast_column(FieldRule(SPECS[4], TODAY), [1.0, -1.0]) is None  # below min
    assert fast_column(FieldRule(SPECS[0], TODAY), ["a", " b"]) is None  # untrimmed


@given(st.lists(st.text(), max_size=8))
def test_norm_labels_is_norm_label_per_item(texts):
    assert norm_labels(texts) == [norm_label(t) for t in texts]


def test_norm_labels_of_mixed_values():
    values = ["（Ａ） b", 12.0, None, "ΣΑΣ"]
    assert norm_labels(values) == [norm_label(v) for v in values]


# ------------------------------------------------------------------ the helper sheet
def _packet(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(SAMPLES / "sz-building-demo", target)
    return target


def _check(packet: Path) -> tuple[int, list[dict]]:
    out = run_cli("check", str(packet), "--format", "json", "--as-of", AS_OF.isoformat())
    assert "Traceback" not in out.stderr, out.stderr
    return out.returncode, json.loads(out.stdout)["findings"] if out.stdout else []


@pytest.fixture(params=["read ahead", "in turn"])
def helper_read(request, monkeypatch):
    """The helper sheet read in a second thread (as a big one is, with a spare CPU), or after the form sheet."""
    if request.param == "read ahead":
        monkeypatch.setattr(xlsx_read, "pays_to_read_ahead", lambda *sizes, alongside=False: True)
        monkeypatch.setattr(xlsx_read, "cpus", lambda: 2)
        started = []
        monkeypatch.setattr(xlsx_read, "Pending", lambda fn: started.append(fn) or Pending(fn, thread=True))
        yield started
        assert started, "the helper sheet was not read ahead"
    else:
        monkeypatch.setattr(xlsx_read, "cpus", lambda: 1)
        yield None


def _check_in_process(packet: Path) -> list[dict]:
    return [f.to_json() for f in check_packet(packet, as_of=AS_OF).findings]


def test_helper_sheet_matched_by_name_and_reported_at_its_cell(tmp_path, helper_read):
    packet = _packet(tmp_path)
    path = packet / ENTERPRISES
    wb = openpyxl.load_workbook(path)
    aux = wb[AUX_SHEET]
    assert aux["A3"].value == "华南商业银行股份有限公司深圳分行" and aux["B3"].value == "是"
    aux["A3"] = " 华南商业银行股份有限公司 深圳分行"  # typed differently: still the same enterprise
    aux["A4"], aux["A5"] = aux["A5"].value, aux["A4"].value  # helper rows in another order
    aux["B4"], aux["B5"] = "也许", "是"
    wb.save(path)
    findings = _check_in_process(packet)
    helper = [f for f in findings if f["sheet"] == AUX_SHEET]
    assert [(f["code"], f["cell"], f["severity"]) for f in helper] == [("value_type", "B4", "warning")], helper
    # four 是 remain (rows 3, 5, 6, 7): the renamed row 3 counted, the unreadable one not
    licensed = [f for f in findings if f.get("rule") == "licensed_aux"]
    assert len(licensed) == 1 and "4" in licensed[0]["message"], licensed


def test_unreadable_helper_sheet_is_a_finding_not_a_traceback(tmp_path, helper_read):
    packet = _packet(tmp_path)
    path = packet / ENTERPRISES
    member = open_workbook(path)._sheet_xml[AUX_SHEET]
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, b"<worksheet><sheetData><row><c r=" if info.filename == member else data)
    shutil.copyfile(broken, path)
    for findings in (_check_in_process(packet), _check(packet)[1]):  # and the command: exit 1, no traceback
        unreadable = [f for f in findings if f["file"] == ENTERPRISES and f["code"] == "file_unreadable"]
        assert len(unreadable) == 1 and AUX_SHEET in unreadable[0]["message"], findings
    assert _check(packet)[0] == 1


@pytest.mark.parametrize("thread", [True, False])
def test_pending_gives_the_result_or_raises_in_the_caller(thread):
    # work started in a thread (spare CPU) or at once (one CPU) looks the same to the caller
    assert Pending(sum, [1, 2], thread=thread).result() == 3
    failing = Pending(int, "x", thread=thread)
    with pytest.raises(ValueError):
        failing.result()


@pytest.mark.parametrize("rich_strings", [False, True])
def test_helper_sheet_is_read_ahead_only_when_its_strings_cost_less_than_the_form_sheet(tmp_path, monkeypatch,
                                                                                         rich_strings):
    # Excel writes plain shared strings; LibreOffice writes a string mixing Chinese and digits as rich
    # text runs, several times as long: parsing them a second time, in a thread, would cost more than
    # reading the helper sheet after the form sheet
    import xlsxwriter

    monkeypatch.setattr(xlsx_read, "cpus", lambda: 2)
    path = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    form, aux = wb.add_worksheet("表"), wb.add_worksheet(AUX_SHEET)
    bold = wb.add_format({"bold": True})
    for i in range(30_000):
        form.write_row(i, 0, [i, i * 1.5, i * 2.5, i * 3.5])
        name = f"深圳市第{i}号金融服务有限公司"
        if rich_strings:
            aux.write_rich_string(i, 0, "深圳市第", bold, str(i), f"号金融服务有限公司{'。' * 40}")
        else:
            aux.write(i, 0, name)
    wb.close()
    book = open_workbook(path)
    book.read_ahead(AUX_SHEET)
    assert (AUX_SHEET in book._ahead) is not rich_strings
    r0, c0, rows = book.rows(AUX_SHEET)  # either way the same rows
    assert len(rows) == 30_000 and rows[7][0].startswith("深圳市第7号金融服务有限公司")
    # asked for as the workbook is opened, both threads parse the strings at once: then it pays either way
    opened = open_workbook(path, ahead=(AUX_SHEET,))
    assert AUX_SHEET in opened._ahead
    assert opened.rows(AUX_SHEET) == (r0, c0, rows) and opened.rows("表")[2][5] == [5, 7.5, 12.5, 17.5]
