"""Rebuild the bundled sample packets: `python samples/build_samples.py` (needs LibreOffice).

- sz-building-demo: a complete, valid 深圳市市级重点金融楼宇 packet (fictional building and
  enterprises; credit codes are algorithmically valid, not real) that checks clean.
- sz-building-broken: the same packet with known problems planted; tests/expected/ lists the
  findings it must produce.

The forms are filled with openpyxl and then re-saved through LibreOffice headless, so they
carry cached formula results, shared strings and a <dimension> like files saved by Excel/WPS.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook

from zonekit.document import Para, SealBlock, Spacer
from zonekit.docxout import write_docx
from zonekit.formats import make_uscc
from zonekit.init import init_packet
from zonekit.office import find_soffice
from zonekit.spec import load_programme

HERE = Path(__file__).resolve().parent
BUILDING = "福华金融中心"
ADDRESS = "深圳市福田区福华三路88号"
OPERATOR = "深圳市福华置业运营管理有限公司"

# name, kind, area m2, floor, fiscal 万元, staff, entered, licensed
ENTERPRISES = [
    ("华南商业银行股份有限公司深圳分行", "一级分支机构", 4200, "1-3", 6850.5, 320, "2015-03-18", True),
    ("鹏城证券股份有限公司", "总部", 5600, "25-28", 7320.0, 410, "2016-07-01", True),
    ("前湾财产保险股份有限公司深圳分公司", "一级分支机构", 2800, "18-19", 3105.2, 185, "2017-11-20", True),
    ("福华基金管理有限公司", "总部", 3100, "30-31", 4480.0, 156, "2018-05-09", True),
    ("深南期货有限公司", "总部", 1900, "22", 1610.8, 98, "2019-09-16", True),
    ("南岭股权投资管理有限公司", "总部", 1500, "33", 1980.0, 42, "2019-12-02", False),
    ("福田金控融资租赁有限公司", "总部", 2600, "20-21", 2240.6, 88, "2020-04-27", False),
    ("鹏海小额贷款有限公司", "总部", 1200, "12", 905.3, 36, "2020-10-12", False),
    ("湾区商业保理有限公司", "总部", 980, "11", 612.0, 27, "2021-03-15", False),
    ("中深资产评估有限公司深圳分公司", "一级分支机构", 760, "10", 288.4, 31, "2021-08-30", False),
    ("福华私募证券投资基金管理有限公司", "总部", 1400, "35", 1256.2, 29, "2022-06-06", False),
    ("深港跨境金融科技服务有限公司", "总部", 1560, "16", 600.0, 64, "2023-02-20", False),
]


def uscc(i: int) -> str:
    return make_uscc("91440300", f"MA5G{i:03d}Q"[:8].ljust(8, "0"))


def fill_record(path: Path, form_id: str, values: dict[str, object]) -> None:
    """Fill a record form's cells through their defined names ZK_<FORM>_<KEY> (as a person's edits would land)."""
    wb = load_workbook(path)
    for key, value in values.items():
        sheet, ref = next(iter(wb.defined_names[f"ZK_{form_id}_{key}".upper()].destinations))
        wb[sheet][ref.replace("$", "")] = value
    wb.save(path)


def fill_application(path: Path, values: dict[str, object]) -> None:
    fill_record(path, "application", values)


def fill_enterprises(path: Path, rows: list[tuple], licensed: list[bool]) -> None:
    wb = load_workbook(path)
    ws = wb["附件2 入驻金融企业信息表"]
    first = 5
    for i, (building, name, kind, area, floor, fiscal, staff, entered, address, code) in enumerate(rows):
        r = first + i
        for col, value in enumerate((building, name, kind, area, floor, fiscal, staff, entered, address, code), start=2):
            ws.cell(r, col, value)
    aux = wb["辅助信息（不打印）"]
    for i, (row, lic) in enumerate(zip(rows, licensed, strict=True)):
        aux.cell(3 + i, 1, row[1])
        aux.cell(3 + i, 2, "是" if lic else "否")
    wb.save(path)


def resave(paths: list[Path]) -> None:
    """Round-trip through LibreOffice so the files look saved by an office suite."""
    soffice = find_soffice()
    if not soffice:
        sys.exit("LibreOffice (soffice) is needed to rebuild the samples")
    with tempfile.TemporaryDirectory() as tmp:
        for p in paths:
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
                            "xlsx:Calc MS Excel 2007 XML", "--outdir", tmp, str(p)], check=True, capture_output=True, timeout=180)
            shutil.copyfile(Path(tmp) / p.name, p)


def pdf(path: Path, title: str, lines: list[str]) -> None:
    """A one-page "scan" that embeds its font, as a real scan or export does (a PDF relying on the
    reader's built-in fonts prints blank where the printer has none)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from zonekit.fonts import find_cjk_font

    font = find_cjk_font()
    if not font.embedded:
        sys.exit(f"samples need an embeddable CJK font: {font.note}")
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1, initialFontName=font.name)  # no unused Helvetica either
    c.setFont(font.name, 18)
    c.drawCentredString(A4[0] / 2, A4[1] - 100, title)
    c.setFont(font.name, 12)
    for i, line in enumerate(lines):
        c.drawString(80, A4[1] - 150 - 22 * i, line)
    c.drawString(380, 120, "（加盖公章的复印件）")
    c.save()


