"""zone3553 (3553 cluster zone pre-filing) and qiantang (钱塘江金融港湾 progress report): the samples,
per-unit rows (`filter_by`, `init --unit`), progress against targets, and the bundle's progress report."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from zonekit.check.indicators import IndicatorProgress, comparator, compute
from zonekit.check.runner import check_packet
from zonekit.errors import InvalidOption, SpecError
from zonekit.scaffold import init_packet
from zonekit.spec.programme import load_programme, templates_root

from .conftest import AS_OF, ROOT, SAMPLES, copy_answers, run_cli, set_answers


def _expected(name: str) -> set[tuple]:
    data = json.loads((ROOT / f"tests/expected/{name}.json").read_text("utf-8"))
    return {(e["code"], e["file"], e["cell"]) for e in data["findings"]}


def _keys(findings) -> set[tuple]:
    return {(f.code, f.file, f.cell) for f in findings}


def _copy(tmp_path: Path, sample: str) -> Path:
    target = tmp_path / sample
    shutil.copytree(SAMPLES / sample, target)
    return target


def _set_cells(path: Path, sheet: str, row_key_col: int, values: dict[str, dict[int, object]]) -> None:
    """Write cells of the rows whose key column (1-based) holds the given text."""
    wb = load_workbook(path)
    ws = wb[sheet]
    for r in range(1, ws.max_row + 1):
        for col, value in values.get(ws.cell(r, row_key_col).value, {}).items():
            ws.cell(r, col).value = value
    wb.save(path)


# ------------------------------------------------------------------ specs
def test_specs_load_and_every_rule_has_its_source():
    for pid in ("zone3553", "qiantang"):
        prog = load_programme(pid)
        stack = list(prog.section("conditions"))
        while stack:
            c = stack.pop()
            assert c["source"], c["id"]
            stack += c.get("any_of", []) + c.get("all_of", [])
        for m in prog.materials:
            assert m["source"], m["id"]
        for item in prog.section("notes") + prog.section("quotas") + prog.section("deadlines"):
            assert item["source"], item
        for form in prog.forms:
            for r in form.get("rows", []):
                # qiantang: 二（三） for the body text's 移动支付 target
                assert r["source"].startswith(("附件", "二（三）")), r["id"]
    q = load_programme("qiantang")
    assert len(q.form("indicators")["rows"]) >= 30
    tasks = q.form("tasks")["rows"]
    assert [sum(1 for r in tasks if r["cells"]["no"][0] == c) for c in "一二三"] == [6, 5, 10]  # 重大改革、平台、项目


def test_filter_and_progress_columns_must_exist(tmp_path):
    root = tmp_path / "templates"
    shutil.copytree(templates_root(), root)
    p = root / "qiantang/programme.toml"
    p.write_text(p.read_text("utf-8").replace('filter_by = { column = "units", applicant = "unit", source = "附件4" }',
                                              'filter_by = { column = "unitz", applicant = "unit" }'), "utf-8")
    with pytest.raises(SpecError, match="filter_by.column"):
        load_programme("qiantang", root)


def test_programs_show_explains_both():
    r = run_cli("programs", "show", "zone3553")
    assert r.returncode == 0
    for text in ("五5", "信托机构不少于3家", "每省1-2个名额", "不超过5个", "非申报条件", "1000支基金"):
        assert text in r.stdout.replace("\n", ""), text
    r = run_cli("programs", "show", "qiantang")
    out = r.stdout.replace("\n", "")
    assert r.returncode == 0
    for text in ("1.1 全省金融业增加值占GDP比重", "基期 2020年 8.7%", "每年提升1个百分点", "累计>40,000亿元", "--unit",
                 "10项"):
        assert text in out, text


# ------------------------------------------------------------------ zone3553
def test_zone3553_demo_is_clean_and_says_which_matching_path_holds():
    report = check_packet(SAMPLES / "zone3553-demo", as_of=AS_OF)
    assert report.findings == []
    assert all(r.status == "met" for r in report.eligibility)
    assert "地方政府资本金基金配套能力 36亿元 ≥ 30亿元" in report.verdict()


def test_zone3553_broken_has_every_planted_problem():
    report = check_packet(SAMPLES / "zone3553-broken", as_of=AS_OF)
    expected = _expected("zone3553-broken")
    got = _keys(report.findings)
    assert expected <= got, expected - got
    errors = {k for f in report.findings if f.severity == "error" for k in _keys([f])}
    assert not {k for k in got if k not in expected and k in errors}
    assert len({e[0] for e in expected}) >= 8 and len(expected) >= 8
    by_rule = {f.rule: f for f in report.findings if f.code == "condition_unmet"}
    partners = by_rule["partners"].message
    assert "证券机构不少于3家" in partners and "2家 < 3家，差 1家" in partners
    assert "信托机构不少于3家" in partners and "1家 < 3家，差 2家" in partners
    assert "股份制银行" not in partners.split("：", 1)[1] and "保险机构" not in partners
    assert "11个 > 10个" in by_rule["towns"].message and "差 1个" in by_rule["towns"].message
    assert "8平方公里 < 10平方公里，差 2平方公里" in by_rule["area"].message
    matching = next(r for r in report.eligibility if r.id == "matching")
    assert matching.status == "met" and "计划建设基金的30%" in matching.detail and "41.67% ≥ 30%" in matching.detail
    missing = next(f for f in report.findings if f.code == "file_missing")
    assert "战略合作协议04" in missing.message and missing.source == "五5"


ZONE_CHECKED = {"capital": "五1", "towns": "五1", "area": "五3", "matching": "五4", "policy": "五4", "partners": "五5"}


def _zone_unknowns(report) -> dict[str, str]:
    return {f.rule: f.source for f in report.findings if f.code == "condition_unknown"}


def test_zone3553_only_the_report_is_required(tmp_path):
    """五7: the pre-filing stage asks for a report. zonekit's tables and the scans are how it checks 五1–6:
    without them those conditions cannot be judged (warnings), and nothing is a missing-material error."""
    prog = load_programme("zone3553")
    assert [m["id"] for m in prog.materials if m.get("required", True)] == ["report"]
    assert all(m["recommended"] and "zonekit 建议" in m["source"] for m in prog.materials if m["id"] != "report")
    packet = _copy(tmp_path, "zone3553-demo")
    for m in prog.materials[1:]:
        shutil.rmtree(packet / m["folder"])
    report = check_packet(packet, as_of=AS_OF)
    assert report.ok, [f.message for f in report.findings if f.severity == "error"]
    assert _zone_unknowns(report) == ZONE_CHECKED
    assert all(f.severity == "warning" for f in report.findings if f.code == "condition_unknown")
    missing = [f for f in report.findings if f.code == "material_recommended"]
    assert {f.file for f in missing} == {m["folder"] for m in prog.materials[1:]}
    assert all(f.severity == "info" and "通知未要求" in f.message for f in missing)
    # attested in packet.toml, judged in the report
    assert {r.id: r.status for r in report.eligibility}["cluster"] == "met"


def test_zone3553_blank_tables_from_init_are_cannot_judge_not_unmet(tmp_path):
    """The tables `init` writes, left blank: not “0 towns < 5” or “0 banks < 3” (errors) but “cannot judge”."""
    packet = tmp_path / "p"
    init_packet(load_programme("zone3553"), packet)
    copy_answers(SAMPLES / "zone3553-demo", packet)
    shutil.copyfile(SAMPLES / "zone3553-demo/01_申报报告/申报报告.docx", packet / "01_申报报告/申报报告.docx")
    report = check_packet(packet, as_of=AS_OF)
    assert report.ok, [f.message for f in report.findings if f.severity == "error"]
    assert _zone_unknowns(report) == ZONE_CHECKED
    assert not [f for f in report.findings if f.code in ("field_missing", "condition_unmet")]
    statuses = {r.id: r.status for r in report.eligibility}
    assert statuses["towns"] == statuses["partners"] == "unknown"
    # a table that is filled is judged as before: 4 towns are too few (五1)
    path = packet / "03_特色小镇情况表/特色小镇情况表.xlsx"
    wb = load_workbook(path)
    ws = wb["特色小镇情况表"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "序号")
    for i in range(4):
        ws.cell(header + 1 + i, 2, f"第{i + 1}号特色小镇")
        ws.cell(header + 1 + i, 4, "是")
    wb.save(path)
    towns = next(f for f in check_packet(packet, as_of=AS_OF).findings if f.rule == "towns")
    assert towns.code == "condition_unmet" and "4个 < 5个，差 1个" in towns.message


# ------------------------------------------------------------------ qiantang
def test_qiantang_demo_is_clean_with_progress_data():
    report = check_packet(SAMPLES / "qiantang-demo", as_of=AS_OF)
    assert report.findings == []
    assert len(report.progress) == 21  # 嘉兴市政府's rows: 附件4 序号1 (13), 二（三） 移动支付, 5 (5), 8 (2)
    by = {p.number: p for p in report.progress}
    assert by["1.1"].status == "on_track" and by["1.1"].completion == pytest.approx(0.25 / 0.3)
    assert by["1.1"].expected == pytest.approx(8.88) and by["1.1"].path_share == pytest.approx(0.6)
    assert by["1.5"].actual == 26100 and by["1.5"].status == "on_track"  # 累计: 8500 + 8700 + 8900
    assert by["1.9"].status == "on_track" and by["1.9"].completion == pytest.approx(3.5 / 5)  # 每年提升 from 9.8
    assert by["1.6"].status == "met" and by["1.7"].status == "below_target"
    data = report.to_json()
    assert data["progress"][0]["number"] == "1.1" and data["progress"][0]["values"]["2023"] == 8.95


def test_qiantang_broken_has_every_planted_problem():
    report = check_packet(SAMPLES / "qiantang-broken", as_of=AS_OF)
    expected = _expected("qiantang-broken")
    got = _keys(report.findings)
    assert expected <= got, expected - got
    errors = {(f.code, f.file, f.cell) for f in report.findings if f.severity == "error"}
    assert errors <= expected
    assert len({e[0] for e in expected}) >= 6 and len(expected) >= 8
    text = {f.cell: f for f in report.findings if f.file and f.file.startswith("01_")}
    assert "2023年实际值未填写" in text["K8"].message and text["K8"].code == "field_missing"
    assert "需要2021—2023年各年数值，2022年未填写" in text["J10"].message
    assert text["K9"].code == "progress_behind" and "应达到32,000亿元（60%），落后3,000亿元" in text["K9"].message
    assert text["K14"].code == "progress_behind" and "2022年提升0.6个百分点" in text["K14"].message
    assert text["K23"].code == "progress_behind" and "应累计300亿元（60%），落后90亿元" in text["K23"].message
    assert text["L11"].code == "value_range" and text["L11"].severity == "warning"
    assert text["K27"].code == "row_not_responsible" and "杭州市政府" in text["K27"].message
    lag = next(f for f in report.findings if f.cell == "G6")
    assert lag.code == "field_missing" and "滞后" in (lag.hint or "")
    assert all(p.number != "2.1" for p in report.progress)  # not the unit's row: no progress computed


def test_init_unit_keeps_only_the_units_rows(tmp_path):
    r = run_cli("init", "qiantang", str(tmp_path / "p"), "--unit", "嘉兴市政府")
    assert r.returncode == 0, r.stderr
    ws = load_workbook(tmp_path / "p/01_目标量化清单/附件4 目标量化清单进展.xlsx")["目标量化清单"]
    numbers = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert "5.1" in numbers and "2.1" not in numbers and "8.2" in numbers
    assert sum(1 for n in numbers if isinstance(n, str) and n[:1].isdigit()) == 20 and "二（三）" in numbers
    ws = load_workbook(tmp_path / "p/02_重大改革平台项目/附件5 重大改革平台项目进展.xlsx")["重大改革平台项目"]
    names = [ws.cell(r, 2).value for r in range(1, ws.max_row + 1)]
    assert "嘉兴科创金融创新中心" in names and "杭州金融城" not in names
    assert 'unit = "嘉兴市政府"' in (tmp_path / "p/packet.toml").read_text("utf-8")
    bad = run_cli("init", "qiantang", str(tmp_path / "q"), "--unit", "嘉兴")
    assert bad.returncode == 2 and "嘉兴市政府" in bad.stderr and not (tmp_path / "q").exists()
    other = run_cli("init", "zone3553", str(tmp_path / "z"), "--unit", "嘉兴市政府")
    assert other.returncode == 2 and "--unit" in other.stderr
    with pytest.raises(InvalidOption):
        init_packet(load_programme("qiantang"), tmp_path / "x", unit="宁波市")


def test_unfiltered_sheet_expects_only_the_units_rows(tmp_path):
    """A sheet made without --unit: other units' empty rows are fine, their filled rows are not."""
    packet = tmp_path / "p"
    init_packet(load_programme("qiantang"), packet)
    copy_answers(SAMPLES / "qiantang-demo", packet)
    set_answers(packet, "applicant", unit="舟山市政府")
    xlsx = packet / "01_目标量化清单/附件4 目标量化清单进展.xlsx"
    _set_cells(xlsx, "目标量化清单", 2, {
        "舟山市跨境人民币结算量（2021-2025年累计）": {9: 280, 10: 300, 11: 320},
        "舟山市大宗商品线上交易额（2021-2025年累计）": {9: 500, 10: 600, 11: 600},
        "宁波市跨境人民币结算额（2021-2025年累计）": {11: 1900},
    })
    report = check_packet(packet, as_of=AS_OF)
    codes = {(f.code, f.cell) for f in report.findings if f.file and f.file.startswith("01_")}
    assert not any(code == "row_missing" for code, _ in codes)
    assert ("row_not_responsible", "K25") in codes  # 宁波's row, filled by 舟山
    missing = {cell for code, cell in codes if code == "field_missing"}
    # 附件4 序号1 and 二（三） are 舟山's too, left empty: 12 levels need 2023, the 累计 and 每年提升 rows 2021–2023,
    # 每年提升 its baseline
    assert len(missing) == 12 + 3 + 3 + 1 and "F14" in missing
    zs = {p.number: p for p in report.progress if p.number.startswith("7.")}
    assert zs["7.1"].actual == 900 and zs["7.1"].status == "on_track"  # 900 ≥ 1500 × 0.6
    assert zs["7.2"].status == "behind" and zs["7.2"].expected == pytest.approx(1800)


