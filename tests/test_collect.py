"""`zonekit collect`: real packets (copies of the demo edited with openpyxl), real zips, the workbook read back."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from zonekit import collect as collect_mod
from zonekit.collect import PacketRow, collect, quotas_and_ranking
from zonekit.collect.workbook import write_workbook
from zonekit.fields.cellvalues import make_uscc
from zonekit.scaffold import init_packet
from zonekit.spec.programme import Programme, load_programme

from .conftest import AS_OF, ROOT, SAMPLES, run_cli, set_answers

DEMO = SAMPLES / "sz-building-demo"
ENTERPRISES = "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"
APPLICATION = "01_申报表/附件1 申报表.xlsx"


def _set_applicant(root: Path, **values: str) -> None:
    """Applicant answers: those 附件1 carries (name = 运营机构, contact, phone, email) go into 附件1, the rest into
    申报信息."""
    carried = {"name": "operator", "contact": "contact", "phone": "phone", "email": "email"}
    in_form = {carried[k]: v for k, v in values.items() if k in carried}
    if in_form:
        _set_application(root, **in_form)
    rest = {k: v for k, v in values.items() if k not in carried}
    if rest:
        set_answers(root, "applicant", **rest)


def _set_application(root: Path, **values: object) -> None:
    _set_record(next(root.glob("*/附件1 申报表.xlsx")), "application", **values)


def _set_record(path: Path, form_id: str, **values: object) -> None:
    """Cells of a record form, found by their defined names (ZK_<FORM>_<KEY>)."""
    wb = load_workbook(path)
    for key, value in values.items():
        sheet, ref = next(iter(wb.defined_names[f"ZK_{form_id.upper()}_{key.upper()}"].destinations))
        wb[sheet][ref.replace("$", "")] = value
    wb.save(path)


def _enterprise_rows(root: Path) -> list[list[object]]:
    ws = load_workbook(root / ENTERPRISES)["附件2 入驻金融企业信息表"]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=16, min_col=2, max_col=11)]


def _set_enterprises(root: Path, building: str, prefix: str, seed: str,
                     planted: dict[int, dict[int, object]] | None = None) -> None:
    """Give every enterprise a new name and credit code (column B..K = 2..11), then plant values:
    {excel row: {col: value}}."""
    path = root / ENTERPRISES
    wb = load_workbook(path)
    ws = wb["附件2 入驻金融企业信息表"]
    aux = wb["辅助信息（不打印）"]
    for i, r in enumerate(range(5, 17)):
        name = f"{prefix}第{i + 1}号金融服务有限公司"
        ws.cell(r, 2, building)
        ws.cell(r, 3, name)
        ws.cell(r, 11, make_uscc("91440300", f"{seed}{i:04d}"))
        aux.cell(3 + i, 1, name)
    for r, cols in (planted or {}).items():
        for col, value in cols.items():
            cell = ws.cell(r, col, value)
            cell.data_type = "s" if isinstance(value, str) else cell.data_type  # "=…" as text
            if col == 3:
                aux.cell(r - 2, 1, value)
    wb.save(path)


def make_packet(tmp: Path, folder: str, *, building: str, applicant: str, district: str, phone: str, email: str,
                prefix: str, seed: str, address: str | None = None,
                planted: dict[int, dict[int, object]] | None = None) -> Path:
    root = tmp / folder
    shutil.copytree(DEMO, root)
    _set_applicant(root, name=applicant, district=district, phone=phone, email=email)
    _set_application(root, name=building, operator=applicant, phone=phone, email=email,
                     address=address or f"深圳市{district}{building}路1号")
    _set_enterprises(root, building, prefix, seed, planted)
    return root


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A: the demo. B: another building; its row 7 has A's row-9 credit code; same phone as A.
    C: a third applicant whose building has A's name."""
    tmp = tmp_path_factory.mktemp("round")
    a = tmp / "A_福华"
    shutil.copytree(DEMO, a)
    b = make_packet(tmp, "B_南山", building="南山金融大厦", applicant="深圳市南山置业有限公司", district="南山区",
                    phone="0755-83451234", email="ops@nanshan.example.cn", prefix="南山", seed="MB7N",
                    planted={7: {11: _enterprise_rows(DEMO)[4][9]}})
    c = make_packet(tmp, "C_另一", building="福华金融中心", applicant="深圳市另一运营管理有限公司", district="福田区",
                    phone="13800138000", email="ops@other.example.cn", prefix="另一", seed="MC8P")
    return {"A": a, "B": b, "C": c, "tmp": tmp}


@pytest.fixture(scope="module")
def result(round_dir: dict[str, Path]):
    return collect([round_dir["A"], round_dir["B"], round_dir["C"]], as_of=AS_OF)


def _by_kind(res, kind: str) -> list:
    return [c for c in res.conflicts if c.kind == kind]


# ------------------------------------------------------------------ conflicts
def test_same_credit_code_in_two_packets_names_both_packets_and_rows(result, round_dir):
    uscc = _by_kind(result, "enterprises.uscc")
    assert len(uscc) == 1, [(c.value, c.a, c.b) for c in uscc]
    c = uscc[0]
    assert c.value == _enterprise_rows(DEMO)[4][9]
    assert result.packets[c.a.packet].packet == str(round_dir["A"]) and c.a.row == 9 and c.a.cell == "K9"
    assert result.packets[c.b.packet].packet == str(round_dir["B"]) and c.b.row == 7 and c.b.cell == "K7"
    assert c.a.file == ENTERPRISES and c.severity == "warning"
    assert not _by_kind(result, "enterprises.name")  # B's row 7 has its own name


def test_same_building_in_two_packets(result, round_dir):
    same = _by_kind(result, "application.name")
    assert [(result.packets[c.a.packet].packet, result.packets[c.b.packet].packet) for c in same] == [
        (str(round_dir["A"]), str(round_dir["C"]))]
    assert same[0].value == "福华金融中心" and same[0].a.cell and same[0].a.file == APPLICATION


def test_same_phone_across_applicants_is_info(result, round_dir):
    phones = _by_kind(result, "contact.phone")
    assert phones and all(c.severity == "info" for c in phones)
    pairs = {(result.packets[c.a.packet].packet, result.packets[c.b.packet].packet) for c in phones}
    assert pairs == {(str(round_dir["A"]), str(round_dir["B"]))}
    assert not _by_kind(result, "contact.email")


def qianhai_base(base: Path) -> Path:
    """A sz-base packet (前海金融产业基地) whose 附件2 lists the building 南山金融大厦 in row 6."""
    init_packet(load_programme("sz-base"), base)
    for rel in (APPLICATION, ENTERPRISES):
        shutil.copyfile(DEMO / rel, base / rel)
    _set_applicant(base, name="深圳市前海基地管理有限公司", district="南山区", phone="0755-26880000",
                   email="base@qh.example.cn")
    _set_application(base, name="前海金融产业基地", operator="深圳市前海基地管理有限公司", phone="0755-26880000",
                     email="base@qh.example.cn", address="深圳市南山区前海大道1号")
    _set_enterprises(base, "前海一号楼", "前海", "MD9Q", planted={6: {2: "南山金融大厦"}})
    return base