def jpg(path: Path, text: str) -> None:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (1240, 1754), "white")
    d = ImageDraw.Draw(im)
    d.rectangle((60, 60, 1180, 1694), outline="black", width=6)
    d.text((120, 140), text, fill="black")
    im.save(path, quality=80)


def report_docx(path: Path) -> None:
    blocks = [
        Para("关于申请认定深圳市市级重点金融楼宇的报告", "title"), Spacer(6), Para("深圳市金融发展服务办公室：", "plain"),
        Para("一、楼宇地理位置", "heading1"),
        Para(f"{BUILDING}位于{ADDRESS}，地处福田中心区金融核心地段，距地铁会展中心站约300米。"),
        Para("二、楼宇规划建设情况及意向入驻金融企业", "heading1"),
        Para("楼宇于2014年竣工，地上48层，产权清晰，由深圳市福华置业运营管理有限公司统一运营。"),
        Para("三、运营管理", "heading1"),
        Para("运营机构设有金融企业服务专班，制定了入驻服务、物业管理、安全生产等管理制度。"),
        Para("四、楼宇建筑规模", "heading1"),
        Para("总建筑面积68000平方米，总办公面积52000平方米，未入驻可用于招商面积3200平方米。"),
        Para("五、产业规模", "heading1"),
        Para(f"已入驻金融企业{APPLICATION['fin_count']}家，其中持牌金融机构{APPLICATION['licensed_count']}家；金融企业使用办公面积"
             f"{APPLICATION['fin_area']}平方米；上年度形成地方财力{APPLICATION['fiscal_total']}万元，以第七条（二）1申报。"),
        Spacer(20), SealBlock("申报单位（盖章）："),
    ]
    write_docx(blocks, path, title="关于申请认定深圳市市级重点金融楼宇的报告", date=dt.datetime(2026, 11, 20))


PACKET_TOML = """\
[applicant]
name = "{operator}"
contact = "李敏"
phone = "0755-83451234"
email = "lim@fuhua-ops.example.cn"
district = "福田区"

[claims]
scale_path = "{scale_path}"
commitments = {commitments}
hq_land_path = false

[attestations]
not_in_base = true
no_incident = {no_incident}
operator_rules = true
hq_standard = false
hq_reexamined = false
"""


def write_packet_toml(root: Path, *, scale_path: str = "fiscal", commitments: str = "[]", no_incident: str = "true") -> None:
    path = root / "packet.toml"
    head = path.read_text("utf-8").split("[applicant]")[0]
    path.write_text(head + PACKET_TOML.format(operator=OPERATOR, scale_path=scale_path, commitments=commitments,
                                              no_incident=no_incident), "utf-8")


def rows_of(data: list[tuple]) -> list[tuple]:
    return [(BUILDING, n, k, a, f, fi, s, dt.date.fromisoformat(e), f"{ADDRESS}{f}层", uscc(i))
            for i, (n, k, a, f, fi, s, e, _lic) in enumerate(data, 1)]


APPLICATION = {
    "name": BUILDING, "address": ADDRESS, "operator": OPERATOR, "hq_land": "否", "contact": "李敏",
    "phone": "0755-83451234", "email": "lim@fuhua-ops.example.cn", "total_building_area": 68000,
    "total_office_area": 52000, "vacant_area": 3200, "licensed_count": 5, "fin_count": 12,
    "fin_area": sum(e[2] for e in ENTERPRISES), "company_count": 46,
    "fiscal_total": round(sum(e[4] for e in ENTERPRISES), 1),
    "services": "设立金融企业服务专班，提供入驻代办、政策申报辅导、人才公寓对接、会议路演场地等一站式服务。",
}


