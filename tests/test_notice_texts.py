"""What the notices define, the user sees: copy counts only where a notice gives one, the Shenzhen
definitions (第三条、第十九条、第二十条) and procedure (第十四条), and the notices' contacts — in
`programs show` (text and JSON), in a packet made by `init` (说明.txt, field help, 材料清单.xlsx)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from zonekit.scaffold import init_packet
from zonekit.spec.programme import list_programmes, load_programme, templates_root
from zonekit.spec.wording import copies_text

from .conftest import ROOT, run_cli

SEEDS = ROOT / "tests" / "data" / "seeds"  # the notices' plain-text copies (the seeds of DOMAIN.md)
SHENZHEN = ("sz-base", "sz-building", "sz-district")
WITHOUT_COPIES = ("g60-park", "miit-pilot", "zone3553", "qiantang", "sz-district")

# The notices' own words, as the seeds print them.
DEFINITIONS = {
    "持牌金融机构": ("第三条",
                     "本办法所称持牌金融机构，是指经国家金融监管部门批准，在深圳注册的银行、信托公司、金融租赁公司、财"
                     "务公司、"
                  "消费金融公司、汽车金融公司、证券公司、基金管理公司、期货公司、保险公司、保险资产管理公司、相互保险"
                  "组织等经营性"
                  "金融企业，以及经核准或授权开展金融企业不良资产批量收购、处置业务的地方资产管理公司及其一级分支机构。"),
    "金融企业": ("第三条",
                 "本办法所称金融企业，具体包括持牌金融机构（含各类专业子公司、专营机构）、股权投资企业和股权投资管理企"
                 "业、"
              "小额贷款公司、交易场所及金融配套服务机构等其他创新型金融机构的总部、一级分支机构、营业部及营业网点。"),
    "形成地方财力": ("第十九条",
                     "本办法所称形成地方财力是指金融企业在深圳市缴纳的税款入库期内，企业所得税、增值税、城市维护建设税"
                     "、"
                  "印花税、地方教育费附加、教育费附加、房产税、土地使用税、文化事业建设费计入地方分成部分。"),
    "金融总部用地项目": ("第二十条",
                         "本办法所称金融总部用地项目是指按照深圳市金融总部项目遴选及用地申报流程（包括前海深港现代服务"
                         "业合作区"
                    "总部用地出让标准、流程），持牌金融机构独立或联合申请的，用于建设总部大厦的用地项目。"),
}
STEPS = ["申报", "初核推荐", "复审", "公示", "认定", "结果反馈"]
CONTACTS = {  # programme: what its notice's contact section gives
    "zone3553": ["3553工程计划管理办公室", "010-64011007-308", "ztyhtian@126.com", "北京市东城区北河沿大街83号"],
    "miit-pilot": ["工业和信息化部工业文化发展中心", "宋晓旭", "010-68200662", "中国信息通信研究院", "何阳",
                   "010-62300196",
                   "工业和信息化部财务司", "周楠", "010-68205889"],
    "g60-park": ["G60联席办金融服务中心", "王海凤", "18813196285", "王祺", "18917955717"],
}


def _flat(text: str) -> str:
    return "".join(text.split())


def _seed(prog) -> str:
    return (SEEDS / prog.data["document"]["seed"]).read_text("utf-8")  # shipped with the tests: tests/data/seeds


def _article(seed: str, name: str) -> str:
    """The text of one article (第十二条 …) or numbered section (五、/ 三（三）…) of a seed."""
    for line in seed.splitlines():
        if line.strip().startswith(name):
            return line
    return ""


# ------------------------------------------------------------------ copies
def test_only_the_shenzhen_shared_spec_gives_a_copy_count():
    root = templates_root()
    with_copies = sorted(str(p.relative_to(root)) for p in root.rglob("*.toml")
                         if "copies" in tomllib.loads(p.read_text("utf-8")).get("submission", {}))
    assert with_copies == ["_shared/shenzhen-forms.toml"]
    for pid in list_programmes():
        sub = load_programme(pid).submission
        assert (sub is not None and sub.copies is not None) == (pid in ("sz-base", "sz-building")), pid


@pytest.mark.parametrize("pid", list_programmes())
def test_a_copy_count_is_cited_to_an_article_that_says_it(pid):
    prog = load_programme(pid)
    sub = prog.submission
    if sub is None or sub.copies is None:
        return
    seed = _seed(prog)
    articles = re.findall(r"第[一二三四五六七八九十百]+条", sub.source)
    assert any(copies_text(sub.copies) in _article(seed, a) for a in articles), (pid, sub.source)


@pytest.mark.parametrize("pid", WITHOUT_COPIES)
def test_no_copy_count_shown_where_the_notice_gives_none(pid, tmp_path):
    r = run_cli("programs", "show", pid)
    assert r.returncode == 0, r.stderr
    assert "一式" not in r.stdout and '"copies"' not in run_cli("programs", "show", pid, "--format", "json").stdout
    init_packet(load_programme(pid), tmp_path / "p")
    for readme in (tmp_path / "p").glob("*/说明.txt"):
        assert "一式" not in readme.read_text("utf-8"), readme
    ws = load_workbook(tmp_path / "p/材料清单.xlsx").active
    assert not any("一式" in str(v) for row in ws.iter_rows(values_only=True) for v in row if v)


def test_district_keeps_the_seal_of_article_13():
    sub = load_programme("sz-district").submission
    assert sub.seal == "加盖区政府公章" and sub.source == "第十三条" and sub.copies is None
    assert "区政府公章" in _flat(run_cli("programs", "show", "sz-district").stdout)


def test_shenzhen_shows_two_copies(tmp_path):
    flat = _flat(run_cli("programs", "show", "sz-building").stdout)
    assert "一式两份" in flat and "一式2份" not in flat and "一式二份" not in flat
    init_packet(load_programme("sz-building"), tmp_path / "p")
    assert "一式两份" in (tmp_path / "p/01_申报表/说明.txt").read_text("utf-8")
    assert "一式两份" in load_workbook(tmp_path / "p/材料清单.xlsx").active["A2"].value


# ------------------------------------------------------------------ definitions and procedure (seed 002)
def test_definitions_and_procedure_are_the_notices_words():
    prog = load_programme("sz-building")
    assert {d.term: (d.source, d.text) for d in prog.definitions} == DEFINITIONS
    assert [s.step for s in prog.procedure] == STEPS
    assert [s.source for s in prog.procedure] == [f"第十四条（{n}）" for n in "一二三四五六"]
    seed = _seed(prog)
    for d in prog.definitions:  # 第三条 has two paragraphs, 金融企业 is the second
        assert d.text in seed and (d.text in _article(seed, d.source) or d.term == "金融企业"), d.term
    for s in prog.procedure:
        n = s.source[len("第十四条"):]
        assert f"{n}{s.step}。{s.text}" in seed, s.step
    assert "在深圳市缴纳的税款入库期内" in DEFINITIONS["形成地方财力"][1]
    review = next(s for s in prog.procedure if s.step == "复审")
    assert "分送税务、统计和规划国土等部门核查" in review.text
    assert "5个工作日" in next(s for s in prog.procedure if s.step == "公示").text
    assert "报市政府审定" in next(s for s in prog.procedure if s.step == "认定").text
    # the abbreviated 第十九条 note is gone: the definition carries the article in full
    assert not any(n["source"] == "第十九条" for n in prog.section("notes"))


@pytest.mark.parametrize("pid", SHENZHEN)
def test_definition_references_resolve(pid):
    prog = load_programme(pid)
    keys = {f"{f['id']}.{c['key']}" for f in prog.forms
            for c in f.get("fields", []) + f.get("columns", []) + f.get("aux_columns", [])}
    for d in prog.definitions:
        assert set(d.fields) <= keys, (d.term, set(d.fields) - keys)
    used = {m for d in prog.definitions for m in d.materials}
    known = {m["id"] for p in SHENZHEN for m in load_programme(p).materials}
    assert used <= known, used - known


@pytest.mark.parametrize("pid", SHENZHEN)
def test_programs_show_has_definitions_and_procedure(pid):
    r = run_cli("programs", "show", pid)
    assert r.returncode == 0, r.stderr
    flat = _flat(r.stdout)
    for term, (source, text) in DEFINITIONS.items():
        assert f"{term}（{source}）：{text}" in flat, term
    for s in load_programme(pid).procedure:
        assert f"{s.step}：{s.text}" in flat and s.source in flat, s.step
    data = json.loads(run_cli("programs", "show", pid, "--format", "json").stdout)
    assert {d["term"]: (d["source"], d["text"]) for d in data["definitions"]} == DEFINITIONS
    assert [s["step"] for s in data["procedure"]] == STEPS and all(s["source"] and s["text"] for s in data["procedure"])
    assert "contacts" not in data  # seed 002 gives no contact people


def _prompts(path: Path) -> dict[str, str]:
    """{promptTitle: prompt} of every data validation in a workbook."""
    wb = load_workbook(path)
    return {dv.promptTitle: dv.prompt for ws in wb.worksheets for dv in ws.data_validations.dataValidation if dv.prompt}


def test_init_puts_definitions_in_readmes_and_field_help(tmp_path):
    root = tmp_path / "p"
    init_packet(load_programme("sz-building"), root)

    def readme(folder: str) -> str:
        return _flat((root / folder / "说明.txt").read_text("utf-8"))

    licensed, fin, fiscal, hq = (DEFINITIONS[t][1] for t in ("持牌金融机构", "金融企业", "形成地方财力",
                                                             "金融总部用地项目"))
    assert all(t in readme("01_申报表") for t in (licensed, fin, fiscal, hq))
    assert all(t in readme("02_入驻金融企业信息表") for t in (licensed, fin, fiscal))
    assert fiscal in readme("06_纳税情况证明") and licensed not in readme("06_纳税情况证明")
    assert hq in readme("09_总部用地项目证明材料") and licensed in readme("07_持牌金融机构资质证明")
    assert not any(t in readme("03_申请报告") for t in (licensed, fin, fiscal, hq))
    # the input message of each cell where a person counts them carries the whole definition (Excel: ≤ 255 characters)
    form1 = _prompts(root / "01_申报表/附件1 申报表.xlsx")
    for label, text in (("已入驻持牌金融机构数（家）", licensed), ("已入驻金融企业数（家）", fin),
                        ("楼宇是否属于总部用地项目", hq)):
        assert text in form1[label] and len(form1[label]) <= 255, label
    fiscal_label = next(k for k in form1 if k.startswith("入驻金融企业上年度形成地方财力"))
    assert fiscal in form1[fiscal_label] and "应与附件2合计一致" in form1[fiscal_label]
    form2 = _prompts(root / "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx")
    # helper sheet column `licensed`
    assert licensed in form2["是否持牌金融机构"] and len(form2["是否持牌金融机构"]) <= 255
    assert fiscal in form2["上年度形成地方财力（万元）"] and "万元" in form2["上年度形成地方财力（万元）"]
    # the spec itself is unchanged: the definitions are added when the workbook is written
    fields = load_programme("sz-building").form("application")["fields"]
    spec_field = next(f for f in fields if f["key"] == "licensed_count")
    assert "本办法所称" not in spec_field.get("help", "")


def test_district_packet_explains_the_forms_it_includes(tmp_path):
    init_packet(load_programme("sz-district"), tmp_path / "d")
    text = _flat((tmp_path / "d/02_申报表/说明.txt").read_text("utf-8"))
    assert DEFINITIONS["持牌金融机构"][1] in text and DEFINITIONS["金融总部用地项目"][1] in text


# ------------------------------------------------------------------ contacts (seeds 000 六, 001 五, 004 三（三）1)
@pytest.mark.parametrize("pid", sorted(CONTACTS))
def test_contacts_are_the_notices_and_shown(pid, tmp_path):
    prog = load_programme(pid)
    assert prog.contacts and all(c.source for c in prog.contacts)
    seed = _flat(_seed(prog))
    for c in prog.contacts:
        for value in (c.unit, c.role, c.name, c.phone, c.email, c.address):
            assert _flat(value) in seed, value
    r = run_cli("programs", "show", pid)
    flat = _flat(r.stdout)
    assert r.returncode == 0 and "通知所列联系方式" in flat
    assert all(v in flat for v in CONTACTS[pid])
    data = json.loads(run_cli("programs", "show", pid, "--format", "json").stdout)
    assert all(v in json.dumps(data["contacts"], ensure_ascii=False) for v in CONTACTS[pid])
    init_packet(prog, tmp_path / "p")
    for m in prog.materials:
        readme = _flat((tmp_path / "p" / m["folder"] / "说明.txt").read_text("utf-8"))
        assert all(v in readme for v in CONTACTS[pid]), m["folder"]
    ws = load_workbook(tmp_path / "p/材料清单.xlsx").active
    rows = [r[0] for r in ws.iter_rows(min_row=4 + len(prog.materials), values_only=True)]
    assert rows[0] is None and rows[1] == "通知所列联系方式："
    cells = _flat("".join(str(v) for v in rows[2:] if v))
    assert all(v in cells for v in CONTACTS[pid])
    # the materials table above is untouched: its rows are exactly the materials
    titles = [r[1] for r in ws.iter_rows(min_row=4, max_row=3 + len(prog.materials), values_only=True)]
    assert titles == [m["title"] for m in prog.materials]


@pytest.mark.parametrize("pid", ["qiantang", *SHENZHEN])
def test_no_contacts_where_the_seed_gives_none(pid, tmp_path):
    prog = load_programme(pid)
    assert prog.contacts == []
    assert "联系方式" not in run_cli("programs", "show", pid).stdout
    init_packet(prog, tmp_path / "p")
    ws = load_workbook(tmp_path / "p/材料清单.xlsx").active
    assert ws.max_row == 3 + len(prog.materials)
