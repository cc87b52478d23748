"""`zonekit init`: the generated forms carry the notice's fields in its order and open in an office suite."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from zonekit.scaffold import init_packet
from zonekit.spec.programme import load_programme

from .conftest import run_cli, soffice_or_skip

# Seed 002_63097adc8ff28a74.txt, 附件1, in the order it prints them.
FORM1_LABELS = [
    "基地（楼宇）名称", "基地（楼宇）地址", "基地（楼宇）运营机构名称", "楼宇是否属于总部用地项目", "联系人",
    "联系电话", "邮箱",
    "基地（楼宇）总建筑面积（m2）", "基地（楼宇）总办公面积（m2）", "基地（楼宇）未入驻可用于招商面积（m2）",
    "已入驻持牌金融机构数（家）", "已入驻金融企业数（家）", "入驻金融企业已使用办公面积（m2）", "已入驻企业数（家）",
    "入驻金融企业上年度形成地方财力总额（万元）", "为入驻金融类企业机构提供服务情况",
    "基地（楼宇）所在区金融主管部门推荐意见",
]
# Seed 002, 附件2 columns in order (line breaks inside narrow cells removed).
FORM2_COLUMNS = [
    "序号", "楼宇名称", "金融企业名称", "属于金融企业总部（一级分支机构、营业部、营业网点等）", "使用办公面积（m2）",
    "使用楼层",
    "上年度形成地方财力（万元）", "现有从业人员数（人）", "进驻时间", "实际注册地址", "统一社会信用代码",
]


@pytest.fixture(scope="module")
def packet(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("init") / "p"
    init_packet(load_programme("sz-building"), root)
    return root


def test_tree_follows_the_spec(packet):
    prog = load_programme("sz-building")
    folders = sorted(p.name for p in packet.iterdir() if p.is_dir())
    assert folders == [m["folder"] for m in prog.materials]
    assert folders[0] == "01_申报表" and folders[-1] == "09_总部用地项目证明材料"
    for m in prog.materials:
        text = (packet / m["folder"] / "说明.txt").read_text("utf-8")
        assert m["title"] in text and m["source"] in text
    assert (packet / "packet.toml").is_file() and (packet / "材料清单.xlsx").is_file()


def test_packet_toml_records_spec_and_paths(packet):
    import tomllib

    data = tomllib.loads((packet / "packet.toml").read_text("utf-8"))
    prog = load_programme("sz-building")
    assert data["packet"]["programme"] == "sz-building"
    assert data["packet"]["spec_sha256"] == prog.sha256
    assert set(data) == {"packet"}  # the tool's record only: the answers are in 材料清单.xlsx (申报信息)
    assert set(data["packet"]) == {"programme", "spec_version", "spec_sha256", "created", "zonekit"}
    from zonekit.answers import read_sheet

    answers = read_sheet(packet / "材料清单.xlsx", prog)
    assert answers.values["claims"] == {"scale_path": "fiscal", "hq_land_path": False}
    assert set(answers.cells) >= {f"attestations.{a['key']}" for a in prog.section("attestations")}


def test_form1_labels_in_seed_order_with_defined_names(packet):
    wb = load_workbook(packet / "01_申报表/附件1 申报表.xlsx")
    ws = wb["附件1 申报表"]
    assert ws["A2"].value == "深圳市重点金融产业基地和重点金融楼宇申报表"
    assert ws["A3"].value == "申报单位（公章）：" and "申报时间" in ws["D3"].value
    prog = load_programme("sz-building")
    fields = prog.form("application")["fields"]
    assert [f["label"] for f in fields] == FORM1_LABELS
    seen = []
    for f in fields:
        sheet, ref = next(iter(wb.defined_names[f"ZK_APPLICATION_{f['key'].upper()}"].destinations))
        assert sheet == ws.title
        row = ws[ref.replace("$", "")].row
        col = ws[ref.replace("$", "")].column
        label = next(ws.cell(row, c).value for c in range(col - 1, 0, -1) if ws.cell(row, c).value)
        seen.append(label)
    assert seen == FORM1_LABELS
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "申请单位主要负责人（盖公章）：" in texts and "主要负责人（盖公章）：" in texts


def test_form1_validation_and_print(packet):
    ws = load_workbook(packet / "01_申报表/附件1 申报表.xlsx")["附件1 申报表"]
    kinds = {(dv.type, dv.formula1) for dv in ws.data_validations.dataValidation}
    assert ("list", '"是,否"') in kinds
    assert any(t == "whole" for t, _ in kinds) and any(t == "decimal" for t, _ in kinds)
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"
    assert ws.page_setup.fitToHeight == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_form2_columns_totals_and_print(packet):
    wb = load_workbook(packet / "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx")
    ws = wb["附件2 入驻金融企业信息表"]
    assert ws["A2"].value == "XXX基地（或XXX楼宇）入驻金融企业信息表"
    assert ws["A3"].value == "申请单位（公章）：" and "填报时间" in ws[f"{'F'}3"].value
    header = [ws.cell(4, c).value for c in range(1, ws.max_column + 1)]
    assert header == FORM2_COLUMNS  # the official sheet has exactly these 11 columns
    assert ws.freeze_panes == "A5"
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    total = {ws.cell(25, c).value for c in range(1, 12)}
    assert "合计" in total and "=SUM(E5:E24)" in total and "=SUM(G5:G24)" in total and "=SUM(H5:H24)" in total
    assert "=COUNTA(C5:C24)" in total
    kinds = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"总部,一级分支机构,营业部,营业网点,其他"' in kinds
    assert any(dv.type == "date" for dv in ws.data_validations.dataValidation)
    aux = wb["辅助信息（不打印）"]
    assert "不属于官方表格" in aux["A1"].value
    assert aux["B2"].value == "是否持牌金融机构"


def test_word_templates_have_the_article_headings(packet):
    doc = Document(packet / "03_申请报告/申请报告.docx")
    texts = [p.text for p in doc.paragraphs]
    for heading in ("一、楼宇地理位置", "二、楼宇规划建设情况及意向入驻金融企业", "三、运营管理", "四、楼宇建筑规模",
                    "五、产业规模"):
        assert heading in texts
    assert any("申报单位（盖章）" in t for t in texts)
    section = doc.sections[0]
    assert abs(section.page_width.cm - 21.0) < 0.1 and abs(section.page_height.cm - 29.7) < 0.1
    letter = Document(packet / "08_承诺函/承诺函.docx")
    assert letter.paragraphs[0].text == "承诺函"


def test_district_recommendation_template(tmp_path):
    root = tmp_path / "d"
    init_packet(load_programme("sz-district"), root)
    texts = [p.text for p in Document(root / "01_推荐说明材料/推荐说明材料.docx").paragraphs]
    assert "七、推荐理由" in texts and any("区人民政府（盖章）" in t for t in texts)


def test_checklist_lists_every_material(packet):
    ws = load_workbook(packet / "材料清单.xlsx").active
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    prog = load_programme("sz-building")
    assert [r[1] for r in rows] == [m["title"] for m in prog.materials]
    assert rows[0][2] == "必需" and rows[7][2].startswith("条件必需")


def test_init_refuses_non_empty_and_force_keeps_files(tmp_path):
    target = tmp_path / "p"
    assert run_cli("init", "sz-building", str(target)).returncode == 0
    form = target / "01_申报表/附件1 申报表.xlsx"
    form.write_bytes(form.read_bytes() + b"")  # same bytes; now simulate filling:
    wb = load_workbook(form)
    wb["附件1 申报表"]["B4"] = "已填写的楼宇"
    wb.save(form)
    filled = form.read_bytes()
    (target / "03_申请报告/申请报告.docx").unlink()
    r = run_cli("init", "sz-building", str(target))
    assert r.returncode == 2 and "不是空文件夹" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("init", "sz-building", str(target), "--force")
    assert r.returncode == 0, r.stderr
    assert form.read_bytes() == filled
    assert (target / "03_申请报告/申请报告.docx").is_file()
    assert "已存在，未改动" in r.stdout


def test_unknown_programme_lists_known(tmp_path):
    r = run_cli("init", "sz-bilding", str(tmp_path / "x"))
    assert r.returncode == 2
    assert "sz-building" in r.stderr and "sz-base" in r.stderr
    assert not (tmp_path / "x").exists()


def test_generated_files_open_in_libreoffice(packet, tmp_path):
    soffice = soffice_or_skip()
    files = [packet / "01_申报表/附件1 申报表.xlsx", packet / "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx",
             packet / "03_申请报告/申请报告.docx", packet / "材料清单.xlsx"]
    r = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), *map(str, files)], capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    for f in files:
        pdf = tmp_path / (f.stem + ".pdf")
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    page = PdfReader(tmp_path / "附件1 申报表.pdf").pages
    assert len(page) == 1  # the application form prints on one A4 page
    box = page[0].mediabox
    assert abs(float(box.width) - 595) < 3 and abs(float(box.height) - 842) < 3
