"""Rebuild the zone3553 and qiantang sample packets: `python samples/build_samples_3553_qiantang.py`
(needs LibreOffice). Mirrors build_samples.py.

- zone3553-demo: a complete, valid pre-filing packet for a 3553 provincial financial innovation
  cluster zone (fictional government, towns and institutions; credit codes are algorithmically
  valid, not real) that checks clean.
- zone3553-broken: the same packet with known problems planted (tests/expected/zone3553-broken.json); the
  missing policy documents are an info (zonekit recommends them; the notice asks only for the report, 五7).
- qiantang-demo: 嘉兴市政府's 2023 progress report on the 钱塘江金融港湾 plan (fictional figures),
  made with `init --unit 嘉兴市政府`, every indicator on its straight path or better.
- qiantang-broken: the same report with known problems planted (tests/expected/qiantang-broken.json).

Forms are filled with openpyxl by header and defined names (never fixed rows), then re-saved
through LibreOffice headless so they carry cached values like files saved by Excel/WPS.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

from openpyxl import load_workbook

from zonekit.document.docx import write_docx
from zonekit.document.model import Para, SealBlock, Spacer
from zonekit.fields.cellvalues import make_uscc
from zonekit.scaffold import init_packet
from zonekit.spec.programme import load_programme

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from build_samples import answers_from_toml, fill_record, pdf, resave, set_answers  # noqa: E402

DAY = dt.date(2026, 11, 20)


# ------------------------------------------------------------------ filling helpers
def _header(ws, labels: dict[str, str]) -> tuple[int, dict[str, int]]:
    """Row of the header and column of each key, found by the header labels."""
    for r in range(1, 15):
        found = {}
        for c in range(1, ws.max_column + 1):
            for key, label in labels.items():
                if ws.cell(r, c).value == label:
                    found[key] = c
        if len(found) == len(labels):
            return r, found
    raise ValueError("header not found")


def fill_table(path: Path, form: dict, rows: list[dict[str, object]]) -> None:
    """Free tables: one sheet row per dict, from the first row under the header."""
    wb = load_workbook(path)
    ws = wb[form["sheet"]]
    labels = {c["key"]: c["label"] for c in form["columns"]}
    head, cols = _header(ws, labels)
    for i, row in enumerate(rows):
        for key, value in row.items():
            ws.cell(head + 1 + i, cols[key], value)
    wb.save(path)


def fill_fixed(path: Path, form: dict, by_key: dict[str, dict[str, object]],
               extra: list[dict[str, object]] = ()) -> None:
    """Indicator sheets: values for the rows whose row_key text is given; `extra` rows appended below."""
    wb = load_workbook(path)
    ws = wb[form["sheet"]]
    labels = {c["key"]: c["label"] for c in form["columns"]}
    head, cols = _header(ws, labels)
    key_col = cols[form["row_key"]]
    last = head
    for r in range(head + 1, ws.max_row + 1):
        text = ws.cell(r, key_col).value
        if text:
            last = r
        for key, value in by_key.get(text, {}).items():
            ws.cell(r, cols[key]).value = value  # None clears a cell the demo filled
    for i, row in enumerate(extra, 1):
        for key, value in row.items():
            ws.cell(last + i, cols[key], value)
    wb.save(path)


def write_packet(root: Path, body: str) -> None:
    """The answers in `body` ([applicant], [attestations]) into the packet's sheet 申报信息."""
    set_answers(root, answers_from_toml(body))


def docx(path: Path, title: str, addressee: str, sections: list[tuple[str, str]], seal: str) -> None:
    path.unlink(missing_ok=True)
    blocks = [Para(title, "title"), Spacer(6), Para(addressee, "plain")]
    for heading, text in sections:
        blocks += [Para(heading, "heading1"), Para(text)]
    blocks += [Spacer(20), SealBlock(f"{seal}：")]
    write_docx(blocks, path, title=title, date=dt.datetime(2026, 11, 20))


