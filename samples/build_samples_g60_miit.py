"""Rebuild the G60 and MIIT sample packets: `python samples/build_samples_g60_miit.py` (needs LibreOffice).

- g60-park-demo: a complete, valid 长三角G60科创走廊第二批产融结合高质量发展示范园区 packet (a fictional park
  in 嘉兴) scoring 91.5 on zonekit's default 评估指标; checks clean as of 2023-06-20.
- g60-park-broken: the same packet with known problems planted (tests/expected/g60-park-broken.json); its
  72 points are a warning (the bands of 三（五） are the experts' result, not an entry condition) and the
  missing city recommendation an info (zonekit recommends it, the notice does not ask for it).
- miit-pilot-demo: a complete, valid 第二批产融合作试点城市 packet (a fictional prefecture-level city,
  青川市, with invented but internally consistent figures); checks clean as of 2020-08-20.
- miit-pilot-broken: the same packet with known problems planted (tests/expected/miit-pilot-broken.json).

Forms are filled with openpyxl (record forms by their defined names, indicator sheets by the text of
the indicator column under the header row) and then re-saved through LibreOffice, so the subtotal and
total formulas carry cached values like files saved by Excel/WPS.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

from openpyxl import load_workbook

from zonekit.document.docx import write_docx
from zonekit.document.model import Block, Para, SealBlock, Spacer
from zonekit.scaffold import init_packet
from zonekit.spec.programme import load_programme

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from build_samples import answers_from_toml, fill_record, pdf, resave, set_answers  # noqa: E402  (the Shenzhen sample builder's PDF and LibreOffice helpers)

DOC_DATE = dt.datetime(2023, 6, 16)


# ------------------------------------------------------------------ shared helpers
def fill_rows(path: Path, programme: str, form_id: str, values: dict[str, dict[str, object]],
              cells: dict[tuple[str, str], object] | None = None) -> None:
    """`values`: row id -> {column key: value}; rows are found by their indicator text, columns by header label.
    `cells`: (row label in the key column, column key) -> value, for 小计/合计 rows and renamed indicators."""
    form = load_programme(programme).form(form_id)
    label_of = {c["key"]: c["label"] for c in form["columns"]}
    text_of = {r["id"]: r["cells"][form["row_key"]] for r in form["rows"]}
    wb = load_workbook(path)
    ws = wb[form["sheet"]]
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == label_of[form["columns"][0]["key"]])
    col = {key: next(c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value == label)
           for key, label in label_of.items()}
    row_of_text = {ws.cell(r, col[form["row_key"]]).value: r for r in range(header + 1, ws.max_row + 1)}
    group_col = col.get((form.get("subtotals") or {}).get("label_column", ""), col[form["row_key"]])
    for row_id, row_values in values.items():
        r = row_of_text[text_of[row_id]]
        for key, value in row_values.items():
            ws.cell(r, col[key]).value = value  # None clears the cell
    subtotal_rows = [r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, group_col).value in ("小计", "合计")]
    for (label, key), value in (cells or {}).items():
        if label.startswith(("小计:", "合计")):  # "小计:科创活力强劲" is the 小计 row after that dimension's rows
            dim = label.partition(":")[2]
            r = next(r for r in subtotal_rows if (not dim and ws.cell(r, group_col).value == "合计")
                     or (dim and ws.cell(r, group_col).value == "小计" and ws.cell(r - 1, group_col).value == dim))
        else:
            r = row_of_text[text_of[label]]
        ws.cell(r, col[key]).value = value
    wb.save(path)


def docx(path: Path, title: str, addressee: str | None, sections: list[tuple[str | None, str]], seal: str,
         date: dt.datetime = DOC_DATE) -> None:
    blocks: list[Block] = [Para(title, "title"), Spacer(6)]
    if addressee:
        blocks.append(Para(addressee, "plain"))
    for heading, text in sections:
        if heading:
            blocks.append(Para(heading, "heading1"))
        blocks.append(Para(text))
    blocks += [Spacer(20), SealBlock(f"{seal}："), Para(f"{date.year}年{date.month}月{date.day}日", "right")]
    path.unlink(missing_ok=True)
    write_docx(blocks, path, title=title, date=date)


def packet_toml(root: Path, body: str) -> None:
    """The answers in `body` ([applicant], [claims], [attestations]) into the packet's sheet 申报信息."""
    set_answers(root, answers_from_toml(body))


