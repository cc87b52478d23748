"""qiantang (钱塘江金融港湾): every target as the notice words it — "超过" strict, "达到"/"以上" inclusive
(the operator is data in each row's 目标类型), the body text's 移动支付 target and 附件5's 36家 / 1万家 / 5000家
tracked as indicator rows, 附件5 carrying the seed's columns (序号, 名称, 情况, 责任单位) with zonekit's
progress columns after them. Real packets: made with zonekit's init and filled with openpyxl, or the samples."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from zonekit.check.indicators import comparator
from zonekit.check.runner import check_packet
from zonekit.collect import collect
from zonekit.errors import SpecError
from zonekit.scaffold import init_packet
from zonekit.spec.programme import load_programme, templates_root

from .conftest import AS_OF, SAMPLES, set_answers

SEED = Path(__file__).parent / "data" / "seeds" / "003_a367f0713e00481c.txt"
INDICATORS = "01_目标量化清单/附件4 目标量化清单进展.xlsx"
TASKS = "02_重大改革平台项目/附件5 重大改革平台项目进展.xlsx"

# 编号 -> 目标类型, read off the words of 附件4 (or the article named): 超过/超/高于 ">", 达到/以上/a count "≥",
# 前8名 "≤"; 累计 for sums over 2021–2025, 每年提升 and 年均增长 for the rate targets.
WORDING = {
    "1.1": ">",  # 比重超过9%
    "1.2": ">",  # 比重超过75%
    "1.3": "≥",  # 1万家以上 (附件4; 二（三） says 超过1万家: the spec follows 附件4 and says so)
    "1.4": ">",  # 超过4万亿元
    "1.5": "累计>",  # 累计超过4万亿元
    "1.6": ">",  # 超过20%
    "1.7": ">",  # 超过15%
    "1.8": "≥",  # 全覆盖
    "1.9": "每年提升≥",  # 每年提升1个百分点
    "1.10": ">",  # 累计数量超过800家
    "1.11": "≥",  # 打造10大
    "1.12": "≥",  # 10个
    "1.13": "≥",  # 10家
    "二（三）": "≥",  # 移动支付人口普及率达到80%以上
    "2.1": "≥",  # 千亿级
    "2.2": "年均增长≥",  # 年均增长7.5%以上
    "2.3": "年均增长≥",  # 年均增长10%以上
    "3.1": "≤",  # 跻身全球前8名
    "3.2": ">",  # 增速超过全市贷款平均增速
    "3.3": "累计>",  # 累计跨境人民币结算超过1万亿元
    "3.4": "累计≥",  # 新型离岸国际贸易额达到1500亿美元
    "4.1": ">",  # 超过23%
    "4.2": "年均增长≥",  # 年均增长10%
    "4.3": "≥",  # 达到20家
    "4.4": ">",  # 超过50家
    "4.5": ">",  # 超过1万亿元
    "5.1": ">",  # 超过2000亿元
    "5.2": "≥",  # 提升至25%以上
    "5.3": "≥",  # 达到25%以上
    "5.4": "累计≥",  # 五年内…500亿元以上
    "5.5": "≥",  # 提升至80%以上
    "6.1": ">",  # 超过115家
    "6.2": "累计>",  # 新增股份公司超过800家
    "6.3": ">",  # 超过3700亿元
    "6.4": ">",  # 超过300亿元
    "7.1": "累计≥",  # 累计跨境人民币结算量达到1500亿元
    "7.2": "累计>",  # 大宗商品累计线上交易额超过3000亿元
    "8.1": "累计≥",  # 新增3家
    "8.2": ">",  # 超过1万亿元以上 (超过 read strictly; 三（五）3 says 超1万亿元)
    "附5-三3": "≥",  # 地方法人金融机构数量达到36家
    "附5-三8.1": "≥",  # 培育1万家创新型小微企业
    "附5-三8.2": "≥",  # 助力5000家…企业
}


def _rows(form: str = "indicators") -> dict[str, dict]:
    return {r["cells"]["no"]: r for r in load_programme("qiantang").form(form)["rows"]}


def _packet(tmp_path: Path, unit: str, year: int, name: str = "p") -> Path:
    root = tmp_path / name
    init_packet(load_programme("qiantang"), root, unit=unit)
    set_answers(root, "applicant", name=unit, report_year=str(year), contact="王宁", phone="0574-87181234")
    return root


def _fill(root: Path, values: dict[str, dict[str, object]]) -> dict[str, str]:
    """Write the 附件4 sheet's cells of the rows whose 编号 is given, by column label; returns 编号 -> sheet row."""
    path = root / INDICATORS
    wb = load_workbook(path)
    ws = wb["目标量化清单"]
    header = next(r for r in range(1, 12) if ws.cell(r, 1).value == "编号")
    cols = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    rows = {ws.cell(r, 1).value: r for r in range(header + 1, ws.max_row + 1)}
    for number, cells in values.items():
        for label, value in cells.items():
            ws.cell(rows[number], cols[label], value)
    wb.save(path)
    return {n: str(r) for n, r in rows.items() if n}


