"""The G60 示范园区 and MIIT 产融合作试点城市 programmes end to end: specs, samples (init → fill → check → bundle),
the continuation path, and a replaced indicator sheet that works without a code change."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from zonekit.bundle.build import build_bundle, bundle_date
from zonekit.check.runner import check_packet
from zonekit.errors import SpecError
from zonekit.scaffold import init_packet
from zonekit.spec.programme import load_programme, templates_root
from zonekit.xlsx.form_writer import write_form

from .conftest import ROOT, SAMPLES, copy_answers, run_cli, set_answers, soffice_or_skip

G60_DAY, MIIT_DAY = dt.date(2023, 6, 20), dt.date(2020, 8, 20)
STANDARDS = ["规划布局清晰", "产业特色鲜明", "科创活力强劲", "金融配套完善", "产融结合高效", "营商环境一流",
             "人才要素集聚", "推进机制健全"]
G60_CITIES = ["上海松江区", "嘉兴", "杭州", "金华", "苏州", "湖州", "宣城", "芜湖", "合肥"]


def _expected(name: str) -> dict:
    return json.loads((ROOT / f"tests/expected/{name}.json").read_text("utf-8"))


# ------------------------------------------------------------------ specs
def test_g60_indicator_sheet_spec():
    prog = load_programme("g60-park")
    form = prog.form("indicators")
    dims: dict[str, list[dict]] = {}
    for r in form["rows"]:
        dims.setdefault(r["cells"]["dimension"], []).append(r)
        assert r["source"].startswith("二（")
    assert list(dims) == STANDARDS  # the eight standards 二（一）—（八）, in order, in the seed's wording
    assert all(3 <= len(rows) <= 5 for rows in dims.values())
    assert sum(r["cells"]["max_score"] for r in form["rows"]) == form["rows_total"]["equals"] == 100
    assert "不是官方附件1" in form["note"] and "zonekit" in form["note"]
    assert "不是官方原表" in prog.data["document"]["note"]
    assert prog.form("park")["fields"][1]["values"] == G60_CITIES
    assert prog.deadline() == "2023-06-30"
    assert {q["scope"]: q["max"] for q in prog.section("quotas") if q.get("kind", "limit") == "limit"} == {"city": 2}
    assert [(q["kind"], q["target"],
             q["where"]["right"]) for q in prog.section("quotas") if q.get("kind") == "target"] == [
        ("target", 10, 90)]  # 三（五）: about 10 parks at ≥ 90


def test_miit_spec():
    prog = load_programme("miit-pilot")
    quant = prog.form("quant")
    units = {r["id"]: r["unit"] for r in quant["rows"]}
    assert (units["gdp"], units["special_funds"], units["listed"], units["policy_docs"]) == ("亿元", "万元", "家", "件")
    growth = next(r for r in quant["rows"] if r["id"] == "mfg_loan_growth")
    assert growth["min"] == -100 and "max" not in growth
    assert all(r["min"] == 0 and r["max"] == 100 for r in quant["rows"] if r["unit"] == "%" and r is not growth)
    assert "不是官方附件2" in quant["note"]
    assert prog.deadline() == "2020-08-31"
    assert [(d.get("date"), d["kind"]) for d in prog.section("deadlines")] == [("2020-08-31", "submission"),
                                                                               ("2020-09-15", "info")]
    assert sorted(q["max"] for q in prog.section("quotas")) == [1, 2]
    for key in ("consistency", "conditions", "materials", "facts"):
        for item in prog.section(key):
            assert key == "facts" or item["source"], item


def test_programs_show_says_the_tables_are_zonekits_own():
    r = run_cli("programs", "show", "g60-park")
    assert r.returncode == 0
    flat = "".join(r.stdout.split())
    assert "不是官方原表" in flat and "≥90分：长三角G60科创走廊第二批产融结合高质量发展示范园区" in flat
    assert "<80分：不列入" in flat and "科创活力强劲：4项，15分" in flat and "每个城市推荐候选园区1—2家" in flat
    r = run_cli("programs", "show", "miit-pilot")
    flat = "".join(r.stdout.split())
    assert r.returncode == 0 and "不是官方附件" in flat and "制造业贷款余额增速（%）" in flat
    assert "2020-09-15" in flat and "计划单列市和新疆生产建设兵团推荐试点城市（区）不超过1个" in flat


def test_init_writes_the_labelled_indicator_sheet(tmp_path):
    init_packet(load_programme("g60-park"), tmp_path / "p", today=G60_DAY)
    ws = load_workbook(tmp_path / "p/01_评估指标/附件1 评估指标.xlsx")["评估指标"]
    assert "zonekit" in ws["A3"].value and "不是官方附件1" in ws["A3"].value and ws["A3"].font.i
    assert [ws.cell(5, c).value for c in range(1, 9)] == ["序号", "评估维度", "评估指标", "单位", "园区数值", "分值",
                                                          "自评得分", "说明及佐证材料"]
    labels = [ws.cell(r, 2).value for r in range(6, ws.max_row + 1)]
    assert labels.count("小计") == 8 and labels[-1] == "合计"
    assert ws["F9"].value == "=SUM(F6:F8)" and ws.cell(ws.max_row, 7).value.startswith("=G9+G14")


# ------------------------------------------------------------------ samples
@pytest.mark.parametrize("name,day", [("g60-park-demo", G60_DAY), ("miit-pilot-demo", MIIT_DAY)])
def test_demo_is_clean(name, day):
    report = check_packet(SAMPLES / name, as_of=day)
    assert [(f.code, f.severity) for f in report.findings] == [("deadline", "info")]
    assert report.ok and report.verdict().startswith("符合申报条件")


def test_g60_demo_band():
    report = check_packet(SAMPLES / "g60-park-demo", as_of=G60_DAY)
    grade = next(r for r in report.eligibility if r.id == "grade")
    assert grade.status == "met" and grade.band == "长三角G60科创走廊第二批产融结合高质量发展示范园区"
    assert "91.5分" in grade.detail


@pytest.mark.parametrize("name,day", [("g60-park-broken", G60_DAY), ("miit-pilot-broken", MIIT_DAY)])
def test_broken_has_every_planted_problem_and_no_other_error(name, day):
    expected_doc = _expected(name)
    assert expected_doc["as_of"] == day.isoformat()
    report = check_packet(SAMPLES / name, as_of=day)
    expected = {(e["code"], e["file"], e["cell"]) for e in expected_doc["findings"]}
    got = {(f.code, f.file, f.cell) for f in report.findings}
    assert expected <= got, expected - got
    unexpected = {(f.code, f.file, f.cell) for f in report.findings if f.severity == "error"} - expected
    assert not unexpected
    assert len({e["code"] for e in expected_doc["findings"]}) >= 8
    assert sum(1 for e in expected_doc["findings"] if e["severity"] == "error") >= 8
    assert not report.ok
    assert run_cli("check", str(SAMPLES / name), "--as-of", day.isoformat()).returncode == 1


def test_g60_broken_messages():
    report = check_packet(SAMPLES / "g60-park-broken", as_of=G60_DAY)
    by = {(f.code, f.cell): f for f in report.findings}
    assert "“高新技术企业数 自评得分”为 6，不应大于 4" in by[("value_range", "G15")].message
    assert by[("field_missing", "H26")].field == "说明及佐证材料"
    assert "为 95，按明细计算应为 72" in by[("total_mismatch", "G42")].message
    # the 营商环境一流 小计 (G33) sums the -1 already reported in G31: not reported a second time
    assert ("total_mismatch", "G33") not in by
    grade = next(r for r in report.eligibility if r.id == "grade")
    assert grade.status == "outcome" and "72分" in grade.detail and "还差 8分" in grade.detail
    city = by[("value_choice", "B6")]
    assert "南京" in city.message and "芜湖" in city.message and city.source.startswith("三（一）")
    assert "zonekit 整理（通知未列明）" in city.source
    recommendation = by[("material_recommended", None)]
    assert recommendation.severity == "info" and recommendation.file == "04_城市推荐意见"


def test_miit_broken_messages():
    report = check_packet(SAMPLES / "miit-pilot-broken", as_of=MIIT_DAY)
    by = {(f.code, f.cell): f for f in report.findings}
    growth = by[("consistency", "H12")]
    assert growth.severity == "warning" and "15.2" in growth.message and "11.5" in growth.message
    assert growth.sheet == "定量指标统计表" and growth.source == "三（一）3、附件2"
    share = by[("consistency", "G9")]
    assert share.severity == "error" and "39.78" in share.message
    period = next(f for f in report.findings if f.rule == "impl_period")
    assert "4.25年 > 3年" in period.message and period.source == "三（一）2"
    level = next(f for f in report.findings if f.rule == "target")
    assert "乡镇 不属于" in level.message
    assert "“制造业贷款余额增速 2017年”为 -120%，不应小于 -100%" in by[("value_range", "F12")].message
    quant = report.forms["quant"]
    row = next(i for i, r in enumerate(quant.data.rows) if r.id == "special_funds")
    assert quant.columns["y2019"][row] == 15000  # "1.5亿元" typed in a 万元 row is converted, not an error
    assert not any(f.cell == "H20" for f in report.findings)


def test_miit_continuation_needs_only_the_plan(tmp_path):
    packet = tmp_path / "cont"
    shutil.copytree(SAMPLES / "miit-pilot-demo", packet)
    set_answers(packet, **{"claims.path": "continuation", "attestations.first_batch": True})
    for folder in ("01_申报文件", "04_相关材料"):
        for p in (packet / folder).iterdir():
            if p.name != "说明.txt":
                p.unlink()
    table = packet / "03_定量指标统计表/附件2 定量指标统计表.xlsx"
    table.unlink()
    # the blank table init wrote: not needed, so not checked
    write_form(load_programme("miit-pilot").form("quant"), table)
    report = check_packet(packet, as_of=MIIT_DAY)
    assert [f.code for f in report.findings] == ["deadline"], [f.message for f in report.findings]
    assert "quant" not in report.forms
    assert next(r for r in report.eligibility if r.id == "first_batch").status == "met"
    result = build_bundle(packet, tmp_path / "out", date=bundle_date("2020-08-20"))
    titles = [p["title"] for p in result.parts if p["kind"] == "section"]
    assert "一、实施方案" in titles and not any("定量指标" in t or "申报文件" in t or "相关材料" in t for t in titles)
    # without the attestation the continuation path is not eligible
    set_answers(packet, **{"attestations.first_batch": False})
    assert "attestation_missing" in {f.code for f in check_packet(packet, as_of=MIIT_DAY).findings}


# ------------------------------------------------------------------ what the notices require, and what zonekit adds
G60_INDICATORS = "01_评估指标/附件1 评估指标.xlsx"


def _g60_copy(tmp_path: Path, name: str = "g60-park-demo") -> Path:
    packet = tmp_path / name
    shutil.copytree(SAMPLES / name, packet)
    return packet


def _lower_g60_scores(sheet: Path, by: float) -> None:
    """Take `by` points off the 自评得分 from the first indicator rows on (the demo has 91.5)."""
    wb = load_workbook(sheet)
    ws = wb["评估指标"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "序号")
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value == "自评得分")
    for r in range(header + 1, ws.max_row + 1):
        score = ws.cell(r, col).value
        if by > 0 and isinstance(ws.cell(r, 1).value, int) and isinstance(score, int | float):
            cut = min(score, by)
            ws.cell(r, col, score - cut)
            by -= cut
    assert by == 0
    wb.save(sheet)


def test_g60_packet_is_the_indicators_and_the_explanation_park_info_and_recommendation_only_recommended(tmp_path):
    """三（三）1: the filled 评估指标 plus 说明材料. zonekit's 园区基本信息表 and the city's recommendation are
    recommended: without them the packet has no error, only infos (and 三（一） cannot be judged: a warning)."""
    prog = load_programme("g60-park")
    for mid in ("park_info", "city_recommendation"):
        m = next(m for m in prog.materials if m["id"] == mid)
        assert m["required"] is False and m["recommended"] is True and "zonekit 建议" in m["source"]
    assert all(m.get("required", True) for m in prog.materials if m["id"] in ("indicators", "explanation"))
    packet = _g60_copy(tmp_path)
    shutil.rmtree(packet / "03_园区基本信息表")
    for p in (packet / "04_城市推荐意见").glob("*.pdf"):
        p.unlink()
    report = check_packet(packet, as_of=G60_DAY)
    assert report.ok, [f.message for f in report.findings if f.severity == "error"]
    by = {f.file: f for f in report.findings if f.code in ("material_missing", "material_empty",
                                                           "material_recommended")}
    assert set(by) == {"03_园区基本信息表", "04_城市推荐意见"}
    assert all(f.severity == "info" for f in by.values())
    assert all("zonekit 建议提供" in f.message and "通知未要求" in f.message for f in by.values())
    assert by["03_园区基本信息表"].code == by["04_城市推荐意见"].code == "material_recommended"
    city = next(r for r in report.eligibility if r.id == "city")
    assert city.status == "unknown"
    assert {(f.code, f.severity) for f in report.findings if f.rule == "city"} == {("condition_unknown", "warning")}
    assert "park" not in report.forms


def test_recommended_material_must_not_be_required(tmp_path):
    """`recommended` is zonekit's advice: the meta-schema refuses it on a material that is still required."""
    root = tmp_path / "templates"
    shutil.copytree(templates_root() / "g60-park", root / "g60-park")
    spec = root / "g60-park/programme.toml"
    text = spec.read_text("utf-8")
    old = 'form = "park"\nrequired = false\nrecommended = true'
    assert old in text
    spec.write_text(text.replace(old, 'form = "park"\nrecommended = true'), "utf-8")
    with pytest.raises(SpecError, match="materials"):
        load_programme("g60-park", root)