# ------------------------------------------------------------------ zone3553
Z_NAME = "临湖市人民政府"
Z_PACKET = """\
[applicant]
name = "{name}"
province = "{province}"
contact = "周敏"
phone = "0551-62881234"
email = "zhoumin@linhu.example.cn"

[attestations]
finance_cluster = true
environment = {environment}
"""
Z_APPLICANT = {
    "name": Z_NAME, "province": "安徽省", "city": "临湖市", "capital": "是", "zone_name": "临湖金融创新产业聚集示范区",
    "zone_location": "临湖市滨湖新区，东至环湖大道、西至金湖路、南至湖滨路、北至创新大道", "area": 12.5, "matching": 36,
    "planned_fund": 150, "contact": "周敏", "phone": "0551-62881234", "email": "zhoumin@linhu.example.cn",
    "policy": "《临湖市支持金融创新产业聚集示范区建设的若干政策》（临政〔2017〕36号）："
              "设立30亿元市级引导基金，对落户基金给予租金补贴和人才奖励。",
    "cluster": "全市持牌金融机构186家，金融业增加值占GDP 9.2%，金融从业人员4.1万人；"
               "毗邻省级金融中心，距省会金融区18公里。",
}
TOWNS = [
    ("湖畔智造小镇", "滨湖区", 8.5), ("青山茶香小镇", "青山县", 5.0), ("云谷数字小镇", "高新区", 12.0),
    ("古渡文旅小镇", "古渡镇", 6.5), ("稻香农业互联网小镇", "丰乐县", 5.5), ("丝路物流小镇", "北港区", 7.0),
    ("康养温泉小镇", "汤泉县", 6.0),
]
PARTNERS = [
    ("华兴银行股份有限公司临湖分行", "股份制银行"),
    ("浦江银行股份有限公司临湖分行", "股份制银行"),
    ("民泰银行股份有限公司临湖分行", "股份制银行"),
    ("江淮证券股份有限公司", "证券"),
    ("东岳证券股份有限公司临湖分公司", "证券"),
    ("长河证券股份有限公司临湖分公司", "证券"),
    ("安泰财产保险股份有限公司临湖分公司", "保险"),
    ("国寿康宁人寿保险股份有限公司临湖分公司", "保险"),
    ("平湖保险股份有限公司临湖中心支公司", "保险"),
    ("华澜国际信托有限公司", "信托"),
    ("中原丰信托有限责任公司", "信托"),
    ("金湖信托股份有限公司", "信托"),
    ("临湖市融资担保集团有限公司", "其他"),
]


def _uscc(i: int) -> str:
    return make_uscc("91340100", f"MA2Q{i:03d}K"[:8].ljust(8, "0"))