def _years(*values: float) -> dict[str, float]:
    return {f"{2021 + i}年实际值": v for i, v in enumerate(values)}


# ------------------------------------------------------------------ 超过 is strict; the operator is data
def test_every_target_type_follows_the_wording_of_its_row():
    rows = _rows()
    assert {n: r["cells"]["comparator"] for n, r in rows.items()} == WORDING
    column = next(c for c in load_programme("qiantang").form("indicators")["columns"] if c["key"] == "comparator")
    assert set(WORDING.values()) <= set(column["values"])
    for text in column["values"]:  # every choice the sheet offers reads as measure + operator
        comparator(text)
    assert [n for n, c in WORDING.items() if c == "累计>"] == ["1.5", "3.3", "6.2", "7.2"]


def test_operators_are_read_from_the_text_and_must_be_written():
    assert (comparator("累计>").measure, comparator("累计>").op) == ("sum", ">")
    assert comparator("年均增长 >=").op == "≥" and comparator("≤").lower_is_better and comparator(">").strict
    for bad in ("累计", "每年提升", "超过", ""):
        with pytest.raises(SpecError, match="运算符"):
            comparator(bad)


def test_a_spec_row_without_an_operator_is_a_spec_error(tmp_path):
    root = tmp_path / "templates"
    shutil.copytree(templates_root(), root)
    spec = root / "qiantang/programme.toml"
    text = spec.read_text("utf-8")
    assert 'comparator = "累计>"' in text
    spec.write_text(text.replace('comparator = "累计>"', 'comparator = "累计"', 1), "utf-8")
    with pytest.raises(SpecError, match=r"rows\(ftz_rmb\).*运算符"):
        check_packet(SAMPLES / "qiantang-demo", templates=root, as_of=AS_OF)


@pytest.mark.parametrize(("unit", "values", "expected"), [
    # 3.3 累计超过1万亿元: exactly 10,000 is not above it; 3.4 累计达到1500亿美元: exactly 1,500 reaches it
    ("宁波市政府", {"1.5": _years(8000, 8000, 8000, 8000, 8000), "3.3": _years(2000, 2000, 2000, 2000, 2000),
                    "3.4": _years(300, 300, 300, 300, 300), "3.1": _years(12, 11, 10, 9, 8),
                    "3.2": _years(1, 1, 0.5, 0.2, 0),
                    "二（三）": _years(72, 74, 76, 78, 80)},
     {"1.5": "behind", "3.3": "behind", "3.4": "met", "3.1": "met", "3.2": "below_target", "二（三）": "met"}),
    ("绍兴市政府", {"6.2": _years(160, 160, 160, 160, 160), "6.1": _years(100, 105, 108, 112, 115)},
     {"6.2": "behind", "6.1": "below_target"}),
    ("舟山市政府", {"7.1": _years(300, 300, 300, 300, 300), "7.2": _years(600, 600, 600, 600, 601)},
     {"7.1": "met", "7.2": "met"}),
])
def test_strict_targets_are_not_met_by_equalling_them(tmp_path, unit, values, expected):
    root = _packet(tmp_path, unit, 2025)
    rows = _fill(root, values)
    report = check_packet(root, as_of=AS_OF)
    by = {p.number: p for p in report.progress}
    assert {n: by[n].status for n in expected} == expected
    for n, status in expected.items():
        if status == "behind":  # on its last straight-path point, yet not above the target: said so, with the cell
            f = next(f for f in report.findings if f.code == "progress_behind" and f.cell == f"M{rows[n]}")
            assert "尚未达到" in f.message and "累计>" in f.message and "落后" not in f.message