# ------------------------------------------------------------------ G60 park
PARK = "嘉兴禾城科创产融园"
OPERATOR = "嘉兴禾城科创园区运营管理有限公司"

PARK_INFO = {"name": PARK, "city": "嘉兴", "industries": "集成电路、新材料", "operator": OPERATOR, "contact": "沈嘉怡",
             "phone": "0573-82061234", "first_batch": "是"}

# row id: (园区数值, 自评得分, 说明及佐证材料) — 91.5 points in all
G60_SCORES: dict[str, tuple[object, float, str]] = {
    "plan": ("是", 3, "《禾城科创产融园发展规划（2021—2025年）》，见相关说明材料一"),
    "plan_scope": (5, 4, "《园区建设实施方案》第二至六章，见相关说明材料一"),
    "plan_fit": ("符合", 3, "主导产业集成电路、新材料属G60七大战略性新兴产业"),
    "lead_industries": (2, 3, "集成电路、新材料"),
    "lead_share": (68.5, 5, "2022年园区企业营业收入统计表（区统计局）"),
    "mfg_firms": (146, 3, "园区先进制造业企业名录"),
    "chain_projects": (9, 3, "与上海松江、苏州合作项目清单"),
    "hitech": (87, 4, "高新技术企业认定名单（2020—2022年）"),
    "specialised": (23, 3, "专精特新“小巨人”17家、省级专精特新6家，名单见说明材料三"),
    "innovation_bases": (12, 3, "省级企业技术中心8个、工程技术研究中心4个"),
    "alliances": (4, 3, "与浙江大学、上海交通大学等共建技术攻关联盟协议"),
    "fin_institutions": (31, 5, "入驻银行9家、券商5家、保险4家、基金8家、担保2家、融资租赁3家"),
    "fintech_firms": (6, 2, "入驻金融科技企业名单"),
    "fin_services": (18, 3, "会计师事务所4家、律师事务所5家、评估认证3家、孵化器6家"),
    "channels": (3, 4, "债权、股权、融资租赁产品清单，见说明材料四"),
    "financing_list": (52, 4, "2023年重点企业和重点项目融资信息对接清单"),
    "matchmaking": (14, 4, "2022年“金融赋能·铸就品牌”产融对接活动记录"),
    "financing_amount": (36.8, 3.5, "园区企业融资情况统计（人行嘉兴市中心支行）"),
    "equity_firms": (11, 3, "股权投资协议清单"),
    "service_items": (5, 4, "园区企业服务中心服务事项清单"),
    "one_net": ("是", 2, "长三角“一网通办”园区服务专窗（2022年8月启用）"),
    "platforms": (5, 3, "公共技术、融资服务、数据共享等平台介绍"),
    "talent": (38, 2.5, "高层次人才及团队名单"),
    "talent_policies": (6, 3, "《禾城科创产融园人才新政十条》"),
    "talent_mechanism": ("是", 3, "人才分级分类认定和扶持办法"),
    "staff": (26, 3, "运营管理机构组织架构图及人员名单"),
    "gov_policies": (7, 3.5, "区政府支持园区发展政策文件目录"),
    "events": (15, 2, "2022年会议、论坛、沙龙活动清单"),
}

