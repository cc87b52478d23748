"""Verdicts exactly as strict as the notice: a failed hard condition is an error, totals agree exactly,
a number saved as text is named at its cell, another building's rows are an error (seed 002)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from zonekit.check.rules import Facts, equal_as_written
from zonekit.check.runner import check_packet, eligibility
from zonekit.findings import ERROR, WARNING
from zonekit.spec.programme import Programme, load_programme

from .conftest import AS_OF, SAMPLES, run_cli, set_answers

F1 = "01_申报表/附件1 申报表.xlsx"
F2 = "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"
SHEET2 = "附件2 入驻金融企业信息表"
DEMO_TOTALS = {"C": 12, "E": 27600, "G": 31249, "H": 1486}  # 合计 row 25 of the demo's 附件2


@pytest.fixture
def packet(tmp_path: Path) -> Path:
    target = tmp_path / "p"
    shutil.copytree(SAMPLES / "sz-building-demo", target)
    return target


def set_field(root: Path, key: str, value: object) -> None:
    """One 附件1 field, found by its defined name, as a person would type it."""
    path = root / F1
    wb = load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[f"ZK_APPLICATION_{key.upper()}"].destinations))
    wb[sheet][ref.replace("$", "")] = value
    wb.save(path)


def set_cells(root: Path, cells: dict[str, object], totals: dict[str, object] | None = None) -> None:
    """Cells of 附件2, then the 合计 row typed (openpyxl keeps no formula results)."""
    path = root / F2
    wb = load_workbook(path)
    ws = wb[SHEET2]
    for ref, value in cells.items():
        ws[ref] = value
    for col, value in {**DEMO_TOTALS, **(totals or {})}.items():
        ws[f"{col}25"] = value
    wb.save(path)


def set_claims(root: Path, **values: str) -> None:
    """Answers in 申报信息: claims and attestations by their bare key."""
    from zonekit.answers import questions

    keys = {q.name: q.key for q in questions(load_programme("sz-building"))}
    set_answers(root, **{keys[k]: v for k, v in values.items()})


def errors(report) -> list:
    return [f for f in report.findings if f.severity == ERROR and f.code != "spec_changed"]


# ------------------------------------------------------------------ a failed hard condition is an error
def test_hq_land_project_without_article_8_is_not_eligible_and_blocks(packet: Path, tmp_path: Path) -> None:
    set_field(packet, "hq_land", "是")  # hq_land_path stays 否 in 申报信息
    r = run_cli("check", str(packet), "--format", "json", "--as-of", AS_OF.isoformat())
    assert r.returncode == 1, r.stdout
    data = json.loads(r.stdout)
    assert data["ok"] is False and data["eligibility"]["verdict"].startswith("不符合申报条件")
    unmet = [f for f in data["findings"] if f["code"] == "condition_unmet"]
    assert len(unmet) == 1 and unmet[0]["source"] == "第七条（三）" and unmet[0]["severity"] == "error"
    assert unmet[0]["file"] == F1 and unmet[0]["cell"]  # points at the 是 in 附件1
    assert "是 ≠ 否" in unmet[0]["message"] and "“申报信息”表中将“是否以金融总部用地项目" in unmet[0]["hint"]
    # 第十二条（九）: the 总部用地项目证明 is needed as soon as 附件1 says 是
    assert any(f["code"] in ("material_missing",
                             "material_empty") and "总部用地项目" in f["message"] for f in data["findings"])
    out = tmp_path / "out"
    b = run_cli("bundle", str(packet), "-o", str(out), "--date", AS_OF.isoformat())
    assert b.returncode != 0 and not (out / "申报材料.pdf").exists()
    assert "未生成申报材料" in b.stdout + b.stderr


def test_hq_land_project_on_article_8_path_asks_the_two_attestations(packet: Path) -> None:
    set_field(packet, "hq_land", "是")
    set_claims(packet, hq_land_path="是")
    report = check_packet(packet, as_of=AS_OF)
    asked = sorted(f.message for f in report.findings if f.code == "attestation_missing")
    assert len(asked) == 2 and all("第八条路径" in m for m in asked)
    assert not any(f.code == "condition_unmet" for f in report.findings)  # the attestations say all there is to say
    set_claims(packet, hq_standard="是", hq_reexamined="是")
    report = check_packet(packet, as_of=AS_OF)
    assert [r.status for r in report.eligibility] == ["met", "met", "met"]
    assert report.needed["hq_land_proof"] is True


def test_hq_land_proof_not_needed_when_form_says_no(packet: Path) -> None:
    report = check_packet(packet, as_of=AS_OF)
    assert report.needed["hq_land_proof"] is False


def _programmes() -> list[str]:
    return ["sz-building", "sz-base", "sz-district", "g60-park", "miit-pilot", "zone3553", "qiantang"]


def _demo_for(pid: str) -> Path:
    own = SAMPLES / f"{pid}-demo"
    return own if own.is_dir() else SAMPLES / "sz-building-demo"  # the Shenzhen programmes share their forms


def _random_facts(prog: Programme, base: Facts, data: st.DataObject) -> Facts:
    """The demo's facts with every 附件 figure, claim and attestation drawn at random."""
    facts = copy.copy(base)
    facts.records = {form: {key: data.draw(_like(value)) for key, value in fields.items()} for form,
                     fields in base.records.items()}
    facts.tables = {}
    for form_id, v in base.tables.items():
        w = copy.copy(v)
        w.columns = {key: [data.draw(_like(x)) for x in values[:40]] + values[40:] for key, values in v.columns.items()}
        facts.tables[form_id] = w
    packet = copy.deepcopy(base.packet)
    claims = packet.setdefault("claims", {})
    for c in prog.section("claims"):
        if c["type"] == "choice":
            claims[c["key"]] = data.draw(st.sampled_from(c["values"]))
        elif c["type"] == "multi":
            claims[c["key"]] = data.draw(st.lists(st.sampled_from(c["values"]), unique=True))
        elif c["type"] == "bool":
            claims[c["key"]] = data.draw(st.booleans())
    packet["attestations"] = {a["key"]: data.draw(st.booleans()) for a in prog.section("attestations")}
    facts.packet = packet
    return facts