def build_demo(root: Path) -> None:
    prog = load_programme("sz-building")
    shutil.rmtree(root, ignore_errors=True)
    init_packet(prog, root, today=dt.date(2026, 11, 20))
    write_packet_toml(root)
    fill_application(root / "01_申报表/附件1 申报表.xlsx", APPLICATION)
    fill_enterprises(root / "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx", rows_of(ENTERPRISES), [e[7] for e in ENTERPRISES])
    (root / "03_申请报告/申请报告.docx").unlink()
    report_docx(root / "03_申请报告/申请报告.docx")
    pdf(root / "04_土地使用权出让合同书/深圳市土地使用权出让合同书.pdf", "深圳市土地使用权出让合同书",
        ["合同编号：深地合字（2010）0088号", f"宗地位置：{ADDRESS}", "土地用途：商业、办公"])
    for i, e in enumerate(ENTERPRISES[:3], 1):
        pdf(root / f"05_租房或购房合同/租赁合同{i:02d}_{e[0][:6]}.pdf", "房屋租赁合同", [f"承租方：{e[0]}", f"租赁面积：{e[2]}平方米"])
    pdf(root / "06_纳税情况证明/纳税证明汇总.pdf", "纳税情况证明", ["2025年度入驻金融企业纳税情况汇总（税务部门出具）"])
    pdf(root / "07_持牌金融机构资质证明/金融许可证_华南商业银行.pdf", "金融许可证", [ENTERPRISES[0][0]])
    jpg(root / "07_持牌金融机构资质证明/经营证券期货业务许可证_鹏城证券.jpg", "Securities licence (scan)")
    (root / "08_承诺函/承诺函.docx").unlink()  # not needed: no condition is met by commitment
    resave([root / "01_申报表/附件1 申报表.xlsx", root / "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"])


def build_broken(demo: Path, root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(demo, root)
    write_packet_toml(root, scale_path="licensed", commitments='["office_share"]', no_incident="false")
    app = dict(APPLICATION, address="", phone="8345123", email="lim@@fuhua-ops", total_building_area=20000,
               total_office_area=24000, fin_count=11, fiscal_total=25000)
    fill_application(root / "01_申报表/附件1 申报表.xlsx", app)
    rows = rows_of(ENTERPRISES)
    rows[2] = rows[2][:9] + (rows[2][9][:-1] + ("0" if rows[2][9][-1] != "0" else "1"),)  # wrong check digit (row 7)
    rows[4] = rows[4][:1] + (rows[0][1],) + rows[4][2:]  # duplicate enterprise name (row 9)
    rows[5] = rows[5][:3] + (-1500,) + rows[5][4:]  # negative area (row 10)
    rows[6] = rows[6][:7] + (dt.date(2031, 1, 1),) + rows[6][8:]  # future 进驻时间 (row 11)
    rows[7] = rows[7][:2] + ("分公司",) + rows[7][3:]  # not an allowed choice (row 12)
    rows[8] = rows[8][:6] + ("约30人",) + rows[8][7:]  # vague head count (row 13)
    rows[9] = rows[9][:7] + ("06/07/2021",) + rows[9][8:]  # ambiguous date (row 14)
    rows[10] = ("福华大厦",) + rows[10][1:]  # building name differs from 附件1 (row 15)
    fill_enterprises(root / "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx", rows, [e[7] for e in ENTERPRISES])
    wb = load_workbook(root / "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx")
    wb["附件2 入驻金融企业信息表"]["E25"] = 99999  # a typed 合计 that disagrees with the rows
    wb.save(root / "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx")
    for p in (root / "06_纳税情况证明").glob("*.pdf"):
        p.unlink()  # tax proof required (enterprises are in) but missing
    (root / "07_持牌金融机构资质证明/金融许可证_华南商业银行.pdf").write_bytes(b"")  # 0-byte PDF
    from pypdf import PdfReader, PdfWriter

    lease = root / "05_租房或购房合同/租赁合同01_华南商业银行.pdf"
    w = PdfWriter(clone_from=PdfReader(lease))
    w.encrypt(user_password="secret", owner_password="owner")
    with lease.open("wb") as f:
        w.write(f)
    (root / "04_土地使用权出让合同书/备注.txt").write_text("合同原件在档案室", "utf-8")  # type not accepted
    (root / "草稿备份.docx").write_bytes((root / "03_申请报告/申请报告.docx").read_bytes())  # stray file
    resave([root / "01_申报表/附件1 申报表.xlsx", root / "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"])


if __name__ == "__main__":
    build_demo(HERE / "sz-building-demo")
    build_broken(HERE / "sz-building-demo", HERE / "sz-building-broken")
    print("samples rebuilt")
