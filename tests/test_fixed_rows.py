"""Indicator sheets (fixed rows, per-row types, subtotals) and score bands: the spec features the
G60/MIIT/Qiantang programmes are built from, exercised on a toy programme."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from zonekit.check.runner import check_packet
from zonekit.scaffold import init_packet
from zonekit.spec.programme import load_programme

from .conftest import AS_OF

TOY = """
spec_version = 1
id = "toy-score"
version = "1"
[title]
zh = "评分玩具"
[document]
title = "玩具通知"
issuer = "测试办"
seed = "none"

[[forms]]
id = "indicators"
kind = "table"
file = "评估指标.xlsx"
sheet = "评估指标"
title = "评估指标"
row_key = "indicator"
rows_total = { column = "max_score", equals = 20 }
[forms.subtotals]
label = "小计"
label_column = "dimension"
group_column = "dimension"
sum = ["max_score", "score"]
[forms.total]
label = "合计"
label_column = "dimension"
sum = ["max_score", "score"]
[[forms.columns]]
key = "seq"
label = "序号"
type = "seq"
[[forms.columns]]
key = "dimension"
label = "评估维度"
[[forms.columns]]
key = "indicator"
label = "指标"
[[forms.columns]]
key = "value"
label = "园区数值"
row_typed = true
[[forms.columns]]
key = "max_score"
label = "分值"
type = "number"
[[forms.columns]]
key = "score"
label = "自评得分"
type = "number"
min = 0
max = "row.max_score"
required = true
[[forms.columns]]
key = "evidence"
label = "说明及佐证材料"
required_when = { left = "row.score", op = ">", right = 0 }
[[forms.rows]]
id = "hitech"
cells = { dimension = "科创活力", indicator = "高新技术企业数", max_score = 5 }
type = "integer"
min = 0
[[forms.rows]]
id = "platforms"
cells = { dimension = "科创活力", indicator = "创新平台数", max_score = 5 }
type = "integer"
min = 0
[[forms.rows]]
id = "share"
cells = { dimension = "金融配套", indicator = "金融机构占比（%）", max_score = 10 }
type = "percent"
min = 0
max = 100

[[conditions]]
id = "grade"
title = "评估结果"
source = "三（五）"
bands = { fact = "indicators.sum.score", unit = "分", items = [
  { min = 18, label = "示范园区", status = "met" },
  { min = 16, label = "培育型示范园区", status = "met" },
  { label = "不列入", status = "unmet" },
] }

[[materials]]
id = "indicators"
title = "评估指标"
folder = "01_评估指标"
form = "indicators"
source = "附件1"
"""


def _packet(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "tpl"
    (root / "toy-score").mkdir(parents=True)
    (root / "toy-score/programme.toml").write_text(TOY, "utf-8")
    packet = tmp_path / "p"
    init_packet(load_programme("toy-score", root), packet)
    return root, packet


def _fill(packet: Path, rows: dict[str, tuple]) -> None:
    path = packet / "01_评估指标/评估指标.xlsx"
    wb = load_workbook(path)
    ws = wb["评估指标"]
    for r in range(5, ws.max_row + 1):
        indicator = ws.cell(r, 3).value
        if indicator in rows:
            value, score, evidence = rows[indicator]
            ws.cell(r, 4, value)
            ws.cell(r, 6, score)
            ws.cell(r, 7, evidence)
    wb.save(path)


def test_sheet_has_rows_subtotals_and_total(tmp_path):
    _, packet = _packet(tmp_path)
    ws = load_workbook(packet / "01_评估指标/评估指标.xlsx")["评估指标"]
    col_b = [ws.cell(r, 2).value for r in range(5, 11)]
    assert col_b == ["科创活力", "科创活力", "小计", "金融配套", "小计", "合计"]
    assert ws["F7"].value == "=SUM(F5:F6)" and ws["F10"].value == "=F7+F9"
    assert ws["E5"].value == 5


def test_scores_rows_and_band(tmp_path):
    root, packet = _packet(tmp_path)
    _fill(packet,
          {"高新技术企业数": (120, 6, "高企名单"), "创新平台数": ("12项", 4, ""),
           "金融机构占比（%）": (130, 7, "统计表")})
    report = check_packet(packet, templates=root, as_of=AS_OF)
    got = {(f.code, f.cell) for f in report.findings}
    assert ("value_range", "F5") in got  # 6 > this row's 分值 5
    assert ("field_missing", "G6") in got  # a score above 0 needs evidence
    assert ("value_type", "D6") in got  # an integer row
    assert ("value_range", "D8") in got  # a percentage above 100 (row-typed)
    assert ("formula_uncached", "F10") in got
    grade = report.eligibility[0]
    assert grade.status == "unmet" and grade.band == "不列入"  # the invalid score does not count: 11 < 16


def test_band_margin(tmp_path):
    root, packet = _packet(tmp_path)
    _fill(packet,
          {"高新技术企业数": (120, 5, "名单"), "创新平台数": (12, 4, "清单"), "金融机构占比（%）": (35, 8, "统计表")})
    report = check_packet(packet, templates=root, as_of=AS_OF)
    grade = report.eligibility[0]
    assert grade.band == "培育型示范园区" and grade.status == "met"
    assert "还差 1分" in grade.detail
    assert not [f for f in report.findings if f.severity == "error"]