def test_a_strict_sum_on_its_path_before_the_final_year_is_on_track(tmp_path):
    root = _packet(tmp_path, "宁波市政府", 2023)
    _fill(root, {"3.3": _years(2000, 2000, 2000), "3.4": _years(250, 250, 300)})
    by = {p.number: p for p in check_packet(root, as_of=AS_OF).progress}
    assert by["3.3"].status == "on_track" and by["3.3"].expected == pytest.approx(6000)
    assert by["3.4"].status == "behind" and by["3.4"].expected == pytest.approx(900)


def test_the_spec_says_how_yishang_and_chaoguo_are_read_and_that_the_convention_is_from_outside():
    notes = " ".join(n["text"] for n in load_programme("qiantang").section("notes"))
    assert "“超过”为严格大于" in notes and "“以上”含本数" in notes and "《民法典》第一千二百五十九条" in notes
    assert "通知本身未作定义，这一读法来自通知之外" in notes
    # 附件4 and the body differ
    assert "正文二（三）为“超过1万家”" in notes and "正文三（四）2 为“超过1500亿美元”" in notes
    assert "来自通知之外" in (templates_root() / "qiantang/programme.toml").read_text("utf-8").split("spec_version")[0]


# ------------------------------------------------------------------ 二（三） 移动支付人口普及率 80%
def test_mobile_payment_target_is_an_indicator_row_with_its_article():
    row = _rows()["二（三）"]
    assert row["cells"]["indicator"] == "移动支付人口普及率" and row["cells"]["target"] == 80
    assert row["cells"]["comparator"] == "≥" and row["unit"] == "%" and row["source"].startswith("二（三）“打造数智港"
                                                                                                 "湾”")
    # 附件4 序号1's units: zonekit's assignment, said so
    assert row["cells"]["units"] == _rows()["1.1"]["cells"]["units"]
    notes = " ".join(n["text"] for n in load_programme("qiantang").section("notes"))
    assert "通知未写明该目标的责任单位" in notes and "这一分配不是通知原文" in notes
    demo = {p.number: p for p in check_packet(SAMPLES / "qiantang-demo", as_of=AS_OF).progress}
    assert demo["二（三）"].status == "on_track" and demo["二（三）"].expected == pytest.approx(76)


# ------------------------------------------------------------------ 附件5: the seed's columns, then zonekit's
def _seed_annex5() -> list[tuple[str, str, str]]:
    """(序号 with its 分类, 名称, 情况) from the seed's 附件5, the text split by a page break joined again."""
    text = SEED.read_text("utf-8")  # shipped with the tests: tests/data/seeds
    lines = [s.strip() for s in text[text.index("附件5\n"):text.index("附件6\n")].splitlines() if s.strip()]
    out, section, item = [], "", None
    for line in lines[lines.index("责任单位") + 1:]:
        if re.match(r"^[一二三]、", line):
            section = line[0]
        elif line.isdigit():
            item = [f"{section}{line}"]
            out.append(item)
        elif item is not None:
            item.append(line)
    return [(i[0], i[1], i[2] + (i[3] if i[0] == "二4" else "")) for i in out]


