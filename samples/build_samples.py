"""Rebuild the bundled sample packets: `python samples/build_samples.py` (needs LibreOffice).

- sz-building-demo: a complete, valid 深圳市市级重点金融楼宇 packet (fictional building and
  enterprises; credit codes are algorithmically valid, not real) that checks clean.
- sz-building-broken: the same packet with known problems planted; tests/expected/ lists the
  findings it must produce.
- sz-base-demo: a complete, valid 深圳市市级重点金融产业基地 packet (a fictional base of three buildings
  in 南山区, 186,500 m², 20 financial enterprises of which 16 licensed, 13.3亿元 地方财力) that checks
  clean and is eligible under 第六条 by the licensed-institution path; sz-base-broken plants the
  problems listed in tests/expected/sz-base-broken.json.
- sz-district-demo: a complete, valid 区推荐 packet (第九条、第十三条: 光明区 recommends a fictional
  21,800 m² building that meets 第七条（三） but not 第七条's size and scale, as a district with no
  qualifying base or building may); sz-district-broken plants tests/expected/sz-district-broken.json.

`python samples/build_samples.py [NAME ...]` rebuilds the named samples only (all without names).

The forms are filled with openpyxl and then re-saved through LibreOffice headless, so they
carry cached formula results, shared strings and a <dimension> like files saved by Excel/WPS.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from openpyxl import load_workbook

from zonekit.document.docx import write_docx
from zonekit.document.model import Para, SealBlock, Spacer
from zonekit.document.office import find_soffice
from zonekit.fields.cellvalues import make_uscc
from zonekit.scaffold import init_packet
from zonekit.spec.programme import load_programme

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
        for col, value in enumerate((building, name, kind, area, floor, fiscal, staff, entered, address, code),
                                    start=2):
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
                            "xlsx:Calc MS Excel 2007 XML", "--outdir", tmp, str(p)],
                           check=True, capture_output=True, timeout=180)
            shutil.copyfile(Path(tmp) / p.name, p)


def pdf(path: Path, title: str, lines: list[str]) -> None:
    """A one-page "scan" that embeds its font, as a real scan or export does (a PDF relying on the
    reader's built-in fonts prints blank where the printer has none)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from zonekit.document.fonts import find_cjk_font

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
        Para("关于申请认定深圳市市级重点金融楼宇的报告", "title"), Spacer(6),
        Para("深圳市金融发展服务办公室：", "plain"),
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


def write_packet_toml(root: Path, *, scale_path: str = "fiscal", commitments: str = "[]",
                      no_incident: str = "true") -> None:
    set_answers(root, answers_from_toml(PACKET_TOML.format(operator=OPERATOR, scale_path=scale_path,
                                                           commitments=commitments, no_incident=no_incident)))


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
    fill_enterprises(root / "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx", rows_of(ENTERPRISES),
                     [e[7] for e in ENTERPRISES])
    (root / "03_申请报告/申请报告.docx").unlink()
    report_docx(root / "03_申请报告/申请报告.docx")
    pdf(root / "04_土地使用权出让合同书/深圳市土地使用权出让合同书.pdf", "深圳市土地使用权出让合同书",
        ["合同编号：深地合字（2010）0088号", f"宗地位置：{ADDRESS}", "土地用途：商业、办公"])
    for i, e in enumerate(ENTERPRISES[:3], 1):
        pdf(root / f"05_租房或购房合同/租赁合同{i:02d}_{e[0][:6]}.pdf", "房屋租赁合同",
            [f"承租方：{e[0]}", f"租赁面积：{e[2]}平方米"])
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


# -------------------------------------------------------- shared by the sz-base and sz-district samples
def word(path: Path, title: str, addressee: str, sections: list[tuple[str, str]], seal: str) -> None:
    """A filled Word document (application report, recommendation), in place of the generated template."""
    blocks = [Para(title, "title"), Spacer(6), Para(addressee, "plain")]
    for heading, text in sections:
        blocks += [Para(heading, "heading1"), Para(text)]
    blocks += [Spacer(20), SealBlock(f"{seal}："), Para("2026年11月20日", "right")]
    path.unlink(missing_ok=True)
    write_docx(blocks, path, title=title, date=dt.datetime(2026, 11, 20))


def num(value: float) -> str:
    """A figure as a report writes it: 134114 rather than 134114.0."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def fit_rows(paths: list[Path]) -> None:
    """Row heights for the wrapped text just filled in (LibreOffice prints rows at the height they were
    written with)."""
    from zonekit.xlsx.form_writer import fit_row_heights

    for path in paths:
        wb = load_workbook(path)
        for ws in wb.worksheets:
            fit_row_heights(ws)
        wb.save(path)


def table_rows(data: list[tuple], address: dict[str, str], region: str, series: str) -> list[tuple]:
    """附件2 rows from (building, name, kind, area, floor, fiscal, staff, entered, licensed); valid credit codes
    registered in `region` (the district's code), organisation codes `series` + a number."""
    return [(b, n, k, a, f, fi, s, dt.date.fromisoformat(e), f"{address[b]}{f}层",
             make_uscc(region, f"{series}{i:03d}K"))
            for i, (b, n, k, a, f, fi, s, e, _lic) in enumerate(data, 1)]


def set_answers(root: Path, answers: dict[str, object]) -> None:
    """The packet's answers ("applicant.district", "claims.scale_path", "attestations.no_incident" …) into
    the sheet 申报信息 of its 材料清单.xlsx, as `zonekit init --data` writes them. Answers a form carries
    (`from` in the spec: 附件1's 联系人 …) are not asked, so they are left out, as init leaves them."""
    from zonekit.answers import SHEET, questions, write_sheet

    prog = load_programme(tomllib.loads((root / "packet.toml").read_text("utf-8"))["packet"]["programme"])
    asked = {q.key for q in questions(prog) if not q.from_form}
    path = root / "材料清单.xlsx"
    wb = load_workbook(path)
    del wb[SHEET]
    write_sheet(wb, prog, {key: value for key, value in answers.items() if key in asked})
    wb.save(path)


def answers_from_toml(body: str) -> dict[str, object]:
    """{"applicant.name": …} from the [applicant]/[claims]/[attestations] text the builders keep their answers in."""
    return {f"{section}.{key}": value
            for section, values in tomllib.loads(body).items() for key, value in values.items()}


def break_pdf(path: Path) -> None:
    """A PDF cut off after its first third, as an interrupted download or copy leaves it."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


# -------------------------------------------------------- sz-base: 深圳市市级重点金融产业基地（第六条、第十一条）
BASE = "湾港金融产业基地"
BASE_OPERATOR = "深圳市湾港金融产业基地运营管理有限公司"
BASE_ADDRESS = "深圳市南山区湾港大道1688号、1699号"
BASE_BUILDINGS = {"湾港金融中心A座": "深圳市南山区湾港大道1688号湾港金融中心A座",
                  "湾港金融中心B座": "深圳市南山区湾港大道1688号湾港金融中心B座",
                  "湾港国际大厦": "深圳市南山区湾港大道1699号湾港国际大厦"}
_A, _B, _C = BASE_BUILDINGS
# building, name, kind, area m2, floor, fiscal 万元, staff, entered, licensed (第三条)
BASE_ENTERPRISES = [
    (_A, "湾港银行股份有限公司", "总部", 18000, "30-45", 32600.0, 1260, "2013-06-18", True),
    (_A, "南海商业银行股份有限公司深圳分行", "一级分支机构", 6200, "3-6", 9850.6, 410, "2014-03-10", True),
    (_A, "鹏湾证券股份有限公司", "总部", 12500, "18-26", 21300.0, 880, "2014-09-01", True),
    (_A, "前湾基金管理有限公司", "总部", 5600, "27-29", 8960.4, 310, "2015-05-20", True),
    (_B, "湾港信托有限责任公司", "总部", 4800, "20-23", 11250.0, 236, "2015-11-16", True),
    (_B, "深湾金融租赁股份有限公司", "总部", 3900, "16-18", 6480.2, 152, "2016-04-08", True),
    (_B, "湾港人寿保险股份有限公司", "总部", 7800, "8-13", 9720.0, 540, "2016-08-29", True),
    (_B, "华海财产保险股份有限公司深圳分公司", "一级分支机构", 3200, "5-6", 3150.8, 268, "2017-02-13", True),
    (_C, "湾港期货有限公司", "总部", 2600, "21-22", 2380.0, 126, "2017-07-03", True),
    (_C, "南山消费金融有限公司", "总部", 3100, "15-17", 4560.5, 420, "2018-01-22", True),
    (_B, "湾港保险资产管理有限公司", "总部", 2900, "25-26", 5270.0, 118, "2018-06-11", True),
    (_C, "鹏城汽车金融有限公司", "总部", 2200, "12-13", 2940.3, 175, "2018-10-15", True),
    (_C, "湾港集团财务有限公司", "总部", 1800, "10", 3610.0, 64, "2019-03-04", True),
    (_C, "深南资产管理股份有限公司", "总部", 2500, "8-9", 4120.6, 98, "2019-08-26", True),
    (_A, "中岳证券股份有限公司深圳分公司", "一级分支机构", 1600, "12", 1480.0, 86, "2020-05-18", True),
    (_B, "泰和人寿保险股份有限公司深圳分公司", "一级分支机构", 2400, "3-4", 2050.2, 232, "2020-11-09", True),
    (_C, "湾港股权投资管理有限公司", "总部", 1500, "18", 1880.0, 45, "2021-04-12", False),
    (_C, "湾港小额贷款有限公司", "总部", 900, "6", 620.4, 38, "2021-09-27", False),
    (_C, "深圳湾港金融资产交易中心有限公司", "总部", 2100, "19-20", 1350.0, 72, "2022-06-20", False),
    (_A, "湾港金融科技服务有限公司", "总部", 1700, "15", 540.0, 96, "2023-03-13", False),
]
BASE_APPLICATION = {
    "name": BASE, "address": BASE_ADDRESS, "operator": BASE_OPERATOR, "hq_land": "否", "contact": "陈静怡",
    "phone": "0755-86352288", "email": "chenjy@wangang-fin.example.cn", "total_building_area": 186500,
    "total_office_area": 142000, "vacant_area": 9800, "licensed_count": sum(e[8] for e in BASE_ENTERPRISES),
    "fin_count": len(BASE_ENTERPRISES), "fin_area": sum(e[3] for e in BASE_ENTERPRISES), "company_count": 138,
    "fiscal_total": round(sum(e[5] for e in BASE_ENTERPRISES), 2),
    "services": "设立基地金融服务中心，为入驻金融机构提供工商注册和金融牌照申请代办、政策申报辅导、人才安居对接、"
                "路演会议场地和跨境金融专业服务对接等一站式服务。",
}
BASE_FORMS = ["01_申报表/附件1 申报表.xlsx", "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"]


def base_answers(*, commitments: list[str] | None = None, planned_consent: bool = True) -> dict[str, object]:
    return {"applicant.name": BASE_OPERATOR, "applicant.contact": "陈静怡", "applicant.phone": "0755-86352288",
            "applicant.email": "chenjy@wangang-fin.example.cn", "applicant.district": "南山区",
            "claims.scale_path": "licensed", "claims.commitments": commitments or [],
            "attestations.planned_consent": planned_consent, "attestations.no_incident": True,
            "attestations.management": True}


def build_base_demo(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    init_packet(load_programme("sz-base"), root, today=dt.date(2026, 11, 20))
    set_answers(root, base_answers())
    forms = [root / f for f in BASE_FORMS]
    fill_application(forms[0], BASE_APPLICATION)
    fill_enterprises(forms[1], table_rows(BASE_ENTERPRISES, BASE_BUILDINGS, "91440305", "MA5H"),
                     [e[8] for e in BASE_ENTERPRISES])
    app = BASE_APPLICATION
    word(root / "03_申请报告/申请报告.docx", "关于申请认定深圳市市级重点金融产业基地的报告",
         "深圳市金融发展服务办公室：", [
        ("一、基地地理位置", f"{BASE}位于{BASE_ADDRESS}，地处南山区湾港片区核心区，东临深圳湾，距地铁湾港站约200米。"),
        ("二、基地内部楼宇规划建设情况及入驻金融企业情况",
         "基地由湾港金融中心A座、B座和湾港国际大厦三栋楼宇组成，2012年至2014年相继竣工，产权清晰，由"
         f"{BASE_OPERATOR}统一运营。已入驻金融企业{app['fin_count']}家，"
         f"其中持牌金融机构{app['licensed_count']}家（见附件2）。"),
        ("三、基地建筑规模", f"基地内楼宇总建筑面积{num(app['total_building_area'])}平方米，"
         f"总办公面积{num(app['total_office_area'])}平方米，"
         f"未入驻可用于招商面积{num(app['vacant_area'])}平方米。"),
        ("四、产业规模", f"入驻金融企业使用办公面积{num(app['fin_area'])}平方米；"
         f"上年度形成地方财力{num(app['fiscal_total'])}万元"
         f"（约{app['fiscal_total'] / 10000:.2f}亿元）；"
         f"入驻持牌金融机构{app['licensed_count']}家，以第六条（二）2申报。"),
    ], "申报单位（盖章）")
    pdf(root / "04_规划建设文件/南山区人民政府关于湾港金融产业基地规划建设方案的批复.pdf", "南山区人民政府文件",
        ["深南府函〔2012〕36号", "关于湾港金融产业基地规划建设方案的批复", "一、同意湾港金融产业基地规划建设方案。",
         "二、基地位于湾港大道1688号、1699号，总建筑面积约18.6万平方米，",
         "    产业定位为银行、证券、保险、基金等持牌金融机构总部集聚区。"])
    pdf(root / "05_纳税证明/2025年度入驻金融企业纳税情况证明.pdf", "纳税情况证明",
        ["国家税务总局深圳市南山区税务局", f"{BASE}2025年度入驻金融企业纳税情况汇总（{app['fin_count']}家）"])
    licensed = [e for e in BASE_ENTERPRISES if e[8]]
    pdf(root / "06_持牌金融机构资质证明/持牌金融机构资质证明汇编.pdf", "持牌金融机构资质证明汇编（复印件）",
        [f"{i}. {e[1]}" for i, e in enumerate(licensed, 1)])
    pdf(root / "06_持牌金融机构资质证明/金融许可证_湾港银行.pdf", "金融许可证",
        [licensed[0][1], "机构编码：B0000H244030001"])
    pdf(root / "07_租房购房或购地合同/持牌金融机构租赁合同汇编.pdf", "入驻持牌金融机构租赁合同汇编（复印件）",
        [f"{i}. {e[1]}：{e[0]} {e[4]}层，{e[3]}平方米" for i, e in enumerate(licensed, 1)])
    (root / "08_承诺函/承诺函.docx").unlink()  # not needed: no condition is met by commitment
    fit_rows(forms)
    resave(forms)


def build_base_broken(demo: Path, root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(demo, root)
    # a commitment ticked, its letter never written
    set_answers(root, base_answers(commitments=["fiscal"], planned_consent=False))
    forms = [root / f for f in BASE_FORMS]
    app = dict(BASE_APPLICATION, total_building_area=118000, total_office_area=98000,  # 3 buildings counted as 2
               fiscal_total=BASE_APPLICATION["fiscal_total"] + 1500)  # 附件1 from another tax summary than 附件2
    fill_application(forms[0], app)
    rows = table_rows(BASE_ENTERPRISES, BASE_BUILDINGS, "91440305", "MA5H")
    rows[10] = rows[10][:2] + ("子公司",) + rows[10][3:]  # not one of the kinds 第三条 names (row 15)
    rows[17] = rows[17][:9] + (rows[16][9],)  # the code of the row above pasted again (row 22)
    licensed = [e[8] for e in BASE_ENTERPRISES]
    licensed[12] = licensed[13] = False  # 财务公司 and 地方资产管理公司 not marked licensed, though 第三条 lists them
    fill_enterprises(forms[1], rows, licensed)
    for p in (root / "05_纳税证明").glob("*.pdf"):
        p.unlink()  # tax proof required (financial enterprises are in) but missing
    for p in (root / "04_规划建设文件").glob("*.pdf"):
        break_pdf(p)
    fit_rows(forms)
    resave(forms)


# -------------------------------------------------------- sz-district: 区推荐的市级重点金融楼宇（第九条、第十三条）
DISTRICT_BUILDING = "光明云谷金融大厦"
DISTRICT_OPERATOR = "深圳市云谷金融大厦运营管理有限公司"
DISTRICT_ADDRESS = "深圳市光明区光明街道华夏路28号"
DISTRICT_BUILDINGS = {DISTRICT_BUILDING: f"{DISTRICT_ADDRESS}{DISTRICT_BUILDING}"}
_D = DISTRICT_BUILDING
DISTRICT_ENTERPRISES = [
    (_D, "湾区农村商业银行股份有限公司光明分行", "一级分支机构", 1200, "2-3", 1260.4, 68, "2019-04-15", True),
    (_D, "鹏华证券股份有限公司深圳光明分公司", "一级分支机构", 650, "8", 540.0, 32, "2020-09-01", True),
    (_D, "光明科创股权投资管理有限公司", "总部", 820, "15", 486.5, 21, "2020-11-18", False),
    (_D, "云谷科技小额贷款有限公司", "总部", 600, "12", 392.0, 18, "2021-03-08", False),
    (_D, "深圳市光明融资担保有限公司", "总部", 700, "11", 415.6, 26, "2021-07-20", False),
    (_D, "鹏安财产保险股份有限公司深圳分公司光明营业部", "营业部", 380, "1", 168.2, 15, "2022-01-10", False),
    (_D, "云谷商业保理有限公司", "总部", 450, "10", 203.8, 12, "2022-06-16", False),
    (_D, "光明金融科技服务有限公司", "总部", 800, "16-17", 301.5, 40, "2023-03-27", False),
]
DISTRICT_APPLICATION = {
    "name": DISTRICT_BUILDING, "address": DISTRICT_ADDRESS, "operator": DISTRICT_OPERATOR, "hq_land": "否",
    "contact": "黄晓峰", "phone": "0755-23401866", "email": "huangxf@yungu-tower.example.cn",
    "total_building_area": 21800, "total_office_area": 16500, "vacant_area": 4200,
    "licensed_count": sum(e[8] for e in DISTRICT_ENTERPRISES),
    "fin_count": len(DISTRICT_ENTERPRISES), "fin_area": sum(e[3] for e in DISTRICT_ENTERPRISES), "company_count": 57,
    "fiscal_total": round(sum(e[5] for e in DISTRICT_ENTERPRISES), 2),
    "services": "设立楼宇金融服务站，为入驻企业提供注册代办、科技金融政策辅导、银企对接和路演活动场地等服务。",
    "district_opinion": "光明区无符合《办法》第六条、第七条、第八条规定的基地或楼宇。"
                        "该楼宇为光明科学城配套的金融服务载体，符合第七条（三）楼宇资质要求，同意推荐。",
}
DISTRICT_FORMS = ["02_申报表/附件1 申报表.xlsx", "03_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"]
RECOMMENDATION = "01_推荐说明材料/推荐说明材料.docx"


def district_answers(*, no_qualifying: bool = True) -> dict[str, object]:
    # the applicant is the building's operator, who fills 附件1 (its 运营机构);
    # the district government seals the recommendation
    return {"applicant.name": DISTRICT_OPERATOR, "applicant.contact": "黄晓峰", "applicant.phone": "0755-23401866",
            "applicant.email": "huangxf@yungu-tower.example.cn", "applicant.district": "光明区",
            "attestations.no_qualifying": no_qualifying, "attestations.not_in_base": True,
            "attestations.no_incident": True, "attestations.operator_rules": True}


def build_district_demo(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    init_packet(load_programme("sz-district"), root, today=dt.date(2026, 11, 20))
    set_answers(root, district_answers())
    forms = [root / f for f in DISTRICT_FORMS]
    fill_application(forms[0], DISTRICT_APPLICATION)
    fill_enterprises(forms[1], table_rows(DISTRICT_ENTERPRISES, DISTRICT_BUILDINGS, "91440311", "MA5J"),
                     [e[8] for e in DISTRICT_ENTERPRISES])
    app = DISTRICT_APPLICATION
    word(root / RECOMMENDATION, f"关于推荐{DISTRICT_BUILDING}为深圳市市级重点金融楼宇的说明",
         "深圳市金融发展服务办公室：", [
        ("一、楼宇地理位置", f"{DISTRICT_BUILDING}位于{DISTRICT_ADDRESS}，地处光明科学城核心区，距地铁光明站约400米。"),
        ("二、建筑面积", f"总建筑面积{num(app['total_building_area'])}平方米，"
         f"总办公面积{num(app['total_office_area'])}平方米。"),
        ("三、楼宇规划建设情况", "楼宇于2018年竣工，地上22层，产权清晰，不属于金融总部用地项目。"),
        ("四、已入驻企业", f"已入驻企业{app['company_count']}家，其中金融企业{app['fin_count']}家、"
         f"持牌金融机构{app['licensed_count']}家，"
         f"金融企业使用办公面积{num(app['fin_area'])}平方米，上年度形成地方财力{num(app['fiscal_total'])}万元（见附件1、附件2）。"),
        ("五、运营管理", f"由{DISTRICT_OPERATOR}统一运营，设有金融服务站，制定了入驻服务、物业管理和安全生产等制度。"),
        ("六、楼宇资质", "楼宇不属于金融总部用地项目，不在市级重点金融产业基地内，"
         "近两年无重大安全事故、金融风险事故及社会不良事件。"),
        ("七、推荐理由", "光明区无符合第六条、第七条、第八条规定的基地或楼宇。"
         "该楼宇集聚了服务光明科学城科技企业的银行、证券、"
         "股权投资和融资担保机构，根据第九条推荐其为市级重点金融楼宇。"),
    ], "深圳市光明区人民政府（盖章）")
    fit_rows(forms)
    resave(forms)


def build_district_broken(demo: Path, root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(demo, root)
    set_answers(root, district_answers(no_qualifying=False))  # the district has a building that qualifies under 第七条
    forms = [root / f for f in DISTRICT_FORMS]
    # a 金融总部用地项目; 9 firms for 8 rows
    fill_application(forms[0], dict(DISTRICT_APPLICATION, hq_land="是", fin_count=9))
    rows = table_rows(DISTRICT_ENTERPRISES, DISTRICT_BUILDINGS, "91440311", "MA5J")
    # a mistyped check character (row 6)
    rows[1] = rows[1][:9] + (rows[1][9][:-1] + ("0" if rows[1][9][-1] != "0" else "1"),)
    rows[4] = ("光明云谷科技园",) + rows[4][1:]  # an enterprise of the neighbouring park (row 9)
    rows[6] = rows[6][:7] + (dt.date(2027, 3, 1),) + rows[6][8:]  # planned move-in date, not the actual one (row 11)
    fill_enterprises(forms[1], rows, [e[8] for e in DISTRICT_ENTERPRISES])
    rec = root / RECOMMENDATION
    rec.with_suffix(".wps").write_bytes(rec.read_bytes())  # saved by WPS in its own format
    rec.unlink()
    fit_rows(forms)
    resave(forms)


BUILDERS = {
    "sz-building-demo": lambda: build_demo(HERE / "sz-building-demo"),
    "sz-building-broken": lambda: build_broken(HERE / "sz-building-demo", HERE / "sz-building-broken"),
    "sz-base-demo": lambda: build_base_demo(HERE / "sz-base-demo"),
    "sz-base-broken": lambda: build_base_broken(HERE / "sz-base-demo", HERE / "sz-base-broken"),
    "sz-district-demo": lambda: build_district_demo(HERE / "sz-district-demo"),
    "sz-district-broken": lambda: build_district_broken(HERE / "sz-district-demo", HERE / "sz-district-broken"),
}


if __name__ == "__main__":
    names = sys.argv[1:] or list(BUILDERS)  # a broken sample is a copy of its demo: name the demo first
    unknown = [n for n in names if n not in BUILDERS]
    if unknown:
        sys.exit(f"unknown sample(s): {', '.join(unknown)}; known: {', '.join(BUILDERS)}")
    for name in names:
        BUILDERS[name]()
    print("samples rebuilt:", ", ".join(names))