def test_g60_blank_park_info_form_is_no_error(tmp_path):
    """The blank 园区基本信息表 `init` writes, left unfilled: zonekit's own table, none of its fields is required."""
    packet = _g60_copy(tmp_path)
    form = packet / "03_园区基本信息表/园区基本信息表.xlsx"
    form.unlink()
    write_form(load_programme("g60-park").form("park"), form)
    report = check_packet(packet, as_of=G60_DAY)
    assert report.ok, [f.message for f in report.findings if f.severity == "error"]
    assert not [f for f in report.findings if f.file and f.file.startswith("03_")]
    assert next(r for r in report.eligibility if r.id == "city").status == "unknown"


@pytest.mark.parametrize("lower_by,score,band,gap", [(11.5, 80, "培育型示范园区", "还差 10分"),
                                                     (16.5, 75, "不列入（评估分值低于80分）", "还差 5分")])
def test_g60_self_score_below_the_bands_is_a_warning_that_says_band_and_gap(tmp_path, lower_by, score, band, gap):
    """三（五）: ≥ 90 示范园区, 80–89 培育型 — the experts' result (三（三）2–3, 三（四）), not an entry condition."""
    packet = _g60_copy(tmp_path)
    _lower_g60_scores(packet / G60_INDICATORS, lower_by)
    report = check_packet(packet, as_of=G60_DAY)
    assert report.ok, [f.message for f in report.findings if f.severity == "error"]
    grade = next(r for r in report.eligibility if r.id == "grade")
    assert grade.band == band and f"{score}分" in grade.detail and gap in grade.detail
    found = [f for f in report.findings if f.rule == "grade"]
    if score >= 80:
        assert grade.status == "met" and not found
        return
    (f,) = found
    assert (f.code, f.severity) == ("score_band", "warning")
    assert "专家评估" in f.message and "不是申报条件" in f.message and "原则上" not in f.message
    assert "75分" in f.message and "不列入" in f.message and "距“培育型示范园区”（≥80分）还差 5分" in f.message
    assert f.source.startswith("三（五）") and "三（三）2—3" in f.source and "三（四）" in f.source
    assert "不是申报条件" in (f.hint or "")
    assert report.verdict().startswith("符合申报条件")