def _like(value: object) -> st.SearchStrategy:
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int | float):
        scale = max(abs(float(value)), 1.0)
        return st.one_of(st.none(), st.just(value), st.floats(0, scale * 3, allow_nan=False),
                         st.integers(0, int(scale * 3)))
    return st.just(value)


@pytest.mark.parametrize("pid", _programmes())
def test_not_eligible_is_always_an_error(pid: str) -> None:
    """Property over every programme: whenever the verdict is "not eligible", there is an error
    finding, so `check` exits 1 and `bundle` (without --draft) refuses."""
    prog = load_programme(pid)
    demo = check_packet(_demo_for(pid), as_of=AS_OF)
    assert demo.facts is not None
    seen: set[str] = set()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def prop(data: st.DataObject) -> None:
        facts = _random_facts(prog, demo.facts, data)
        results, findings = eligibility(prog, facts, demo.forms)
        seen.update(r.status for r in results)
        if any(r.status == "unmet" for r in results):
            assert any(f.severity == ERROR for f in findings), [(r.id, r.status, r.detail) for r in results]

    prop()
    if pid not in ("qiantang",):  # a progress report has no entry conditions to fail
        assert "unmet" in seen, f"{pid}: the random packets never failed a condition, the property tested nothing"


# ------------------------------------------------------------------ totals exactly as written
def test_total_150_m2_off_is_an_error_at_its_cell(packet: Path) -> None:
    set_cells(packet, {}, {"E": 27600 - 150})
    report = check_packet(packet, as_of=AS_OF)
    [f] = errors(report)
    assert (f.code, f.cell, f.severity) == ("total_mismatch", "E25", ERROR)
    assert "27450" in f.message and "27600" in f.message


def test_total_150_wan_off_is_an_error(packet: Path) -> None:
    set_cells(packet, {}, {"G": 31249 + 150})
    [f] = errors(check_packet(packet, as_of=AS_OF))
    assert (f.code, f.cell) == ("total_mismatch", "G25")


