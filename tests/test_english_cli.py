"""`--lang en` on the commands that take it, beyond the check report: `programs`, `programs show`,
`init` (its questions, its summary and what it says it made) and the one-line errors.

What stays Chinese is the notice's own text (definitions, procedure, quotas, contacts), quoted as
the notice writes it, and the names a person finds on the forms and folders."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_answers import interview
from zonekit.answers import parse, questions, read_sheet
from zonekit.scaffold import CHECKLIST
from zonekit.spec.programme import list_programmes, load_programme

CJK = re.compile(r"[\u3400-\u9fff]")
WIDE = {**os.environ, "COLUMNS": "400"}


def test_programmes_list_in_english() -> None:
    out = run_cli("programs", "--lang", "en", env=WIDE).stdout
    assert "Programmes zonekit knows" in out and "see the notice" in out
    assert "已知申报项目" not in out and "见通知" not in out and "创建材料包" not in out
    assert "已知申报项目" in run_cli("programs", env=WIDE).stdout


@pytest.mark.parametrize("programme_id", list_programmes())
def test_programme_detail_frame_in_english(programme_id: str) -> None:
    out = run_cli("programs", "show", programme_id, "--lang", "en", env=WIDE).stdout
    prog = load_programme(programme_id)
    frame = "\n".join(line.strip(" │┃├└─•") for line in out.splitlines())  # the start of each line: zonekit's words
    for word in ("申报条件", "申报材料", "目录", "术语定义", "名额", "截止日期", "背景与说明", "满足任一", "同时满足",
                 "申报信息", "依据：", "申报评审程序"):
        assert not re.search(rf"^{word}", frame, re.M), f"{programme_id}: {word} under --lang en"
    assert not re.search("规范版本|条件必需|是否必需|建议提供|取自", out)
    assert "Materials" in out and "Answers" in out
    for q in questions(prog):
        assert q.text("en") in out and not CJK.search(_unquoted(q.text("en"))), q.key
    for m in prog.materials:
        if m.get("help_en"):
            assert m["help_en"].split()[0] in out
        assert m.get("help", "") == "" or m["help"] not in out, m["id"]


def _unquoted(text: str) -> str:
    """The text without its “…”: the form names that English keeps in Chinese."""
    return re.sub(r"“[^”]*”", "", text)


def test_programme_detail_conditions_by_english_title() -> None:
    out = run_cli("programs", "show", "sz-building", "--lang", "en", env=WIDE).stdout
    assert "Building size: total floor area of at least 25,000 m² in principle  (第七条（一）)  in principle" in out
    assert "any one of" in out and "may be pledged, to be met within 3 years" in out
    assert "needed if financial firms have already moved in" in out  # when_text_en
    zh = run_cli("programs", "show", "sz-building", env=WIDE).stdout
    assert "建筑规模：总建筑面积原则上不低于25000平方米" in zh and "条件必需：已有金融企业入驻" in zh


def test_init_says_what_it_made_in_english(tmp_path: Path) -> None:
    done = run_cli("init", "sz-building", str(tmp_path / "p"), "--no-input", "--lang", "en", env=WIDE)
    assert done.returncode == 0, done.stderr
    assert "Packet created:" in done.stdout and "Next: fill in the forms" in done.stdout
    assert "已创建材料包" not in done.stdout and "下一步" not in done.stdout
    again = run_cli("init", "sz-building", str(tmp_path / "p"), "--no-input", "--lang", "en", "--force", env=WIDE)
    assert "(already there, not changed)" in again.stdout


@pytest.mark.parametrize(("args", "en", "zh"), [
    (("check", "/nonexistent-zonekit-folder"), "not a folder: /nonexistent-zonekit-folder", "不是文件夹"),
    (("programs", "show", "sz-buildin"), "unknown programme “sz-buildin”", "未知的申报项目"),
    (("init", "sz-building", "{tmp}/x", "--no-input", "--data", "claims.scale_path=9"),
     "claims.scale_path (Industry scale condition applied under (any one is enough)) = “9”: must be one of: 1. ",
     "应为以下之一"),
    (("init", "sz-building", "{tmp}/y", "--no-input", "--unit", "嘉兴市政府"), "are not filled in per reporting unit",
     "不按报送单位填写"),
])
def test_errors_in_the_language_asked(args: tuple[str, ...], en: str, zh: str, tmp_path: Path) -> None:
    args = tuple(a.format(tmp=tmp_path) for a in args)
    done = run_cli(*args, "--lang", "en")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert en in done.stderr and zh not in done.stderr, done.stderr
    assert zh in run_cli(*args).stderr
    assert en in run_cli(*args, "--lang=en").stderr


def test_answers_problems_in_english() -> None:
    q = {x.key: x for x in questions(load_programme("sz-building"))}
    assert parse(q["claims.hq_land_path"], "maybe", "en")[1] == "answer yes or no"
    assert parse(q["claims.hq_land_path"], "yes", "en") == (True, None)
    assert parse(q["packet.deadline"], "soon", "en")[1].startswith("not a date")
    value, problem = parse(q["claims.scale_path"], q["claims.scale_path"].choices("en")[1], "en")
    assert (value, problem) == ("licensed", None)  # an English label is understood too
    assert parse(q["claims.scale_path"], "x")[1].startswith("应为以下之一")


def test_interactive_init_in_english(tmp_path: Path) -> None:
    target = tmp_path / "p"
    steps = [
        ("District", "3"),
        ("Industry scale condition applied under", "9"),  # no such number: asked again, in English
        ("must be one of", "2"),
        ("met by commitment", ""),
        ("financial headquarters land project", "no"),
        ("not in a municipal key financial industry base", "yes"),
        ("No major safety accident", "n"),
        ("dedicated operator", "y"),
        ("deadline the notice sets", "2027-03-31"),
    ]
    interview(target, steps, "Packet created", "--lang", "en")
    got = read_sheet(target / CHECKLIST, load_programme("sz-building"))
    assert got.values["claims"]["scale_path"] == "licensed" and got.values["claims"]["hq_land_path"] is False
    assert got.values["attestations"] == {"not_in_base": True, "no_incident": False, "operator_rules": True}
    assert got.values["packet"]["deadline"] == "2027-03-31"


def test_english_init_writes_the_same_chinese_workbook(tmp_path: Path) -> None:
    """The answers sheet and forms are the notice's, in Chinese, whatever language the terminal spoke."""
    for lang in ("zh", "en"):
        assert run_cli("init", "sz-building", str(tmp_path / lang), "--no-input", "--lang", lang).returncode == 0
    prog = load_programme("sz-building")
    assert read_sheet(tmp_path / "en" / CHECKLIST, prog).values == read_sheet(tmp_path / "zh" / CHECKLIST, prog).values