def test_annual_increase_needs_a_baseline(tmp_path):
    packet = _copy(tmp_path, "qiantang-demo")
    _set_cells(packet / "01_目标量化清单/附件4 目标量化清单进展.xlsx", "目标量化清单", 2,
               {"港湾绿色贷款占比（每年提升1个百分点）": {6: None}})
    report = check_packet(packet, as_of=AS_OF)
    f = next(f for f in report.findings if f.code == "field_missing")
    assert f.cell == "F14" and "每年提升" in (f.hint or "")
    assert next(p for p in report.progress if p.number == "1.9").status == "missing"


# ------------------------------------------------------------------ progress arithmetic
def _progress(kind: str, target: float, values: dict[int, float], baseline: float | None = None,
              year: int = 2023) -> IndicatorProgress:
    p = IndicatorProgress("f", "r", "1", "指标", "%", kind, target, baseline, 2020 if baseline is not None else None,
                          "",
                          year, 2025, values={y: values.get(y) for y in range(2021, 2026)})
    level = comparator(kind).measure == "level"
    compute(p, [year] if level else list(range(2021, year + 1)))
    return p


def test_cumulative_target_is_the_sum_of_the_years():
    p = _progress("累计≥", 1000, {2021: 150, 2022: 200, 2023: 200})
    assert p.actual == 550 and p.completion == pytest.approx(0.55) and p.expected == pytest.approx(600)
    assert p.status == "behind"
    assert _progress("累计≥", 1000, {2021: 400, 2022: 300, 2023: 300}).status == "met"