G60_SECTIONS = [
    ("一、规划布局清晰", f"{PARK}位于嘉兴市南湖区，规划面积5.2平方公里，"
     "编制了《禾城科创产融园发展规划（2021—2025年）》，"
     "明确“科创+产业+金融+人才”集聚模式，实施方案覆盖规划布局、建设周期、管理模式、入驻机构筛选和优惠政策制定。"),
    ("二、产业特色鲜明", "园区聚焦集成电路和新材料两大主导产业，主导产业企业营业收入占园区企业营业收入的68.5%，"
     "与上海松江、苏州等地形成设计—制造—封测分工互补，产业链合作项目9个。"),
    ("三、科创活力强劲", "园区现有高新技术企业87家，专精特新和“小巨人”等企业23家，"
     "省级企业技术中心和工程技术研究中心12个，与浙江大学、上海交通大学等建立技术攻关联盟4个。"),
    ("四、金融配套完善", "园区入驻银行、券商、保险、基金、担保、融资租赁等金融机构31家，"
     "金融科技企业6家，金融辅助服务机构18家，融资渠道覆盖债权、股权和融资租赁。"),
    ("五、产融结合高效", "形成重点企业和重点项目融资信息对接清单52项，2022年举办产融对接活动14次，"
     "园区企业获得融资36.8亿元，11家企业获得股权投资。"),
    ("六、营商环境一流", "园区企业服务中心提供企业注册、证照办理、政策咨询、涉税事项和惠企信息对接全流程服务，"
     "开设长三角“一网通办”园区服务专窗，建成公共技术、融资服务、数据共享等公共服务平台5个。"),
    ("七、人才要素集聚", "引进高层次人才和创新创业团队38个，出台人才新政十条，"
     "覆盖落户、购房补助、住房补贴、创业补助、子女教育和医疗保障，建立分级分类人才激励和培养机制。"),
    ("八、推进机制健全", "园区运营管理机构设综合、招商、企业服务、产融对接四个部门，专职人员26人；"
     "区政府出台园区支持政策7件；2022年组织会议、论坛、沙龙等交流活动15场。"),
]

G60_PACKET = """\
[applicant]
name = "{name}"
contact = "沈嘉怡"
phone = "0573-82061234"
email = "shenjy@hecheng-park.example.cn"

[attestations]
data_true = {data_true}
"""