def test_g60_outside_knowledge_says_it_is_zonekits():
    """The nine cities (and the last four of the 七大 industries) are not listed in the notice."""
    prog = load_programme("g60-park")
    city = next(c for c in prog.section("conditions") if c["id"] == "city")
    assert city["test"]["right"] == G60_CITIES and "zonekit 整理（通知未列明）" in city["source"]
    field = next(f for f in prog.form("park")["fields"] if f["key"] == "city")
    assert "zonekit 整理（通知未列明）" in field["source"]
    industries = next(f for f in prog.form("park")["fields"] if f["key"] == "industries")
    assert "zonekit 整理（通知未列明）" in industries["source"]
    assert any("九城市名单" in n["text"] and "zonekit 整理" in n["source"] for n in prog.section("notes"))
    flat = "".join(run_cli("programs", "show", "g60-park").stdout.split())
    assert "九城市名单（上海松江区、嘉兴、杭州、金华、苏州、湖州、宣城、芜湖、合肥）通知没有列明，由zonekit整理" in flat


def test_miit_policy_file_is_an_example_of_the_supporting_material(tmp_path):
    """三（一）4 “相关材料…如地方出台的…政策文件等”: some supporting material is required, a policy file is not."""
    prog = load_programme("miit-pilot")
    supporting = next(m for m in prog.materials if m["id"] == "supporting")
    assert supporting["min_files"] == 1 and supporting.get("required", True) and "至少包括" not in supporting["help"]
    assert "如地方出台的金融支持制造业发展相关政策文件等" in supporting["help"] and "不是必须" in supporting["help"]
    packet = tmp_path / "p"
    shutil.copytree(SAMPLES / "miit-pilot-demo", packet)
    (packet / "04_相关材料/青川市金融支持制造业高质量发展若干政策.pdf").unlink()  # only the 领导小组 document is left
    report = check_packet(packet, as_of=MIIT_DAY)
    assert [f.code for f in report.findings] == ["deadline"], [f.message for f in report.findings]
    for p in (packet / "04_相关材料").glob("*.pdf"):
        p.unlink()  # no supporting material at all: still an error (三（一）4)
    empty = [f for f in check_packet(packet, as_of=MIIT_DAY).findings if f.file == "04_相关材料"]
    assert [(f.code, f.severity, f.source) for f in empty] == [("material_empty", "error", "三（一）4")]