def test_indicator_targets_in_english() -> None:
    """qiantang's 42 targets: the measure, operator and unit in English; the indicator's name is the notice's."""
    out = run_cli("programs", "show", "qiantang", "--lang", "en", env=WIDE).stdout
    assert "1.5 港湾自贸区跨境人民币结算额（2021-2025年累计）: cumulative > CNY 4 trillion  (" in out
    assert ": a rise each year ≥ 1 percentage point  (" in out and ": ≥ 10,000 firms, baseline 2020: 5,000 firms" in out
    targets = [line.split(": ", 1)[1].split("  (")[0] for line in out.splitlines()
               if re.match(r"  • (\d|附5|二（三）)", line)]
    assert len(targets) >= 42 and not [t for t in targets if CJK.search(t)], targets
    zh = run_cli("programs", "show", "qiantang", env=WIDE).stdout
    assert "1.5 港湾自贸区跨境人民币结算额（2021-2025年累计）：累计>40,000亿元" in zh


def test_answer_findings_name_the_question_in_english(tmp_path: Path) -> None:
    """packet_field in English names the question as the sheet asks it (was its dotted key), and a chosen path
    that does not hold says which hold, by their English titles."""
    from tests.test_answers import DEMO_ANSWERS, _packet_from_demo

    packet = _packet_from_demo(tmp_path, "p", {**DEMO_ANSWERS, "claims.scale_path": "office_share"})
    done = run_cli("check", str(packet), "--lang", "en", "--format", "json", "--as-of", "2026-11-22")
    said = [f["message"] for f in json.loads(done.stdout)["findings"] if f["code"] == "packet_field"]
    assert said == ["the path chosen on the sheet 申报信息, “Office space used by financial firms of at least 60% of "
                    "the building's total office space”, is not met (Share of office space used by financial firms "
                    "53.08% < 60%, 6.92% short); met: Local fiscal revenue generated last year by the financial firms "
                    "in the building of at least CNY 250 million; At least 3 licensed financial institutions in the "
                    "building"], said
    broken = run_cli("check", "samples/miit-pilot-broken", "--lang", "en", "--format", "json", "--as-of", "2026-11-22",
                     cwd=Path(__file__).parent.parent)
    level = next(f["message"] for f in json.loads(broken.stdout)["findings"]
                 if f["code"] == "packet_field")
    assert level.startswith("“Administrative level” on the sheet 申报信息 must be one of 直辖市, 副省级市"), level