def test_annual_increment_checks_every_year():
    p = _progress("每年提升≥", 1, {2021: 11.0, 2022: 11.5, 2023: 13.5}, baseline=10)
    assert p.short_years == [2022] and p.status == "behind"  # 2023 is on the path (13.5 ≥ 13) but 2022 rose 0.5
    assert p.completion == pytest.approx(3.5 / 5)
    ok = _progress("每年提升≥", 1, {2021: 11.0, 2022: 12.0, 2023: 13.2}, baseline=10)
    assert ok.status == "on_track" and ok.expected == pytest.approx(13)
    done = _progress("每年提升≥", 1, {2021: 11, 2022: 12, 2023: 13, 2024: 14, 2025: 15}, baseline=10, year=2025)
    assert done.status == "met" and done.completion == pytest.approx(1)


def test_average_growth_is_compound():
    p = _progress("年均增长≥", 10, {2021: 12, 2022: 8, 2023: 10})
    assert p.actual == pytest.approx(((1.12 * 1.08 * 1.10) ** (1 / 3) - 1) * 100)
    assert p.status == "behind"  # 9.97% < 10%
    assert _progress("年均增长≥", 7.5, {2021: 8, 2022: 8, 2023: 8}).status == "on_track"


def test_levels_with_and_without_baseline():
    rank = _progress("≤", 8, {2023: 10}, baseline=12)
    assert rank.completion == pytest.approx(0.5) and rank.status == "behind" and rank.expected == pytest.approx(9.6)
    assert _progress("≤", 8, {2023: 7}).status == "met"
    no_base = _progress(">", 20, {2023: 18})
    assert no_base.status == "below_target" and no_base.completion == pytest.approx(0.9) and no_base.expected is None
    assert _progress(">", 20, {2023: 20}).status == "below_target"  # "超过20%": 20 is not above
    assert _progress("≥", 20, {2023: 20}).status == "met"


