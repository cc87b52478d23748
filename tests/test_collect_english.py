"""`zonekit collect`'s English twins (`label_en`, `hint_en`, `status_en`, `range_en`, `error_en` …) on real packets:
English beside the Chinese, the Chinese unchanged, and `to_json("en")` carrying the `_en` keys."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from zonekit.collect import collect, quotas_and_ranking
from zonekit.collect.packets import PacketRow
from zonekit.scaffold import init_packet
from zonekit.spec.programme import Programme, load_programme

from .conftest import AS_OF
from .test_collect import (
    DEMO,
    ENTERPRISES,
    _enterprise_rows,
    _g60_park,
    _set_applicant,
    make_packet,
    qianhai_base,
)

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def english(text: str | None) -> bool:
    """No Chinese outside “…” (where the spec's Chinese names stay)."""
    return text is not None and not _CJK.search(re.sub(r"“[^”]*”", "", text))


def _en_keys(d: dict) -> set[str]:
    return {k for k in d if k.endswith("_en")}


def _without_en(d: object) -> object:
    """The JSON as to_json() gives it: the `_en` keys taken out again."""
    if isinstance(d, dict):
        return {k: _without_en(v) for k, v in d.items() if not k.endswith("_en")}
    if isinstance(d, list):
        return [_without_en(v) for v in d]
    return d


@pytest.fixture(scope="module")
def sz_round(tmp_path_factory: pytest.TempPathFactory):
    """A: the demo. B: A's row-9 credit code in its row 7, A's phone. C: a building with A's name."""
    tmp = tmp_path_factory.mktemp("sz")
    a = tmp / "A"
    shutil.copytree(DEMO, a)
    b = make_packet(tmp, "B", building="南山金融大厦", applicant="深圳市南山置业有限公司", district="南山区",
                    phone="0755-83451234", email="ops@nanshan.example.cn", prefix="南山", seed="MB7N",
                    planted={7: {11: _enterprise_rows(DEMO)[4][9]}})
    c = make_packet(tmp, "C", building="福华金融中心", applicant="深圳市另一运营管理有限公司", district="福田区",
                    phone="13800138000", email="ops@other.example.cn", prefix="另一", seed="MC8P")
    return collect([a, b, c], as_of=AS_OF)


def test_conflicts_have_english_label_and_hint_beside_the_chinese(sz_round):
    by_kind = {c.kind: c for c in sz_round.conflicts}
    assert set(by_kind) == {"enterprises.uscc", "application.name", "contact.phone"}
    uscc, place, phone = by_kind["enterprises.uscc"], by_kind["application.name"], by_kind["contact.phone"]
    assert uscc.label == "同一统一社会信用代码出现在两个材料包中"
    assert uscc.note == "一家企业只能计入其实际使用办公场所所在的一处；请核实该企业实际入驻哪一处"
    assert uscc.label_en == "the same “统一社会信用代码” appears in two packets"
    assert place.label == "同一基地（楼宇）名称出现在两个材料包中"
    assert place.label_en == "the same “基地（楼宇）名称” appears in two packets"
    assert "“基地（楼宇）名称”" in place.hint_en
    assert phone.label == "不同申报单位填写了相同的联系电话" and phone.severity == "info"
    assert phone.label_en == "different applicants gave the same phone number"
    for c in sz_round.conflicts:
        assert english(c.label_en) and english(c.hint_en) and c.hint_en, (c.label_en, c.hint_en)
        assert c.source_en == c.source  # the Shenzhen sources cite articles only: no source_en in the spec
    assert uscc.a.text() == f"{ENTERPRISES} K9（第9行）" and uscc.a.text("en") == f"{ENTERPRISES} K9 (row 9)"


def test_building_inside_a_base_is_said_in_english(tmp_path):
    building = make_packet(tmp_path, "B", building="南山金融大厦", applicant="深圳市南山置业有限公司",
                           district="南山区", phone="0755-83451234", email="ops@nanshan.example.cn", prefix="南山",
                           seed="MB7N")
    base = qianhai_base(tmp_path / "base")
    res = collect([building, base], as_of=AS_OF)
    (c,) = [x for x in res.conflicts if x.kind == "inside.application.name"]
    assert c.label == "申报的基地（楼宇）名称出现在另一材料包的“楼宇名称”中"
    assert c.label_en == "the “基地（楼宇）名称” of an application appears in another packet's “楼宇名称”"
    assert c.note.startswith("另一材料包把它列为“楼宇名称”") and english(c.hint_en) and "“楼宇名称”" in c.hint_en


def test_over_quota_group_in_english(tmp_path):
    prog = load_programme("sz-district")
    paths = []
    for folder, district in (("r1", "福田区"), ("r2", "福田区"), ("r3", "南山区")):
        init_packet(prog, tmp_path / folder)
        _set_applicant(tmp_path / folder, name=f"深圳市{district}人民政府{folder}", district=district)
        paths.append(tmp_path / folder)
    res = collect(paths, as_of=AS_OF)
    rows = {q.value: q for q in res.quotas}
    over, ok = rows["福田区"], rows["南山区"]
    assert (over.status, over.label, over.scope_label, over.source) == ("超出名额", "各区可推荐1个市级重点金融楼宇",
                                                                         "所在区", "第九条")
    assert (over.status_en, ok.status_en) == ("over the quota", "within the quota")
    assert over.label_en == prog.section("quotas")[0]["label_en"] == "Each district may recommend 1 municipal key " \
                                                                     "financial building"
    assert over.scope_label_en == "所在区" and over.value_en == "福田区"  # the spec's name, the packets' value
    assert over.source_en == "第九条" and over.note_en == ""
    data = res.to_json("en")
    q = next(d for d in data["quotas"] if d["value"] == "福田区")
    assert (q["status"], q["status_en"], q["label_en"]) == ("超出名额", "over the quota", over.label_en)


@pytest.fixture(scope="module")
def g60(tmp_path_factory: pytest.TempPathFactory):
    """Two parks from 嘉兴 (91.5, 85) and one from 湖州 (75); a fourth whose 评估指标 cannot be read."""
    tmp = tmp_path_factory.mktemp("g60")
    paths = [_g60_park(tmp, "A", city="嘉兴", park="禾城科创产融园", operator="嘉兴禾城科创园区运营管理有限公司",
                       lower_by=0),
             _g60_park(tmp, "B", city="嘉兴", park="南湖基金小镇", operator="嘉兴南湖基金小镇管理有限公司",
                       lower_by=6.5),
             _g60_park(tmp, "C", city="湖州", park="湖州绿色金融产业园", operator="湖州绿金园区运营有限公司",
                       lower_by=16.5),
             _g60_park(tmp, "D", city="湖州", park="湖州某园区", operator="湖州某园区运营有限公司", lower_by=0)]
    (paths[3] / "01_评估指标/附件1 评估指标.xlsx").write_bytes(b"this is not an xlsx file at all" * 10)
    return paths, collect(paths, as_of=dt.date(2023, 6, 20))


def test_target_quota_in_english(g60):
    _, res = g60
    t = next(q for q in res.quotas if q.kind == "target")
    assert (t.status, t.scope_label, t.value) == ("比目标少9个", "全部材料包", "（全部）")
    assert (t.status_en, t.scope_label_en, t.value_en) == ("9 fewer than the target", "all packets", "(all)")
    spec = next(q for q in load_programme("g60-park").section("quotas") if q.get("kind") == "target")
    assert t.label_en == spec["label_en"] and english(t.label_en)
    assert t.note == spec["note"] and t.note_en == spec["note"]  # the quota schema has no note_en: the Chinese stands


def test_quota_statuses_in_english():
    """Every status _status makes, in both languages (limits, info, target above, on and below)."""
    quotas = [{"scope": "*", "label": "x", "source": "s", "min": 2, "max": 3},
              {"scope": "*", "label": "x", "source": "s", "max": 0},
              {"scope": "*", "label": "x", "source": "s", "kind": "info"}]
    quotas += [{"scope": "*", "label": "x", "source": "s", "kind": "target", "target": n} for n in (1, 2, 3)]
    prog = Programme({"id": "demo", "applicant": [{"key": "name", "label": "申报单位名称"}], "quotas": quotas},
                     Path("x"), "0")
    rows = [PacketRow(i, f"p{i}", "demo", {"name": f"单位{i}"}) for i in range(2)]
    got = [(q.status, q.status_en) for q in quotas_and_ranking(rows, [prog], [])[0]]
    assert got == [("符合", "within the quota"), ("超出名额", "over the quota"), ("提示", "note"),
                   ("比目标多1个", "1 more than the target"), ("与目标一致", "on target"),
                   ("比目标少1个", "1 fewer than the target")]
    quotas[0]["min"] = 3
    assert quotas_and_ranking(rows, [prog], [])[0][0].status_en == "under the minimum"


def test_bands_and_ranking_in_english(g60):
    paths, res = g60
    spec = next(n for n in load_programme("g60-park").section("conditions") if n.get("bands"))
    items = spec["bands"]["items"]
    assert [(b.range, b.range_en) for b in res.bands] == [
        ("≥90分", "≥ 90 points"), ("≥80分且<90分", "≥ 80 points and < 90 points"), ("<80分", "< 80 points"),
        ("无法判断", "cannot tell")]
    assert [b.label for b in res.bands[:3]] == [b["label"] for b in items]
    assert [b.label_en for b in res.bands[:3]] == [b["label_en"] for b in items]
    unknown = res.bands[3]
    assert (unknown.label, unknown.packets) == ("无法归档（自评得分合计未填写或无法读取）", [str(paths[3])])
    assert unknown.label_en == "cannot be placed in a band (“自评得分合计” not filled in or unreadable)"
    assert all(english(b.label_en) and english(b.range_en) for b in res.bands)
    assert all(b.source_en == spec["source_en"] for b in res.bands)
    quota = load_programme("g60-park").section("quotas")[0]
    assert {r.quota_en for r in res.ranking} == {quota["label_en"]}
    assert [r.band_en for r in res.ranking] == [items[0]["label_en"], items[1]["label_en"], items[2]["label_en"], None]
    assert [p.eligibility_en for p in res.packets] == [
        "eligible", "eligible", "eligible (the self-assessed score is below the listed bands: the experts decide)",
        "cannot tell"]
    assert res.packets[2].eligibility == "符合（自评分低于列入档次，以专家评估为准）"
    assert res.packets[3].path.startswith("缺少数据：") and res.packets[3].path_en.startswith("data missing: ")
    assert all(english(p.eligibility_en) for p in res.packets)


def test_unreadable_packets_say_why_in_english(tmp_path, monkeypatch):
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"PK-not-really")
    empty_zip = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty_zip, "w") as zf:
        zf.writestr("notes.txt", "nothing here")
    folder = tmp_path / "not-a-packet"
    folder.mkdir()
    (folder / "readme.txt").write_text("x", "utf-8")
    res = collect([fake, empty_zip, folder, tmp_path / "missing", fake], as_of=AS_OF)
    bad, no_packet, no_toml, missing, twice = res.packets
    assert "不是有效的 zip" in bad.error and bad.error_en.startswith("zip file refused: not a valid zip file (")
    assert "没有找到材料包" in no_packet.error
    assert no_packet.error_en == "no packet found in the zip file (no packet.toml)"
    assert "packet.toml" in no_toml.error and "packet.toml" in no_toml.error_en and no_toml.error_en != no_toml.error
    gone = tmp_path / "missing"
    assert missing.error == f"找不到 {gone}" and missing.error_en == f"cannot find {gone}"
    assert "已跳过" in twice.error and twice.error_en == f"the same zip file as “{fake}”: skipped"
    assert all(english(p.error_en) for p in res.packets)

    def boom(root: Path) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("zonekit.collect.packets.read_packet", boom)
    (row,) = collect([DEMO], as_of=AS_OF).packets  # read by _assign, then by the worker: examine's own sentence
    assert row.error == "zonekit 内部错误 RuntimeError: boom（请反馈）"
    assert row.error_en == "zonekit internal error RuntimeError: boom (please report it)"