def test_building_inside_a_base_of_the_same_round(tmp_path, round_dir):
    """第七条（三）2: a building applying alone whose name is a 楼宇名称 in a base packet's 附件2."""
    base = qianhai_base(tmp_path / "基地")
    res = collect([round_dir["B"], base], as_of=AS_OF)
    assert res.programmes == ["sz-building", "sz-base"]  # one Shenzhen round: the forms are the same
    inside = _by_kind(res, "inside.application.name")
    assert len(inside) == 1
    c = inside[0]
    assert res.packets[c.a.packet].packet == str(round_dir["B"]) and c.a.file == APPLICATION
    assert res.packets[c.b.packet].packet == str(base) and (c.b.row, c.b.cell) == (6, "B6")
    assert c.source == "第七条（三）2"
    assert not [x for x in res.conflicts if x.kind != "inside.application.name"]


# ------------------------------------------------------------------ quotas and ranking
def test_two_district_recommendations_from_one_district_are_flagged(tmp_path):
    prog = load_programme("sz-district")
    paths = []
    for folder, district in (("推荐1", "福田区"), ("推荐2", "福田区"), ("推荐3", "南山区")):
        init_packet(prog, tmp_path / folder)
        _set_applicant(tmp_path / folder, name=f"深圳市{district}人民政府{folder}", district=district)
        paths.append(tmp_path / folder)
    res = collect(paths, as_of=AS_OF)
    rows = {q.value: q for q in res.quotas}
    assert rows["福田区"].status == "超出名额" and rows["福田区"].count == 2 and rows["福田区"].max == 1
    assert rows["福田区"].packets == [str(paths[0]), str(paths[1])] and rows["福田区"].source == "第九条"
    assert rows["南山区"].status == "符合"
    assert res.counts()["quota_flags"] == 1
    assert [c.label for c in res.columns][0] == "所在区"
    r = run_cli("collect", *map(str, paths), "-o", str(tmp_path / "汇总.xlsx"), "--as-of", "2026-11-22")
    assert r.returncode == 0, r.stderr
    assert "名额" in r.stdout and "福田区" in r.stdout


def test_ranking_by_a_score_fact_with_ties_and_quota_per_city():
    """G60 style: the scope value is a form field named by applies_to, the score a fact named by rank_by."""
    prog = Programme({"id": "g60-demo", "applicant": [{"key": "name", "label": "申报单位名称"}],
                      "forms": [{"id": "park", "kind": "record", "fields": [{"key": "city", "label": "所在城市"}]}],
                      "facts": [{"key": "total_score", "label": "评估总分"}],
                      "quotas": [{"scope": "city", "max": 2, "label": "每个城市推荐1—2个园区", "source": "三（三）1",
                                  "applies_to": "park.city", "rank_by": "facts.total_score"}]}, Path("x"), "0")
    plan, columns = collect_mod.make_plan([prog])
    assert [(c.ref, c.label) for c in columns] == [("park.city", "所在城市"), ("facts.total_score", "评估总分")]
    assert {"park.city", "facts.total_score"} <= set(plan.facts + plan.record_refs)
    rows = [PacketRow(i, f"p{i}", "g60-demo", {"name": f"园区{i}"},
                      values={"park.city": city, "facts.total_score": score})
            for i, (city, score) in enumerate([("嘉兴", 95.0), ("嘉兴", 88), ("嘉兴", 95), ("湖州", None)])]
    quotas, ranking = quotas_and_ranking(rows, [prog], columns)
    assert [(q.value, q.count, q.status, q.scope_label) for q in quotas] == [("嘉兴", 3, "超出名额", "所在城市"),
                                                                          ("湖州", 1, "符合", "所在城市")]
    assert [(r.packet, r.rank, r.score, r.scope_value) for r in ranking] == [
        ("p0", 1, 95.0, "嘉兴"), ("p2", 1, 95.0, "嘉兴"), ("p1", 3, 88.0, "嘉兴"), ("p3", None, None, "湖州")]


def test_quota_for_packets_with_a_yes_no_fact_and_applicant_filter():
    """MIIT style: ≤ 2 per province, and ≤ 1 among packets marked as 计划单列市/兵团 (a yes/no applicant field)."""
    prog = Programme({"id": "miit-demo",
                      "applicant": [{"key": "province", "label": "所属省"}, {"key": "separate", "label": "单列"}],
                      "quotas": [{"scope": "province", "max": 2, "label": "每省不超过2个", "source": "三（二）",
                                  "applies_to": "packet.applicant.province"},
                                 {"scope": "separate", "max": 1, "label": "计划单列市和兵团不超过1个",
                                  "source": "三（二）",
                                  "applies_to": "packet.applicant.separate"},
                                 {"scope": "province", "max": 0, "label": "只数浙江", "source": "x",
                                  "applies_to": "province=浙江省"}]},
                     Path("x"), "0")
    rows = [PacketRow(i, f"p{i}", "miit-demo", {"name": f"市{i}", "province": prov, "separate": sep})
            for i, (prov, sep) in enumerate([("浙江省", False), ("浙江省", True), ("浙江省", True), ("江苏省", False)])]
    rows.append(PacketRow(9, "other", "sz-building", {"province": "浙江省"}))  # another programme: never counted
    quotas, _ = quotas_and_ranking(rows, [prog], [])
    got = [(q.label, q.value, q.count, q.status) for q in quotas]
    assert got == [("每省不超过2个", "浙江省", 3, "超出名额"), ("每省不超过2个", "江苏省", 1, "符合"),
                   ("计划单列市和兵团不超过1个", "（全部）", 2, "超出名额"), ("只数浙江", "浙江省", 3, "超出名额")]