def test_quotas_and_deadlines_in_english() -> None:
    out = run_cli("programs", "show", "miit-pilot", "--lang", "en", env=WIDE).stdout
    assert "Each province, autonomous region or municipality recommends at most 2 pilot cities (districts)" in out
    assert "2020-08-31 Applications through the “产融合作试点城市申报系统” (pilot city application system) close" in out
    done = run_cli("check", "samples/miit-pilot-demo", "--lang", "en", "--format", "json", "--as-of", "2020-08-20",
                   cwd=Path(__file__).parent.parent)
    said = [f["message"] for f in json.loads(done.stdout)["findings"] if f["code"] == "deadline"]
    assert said == ["11 days left — Applications through the “产融合作试点城市申报系统” (pilot city application "
                    "system) close, 2020-08-31"], said


# ------------------------------------------------------------------ bundle, verify, collect
def _frame(out: str) -> str:
    """What zonekit itself says: the output without “…” quotes, paths and the table rows' part titles."""
    kept = [line for line in _unquoted(out).splitlines() if not line.lstrip().startswith(("│", "┃"))]
    return re.sub(r"\S*/\S*", "", "\n".join(kept))


def test_bundle_and_verify_in_english(tmp_path: Path) -> None:
    import shutil

    from tests.conftest import SAMPLES

    packet, out = tmp_path / "demo", tmp_path / "out"
    shutil.copytree(SAMPLES / "sz-building-demo", packet)
    done = run_cli("bundle", str(packet), "-o", str(out), "--date", "2026-11-22", "--lang", "en", env=WIDE)
    assert done.returncode == 0, done.stderr
    assert "pages. PDF:" in done.stdout and "font:" in done.stdout and "set by zonekit" in done.stdout
    assert not CJK.search(_frame(done.stdout)), _frame(done.stdout)
    same = run_cli("verify", str(out), "--lang", "en")
    assert same.returncode == 0 and same.stdout.startswith("unchanged: 12 files are as they were"), same.stdout
    (packet / "02_入驻金融企业信息表" / "附件2 入驻金融企业信息表.xlsx").write_bytes(b"edited")
    changed = run_cli("verify", str(out), "--lang", "en", env=WIDE)
    assert changed.returncode == 1 and "changed" in changed.stdout and "check and bundle again" in changed.stdout
    assert not CJK.search(_frame(changed.stdout)), changed.stdout
    assert "已改动" in run_cli("verify", str(out), env=WIDE).stdout  # Chinese unless asked