def test_total_one_cent_off_is_an_error_but_rounding_to_what_is_written_is_not(packet: Path) -> None:
    set_cells(packet, {"G5": 6850.51}, {"G": 31249.02})  # rows add up to 31249.01 万元
    set_field(packet, "fiscal_total", 31249.01)
    [f] = errors(check_packet(packet, as_of=AS_OF))
    assert (f.code, f.cell) == ("total_mismatch", "G25") and "31249.02" in f.message and "31249.01" in f.message
    set_cells(packet, {"G5": 6850.51, "E5": 4200.4}, {"G": 31249.01})  # 27600.4 m² written as 27600 m²: agrees at 1 m²
    assert not errors(check_packet(packet, as_of=AS_OF))


def test_equal_as_written() -> None:
    assert equal_as_written(15150, 15150.4) and not equal_as_written(15150, 15150.6)
    assert equal_as_written(3.12, 3.1200000000000001) and not equal_as_written(3.12, 3.13)
    assert equal_as_written(31249.0, 31249.000000000004) and not equal_as_written(31249.0, 31399)
    assert not equal_as_written(27450, 27600)


@pytest.mark.parametrize(("key", "value", "rule"), [
    ("fiscal_total", 31249.05, "fiscal_sum"),  # passed the old 0.05 万元 tolerance
    ("fin_area", 27600.5, "fin_area_sum"),  # passed the old 0.5 m² tolerance
    ("fiscal_total", 31250, "fiscal_sum"),  # 万元 are exact to 0.01 even when written without decimals
])
def test_form1_figure_and_table_total_agree_exactly(packet: Path, key: str, value: float, rule: str) -> None:
    set_field(packet, key, value)
    report = check_packet(packet, as_of=AS_OF)
    assert [f.rule for f in errors(report)] == [rule]


def test_bundle_prints_the_submitted_total(packet: Path) -> None:
    from zonekit.bundle.parts import form_section

    set_cells(packet, {"E5": 4200.4}, {"E": 27600})
    report = check_packet(packet, as_of=AS_OF)
    prog = load_programme("sz-building")
    section = form_section(prog, report, next(m for m in prog.materials if m["id"] == "enterprise_table"))
    table = next(b for b in section.blocks if getattr(b, "total", None))
    assert table.total[4] == "27,600"  # as typed in the 合计 row, not the recomputed 27,600.4


# ------------------------------------------------------------------ a number saved as text
def test_number_saved_as_text_is_named_at_its_cell(packet: Path) -> None:
    # E9 holds 1900 m² as text; the 合计 (as Excel's SUM computes it) leaves it out
    set_cells(packet, {"E9": "\u30001900\u3000"}, {"E": 27600 - 1900})
    report = check_packet(packet, as_of=AS_OF)
    found = [f for f in report.findings if f.code in ("number_as_text", "total_mismatch")]
    assert [(f.code, f.cell, f.severity) for f in found] == [("number_as_text", "E9", ERROR)]
    assert "按文本保存" in found[0].message and "1900" in found[0].message


def test_number_saved_as_text_but_counted_in_a_typed_total_is_a_warning(packet: Path) -> None:
    set_cells(packet, {"E9": "1900"}, {})
    report = check_packet(packet, as_of=AS_OF)
    [f] = [f for f in report.findings if f.code == "number_as_text"]
    assert (f.cell, f.severity) == ("E9", WARNING)
    assert not errors(report)


# ------------------------------------------------------------------ another building in 附件2
def test_row_of_another_building_is_an_error(packet: Path) -> None:
    set_cells(packet, {"B7": "深南大厦"})
    report = check_packet(packet, as_of=AS_OF)
    [f] = [f for f in report.findings if f.rule == "building_name"]
    assert (f.severity, f.cell) == (ERROR, "B7") and "深南大厦" in f.message


@pytest.mark.parametrize("variant", ["福华 金融中心", "福华金融中心（A座）", "福华金融中心(A座)", "福华金融"])
def test_evident_variant_of_the_building_name_is_a_warning(packet: Path, variant: str) -> None:
    set_cells(packet, {"B7": variant})
    report = check_packet(packet, as_of=AS_OF)
    [f] = [f for f in report.findings if f.rule == "building_name"]
    assert (f.severity, f.cell) == (WARNING, "B7")
    assert not errors(report)


def test_readme_lists_every_finding_code() -> None:
    from zonekit.findings import CODES

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    assert [c for c in CODES if f"| `{c}` | {CODES[c].zh} | {CODES[c].en} |" not in readme] == []