# ------------------------------------------------------------------ the workbook
def test_workbook_sheets_and_columns(result, tmp_path):
    out = write_workbook(result, tmp_path / "汇总.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "冲突", "税务核查", "统计核查", "规划国土核查", "名额与排名"]
    s = wb["汇总"]
    header = [c.value for c in s[1]]
    assert header[:4] == ["序号", "材料包", "申报项目", "申报单位"]
    for label in ("基地（楼宇）名称", "基地（楼宇）地址", "基地（楼宇）总建筑面积（m2）",
                  "基地（楼宇）总办公面积（m2）",
                  "已入驻持牌金融机构数（家）", "已入驻金融企业数（家）", "入驻金融企业已使用办公面积（m2）",
                  "入驻金融企业上年度形成地方财力总额（万元）"):
        assert label in header
    assert header[-6:] == ["错误", "警告", "提示", "申报条件", "满足情况", "无法读取的原因"]
    assert s.freeze_panes == "A2" and s.auto_filter.ref == f"A1:{s.cell(1, len(header)).column_letter}4"
    first = dict(zip(header, [c.value for c in s[2]], strict=True))
    assert first["基地（楼宇）总建筑面积（m2）"] == 68000 and first["申报单位"] == "深圳市福华置业运营管理有限公司"
    assert first["申报条件"] == "符合" and "3.12亿元 ≥ 2.5亿元" in first["满足情况"]
    assert [c.value for c in wb["冲突"][1]] == ["序号", "类型", "级别", "值", "材料包A", "申报单位A", "位置A",
                                                "材料包B", "申报单位B", "位置B", "依据", "说明"]
    tax, stats, land = wb["税务核查"], wb["统计核查"], wb["规划国土核查"]
    assert tax["A1"].value == "入驻金融企业上年度形成地方财力核查表" and "税务部门" in tax["A2"].value
    assert [c.value for c in tax[3]] == ["序号", "申报单位名称", "基地（楼宇）名称", "金融企业名称", "统一社会信用代码",
                                         "上年度形成地方财力（万元）", "核查意见"]
    assert tax.freeze_panes == "A4" and tax.auto_filter.ref.startswith("A3:G")
    assert tax.max_row == 3 + 36  # 12 enterprises x 3 packets
    assert [c.value for c in stats[3]][-2:] == ["现有从业人员数（人）", "核查意见"]
    assert [c.value for c in land[3]] == ["序号", "申报单位名称", "基地（楼宇）名称", "基地（楼宇）地址",
                                          "基地（楼宇）总建筑面积（m2）",
                                          "基地（楼宇）总办公面积（m2）", "深圳市土地使用权出让合同书（文件名）",
                                          "核查意见"]
    assert land["G4"].value == "深圳市土地使用权出让合同书.pdf"
    for ws in (tax, stats, land):  # clean sheets for another department: nothing of zonekit's
        values = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v]
        assert not any("zonekit" in v or "packet" in v for v in values)
    assert [c.value for c in wb["名额与排名"][1]][:5] == ["序号", "名额规定", "范围", "范围值", "材料包数"]


def test_text_starting_with_equals_is_written_as_text(tmp_path):
    p = make_packet(tmp_path, "P", building="公式大厦", applicant="深圳市公式置业有限公司", district="福田区",
                    phone="13900139000", email="f@x.example.cn", prefix="公式", seed="MF1A", planted={5: {3: "=1+2"}})
    out = write_workbook(collect([p], as_of=AS_OF), tmp_path / "x.xlsx")
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in z.read(n) for n in sheets)
    from python_calamine import CalamineWorkbook

    assert "=1+2" in [r[3] for r in CalamineWorkbook.from_path(str(out)).get_sheet_by_name("税务核查").to_python()]


# ------------------------------------------------------------------ packets that cannot be read
def test_unreadable_form_and_non_packet_folder_still_yield_rows(tmp_path):
    broken = tmp_path / "坏附件2"
    shutil.copytree(DEMO, broken)
    (broken / ENTERPRISES).write_bytes(b"this is not an xlsx file at all" * 10)
    empty = tmp_path / "不是材料包"
    empty.mkdir()
    (empty / "readme.txt").write_text("x", "utf-8")
    res = collect([broken, empty, tmp_path / "不存在"], as_of=AS_OF)
    a, b, c = res.packets
    assert a.ok and a.counts["error"] >= 1 and a.values["application.total_building_area"] == 68000
    assert "enterprises" not in a.tables
    assert not b.ok and "packet.toml" in b.error
    assert not c.ok and "找不到" in c.error
    assert res.read == 1


def test_mixed_programmes_and_unknown_programme_are_rows_with_errors(tmp_path):
    tpl = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", tpl)
    alt = tpl / "sz-alt"
    alt.mkdir()
    text = (tpl / "sz-building" / "programme.toml").read_text("utf-8").replace('id = "sz-building"', 'id = "sz-alt"')
    text += '\n[[forms]]\nid = "extra"\nkind = "record"\nfile = "附加表.xlsx"\nsheet = "附加表"\ntitle = "附加表"\n' \
            '[[forms.fields]]\nkey = "x"\nlabel = "附加"\n'
    (alt / "programme.toml").write_text(text, "utf-8")
    paths = []
    for folder, programme in (("一", "sz-building"), ("二", "sz-building"), ("三", "sz-alt"), ("四", "no-such")):
        shutil.copytree(DEMO, tmp_path / folder)
        toml = tmp_path / folder / "packet.toml"
        toml.write_text(toml.read_text("utf-8").replace('programme = "sz-building"', f'programme = "{programme}"'),
                        "utf-8")
        paths.append(tmp_path / folder)
    res = collect(paths, templates=tpl, as_of=AS_OF)
    assert res.programmes == ["sz-building"]
    one, two, three, four = res.packets
    assert one.ok and two.ok
    # a packet of another programme is not checked, so nothing of its forms is read: its row names it by folder
    assert "不能一起汇总" in three.error and "sz-alt" in three.error
    assert three.programme == "sz-alt" and three.packet.endswith("三")
    assert "未知的申报项目" in four.error


# ------------------------------------------------------------------ zips
def _zip_dir(zf: zipfile.ZipFile, root: Path, prefix: str) -> None:
    for p in sorted(root.rglob("*")):
        if p.is_file():
            zf.write(p, f"{prefix}{p.relative_to(root).as_posix()}")


def test_zip_with_several_packets_and_zip_of_one(tmp_path, round_dir):
    many = tmp_path / "报送.zip"
    with zipfile.ZipFile(many, "w", zipfile.ZIP_DEFLATED) as zf:
        _zip_dir(zf, round_dir["A"], "材料/A/")
        _zip_dir(zf, round_dir["B"], "材料/B/")
        zf.writestr("__MACOSX/材料/A/._packet.toml", b"junk")
    one = tmp_path / "单个.zip"
    with zipfile.ZipFile(one, "w", zipfile.ZIP_DEFLATED) as zf:
        _zip_dir(zf, round_dir["C"], "")
    res = collect([many, one], as_of=AS_OF)
    assert [p.packet for p in res.packets] == [f"{many}/材料/A", f"{many}/材料/B", str(one)]
    assert all(p.ok for p in res.packets)
    assert _by_kind(res, "enterprises.uscc") and _by_kind(res, "application.name")
    assert res.packets[0].files["land_contract"] == ["深圳市土地使用权出让合同书.pdf"]