def build_g60_demo(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    init_packet(load_programme("g60-park"), root, today=dt.date(2023, 6, 15))
    packet_toml(root, G60_PACKET.format(name=OPERATOR, data_true="true"))
    sheet = root / "01_评估指标/附件1 评估指标.xlsx"
    fill_rows(sheet, "g60-park", "indicators", {k: {"value": v, "score": s, "evidence": e}
                                                for k, (v, s, e) in G60_SCORES.items()})
    fill_record(root / "03_园区基本信息表/园区基本信息表.xlsx", "park", PARK_INFO)
    doc = load_programme("g60-park").document("explanation")
    docx(root / "02_相关说明材料/相关说明材料.docx", doc["title"], doc["addressee"], G60_SECTIONS, doc["seal"])
    pdf(root / "04_城市推荐意见/嘉兴市推荐意见.pdf",
        "嘉兴市关于推荐长三角G60科创走廊第二批产融结合高质量发展示范园区的意见",
        ["G60联席办金融服务中心：", f"经嘉兴市发改委、经信局、科技局、金融办会商，推荐{PARK}",
         "申报第二批产融结合高质量发展示范园区。", "嘉兴市园区主管部门（盖章）  2023年6月20日"])
    resave([sheet, root / "03_园区基本信息表/园区基本信息表.xlsx"])


def build_g60_broken(demo: Path, root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(demo, root)
    packet_toml(root, G60_PACKET.format(name=OPERATOR, data_true="false"))  # not attested
    sheet = root / "01_评估指标/附件1 评估指标.xlsx"
    fill_rows(sheet, "g60-park", "indicators", {
        "plan": {"value": "已编制"},  # not a yes/no answer (E6)
        "lead_share": {"value": 168.5},  # a percentage above 100 (E11)
        "mfg_firms": {"value": "约150家"},  # not an exact figure (E12)
        "hitech": {"score": 6},  # above this row's 分值 4 (G15)
        "alliances": {"value": "若干"},  # not a number (E18)
        "matchmaking": {"evidence": None},  # scored 4 but no evidence (H27)
        "financing_amount": {"score": 1},
        "equity_firms": {"score": 0, "evidence": None},
        "one_net": {"score": -1},  # below 0 (G32)
        "platforms": {"score": 1},
        "talent": {"score": 1},
        "staff": {"score": 1},
        "gov_policies": {"score": 1},
    }, cells={
        ("小计:科创活力强劲", "score"): 20,  # a typed 小计 that disagrees with its rows (G19)
        ("合计", "score"): 95,  # a typed 合计 that disagrees with the rows (G42)
        ("events", "indicator"): "上年度组织交流活动次数",  # indicator text changed: unknown row + missing row
    })
    fill_record(root / "03_园区基本信息表/园区基本信息表.xlsx", "park",
                {"city": "南京", "phone": "8206123", "first_batch": "不确定"})  # not a G60 city; bad phone; not yes/no
    for p in (root / "04_城市推荐意见").glob("*.pdf"):
        p.unlink()  # the city's recommendation is missing: recommended by zonekit, not required (三（三）1), so an info
    (root / "02_相关说明材料/相关说明材料.docx").unlink()
    init_packet(load_programme("g60-park"), root, force=True, today=dt.date(2023, 6, 15))  # the unfilled template
    resave([sheet, root / "03_园区基本信息表/园区基本信息表.xlsx"])


# ------------------------------------------------------------------ MIIT pilot city
CITY = "青川市"

# row id: (2017, 2018, 2019, 备注)
MIIT_VALUES: dict[str, tuple[object, object, object, str | None]] = {
    "gdp": (2476.1, 2719.1, 3122.4, "市统计局"),
    "industrial_va": (1012.3, 1120.5, 1225.8, "市统计局"),
    "mfg_va": (980.6, 1081.7, 1190.2, "市统计局"),
    "mfg_va_share": (39.6, 39.8, 38.1, None),
    "sei_share": (32.4, 35.1, 37.9, "市经信局"),
    "mfg_loans": (1105.2, 1198.6, 1336.4, "人行青川市中心支行"),
    "mfg_loan_growth": (7.9, 8.5, 11.5, None),
    "mfg_lt_loans": (302.5, 356.1, 428.9, "人行青川市中心支行"),
    "guarantee": (45.6, 58.2, 76.9, "市财政局"),
    "listed": (18, 21, 25, "市金融办"),
    "direct_financing": (156.3, 188.7, 245.1, "市金融办"),
    "inclusive_loans": (298.4, 365.2, 468.7, "青川银保监分局"),
    "green_loans": (186.5, 252.3, 341.6, "人行青川市中心支行"),
    "special_funds": (8000, 12000, 15000, "市财政局"),
    "policy_docs": (3, 5, 6, "文件见04_相关材料"),
    "platform_firms": (0, 0, 356, "国家产融合作平台2019年上线"),
    "npl_ratio": (1.12, 0.98, 0.86, "青川银保监分局"),
}

MIIT_PACKET = """\
[applicant]
name = "{name}"
level = "{level}"
province = "{province}"
separate_quota = false
contact = "陈立新"
phone = "0572-2345678"
impl_start = 2020-10-01
impl_end = {impl_end}

[claims]
path = "new"

[attestations]
organisation = true
foundation = true
highlights = true
epidemic = {epidemic}
first_batch = false
"""

LETTER = [
    ("一、申报意向",
     "根据《工业和信息化部 财政部 中国人民银行 银保监会 证监会关于组织申报第二批产融合作试点城市的通知》"
     "（工信部联财函〔2020〕161号），青川市人民政府申报第二批产融合作试点城市，请予审核推荐。"),
    ("二、申报条件具备情况", "我市将产融合作列入市政府重点工作，"
     "成立由分管副市长牵头的产融合作工作领导小组，2019年安排产融合作专项资金1.5亿元；"
     "制造业增加值占GDP比重38.1%，制造业贷款余额1336.4亿元、同比增长11.5%；疫情期间出台支持企业复工复产政策，规上工业企业全部复工。"),
    ("三、实施方案和主要目标", "实施方案实施期为2020年10月1日至2023年9月30日。到2023年，制造业贷款余额年均增长10%以上，"
     "普惠小微贷款和绿色贷款余额较2019年翻一番。"),
    ("四、联系人", "市经济和信息化局 陈立新 0572-2345678"),
]

PLAN = [
    ("一、基本情况", "青川市2019年地区生产总值3122.4亿元，规模以上工业增加值1225.8亿元，战略性新兴产业增加值占比37.9%；"
     "金融机构各项贷款余额稳步增长，不良贷款率0.86%。"),
    ("二、总体思路和目标", "实施期2020年10月1日至2023年9月30日。"
     "到2023年，制造业中长期贷款余额达到650亿元，直接融资额累计超过900亿元。"),
    ("三、组织保障和政策保障", "成立产融合作工作领导小组，每年安排产融合作专项资金不少于1.5亿元，"
     "组织企业在国家产融合作平台注册。"),
    ("四、重点任务", "扩大制造业中长期贷款，支持集成电路、生物医药等战略性新兴产业和新型基础设施项目融资，"
     "运用工业大数据开展企业信用评价。"),
    ("五、防范化解金融风险", "建立企业风险监测预警机制，不良贷款率控制在1%以内。"),
    ("六、常态化疫情防控和复工复产", "落实常态化疫情防控举措，实施延期还本付息和再贷款再贴现支持，"
     "做好“六稳”工作、落实“六保”任务。"),
    ("七、进度安排", "2020年10月至2021年9月启动实施，2021年10月至2022年9月全面推进，2022年10月至2023年9月总结评估。"),
    ("八、保障措施", "加强组织领导、资金保障和考核评估，及时总结推广试点经验。"),
]


def build_miit_demo(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    init_packet(load_programme("miit-pilot"), root, today=dt.date(2020, 8, 10))
    packet_toml(root, MIIT_PACKET.format(name=CITY, level="地级市", province="浙江省", impl_end="2023-09-30",
                                         epidemic="true"))
    table = root / "03_定量指标统计表/附件2 定量指标统计表.xlsx"
    fill_rows(table, "miit-pilot", "quant", {k: {"y2017": a, "y2018": b, "y2019": c, "remark": r}
                                             for k, (a, b, c, r) in MIIT_VALUES.items()})
    date = dt.datetime(2020, 8, 18)
    docx(root / "01_申报文件/申报文件.docx", "青川市人民政府关于申报第二批产融合作试点城市的函",
         "浙江省经济和信息化厅：", LETTER, "青川市人民政府（盖章）", date)
    docx(root / "02_实施方案/实施方案.docx", "青川市产融合作试点城市实施方案（2020—2023年）", None, PLAN,
         "青川市人民政府（盖章）", date)
    pdf(root / "04_相关材料/青川市金融支持制造业高质量发展若干政策.pdf", "青川市金融支持制造业高质量发展若干政策",
        ["青政发〔2019〕18号", "一、扩大制造业中长期贷款投放", "二、设立产融合作专项资金",
         "三、完善政府性融资担保体系"])
    pdf(root / "04_相关材料/青川市产融合作工作领导小组成立文件.pdf", "关于成立青川市产融合作工作领导小组的通知",
        ["青政办发〔2019〕42号", "组长：分管副市长", "成员单位：经信局、财政局、人行、银保监分局、金融办"])
    resave([table])


def build_miit_broken(demo: Path, root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(demo, root)
    # below county level; not a province; 4¼ years; epidemic measures not attested
    packet_toml(root, MIIT_PACKET.format(name="青川市临溪镇", level="乡镇", province="江南省", impl_end="2024-12-31",
                                         epidemic="false"))
    table = root / "03_定量指标统计表/附件2 定量指标统计表.xlsx"
    fill_rows(table, "miit-pilot", "quant", {
        "mfg_va_share": {"y2018": 45.3},  # disagrees with 制造业增加值 ÷ 地区生产总值 = 39.8% (G9)
        "sei_share": {"y2019": 137.9},  # a percentage above 100 (H10)
        "mfg_loan_growth": {"y2017": -120, "y2019": 15.2},  # below -100 (F12); disagrees with the balances: 11.5% (H12)
        "mfg_lt_loans": {"y2019": 1500},  # above 制造业贷款余额 1336.4 (H13)
        "listed": {"y2018": 21.5},  # a count with a fraction (G15)
        "inclusive_loans": {"y2017": None},  # left blank (F17)
        "green_loans": {"y2017": -186.5},  # a negative balance (F18)
        "special_funds": {"y2019": "1.5亿元"},  # not a problem: converted to 15000万元
    })
    for p in (root / "04_相关材料").glob("*.pdf"):
        p.unlink()  # no supporting material at all (三（一）4 requires 相关材料; a policy file is only its example)
    (root / "01_申报文件/申报文件.docx").unlink()
    init_packet(load_programme("miit-pilot"), root, force=True, today=dt.date(2020, 8, 10))  # the unfilled template
    resave([table])


if __name__ == "__main__":
    build_g60_demo(HERE / "g60-park-demo")
    build_g60_broken(HERE / "g60-park-demo", HERE / "g60-park-broken")
    build_miit_demo(HERE / "miit-pilot-demo")
    build_miit_broken(HERE / "miit-pilot-demo", HERE / "miit-pilot-broken")
    print("G60 and MIIT samples rebuilt")