# ------------------------------------------------------------------ bundle
def test_qiantang_bundle_has_progress_report_and_chart(tmp_path):
    from pypdf import PdfReader

    from zonekit.bundle.build import build_bundle, bundle_date

    out = tmp_path / "out"
    result = build_bundle(SAMPLES / "qiantang-demo", out, date=bundle_date("2026-11-22"))
    part = next(p for p in result.parts if p["title"].startswith("目标量化指标进展情况"))
    reader = PdfReader(result.pdf)
    pages = reader.pages[part["start"] - 1:part["end"]]
    text = "".join("".join(page.extract_text() for page in pages).split())  # table cells wrap lines
    assert "2023年度" in text and "符合直线进度" in text and "责任单位：嘉兴市政府" in text
    assert any(len(page.images) for page in pages)  # the chart
    with zipfile.ZipFile(result.docx) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")]
        assert media and z.read(media[0]).startswith(b"\x89PNG")
        assert "目标量化指标进展情况" in z.read("word/document.xml").decode("utf-8")


def test_an_old_packet_is_sent_to_packet_toml_for_its_report_year(tmp_path):
    """A packet made before 申报信息 existed keeps its answers, the report year among them, in packet.toml:
    the hint of a value after the report year names that file, not a sheet the packet does not have."""
    packet = tmp_path / "old"
    shutil.copytree(SAMPLES / "qiantang-broken", packet)
    wb = load_workbook(packet / "材料清单.xlsx")
    del wb["申报信息"]
    wb.save(packet / "材料清单.xlsx")
    toml = (packet / "packet.toml").read_text(encoding="utf-8").replace(
        'unit = "嘉兴市政府"', 'unit = "嘉兴市政府"\nname = "嘉兴市人民政府"\nreport_year = 2023\ncontact = "沈佳"\n'
        'phone = "0573-82521234"\nemail = "shenjia@jiaxing.example.cn"')
    (packet / "packet.toml").write_text(toml, encoding="utf-8")
    old = next(f for f in check_packet(packet, as_of=AS_OF).findings if f.cell == "L11")
    assert old.code == "value_range" and "packet.toml" in old.hint and "申报信息" not in old.hint, old.hint
    assert "packet.toml" in old.hint_en
    new = next(f for f in check_packet(SAMPLES / "qiantang-broken", as_of=AS_OF).findings if f.cell == "L11")
    assert "“申报信息”表" in new.hint and "packet.toml" not in new.hint