def test_gbk_member_names_from_windows_zips_are_decoded(tmp_path, round_dir):
    path = tmp_path / "windows.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        _zip_dir(zf, round_dir["A"], "A/")
    # rewrite as a legacy zip: GBK names, no UTF-8 flag (what Windows Explorer writes)
    class GbkInfo(zipfile.ZipInfo):
        def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's name
            return self.filename.encode("gbk"), self.flag_bits & ~0x800

    src = zipfile.ZipFile(buf)
    with zipfile.ZipFile(path, "w") as zf:
        for info in src.infolist():
            zf.writestr(GbkInfo(info.filename, info.date_time), src.read(info))
    with zipfile.ZipFile(path) as zf:
        assert any("01_" in i.filename and "申报表" not in i.filename for i in zf.infolist())  # mojibake as stored
    res = collect([path], as_of=AS_OF)
    assert res.packets[0].ok and res.packets[0].values["application.name"] == "福华金融中心"


def _zip_with(path: Path, packet: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        _zip_dir(zf, packet, "P/")
        for name, data in extra:
            zf.writestr(name, data)
    return path


def test_zip_slip_is_refused(tmp_path, round_dir):
    work = tmp_path / "in"
    work.mkdir()
    bad = _zip_with(work / "slip.zip", round_dir["A"], [("../evil.txt", b"owned")])
    absolute = _zip_with(work / "abs.zip", round_dir["A"], [("/tmp/zk-evil.txt", b"owned")])
    link = zipfile.ZipInfo("P/link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    symlink = _zip_with(work / "link.zip", round_dir["A"], [(link, b"/etc/passwd")])
    res = collect([bad, absolute, symlink], as_of=AS_OF)
    errors = [p.error for p in res.packets]
    assert len(errors) == 3 and all(e and e.startswith("压缩包已拒绝") for e in errors)
    assert "zip-slip" in errors[0] and "zip-slip" in errors[1] and "符号链接" in errors[2]
    assert not (tmp_path / "evil.txt").exists() and not (work / "evil.txt").exists()
    assert res.read == 0


def test_oversized_and_bomb_zips_are_refused(tmp_path, round_dir, monkeypatch):
    ok = _zip_with(tmp_path / "ok.zip", round_dir["A"], [])
    bomb = _zip_with(tmp_path / "bomb.zip", round_dir["A"], [("P/zeros.bin", bytes(8 * 2**20))])
    res = collect([ok, bomb], as_of=AS_OF)
    assert res.packets[0].ok
    assert "压缩比异常" in res.packets[1].error
    monkeypatch.setattr("zonekit.collect.inputs.MAX_ZIP_BYTES", 100_000)
    res = collect([ok], as_of=AS_OF)
    assert "上限" in res.packets[0].error and "ZONEKIT_MAX_ZIP_MB" in res.packets[0].error
    monkeypatch.setattr("zonekit.collect.inputs.MAX_ZIP_ENTRIES", 5)
    res = collect([ok], as_of=AS_OF)
    assert "个文件，超过上限" in res.packets[0].error


def test_not_a_zip_and_zip_without_packet(tmp_path):
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"PK-not-really")
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("notes.txt", "nothing here")
    res = collect([fake, empty], as_of=AS_OF)
    assert "不是有效的 zip" in res.packets[0].error
    assert "没有找到材料包" in res.packets[1].error


def test_summary_says_which_conditions_are_unmet_or_lack_figures(tmp_path):
    """汇总's 申报条件 / 满足情况: met with the figures, unmet leaves with their gaps, unknown for missing figures."""
    met, unmet, unknown = (tmp_path / "met", tmp_path / "unmet", tmp_path / "unknown")
    for root in (met, unmet, unknown):
        shutil.copytree(DEMO, root)
    _set_application(unmet, name="另一楼", licensed_count=1, fiscal_total=100)
    _set_application(unknown, name="第三楼", licensed_count=None, fiscal_total=None)
    rows = collect([met, unmet, unknown], as_of=AS_OF).packets
    assert rows[0].eligibility == "符合" and rows[0].path.startswith("满足：") and "5家 ≥ 3家" in rows[0].path
    assert rows[1].eligibility == "不符合" and rows[1].path.startswith("未满足：")
    assert "1家 < 3家，差 2家" in rows[1].path and "0.01亿元 < 2.5亿元" in rows[1].path
    assert (rows[2].eligibility, rows[2].path) == ("无法判断", "缺少数据：产业规模（满足以下任一条件）")


# ------------------------------------------------------------------ jobs, CLI, JSON
def test_jobs_2_gives_the_same_result_as_jobs_1(round_dir, result):
    parallel = collect([round_dir["A"], round_dir["B"], round_dir["C"]], as_of=AS_OF, jobs=2)
    assert parallel.to_json() == result.to_json()


def test_folder_of_packets_is_expanded(round_dir, tmp_path):
    res = collect([round_dir["tmp"]], as_of=AS_OF)
    assert [Path(p.packet).name for p in res.packets] == ["A_福华", "B_南山", "C_另一"]
    inbox = tmp_path / "收件"
    shutil.copytree(round_dir["A"], inbox / "福田区" / "A")
    (inbox / "南山区").mkdir(parents=True)
    with zipfile.ZipFile(inbox / "南山区" / "b.zip", "w") as zf:
        _zip_dir(zf, round_dir["B"], "B/")
    (inbox / "其他").mkdir()
    (inbox / "其他" / "说明.txt").write_text("x", "utf-8")
    res = collect([inbox], as_of=AS_OF)
    assert [p.packet for p in res.packets] == [f"{inbox}/南山区/b.zip/B", f"{inbox}/福田区/A"]
    assert all(p.ok for p in res.packets)


def test_cli_json_contract_and_exit_codes(round_dir, tmp_path):
    out = tmp_path / "汇总.xlsx"
    r = run_cli("collect", str(round_dir["A"]), str(round_dir["B"]), "--format", "json", "-o", str(out), "--as-of",
                "2026-11-22")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) == {"version", "programmes", "title", "as_of", "counts", "columns", "packets", "conflicts",
                         "verification", "quotas", "ranking", "bands", "progress", "reporting", "workbook"}
    assert data["workbook"] == str(out) and out.is_file()
    assert set(data["counts"]) == {"packets", "read", "unreadable", "with_errors", "eligible", "conflicts",
                                   "quota_flags"}
    assert set(data["packets"][0]) == {"index", "packet", "programme", "applicant", "values", "errors", "warnings",
                                       "infos",
                                       "eligibility", "path", "error"}
    assert set(data["conflicts"][0]) == {"kind", "label", "severity", "value", "source", "note", "a", "b"}
    assert set(data["conflicts"][0]["a"]) == {"packet", "applicant", "file", "sheet", "cell", "row"}
    assert {v["sheet"] for v in data["verification"]} == {"税务核查", "统计核查", "规划国土核查"}
    assert set(data["verification"][0]) == {"sheet", "to", "title", "source", "header", "rows"}
    assert data["quotas"] == [] and data["ranking"] == [] and data["bands"] == [] and data["progress"] == []
    assert data["reporting"] is None

    r = run_cli("collect", str(round_dir["A"]), "--format", "json")  # no -o: JSON only
    assert r.returncode == 0 and json.loads(r.stdout)["workbook"] is None
    r = run_cli("collect", str(round_dir["A"]))
    assert r.returncode == 2 and "-o" in r.stderr
    r = run_cli("collect", str(tmp_path / "nothing"), "-o", str(tmp_path / "n.xlsx"))
    assert r.returncode == 2 and "没有可以读取的材料包" in r.stdout
    r = run_cli("collect", str(round_dir["A"]), "-o", str(tmp_path / "n.csv"))
    assert r.returncode == 2 and ".xlsx" in r.stderr