def test_json_carries_the_english_keys_beside_the_chinese(sz_round, g60, tmp_path):
    for res in (sz_round, g60[1]):
        zh, en = res.to_json(), res.to_json("en")
        json.dumps(en, default=str)
        assert _without_en(en) == zh  # nothing Chinese renamed, removed or changed
        assert not any(_en_keys(d) for d in zh["packets"] + zh["conflicts"] + zh["quotas"] + zh["bands"])
    data = sz_round.to_json("en")
    assert data["title_en"] == load_programme("sz-building").title("en")
    assert _en_keys(data["conflicts"][0]) == {"label_en", "hint_en", "source_en"}
    assert _en_keys(data["packets"][0]) == {"eligibility_en", "path_en", "error_en"}
    assert _en_keys(data["verification"][0]) == {"source_en"}
    data = g60[1].to_json("en")
    assert _en_keys(data["quotas"][0]) == {"label_en", "source_en", "scope_label_en", "value_en", "status_en",
                                           "note_en"}
    assert _en_keys(data["ranking"][0]) == {"quota_en", "scope_value_en", "band_en"}
    assert _en_keys(data["bands"][0]) == {"label_en", "range_en", "source_en"}
    assert data["bands"][3]["range_en"] == "cannot tell"


def test_progress_stages_have_english_names():
    from zonekit import collect as collect_mod
    from zonekit.collect import workbook
    from zonekit.spec.wording import STAGES_EN, stage_text

    assert {collect_mod.STAGE, workbook.STAGE} <= set(STAGES_EN)
    assert all(english(v) for v in STAGES_EN.values())
    assert stage_text(workbook.STAGE, "en") == "writing the workbook" and stage_text(workbook.STAGE) == workbook.STAGE