def build_zone3553_demo(root: Path) -> None:
    prog = load_programme("zone3553")
    shutil.rmtree(root, ignore_errors=True)
    init_packet(prog, root, today=DAY)
    write_packet(root, Z_PACKET.format(name=Z_NAME, province="安徽省", environment="true"))
    fill_record(root / "02_申报主体基本情况表/申报主体基本情况表.xlsx", "applicant", Z_APPLICANT)
    towns = [{"name": n, "county": c, "fund_settles": "是", "fund_size": s} for n, c, s in TOWNS]
    fill_table(root / "03_特色小镇情况表/特色小镇情况表.xlsx", prog.form("towns"), towns)
    partners = []
    for i, (name, kind) in enumerate(PARTNERS, 1):
        doc = f"战略合作协议{i:02d}_{name[:4]}.pdf"
        partners.append({"name": name, "kind": kind, "uscc": _uscc(i), "cooperation": "基金托管、金融配套、信贷结算",
                         "document": doc})
        pdf(root / "05_战略合作协议" / doc, "战略合作协议",
            [f"甲方：{Z_NAME}", f"乙方：{name}", "合作内容：基金发行及托管、金融配套、信贷结算"])
    fill_table(root / "04_战略合作金融机构名单/战略合作金融机构名单.xlsx", prog.form("partners"), partners)
    pdf(root / "06_地方支持政策文件/临政〔2017〕36号.pdf", "临湖市支持金融创新产业聚集示范区建设的若干政策",
        ["临政〔2017〕36号"])
    docx(root / "01_申报报告/申报报告.docx", "关于申报3553工程计划省级金融创新产业聚集示范区的报告",
         "3553工程计划管理办公室：", [
        ("一、示范区基础条件", "示范区规划承接小镇建设引导基金和要素产业基金聚集，配套金融结算平台和数据中心。"),
        ("二、示范区构成基本要素规划", "规划金融创新试验区、建设产业联盟服务区和行政服务区三个功能区。"),
        ("三、布局落地效果预期", "预计五年内聚集各类基金120支，管理规模超过500亿元。"),
        ("四、申报主体及特色小镇情况", "临湖市为省会周边城市，辖区7个特色小镇的建设引导基金均落户示范区。"),
        ("五、金融产业聚集情况", Z_APPLICANT["cluster"]),
        ("六、区域环境与规划发展扩展区域", "示范区位于滨湖新区，规划发展扩展区域12.5平方公里。"),
        ("七、地方资本金基金配套能力和支持政策",
         "地方政府资本金基金配套能力36亿元，计划建设基金150亿元。" + Z_APPLICANT["policy"]),
        ("八、金融机构战略合作情况", "已与3家股份制银行及证券、保险、信托机构各3家签订战略合作协议。"),
        ("九、其他自主创新条件", "设立金融科技创新实验室。"),
    ], "申报政府（机构）（盖章）")
    resave([root / "02_申报主体基本情况表/申报主体基本情况表.xlsx", root / "03_特色小镇情况表/特色小镇情况表.xlsx",
            root / "04_战略合作金融机构名单/战略合作金融机构名单.xlsx"])


def build_zone3553_broken(demo: Path, root: Path) -> None:
    prog = load_programme("zone3553")
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(demo, root)
    write_packet(root, Z_PACKET.format(name=Z_NAME, province="安徽省", environment="false"))  # not attested
    fill_record(root / "02_申报主体基本情况表/申报主体基本情况表.xlsx", "applicant", {
        **Z_APPLICANT, "capital": "否", "area": 8, "matching": 25, "planned_fund": 60, "phone": "6288123"})
    towns = [{"name": n, "county": c, "fund_settles": "是", "fund_size": s} for n, c, s in TOWNS]
    towns += [{"name": f"新增特色小镇{i}", "county": "北港区", "fund_settles": "是", "fund_size": 5}
              for i in range(1, 5)]
    towns[3]["fund_settles"] = "否"  # one guiding fund does not settle in the zone (row 9)
    towns[5]["fund_size"] = "约7亿"  # not an exact figure (row 11)
    fill_table(root / "03_特色小镇情况表/特色小镇情况表.xlsx", prog.form("towns"), towns)
    partners = []
    for i, (name, kind) in enumerate(PARTNERS, 1):
        partners.append({"name": name, "kind": kind, "uscc": _uscc(i), "cooperation": "基金托管、金融配套、信贷结算",
                         "document": f"战略合作协议{i:02d}_{name[:4]}.pdf"})
    partners[5]["kind"] = "其他"  # securities: 2 of 3 (row 11)
    partners[10]["kind"] = "基金"  # not an allowed type (row 16): trust 2 of 3
    partners[11]["kind"] = "其他"  # trust: 1 of 3 (row 17)
    partners[12]["name"] = partners[0]["name"]  # the same institution twice (row 18)
    # wrong check digit (row 14)
    partners[8]["uscc"] = partners[8]["uscc"][:-1] + ("0" if partners[8]["uscc"][-1] != "0" else "1")
    fill_table(root / "04_战略合作金融机构名单/战略合作金融机构名单.xlsx", prog.form("partners"), partners)
    (root / "05_战略合作协议" / partners[3]["document"]).unlink()  # named in the list (row 9) but not in the folder
    for p in (root / "06_地方支持政策文件").glob("*.pdf"):
        p.unlink()  # the policy documents are missing: recommended by zonekit, not required (五7), so an info
    resave([root / "02_申报主体基本情况表/申报主体基本情况表.xlsx", root / "03_特色小镇情况表/特色小镇情况表.xlsx",
            root / "04_战略合作金融机构名单/战略合作金融机构名单.xlsx"])