def test_miit_reporting_years_are_marked_as_zonekits_default(tmp_path):
    """The seed has no 附件2 text: the 2017–2019 columns are zonekit's default, and say so wherever they show."""
    prog = load_programme("miit-pilot")
    quant = prog.form("quant")
    assert [c["label"] for c in quant["columns"] if c["key"].startswith("y")] == ["2017年", "2018年", "2019年"]
    assert "zonekit 默认口径" in quant["note"] and "2017—2019年" in quant["note"]
    assert all("zonekit 默认口径" in c["help"] for c in quant["columns"] if c["key"].startswith("y"))
    table = next(m for m in prog.materials if m["id"] == "quant_table")
    assert "近三年" not in table["help"] and "zonekit 默认口径" in table["help"]
    assert "zonekit 默认口径" in prog.data["document"]["note"]
    assert any("zonekit 默认口径" in n["text"] and "2017—2019年" in n["text"] for n in prog.section("notes"))
    out = run_cli("programs", "show", "miit-pilot").stdout
    flat = "".join(out.split())
    assert "近三年" not in flat and flat.count("zonekit默认口径") >= 3
    init_packet(prog, tmp_path / "p", today=MIIT_DAY)
    ws = load_workbook(tmp_path / "p/03_定量指标统计表/附件2 定量指标统计表.xlsx")["定量指标统计表"]
    assert "zonekit 默认口径" in ws["A3"].value