def test_annex5_sheet_has_the_seed_columns_in_order_then_zonekits_progress_columns(tmp_path):
    form = load_programme("qiantang").form("tasks")
    labels = [c["label"] for c in form["columns"]]
    assert labels[:4] == ["序号", "名称", "情况", "责任单位"]
    # nothing else is the seed's
    assert [c["label"] for c in form["columns"] if c.get("source") == "附件5"] == labels[:4]
    assert all(c["help"].startswith("zonekit 增加的进展栏目") for c in form["columns"][4:])
    assert "“报告年度推进状态”及其后各列为 zonekit 增加的进展栏目" in form["note"]
    root = tmp_path / "all"
    init_packet(load_programme("qiantang"), root)
    ws = load_workbook(root / TASKS)["重大改革平台项目"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "序号")
    assert [ws.cell(header, c).value for c in range(1, ws.max_column + 1)] == labels
    sheet = [tuple(ws.cell(r, c).value for c in (1, 2, 3)) for r in range(header + 1, ws.max_row + 1)
             if ws.cell(r, 2).value]
    assert sheet == _seed_annex5()  # 21 rows: 序号, 名称 and 情况 word for word


def test_annex5_rows_of_a_unit_keep_their_situation_text_and_the_samples_check(tmp_path):
    root = _packet(tmp_path, "嘉兴市政府", 2023)
    ws = load_workbook(root / TASKS)["重大改革平台项目"]
    rows = {ws.cell(r, 2).value: ws.cell(r, 3).value for r in range(1, ws.max_row + 1)}
    assert set(rows) >= {"国家级科创金融改革试验区", "嘉兴科创金融创新中心"} and "杭州金融城" not in rows
    assert rows["嘉兴科创金融创新中心"].startswith("推动建设科创金融集聚区")
    assert check_packet(SAMPLES / "qiantang-demo", as_of=AS_OF).findings == []


# ------------------------------------------------------------------ 附件5 三3 (36家) and 三8 (1万家, 5000家)
def test_annex5_quantified_targets_are_rows_with_targets():
    rows = _rows()
    got = {n: (rows[n]["cells"]["comparator"], rows[n]["cells"]["target"], rows[n]["cells"]["units"],
               " ".join(rows[n]["source"].split()[:2]))
           for n in ("附5-三3", "附5-三8.1", "附5-三8.2")}
    assert got == {"附5-三3": ("≥", 36, "宁波市政府", "附件5 三3"),
                   "附5-三8.1": ("≥", 10000, "省地方金融监管局、浙江证监局、杭州市政府", "附件5 三8"),
                   "附5-三8.2": ("≥", 5000, "省地方金融监管局、浙江证监局、杭州市政府", "附件5 三8")}
    notes = " ".join(n["text"] for n in load_programme("qiantang").section("notes"))
    assert "附5-三3、附5-三8.1、附5-三8.2" in notes and "请在进展情况中说明" not in notes


def test_annex5_targets_are_compared_in_real_packets_and_collected(tmp_path):
    nb = _packet(tmp_path, "宁波市政府", 2025, "宁波")
    _fill(nb, {"附5-三3": _years(28, 30, 32, 34, 36)})
    zj = _packet(tmp_path, "浙江证监局", 2023, "证监局")
    _fill(zj, {"附5-三8.1": {"基期值": 4000, "基期年份": 2020, **_years(5000, 6000, 7000)},
               "附5-三8.2": _years(2000, 2600, 3100)})
    by = {p.number: p for p in check_packet(nb, as_of=AS_OF).progress}
    assert by["附5-三3"].status == "met" and by["附5-三3"].actual == 36  # 达到36家: 36 reaches it
    report = check_packet(zj, as_of=AS_OF)
    by = {p.number: p for p in report.progress}
    assert {"附5-三8.1", "附5-三8.2"} <= set(by) and "附5-三3" not in by  # 三8 names 浙江证监局, 三3 does not
    assert by["附5-三8.1"].status == "behind" and by["附5-三8.1"].expected == pytest.approx(7600)
    assert by["附5-三8.2"].status == "below_target" and by["附5-三8.2"].completion == pytest.approx(0.62)
    assert any(f.code == "progress_behind" and "培育的创新型小微企业数" in f.message for f in report.findings)
    (m,) = collect([nb, zj], as_of=AS_OF).progress
    rows = {r.number: r for r in m.rows}
    assert rows["附5-三3"].target == "≥36家" and rows["附5-三8.1"].target == "≥10,000家"
    assert rows["1.5"].target == "累计>40,000亿元"
    assert rows["附5-三3"].cells["宁波市政府"].status == "met" and rows["附5-三8.2"].cells["浙江证监局"].value == 3100