# ------------------------------------------------------------------ qiantang
Q_PACKET = """\
[applicant]
name = "嘉兴市人民政府"
unit = "{unit}"
report_year = {year}
contact = "沈佳"
phone = "0573-82521234"
email = "shenjia@jiaxing.example.cn"
"""
# indicator -> (baseline filled by the unit or None, 2021, 2022, 2023); every one on its straight path or better
INDICATORS = {
    "全省金融业增加值占GDP比重": (None, 8.8, 8.9, 8.95),
    "港湾区域（杭州、宁波、湖州、嘉兴、绍兴、舟山市）金融业增加值占全省比重": (71.2, 72.6, 73.5, 74.6),
    "集聚规模化私募基金及各类财富管理机构数": (None, 6100, 7000, 8200),
    "资产管理规模": (None, 24000, 27500, 32500),
    "港湾自贸区跨境人民币结算额（2021-2025年累计）": (None, 8500, 8700, 8900),
    "全省普惠型小微企业贷款占比": (None, 19.0, 19.8, 20.6),
    "全省小微企业信用贷款占比": (None, 12.5, 13.4, 14.2),
    "农户小额普惠贷款授信服务覆盖率（全覆盖）": (None, 96, 98.5, 100),
    "港湾绿色贷款占比（每年提升1个百分点）": (9.8, 11.0, 12.2, 13.3),
    "上市公司累计数量（年末存量）": (None, 700, 760, 815),
    "标志性供应链金融创新项目数": (None, 3, 6, 8),
    "金融机构数智化转型应用场景数": (None, 4, 7, 10),
    "引进和培育金融科技龙头企业数": (None, 3, 5, 7),
    "移动支付人口普及率": (70.0, 73.0, 75.0, 77.0),  # 二（三）; the 2020 baseline is the unit's own figure
    "嘉兴市科技型企业贷款余额": (1000, 1150, 1420, 1720),
    "嘉兴市科技型企业信用贷款占比": (16.5, 18.0, 20.5, 22.4),
    "嘉兴市政府性融资担保机构科创企业在保余额占比": (None, 19.0, 21.5, 24.0),
    "嘉兴市新增备案私募股权投资基金金额（2021-2025年累计）": (None, 110, 105, 120),
    "嘉兴市科技型企业上市公司占比": (65, 68, 72, 75),
    "新增命名类金融特色小镇数（2021-2025年累计）": (None, 1, 0, 1),
    "港湾区域金融特色小镇在中基协登记的私募基金管理规模": (None, 6800, 7600, 8500),
}


def _indicator_values(data: dict[str, tuple]) -> dict[str, dict[str, object]]:
    out = {}
    for name, (base, a, b, c) in data.items():
        row = {"y2021": a, "y2022": b, "y2023": c, "remark": "市统计局、人行嘉兴市中心支行"}
        if base is not None:
            row.update(baseline=base, baseline_year=2020)
        out[name] = row
    return out


TASKS = {
    "国家级科创金融改革试验区": {"status": "推进中",
                          "progress": "已报送嘉兴科创金融改革试验区总体方案，设立科创金融专营机构12家。",
                          "evidence": "科创金融改革试验区方案.pdf"},
    "嘉兴科创金融创新中心": {"status": "推进中",
                          "progress": "科创金融集聚区一期建成，QFLP试点扩大至全市，入驻机构46家。"},
}