def test_cli_help_does_not_import_openpyxl():
    r = run_cli("collect", "--help")
    assert r.returncode == 0 and "汇总" in r.stdout
    import subprocess
    import sys

    code = ("import sys, zonekit.cli; "
            "assert not [m for m in sys.modules if m.startswith(('openpyxl', 'zonekit.collect'))]")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# ---------------------------------------------------------- quotas, bands and progress per programme (real packets)
def _toml_set(root: Path, **values: object) -> None:
    """Answer questions in 申报信息 by their bare key (name, province, path …), as a person would in WPS/Excel."""
    import tomllib

    from zonekit.answers import questions

    prog = load_programme(tomllib.loads((root / "packet.toml").read_text("utf-8"))["packet"]["programme"])
    keys = {q.name: q.key for q in questions(prog)}
    set_answers(root, **{keys[k]: v for k, v in values.items()})


def _copy(programme: str, tmp: Path, folder: str) -> Path:
    root = tmp / folder
    shutil.copytree(SAMPLES / f"{programme}-demo", root)
    return root


G60_INDICATORS = "01_评估指标/附件1 评估指标.xlsx"
G60_PARK = "03_园区基本信息表/园区基本信息表.xlsx"


def _g60_park(tmp: Path, folder: str, *, city: str, park: str, operator: str, lower_by: float) -> Path:
    """A copy of the G60 demo (91.5 points) in `city`, its 自评得分 lowered by `lower_by` from the first rows on."""
    root = _copy("g60-park", tmp, folder)
    _toml_set(root, name=operator)
    wb = load_workbook(root / G60_PARK)
    for key, value in (("city", city), ("name", park), ("operator", operator)):
        sheet, ref = next(iter(wb.defined_names[f"ZK_PARK_{key.upper()}"].destinations))
        wb[sheet][ref.replace("$", "")] = value
    wb.save(root / G60_PARK)
    wb = load_workbook(root / G60_INDICATORS)
    ws = wb["评估指标"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "序号")
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value == "自评得分")
    left = lower_by
    for r in range(header + 1, ws.max_row + 1):
        score = ws.cell(r, col).value
        if left > 0 and isinstance(ws.cell(r, 1).value, int) and isinstance(score, int | float):
            cut = min(score, left)
            ws.cell(r, col, score - cut)
            left -= cut
    assert left == 0
    wb.save(root / G60_INDICATORS)
    return root


@pytest.fixture(scope="module")
def g60_round(tmp_path_factory: pytest.TempPathFactory):
    """Three parks from 嘉兴 (91.5, 90.5, 85) and one from 湖州 (75)."""
    tmp = tmp_path_factory.mktemp("g60")
    paths = [_g60_park(tmp, "A", city="嘉兴", park="禾城科创产融园", operator="嘉兴禾城科创园区运营管理有限公司",
                       lower_by=0),
             _g60_park(tmp, "B", city="嘉兴", park="秀洲光伏产业园", operator="嘉兴秀洲园区运营有限公司", lower_by=1),
             _g60_park(tmp, "C", city="嘉兴", park="南湖基金小镇", operator="嘉兴南湖基金小镇管理有限公司",
                       lower_by=6.5),
             _g60_park(tmp, "D", city="湖州", park="湖州绿色金融产业园", operator="湖州绿金园区运营有限公司",
                       lower_by=16.5)]
    return paths, collect(paths, as_of=dt.date(2023, 6, 20))


def test_g60_ranking_bands_city_quota_and_distance_from_about_10(g60_round):
    paths, res = g60_round
    assert all(p.ok for p in res.packets)
    assert [p.values["indicators.sum.score"] for p in res.packets] == [91.5, 90.5, 85, 75]
    city = {q.value: q for q in res.quotas if q.scope == "city"}
    assert (city["嘉兴"].count, city["嘉兴"].status, city["嘉兴"].flagged, city["嘉兴"].max) == (3, "超出名额", True, 2)
    assert city["嘉兴"].packets == [str(p) for p in paths[:3]] and city["嘉兴"].source == "三（三）1"
    assert (city["湖州"].count, city["湖州"].flagged) == (1, False)
    target = next(q for q in res.quotas if q.kind == "target")
    assert (target.value, target.count, target.target, target.gap, target.status, target.flagged) == (
        "（全部）", 2, 10, -8, "比目标少8个", False)
    assert target.packets == [str(p) for p in paths[:2]] and target.source == "三（五）" and "10家左右" in target.label
    assert res.counts()["quota_flags"] == 1
    assert [(r.rank, r.packet, r.score, r.scope_value, r.band) for r in res.ranking] == [
        (1, str(paths[0]), 91.5, "嘉兴", "长三角G60科创走廊第二批产融结合高质量发展示范园区"),
        (2, str(paths[1]), 90.5, "嘉兴", "长三角G60科创走廊第二批产融结合高质量发展示范园区"),
        (3, str(paths[2]), 85.0, "嘉兴", "培育型示范园区"),
        (4, str(paths[3]), 75.0, "湖州", "不列入（评估分值低于80分）")]
    assert [(b.label, b.range, b.count, b.packets) for b in res.bands] == [
        ("长三角G60科创走廊第二批产融结合高质量发展示范园区", "≥90分", 2, [str(p) for p in paths[:2]]),
        ("培育型示范园区", "≥80分且<90分", 1, [str(paths[2])]),
        ("不列入（评估分值低于80分）", "<80分", 1, [str(paths[3])])]
    assert all(b.source.startswith("三（五）") for b in res.bands)
    # below 80 is the experts' outcome, not an entry condition (三（三）2–3, 三（四）): the band is a warning status
    assert [b.status for b in res.bands] == ["met", "met", "outcome"]