def test_a_refused_bundle_says_why_in_english(tmp_path: Path) -> None:
    from tests.conftest import SAMPLES

    done = run_cli("bundle", str(SAMPLES / "sz-building-broken"), "-o", str(tmp_path / "o"), "--lang", "en")
    head, *items = done.stderr.strip().splitlines()
    assert done.returncode == 1 and "no bundle was made" in head and not CJK.search(head), done.stderr
    assert items[-1].strip().endswith("errors in all") and not CJK.search(items[-1])
    assert not any(w in done.stderr for w in ("个错误", "未生成申报材料", "未填写", "应为以下之一")), done.stderr
    assert not (tmp_path / "o").exists()


def test_collect_summary_in_english(tmp_path: Path) -> None:
    from tests.conftest import SAMPLES

    paths = [str(SAMPLES / s) for s in ("sz-building-demo", "sz-building-broken", "g60-park-demo")]
    done = run_cli("collect", *paths, "-o", str(tmp_path / "c.xlsx"), "--as-of", "2026-11-22", "--lang", "en",
                   env=WIDE)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for said in ("packets collected", "packets with errors", "cross-packet conflicts", "verification sheets:",
                 "packets that could not be read", "appears in two packets", "this round collects the packets of",
                 "Shenzhen key financial building recognition  packets collected"):
        assert said in out, said
    assert not CJK.search(_frame(out)), _frame(out)
    zh = run_cli("collect", *paths, "-o", str(tmp_path / "z.xlsx"), "--as-of", "2026-11-22", env=WIDE).stdout
    assert "材料包汇总" in zh and "跨材料包冲突" in zh and "出现在两个材料包中" in zh


def test_collect_quota_in_english(tmp_path: Path) -> None:
    from tests.test_collect import _set_applicant
    from zonekit.scaffold import init_packet

    prog = load_programme("sz-district")
    paths = []
    for folder in ("推荐1", "推荐2"):
        init_packet(prog, tmp_path / folder)
        _set_applicant(tmp_path / folder, name=f"深圳市福田区人民政府{folder}", district="福田区")
        paths.append(str(tmp_path / folder))
    done = run_cli("collect", *paths, "-o", str(tmp_path / "c.xlsx"), "--as-of", "2026-11-22", "--lang", "en",
                   env=WIDE)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("quota"))
    assert "has 2 packets (at most 1)" in line and line.endswith("(第九条)") and "Each district may" in line, line


def test_every_stage_a_bundle_ticks_has_english(tmp_path: Path) -> None:
    """The progress bar under --lang en (and a server job's stage_en) names what it is doing in English."""
    from tests.conftest import SAMPLES
    from zonekit.bundle.build import build_bundle, bundle_date
    from zonekit.spec.wording import STAGES_EN

    stages: set[str] = set()
    build_bundle(SAMPLES / "sz-building-demo", tmp_path / "o", date=bundle_date("2026-11-22"),
                 progress=lambda stage, done, total: stages.add(stage))
    assert {"检查材料包", "生成 PDF", "生成 Word"} <= stages and stages <= set(STAGES_EN), stages - set(STAGES_EN)


@pytest.mark.parametrize(("lang", "head"), [("en", "warning "), ("zh", "警告 ")])
def test_a_draft_bundle_names_each_unusable_file_once(tmp_path: Path, lang: str, head: str) -> None:
    from tests.conftest import SAMPLES

    done = run_cli("bundle", str(SAMPLES / "sz-building-broken"), "-o", str(tmp_path / "o"), "--draft",
                   "--date", "2026-11-22", "--lang", lang, env=WIDE)
    assert done.returncode == 0, done.stderr
    lines = [x for x in done.stdout.splitlines() if x.startswith(head)]
    encrypted = next(x for x in lines if "租赁合同01_华南商业银行.pdf" in x)
    assert encrypted.count("租赁合同01_华南商业银行.pdf") == 1, encrypted
    assert ("export a PDF without a password" if lang == "en" else "请导出无密码的 PDF") in encrypted