def build_qiantang_demo(root: Path) -> None:
    prog = load_programme("qiantang")
    shutil.rmtree(root, ignore_errors=True)
    init_packet(prog, root, today=DAY, unit="嘉兴市政府")
    write_packet(root, Q_PACKET.format(unit="嘉兴市政府", year=2023))
    fill_fixed(root / "01_目标量化清单/附件4 目标量化清单进展.xlsx", prog.form("indicators"),
               _indicator_values(INDICATORS))
    fill_fixed(root / "02_重大改革平台项目/附件5 重大改革平台项目进展.xlsx", prog.form("tasks"), TASKS)
    pdf(root / "04_佐证材料/科创金融改革试验区方案.pdf", "嘉兴科创金融改革试验区总体方案", ["嘉兴市人民政府", "2023年"])
    docx(root / "03_年度进展报告/年度进展情况报告.docx",
         "关于钱塘江金融港湾发展实施计划（2021-2025年）年度推进情况的报告",
         "省推进钱塘江金融港湾建设联席会议办公室：", [
             ("一、总体进展情况", "嘉兴市建立钱塘江金融港湾建设工作专班，出台科创金融改革实施方案。"),
             ("二、目标量化指标完成情况", "本市负责的21项指标中，符合或超过直线进度的指标见附件4进展表。"),
             ("三、重大改革、平台、项目推进情况", "国家级科创金融改革试验区和嘉兴科创金融创新中心均在推进中。"),
             ("四、存在问题和下一步工作", "科技型企业信用贷款占比仍低于目标，将扩大信用类科技贷产品覆盖面。"),
         ], "报送单位（盖章）")
    resave([root / "01_目标量化清单/附件4 目标量化清单进展.xlsx",
            root / "02_重大改革平台项目/附件5 重大改革平台项目进展.xlsx"])


def build_qiantang_broken(demo: Path, root: Path) -> None:
    prog = load_programme("qiantang")
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(demo, root)
    data = dict(INDICATORS)
    data["集聚规模化私募基金及各类财富管理机构数"] = (None, 6100, 7000, None)  # no value for the report year
    data["港湾自贸区跨境人民币结算额（2021-2025年累计）"] = (None, 8500, None, 8900)  # a sum needs every year
    data["资产管理规模"] = (None, 24000, 26000, 29000)  # behind the straight path (32000 due in 2023)
    data["港湾绿色贷款占比（每年提升1个百分点）"] = (9.8, 11.0, 11.6, 12.7)  # 2022 rose 0.6 points only
    data["嘉兴市新增备案私募股权投资基金金额（2021-2025年累计）"] = (None, 60, 70, 80)  # 210 of the 300 due by 2023
    data["嘉兴市科技型企业信用贷款占比"] = (16.5, 18.0, 20.5, "约22%")  # not an exact figure
    data["农户小额普惠贷款授信服务覆盖率（全覆盖）"] = (None, 96, 98.5, 105)  # a share above 100%
    values = _indicator_values(data)
    values["全省普惠型小微企业贷款占比"]["y2024"] = 21.0  # a year after the report year
    extra = [{"no": "2.1", "indicator": "杭州市金融科技产业集群规模（千亿级）", "unit": "亿元", "comparator": "≥",
              "target": 1000, "units": "杭州市政府", "y2023": 860}]  # Hangzhou's row, filled by Jiaxing
    fill_fixed(root / "01_目标量化清单/附件4 目标量化清单进展.xlsx", prog.form("indicators"), values, extra)
    tasks = {
        "国家级科创金融改革试验区": {**TASKS["国家级科创金融改革试验区"], "status": "滞后",  # no reason
                              "evidence": "试验区方案.pdf"},  # no such file
        "嘉兴科创金融创新中心": {"status": None, "progress": None},  # the unit's own row left empty
    }
    extra_tasks = [{"no": "三1", "name": "杭州金融城", "units": "杭州市政府", "status": "推进中",
                    "progress": "江河汇综合体主体结构封顶。"}]  # Hangzhou's project, filled by Jiaxing
    fill_fixed(root / "02_重大改革平台项目/附件5 重大改革平台项目进展.xlsx", prog.form("tasks"), tasks, extra_tasks)
    resave([root / "01_目标量化清单/附件4 目标量化清单进展.xlsx",
            root / "02_重大改革平台项目/附件5 重大改革平台项目进展.xlsx"])


if __name__ == "__main__":
    build_zone3553_demo(HERE / "zone3553-demo")
    build_zone3553_broken(HERE / "zone3553-demo", HERE / "zone3553-broken")
    build_qiantang_demo(HERE / "qiantang-demo")
    build_qiantang_broken(HERE / "qiantang-demo", HERE / "qiantang-broken")
    print("samples rebuilt")