def test_g60_workbook_and_json_sections(g60_round, tmp_path):
    _, res = g60_round
    ws = load_workbook(write_workbook(res, tmp_path / "g60.xlsx"))["名额与排名"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == ["序号", "名额规定", "范围", "范围值", "材料包数", "上限", "下限", "目标", "结果", "材料包",
                       "依据", "说明"]
    target = next(r for r in rows if r[7] == 10)
    assert target[4] == 2 and target[8] == "比目标少8个"
    bands = next(i for i, r in enumerate(rows) if r[0] == "分档")
    assert rows[bands + 1][:4] == ["序号", "档次", "分数范围", "材料包数"]
    assert [r[3] for r in rows[bands + 2: bands + 5]] == [2, 1, 1]
    ranking = next(i for i, r in enumerate(rows) if r[0] == "排名")
    assert rows[ranking + 1][:7] == ["名次", "材料包", "申报单位", "范围值", "自评得分合计", "档次", "名额规定"]
    assert [r[0] for r in rows[ranking + 2: ranking + 6]] == [1, 2, 3, 4]
    data = res.to_json()
    assert set(data["quotas"][0]) == {"programme", "label", "source", "scope", "scope_label", "value", "count", "max",
                                      "min",
                                      "kind", "target", "gap", "status", "flagged", "strength", "severity", "note",
                                      "packets"}
    assert set(data["ranking"][0]) == {"quota", "rank", "packet", "applicant", "scope_value", "score", "band"}
    assert set(data["bands"][0]) == {"programme", "fact", "fact_label", "label", "min", "below", "range", "status",
                                     "count",
                                     "packets", "source"}
    assert (data["bands"][1]["min"], data["bands"][1]["below"]) == (80, 90)
    assert data["progress"] == [] and data["reporting"] is None


def _miit(tmp: Path, folder: str, name: str, province: str, separate: bool) -> Path:
    root = _copy("miit-pilot", tmp, folder)
    _toml_set(root, name=name, province=province, separate_quota=separate)
    return root


def test_miit_province_quota_and_separate_quota_per_plan_city(tmp_path):
    """三（二）: ≤ 2 per province; a 计划单列市/兵团 (separate_quota) counts against its own quota of 1, grouped by
    the city it belongs to (宁波市鄞州区 -> 宁波市), never against its province's 2."""
    paths = [_miit(tmp_path, "湖州", "湖州市", "浙江省", False), _miit(tmp_path, "嘉兴", "嘉兴市", "浙江省", False),
             _miit(tmp_path, "宁波", "宁波市", "浙江省", True), _miit(tmp_path, "鄞州", "宁波市鄞州区", "浙江省", True),
             _miit(tmp_path, "青岛", "青岛市", "山东省", True),
             _miit(tmp_path, "石河子", "新疆生产建设兵团第八师石河子市", "新疆维吾尔自治区", True),
             _miit(tmp_path, "绍兴", "绍兴市", "浙江省", False)]
    res = collect(paths, as_of=dt.date(2020, 8, 20))
    assert all(p.ok for p in res.packets)
    province = {q.value: q for q in res.quotas if q.scope == "province"}
    assert set(province) == {"浙江省"}  # 山东省, 新疆: only separately recommended packets
    zj = province["浙江省"]
    assert (zj.count, zj.status, zj.max) == (3, "超出名额", 2)
    assert zj.packets == [str(paths[0]), str(paths[1]), str(paths[6])]
    separate = {q.value: q for q in res.quotas if q.scope == "name"}
    assert {v: (q.count, q.status) for v, q in separate.items()} == {
        "宁波市": (2, "超出名额"), "青岛市": (1, "符合"), "新疆生产建设兵团": (1, "符合")}
    assert separate["宁波市"].packets == [str(paths[2]), str(paths[3])] and separate["宁波市"].max == 1
    assert separate["宁波市"].scope_label == "城市（区）名称" and separate["宁波市"].source.startswith("三（二）")
    assert res.counts()["quota_flags"] == 2
    assert {q.severity for q in res.quotas if q.flagged} == {"error"}  # hard quotas (不超过), not 原则上


def test_miit_first_batch_continuation_does_not_count_against_the_quotas(tmp_path):
    """四（一）: a first-batch city continuing goes "直接通过申报系统上报…复核后延续试点", not through the province's
    recommendation, so it does not count against 三（二）'s "不超过2个" (nor a 计划单列市's "不超过1个")."""
    paths = [_miit(tmp_path, "湖州", "湖州市", "浙江省", False), _miit(tmp_path, "嘉兴", "嘉兴市", "浙江省", False),
             _miit(tmp_path, "绍兴", "绍兴市", "浙江省", False), _miit(tmp_path, "金华", "金华市", "浙江省", False),
             _miit(tmp_path, "宁波", "宁波市", "浙江省", True), _miit(tmp_path, "鄞州", "宁波市鄞州区", "浙江省", True)]
    for root in (paths[2], paths[3], paths[5]):  # 绍兴, 金华 and 鄞州 are first-batch cities continuing
        _toml_set(root, path="continuation", first_batch=True)
    set_answers(paths[1], **{"claims.path": None})  # the claim left blank: its default, a new application
    res = collect(paths, as_of=dt.date(2020, 8, 20))
    assert all(p.ok for p in res.packets)
    province = {q.value: q for q in res.quotas if q.scope == "province"}
    assert (province["浙江省"].count, province["浙江省"].status, province["浙江省"].flagged) == (2, "符合", False)
    assert province["浙江省"].packets == [str(paths[0]), str(paths[1])] and "四（一）" in province["浙江省"].source
    separate = {q.value: q for q in res.quotas if q.scope == "name"}
    assert {v: (q.count, q.status) for v, q in separate.items()} == {"宁波市": (1, "符合")}
    assert res.counts()["quota_flags"] == 0


def test_zone3553_more_than_5_per_province_flagged_and_1_2_awarded_is_a_note(tmp_path):
    paths = []
    for i in range(6):
        root = _copy("zone3553", tmp_path, f"皖{i}")
        _set_record(root / "02_申报主体基本情况表/申报主体基本情况表.xlsx", "applicant",
                    name=f"安徽省第{i + 1}市人民政府")
        paths.append(root)
    other = _copy("zone3553", tmp_path, "苏")  # 申报主体基本情况表 carries the name and the province
    _set_record(other / "02_申报主体基本情况表/申报主体基本情况表.xlsx", "applicant", name="江苏某市人民政府",
                province="江苏省")
    res = collect([*paths, other], as_of=AS_OF)
    limit = {q.value: q for q in res.quotas if q.max == 5}
    assert (limit["安徽省"].count, limit["安徽省"].status, limit["安徽省"].flagged) == (6, "超出名额", True)
    # 五7 “原则上…不超过5个”: flagged as a warning that asks for justification, like other 原则上 rules
    assert (limit["安徽省"].strength, limit["安徽省"].severity) == ("in_principle", "warning")
    assert "原则上" in limit["安徽省"].note
    assert limit["江苏省"].severity is None
    assert limit["安徽省"].packets == [str(p) for p in paths]
    assert limit["安徽省"].label == "原则上每省推荐申报预审地区不超过5个"
    assert (limit["江苏省"].count, limit["江苏省"].flagged) == (1, False)
    info = [q for q in res.quotas if q.kind == "info"]
    assert {q.value: q.count for q in info} == {"安徽省": 6, "江苏省": 1}
    assert all(q.status == "提示" and not q.flagged and "不是报送上限" in q.note for q in info)
    assert res.counts()["quota_flags"] == 1
    ws = load_workbook(write_workbook(res, tmp_path / "3553.xlsx"))["名额与排名"]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    assert any(r[1] == "每省1-2个名额" and r[8] == "提示" and "不是报送上限" in r[11] for r in rows)
    assert any(r[3] == "安徽省" and r[5] == 5 and r[8] == "超出名额（“原则上”，需说明理由）" for r in rows)
    assert res.to_json()["quotas"][0]["severity"] in (None, "warning")
    assert {q["value"]: q["severity"] for q in res.to_json()["quotas"] if q["max"] == 5} == {"安徽省": "warning",
                                                                                             "江苏省": None}


QT_INDICATORS = "01_目标量化清单/附件4 目标量化清单进展.xlsx"


def _qt_value(root: Path, indicator: str, year: int, value: object) -> None:
    path = root / QT_INDICATORS
    wb = load_workbook(path)
    ws = wb["目标量化清单"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "编号")
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value == f"{year}年实际值")
    row = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 2).value == indicator)
    ws.cell(row, col, value)
    wb.save(path)