def test_miit_outside_knowledge_says_it_is_zonekits():
    prog = load_programme("miit-pilot")
    separate = next(a for a in prog.section("applicant") if a["key"] == "separate_quota")
    assert "zonekit 整理（通知未列明）" in separate["source"]
    level = next(a for a in prog.section("applicant") if a["key"] == "level")
    assert "zonekit 整理（通知未列明）" in level["source"]
    plan_cities = next(q for q in prog.section("quotas") if q.get("groups"))
    assert "zonekit 整理（通知未列明）" in plan_cities["source"]


# ------------------------------------------------------------------ bundle
def _text(reader: PdfReader, first: int, last: int) -> str:
    return "".join("".join(reader.pages[i - 1].extract_text().split()) for i in range(first, last + 1))


def test_g60_bundle_has_the_indicator_table_then_the_explanation(tmp_path):
    soffice_or_skip()
    result = build_bundle(SAMPLES / "g60-park-demo", tmp_path / "out", date=bundle_date("2023-06-20"))
    assert not result.incomplete
    reader = PdfReader(result.pdf)
    table = next(p for p in result.parts if p["kind"] == "section" and p["title"] == "长三角G60科创走廊第二批产融结合"
                                                                                     "高质量发展示范园区评估指标")
    text = _text(reader, table["start"], table["end"])
    assert text.count("小计") == 8 and "合计" in text and "91.5" in text and "100" in text
    assert "不是官方附件1" in text and "高新技术企业数" in text
    page = reader.pages[table["start"] - 1]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    explanation = next(p for p in result.parts if p["title"].endswith("相关说明材料.docx"))
    assert explanation["start"] > table["end"]
    text = _text(reader, explanation["start"], explanation["end"])
    for i, standard in enumerate(STANDARDS):
        assert f"{'一二三四五六七八'[i]}、{standard}" in text