def test_qiantang_matrix_of_latest_values_and_units_not_reported(tmp_path):
    """嘉兴 reports 2023 (the demo) and, given later, an older 2022 report; 杭州 reports 2023 with its own 1.1."""
    jx = _copy("qiantang", tmp_path, "嘉兴2023")
    hz = _copy("qiantang", tmp_path, "杭州2023")
    _toml_set(hz, name="杭州市人民政府", unit="杭州市政府")
    _qt_value(hz, "全省金融业增加值占GDP比重", 2023, 8.8)
    old = _copy("qiantang", tmp_path, "嘉兴2022")
    _toml_set(old, report_year=2022)
    _qt_value(old, "全省金融业增加值占GDP比重", 2022, 8.75)
    res = collect([jx, hz, old], as_of=AS_OF)
    assert all(p.ok for p in res.packets)
    (m,) = res.progress
    assert m.form == "indicators" and m.units == ["杭州市政府", "嘉兴市政府"]  # the spec's order of units
    rows = {r.number: r for r in m.rows}
    assert len(m.rows) == len(load_programme("qiantang").form("indicators")["rows"])
    gdp = rows["1.1"]
    assert (gdp.indicator, gdp.unit, gdp.target) == ("全省金融业增加值占GDP比重", "%", ">9%")
    j, h = gdp.cells["嘉兴市政府"], gdp.cells["杭州市政府"]
    # 2023 beats the 2022 report given later
    assert (j.packet, j.report_year, j.year, j.value) == (str(jx), 2023, 2023, 8.95)
    assert j.completion == pytest.approx((8.95 - 8.7) / 0.3) and j.status in ("on_track", "behind")
    assert (h.packet, h.value) == (str(hz), 8.8) and h.completion == pytest.approx(1 / 3)
    jx_only = next(r for r in m.rows if r.id.startswith("jx_"))
    assert "嘉兴市政府" in jx_only.cells and "杭州市政府" not in jx_only.cells  # 杭州 is not responsible
    rep = res.reporting
    assert rep is not None and rep.reported == ["杭州市政府", "嘉兴市政府"]
    assert len(rep.expected) == 18 and len(rep.not_reported) == 16
    assert "宁波市政府" in rep.not_reported
    assert "嘉兴市政府" not in rep.not_reported and "杭州市政府" not in rep.not_reported
    assert rep.other == ["试点市政府"] and rep.rows["衢州市政府"] == {"重大改革平台项目": 1}

    data = json.loads(json.dumps(res.to_json(), default=str))
    (pm,) = data["progress"]
    assert set(pm) == {"programme", "form", "title", "source", "units", "rows"}
    assert set(pm["rows"][0]) == {"id", "number", "indicator", "unit", "target", "cells"}
    assert set(pm["rows"][0]["cells"]["嘉兴市政府"]) == {"packet", "report_year", "year", "value", "actual",
                                                    "completion", "status"}
    assert set(data["reporting"]) == {"programme", "source", "expected", "reported", "not_reported", "rows", "other"}
    assert data["reporting"]["not_reported"] == rep.not_reported

    wb = load_workbook(write_workbook(res, tmp_path / "qt.xlsx"))
    assert wb.sheetnames[-2:] == ["指标进展", "未报送单位"]
    ws = wb["指标进展"]
    assert [c.value for c in ws[3]] == ["序号", "编号", "指标", "单位", "目标", "杭州市政府（2023年）",
                                        "杭州市政府完成度",
                                        "嘉兴市政府（2023年）", "嘉兴市政府完成度"]
    assert [c.value for c in ws[4]][1:6] == ["1.1", "全省金融业增加值占GDP比重", "%", ">9%", 8.8]
    assert ws["I4"].number_format == "0%" and ws["I4"].value == pytest.approx((8.95 - 8.7) / 0.3)
    assert ws.freeze_panes == "A4"
    nr = wb["未报送单位"]
    assert [c.value for c in nr[3]] == ["序号", "责任单位", "目标量化清单（负责行数）", "重大改革平台项目（负责行数）"]
    listed = [r[1] for r in nr.iter_rows(min_row=4, values_only=True)]
    assert listed == rep.not_reported and "未报送 16 个" in nr["A2"].value and "试点市政府" in nr["A2"].value


def test_quota_keys_are_checked_when_the_spec_loads(tmp_path):
    from zonekit.errors import SpecError

    tpl = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", tpl)
    spec = tpl / "g60-park" / "programme.toml"
    good = spec.read_text("utf-8")
    for old, new, message in (('rank_by = "indicators.sum.score"', 'rank_by = "indicatorz.sum.score"',
                               "quotas[0].rank_by"),
                              ("target = 10\n", "", "target"),
                              ('kind = "target"', 'kind = "about"', "kind")):
        assert old in good
        spec.write_text(good.replace(old, new), "utf-8")
        with pytest.raises(SpecError, match=re.escape(message)):
            load_programme("g60-park", tpl)


# ------------------------------------------------------ the workbook: written while checking, the same for any --jobs
def _cells(path: Path) -> dict[str, list[list[object]]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_workbook_cell_values_are_the_same_for_jobs_1_and_2_and_from_a_finished_result(round_dir, tmp_path):
    from zonekit.collect.workbook import collect_workbook

    paths = [round_dir["A"], round_dir["B"], round_dir["C"], tmp_path / "不存在"]
    one = collect_workbook(tmp_path / "1.xlsx", paths, as_of=AS_OF, jobs=1)
    two = collect_workbook(tmp_path / "2.xlsx", paths, as_of=AS_OF, jobs=2)
    assert one.to_json() == two.to_json()
    cells = _cells(tmp_path / "1.xlsx")
    assert cells == _cells(tmp_path / "2.xlsx")
    assert cells == _cells(write_workbook(one, tmp_path / "after.xlsx"))  # streamed = written from the result
    assert list(cells) == ["汇总", "冲突", "税务核查", "统计核查", "规划国土核查", "名额与排名"]
    assert len(cells["税务核查"]) == 3 + 36 and [r[0] for r in cells["税务核查"][3:]] == list(range(1, 37))
    assert cells["汇总"][4][1].endswith("不存在") and "找不到" in cells["汇总"][4][-1]


def test_verification_lines_are_written_while_later_packets_are_still_being_checked(round_dir):
    events: list[tuple] = []

    class Recorder:
        def begin(self, result):
            events.append(("begin", [v.sheet for v in result.verification]))

        def lines(self, sheet, lines):
            events.append(("lines", sheet, [line[0] for line in lines]))

        def end(self, result):
            events.append(("end", len(result.packets)))

    res = collect([round_dir["A"], round_dir["B"], round_dir["C"]], as_of=AS_OF, sink=Recorder(),
                  progress=lambda stage, done, total: events.append(("checked", done)))
    assert events[0] == ("begin", ["税务核查", "统计核查", "规划国土核查"]) and events[-1] == ("end", 3)
    first_lines = events.index(("lines", 0, list(range(1, 13))))
    assert events.index(("checked", 0)) < first_lines < events.index(("checked", 2))  # A's lines, before C is checked
    assert ("lines", 0, list(range(13, 25))) in events and ("lines", 2, [3]) in events
    sheet = res.verification[0]
    assert sheet.count == len(sheet.rows) == 36 and sheet.rows[12][0] == 13  # lines are derived again, not kept


def test_workbook_layout_frozen_filtered_widths_print_setup_and_links(round_dir, tmp_path):
    from urllib.parse import unquote

    from zonekit.collect.workbook import collect_workbook

    inbox = tmp_path / "收件"
    shutil.copytree(round_dir["A"], inbox / "A")
    with zipfile.ZipFile(inbox / "b.zip", "w") as zf:  # a zipped packet: its files are gone after the run, no link
        _zip_dir(zf, round_dir["B"], "B/")
    out = tmp_path / "汇总" / "汇总.xlsx"
    collect_workbook(out, [inbox / "A", inbox / "b.zip"], as_of=AS_OF)
    wb = load_workbook(out)
    for ws in wb.worksheets:
        head = 3 if ws.title.endswith("核查") else 1
        assert ws.freeze_panes == f"A{head + 1}", ws.title
        assert ws.auto_filter.ref.startswith(f"A{head}:"), ws.title
        assert ws.print_title_rows == f"${head}:${head}", ws.title
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == ("landscape" if head == 3 else "portrait")
        assert ws.cell(head, 1).font.b and ws.cell(head, 1).fill.fgColor.rgb.endswith("DDEBF7")
        assert 6 <= ws.column_dimensions["A"].width <= 61
    tax = wb["税务核查"]
    assert tax["A1"].font.sz == 14 and tax.column_dimensions["D"].width > tax.column_dimensions["A"].width
    conflict = wb["冲突"]
    uscc = next(r for r in conflict.iter_rows(min_row=2) if r[1].value == "同一统一社会信用代码出现在两个材料包中")
    a, b = uscc[6], uscc[9]
    assert a.value == f"{ENTERPRISES} K9（第9行）" and b.value == f"{ENTERPRISES} K7（第7行）"
    assert a.hyperlink is not None and b.hyperlink is None  # B came in a zip
    target = unquote(a.hyperlink.target).replace("\\", "/")  # spaces as %20, as Excel writes them
    assert target.startswith("../收件/A/") and target.endswith(ENTERPRISES.split("/")[-1])
    assert a.hyperlink.location == "'附件2 入驻金融企业信息表'!K9"


def test_values_by_type_text_numbers_shares_dates_yes_no_and_odd_floats(tmp_path):
    from zonekit.collect import CollectResult, Column
    from zonekit.collect.workbook import Percent

    values = {"=": "=1+2", "ctl": "a\x01b", "int": 3, "float": 2.5, "share": Percent(0.25), "yes": True,
              "date": dt.date(2024, 5, 6), "when": dt.datetime(2024, 5, 6, 7, 8, 9), "nan": float("nan"),
              "inf": float("inf"),
              "none": None, "text": "末尾"}
    res = CollectResult([], {}, AS_OF, [Column(k, k) for k in values], [PacketRow(0, "P", values=values)])
    path = write_workbook(res, tmp_path / "types.xlsx")
    with zipfile.ZipFile(path) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    ws = load_workbook(path)["汇总"]
    header = [c.value for c in ws[1]]
    cells = dict(zip(header, ws[2], strict=True))
    got = {k: cells[k].value for k in values}
    assert got == {"=": "=1+2", "ctl": "ab", "int": 3, "float": 2.5, "share": 0.25, "yes": "是",
                   "date": dt.datetime(2024, 5, 6), "when": dt.datetime(2024, 5, 6, 7, 8, 9), "nan": "nan",
                   "inf": "inf",
                   "none": None, "text": "末尾"}
    assert cells["share"].number_format == "0%" and cells["date"].number_format == "yyyy-mm-dd"


def test_nothing_is_printed_per_packet(tmp_path):
    """A PDF with a broken cross-reference table makes pypdf log a line; collect keeps it to itself (--debug shows
    it)."""
    p = tmp_path / "P"
    shutil.copytree(DEMO, p)
    pdf = next(p.glob("04_*/*.pdf"))
    data = pdf.read_bytes()
    pdf.unlink()
    pdf.write_bytes(data[: data.rindex(b"startxref")] + b"startxref\n12345\n%%EOF\n")
    shutil.copytree(p, tmp_path / "Q")
    for jobs in ("1", "2"):
        r = run_cli("collect", str(p), str(tmp_path / "Q"), "-o", str(tmp_path / f"{jobs}.xlsx"), "--jobs", jobs,
                    "--as-of", "2026-11-22")
        assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    r = run_cli("--debug", "collect", str(p), "-o", str(tmp_path / "d.xlsx"), "--as-of", "2026-11-22")
    assert r.returncode == 0 and r.stderr.strip()


def test_help_imports_no_workbook_library():
    import subprocess
    import sys

    code = "import sys, zonekit.cli; assert not [m for m in sys.modules if m.startswith(('xlsxwriter', 'openpyxl'))]"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