def test_miit_bundle(tmp_path):
    soffice_or_skip()
    result = build_bundle(SAMPLES / "miit-pilot-demo", tmp_path / "out", date=bundle_date("2020-08-20"))
    assert not result.incomplete
    reader = PdfReader(result.pdf)
    table = next(p for p in result.parts if p["kind"] == "section" and p["title"] == "产融合作试点城市定量指标统计表")
    text = _text(reader, table["start"], table["end"])
    assert "制造业贷款余额增速" in text and "3,122.4" in text and "不是官方附件2" in text
    assert "青川市" in reader.pages[0].extract_text()


# ------------------------------------------------------------------ a different indicator sheet is a data change
OTHER_ROWS = """
[[forms.rows]]
id = "a1"
cells = { dimension = "科技创新", indicator = "研发投入强度", unit = "%", max_score = 30 }
type = "percent"
unit = "%"
min = 0
max = 100

[[forms.rows]]
id = "a2"
cells = { dimension = "科技创新", indicator = "发明专利授权数", unit = "件", max_score = 20 }
type = "integer"
unit = "件"
min = 0

[[forms.rows]]
id = "b1"
cells = { dimension = "金融服务", indicator = "科创贷余额", unit = "亿元", max_score = 50 }
type = "number"
unit = "亿元"
min = 0

"""


def _replace_rows(text: str, rows: str) -> str:
    head, rest = text.split("# 二（一）规划布局清晰", 1)
    _, tail = rest.split("# ---------------------------------------------------------------- 园区基本信息表", 1)
    return head + rows + "# ---------------------------------------------------------------- 园区基本信息表" + tail


def _fill(path: Path, values: dict[str, tuple]) -> None:
    wb = load_workbook(path)
    ws = wb["评估指标"]
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 3).value in values:
            value, score, evidence = values[ws.cell(r, 3).value]
            ws.cell(r, 5, value)
            ws.cell(r, 7, score)
            ws.cell(r, 8, evidence)
    wb.save(path)


def test_other_indicators_and_weights_work_without_code_change(tmp_path):
    root = tmp_path / "templates"
    shutil.copytree(templates_root() / "g60-park", root / "g60-park")
    spec = root / "g60-park/programme.toml"
    spec.write_text(_replace_rows(spec.read_text("utf-8"), OTHER_ROWS), "utf-8")
    prog = load_programme("g60-park", root)
    assert [r["id"] for r in prog.form("indicators")["rows"]] == ["a1", "a2", "b1"]
    packet = tmp_path / "p"
    init_packet(prog, packet, today=G60_DAY)
    shutil.copytree(SAMPLES / "g60-park-demo/03_园区基本信息表", packet / "03_园区基本信息表", dirs_exist_ok=True)
    shutil.copytree(SAMPLES / "g60-park-demo/04_城市推荐意见", packet / "04_城市推荐意见", dirs_exist_ok=True)
    shutil.copyfile(SAMPLES / "g60-park-demo/02_相关说明材料/相关说明材料.docx",
                    packet / "02_相关说明材料/相关说明材料.docx")
    copy_answers(SAMPLES / "g60-park-demo", packet)
    sheet = packet / "01_评估指标/附件1 评估指标.xlsx"
    ws = load_workbook(sheet)["评估指标"]
    assert [ws.cell(r, 2).value for r in range(6, 11)] == ["科技创新", "科技创新", "小计", "金融服务", "小计"]
    _fill(sheet,
          {"研发投入强度": (4.2, 28, "统计公报"), "发明专利授权数": ("35件", 18, "专利清单"),
           "科创贷余额": ("5000万元", 40, "银行报表")})
    report = check_packet(packet, templates=root, as_of=G60_DAY)
    assert report.ok, [f.message for f in report.findings if f.severity == "error"]
    grade = next(r for r in report.eligibility if r.id == "grade")
    assert grade.band == "培育型示范园区" and "86分" in grade.detail and "还差 4分" in grade.detail
    codes = {f.code for f in report.findings}
    assert codes <= {"deadline", "formula_uncached"}  # the formulas were never calculated by an office suite
    rows = report.forms["indicators"]
    assert rows.columns["value"] == [4.2, 35, 0.5]  # typed per row: "35件" read as 35, "5000万元" as 0.5亿元
    # a weight that no longer adds up to 100 is refused when the spec loads
    bad = tmp_path / "bad-templates"
    shutil.copytree(root, bad)
    (bad / "g60-park/programme.toml").write_text(spec.read_text("utf-8").replace("max_score = 50", "max_score = 45"),
                                                 "utf-8")
    with pytest.raises(SpecError, match="合计为 95"):
        load_programme("g60-park", bad)
