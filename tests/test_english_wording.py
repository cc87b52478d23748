"""`zonekit check --lang en` is English throughout: condition titles (`title_en`), fact names (`label_en`),
units and band labels; `--lang zh` keeps the spec's Chinese titles.

What may stay Chinese in the English tree: a condition's citation "(第七条（一）)", the sheet name 申报信息,
values the spec enumerates for an `in` test (the nine G60 cities, 地级市) and the value typed that such a test
reads, and the dotted paths of facts.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AS_OF, ROOT, SAMPLES, run_cli
from zonekit.check.rules import MISSING, Facts, evaluate
from zonekit.check.sentences import detail_text
from zonekit.spec.programme import list_programmes, load_programme

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
TEMPLATES = sorted(p for p in (ROOT / "templates").rglob("*.toml"))
SAMPLE_DIRS = sorted(p for p in SAMPLES.iterdir() if (p / "packet.toml").is_file())
# a dotted fact path: application.total_building_area, partners.count_eq.kind.证券
FACT_PATH = re.compile(r"\b[a-z_][a-z0-9_]*(?:\.[^\s()]+)+")


def _walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n in nodes:
        out.append(n)
        out.extend(_walk(n.get("any_of", []) + n.get("all_of", [])))
    return out


def _conditions(programme_id: str) -> list[dict[str, Any]]:
    return _walk(load_programme(programme_id).section("conditions"))


def _programme_of(sample: Path) -> str:
    return str(tomllib.loads((sample / "packet.toml").read_text("utf-8"))["packet"]["programme"])


def _check(sample: Path, lang: str, fmt: str = "text") -> str:
    env = {**os.environ, "COLUMNS": "1000"}  # one line per condition: a title is never wrapped
    done = run_cli("check", str(sample), "--lang", lang, "--as-of", AS_OF.isoformat(), "--format", fmt, env=env)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def _tree(out: str) -> str:
    """The eligibility tree and the verdict of a text report."""
    lines = out.splitlines()
    start = lines.index("Eligibility") if "Eligibility" in lines else lines.index("申报条件")
    end = next(i for i in range(start, len(lines)) if re.match(r"^\d+ (errors|个错误)|^\d+ ", lines[i]))
    return "\n".join(lines[start + 1:end])


def _allowed_chinese(programme_id: str) -> list[str]:
    """Citations, spec enumerations and the sheet name: Chinese that English shows as it is."""
    conds = _conditions(programme_id)
    allowed = [f"({c.get('source_en') or c['source']})" for c in conds] + ["(in the sheet 申报信息)"]
    for c in conds:
        right = (c.get("test") or {}).get("right")
        if isinstance(right, list):
            allowed += [str(v) for v in right]
    return sorted(allowed, key=len, reverse=True)


def _english_residue(text: str, programme_id: str) -> list[str]:
    for allowed in _allowed_chinese(programme_id):
        text = text.replace(allowed, "")
    text = re.sub(r"\S+ (?=(?:not )?in [, ]*(?:\(|$))", "", text, flags=re.M)  # the value typed, tested by `in`
    text = FACT_PATH.sub("", text)
    return [line for line in text.splitlines() if CJK.search(line)]


# ------------------------------------------------------------------ the specs
@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_every_condition_has_an_english_title(path: Path) -> None:
    conds = _walk(tomllib.loads(path.read_text("utf-8")).get("conditions", []))
    for c in conds:
        assert c.get("title_en", "").strip(), f"{path.name}: condition {c['id']} has no title_en"
        assert not CJK.search(c["title_en"]), f"{c['id']}: title_en is not English: {c['title_en']}"
        assert c["title_en"] != c["id"]


def test_all_programmes_have_conditions_checked() -> None:
    with_conditions = [p for p in list_programmes() if _conditions(p)]
    assert {"sz-building", "sz-base", "sz-district", "zone3553", "g60-park", "miit-pilot"} <= set(with_conditions)


@pytest.mark.parametrize("programme_id", list_programmes())
def test_every_fact_a_condition_reads_has_an_english_name(programme_id: str) -> None:
    prog = load_programme(programme_id)
    names = prog.labels_en()
    forms = {f["id"] for f in prog.forms}
    for c in _conditions(programme_id):
        test, bands = c.get("test") or {}, c.get("bands") or {}
        for ref in (test.get("left"), test.get("right"), bands.get("fact")):
            if not isinstance(ref, str) or ref.split(".")[0] not in ("facts", "packet", *forms):
                continue
            assert ref in names, f"{programme_id}: {c['id']} reads {ref}, which has no label_en"
            assert not CJK.search(names[ref]), names[ref]
        for item in bands.get("items", []):
            assert item.get("label_en") and not CJK.search(item["label_en"]), item


@pytest.mark.parametrize("programme_id", [p for p in list_programmes() if _conditions(p)])
def test_english_sentences_name_facts_by_label_en(programme_id: str) -> None:
    """With no forms read, every test and band says its fact cannot be read: by its English name."""
    prog = load_programme(programme_id)
    facts = Facts(packet={}, derived=prog.section("facts"), labels_en=prog.labels_en())
    for c in _conditions(programme_id):
        ref = (c.get("test") or {}).get("left") or (c.get("bands") or {}).get("fact")
        if not ref or facts.get(ref) is not MISSING or ref.split(".")[0] in ("claims", "attest"):
            continue
        c = {k: v for k, v in c.items() if k != "when"}
        result = evaluate(c, facts)
        zh, en = detail_text(result, "zh"), detail_text(result, "en")
        assert en == f"{prog.labels_en()[ref]} is empty or cannot be read", (c["id"], en)
        assert CJK.search(zh) and not CJK.search(en)


# ------------------------------------------------------------------ the CLI on every sample
@pytest.mark.parametrize("sample", SAMPLE_DIRS, ids=lambda p: p.name)
def test_english_tree_shows_titles_units_in_english(sample: Path) -> None:
    programme_id = _programme_of(sample)
    conds = _conditions(programme_id)
    out = _check(sample, "en")
    assert out.startswith(load_programme(programme_id).title("en")), out.splitlines()[0]
    if not conds:
        assert "Eligibility" not in out
        return
    tree = _tree(out)
    for c in conds:
        assert c["title_en"] in tree, f"{sample.name}: {c['id']} is not shown by its title_en"
    bare = [c["id"] for c in conds if re.search(rf"(met|n/a|missing|\)) {re.escape(c['id'])}( —|$| \()", tree, re.M)]
    assert not bare, f"conditions shown by id: {bare}"
    residue = _english_residue(tree, programme_id)
    assert not residue, f"{sample.name}: Chinese in the English tree:\n" + "\n".join(residue)
    for unit in ("亿元", "万元", "平方米", "家", "个", "分", "年"):
        assert not re.search(rf"\d{unit}", tree), unit


@pytest.mark.parametrize("sample", SAMPLE_DIRS, ids=lambda p: p.name)
def test_english_json_verdict(sample: Path) -> None:
    programme_id = _programme_of(sample)
    report = json.loads(_check(sample, "en", "json"))
    verdict = report["eligibility"]["verdict"]
    assert not _english_residue(verdict, programme_id), verdict
    titles = {c["id"]: c["title_en"] for c in _conditions(programme_id)}
    for c in report["eligibility"]["conditions"]:
        if c["status"] == "unmet":
            assert titles[c["id"]] in verdict
    for c in _walk_json(report["eligibility"]["conditions"]):  # what the web page shows: English too
        assert c["title"] == titles[c["id"]], c
        assert not _english_residue(c["detail"], programme_id), c["detail"]


@pytest.mark.parametrize("sample", SAMPLE_DIRS, ids=lambda p: p.name)
def test_chinese_tree_keeps_the_chinese_titles(sample: Path) -> None:
    conds = _conditions(_programme_of(sample))
    out = _check(sample, "zh")
    report = json.loads(_check(sample, "zh", "json"))
    shown = [c["title"] for c in _walk_json(report["eligibility"]["conditions"])]
    assert shown == [c["title"] for c in conds]
    for c in conds:
        assert c["title"] in out
        assert c["title_en"] not in out


def _walk_json(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n in nodes:
        out.append(n)
        out.extend(_walk_json(n["children"]))
    return out


def test_english_tree_names_facts_by_label_en() -> None:
    sample = SAMPLES / "sz-building-demo"
    tree = _tree(_check(sample, "en"))
    assert "Total floor area 68,000 m² ≥ 25,000 m²" in tree
    assert "application.total_building_area" not in tree


def test_every_consistency_rule_has_an_english_label() -> None:
    for programme_id in list_programmes():
        for rule in load_programme(programme_id).section("consistency"):
            assert rule.get("label_en") and not CJK.search(rule["label_en"]), (programme_id, rule["id"])


def test_english_consistency_findings_say_which_figures_disagree() -> None:
    report = json.loads(_check(SAMPLES / "sz-building-broken", "en", "json"))
    said = {f["rule"]: f["message"] for f in report["findings"] if f["code"] == "consistency"}
    assert said["office_le_building"] == ("do not agree — Total office space ≤ total floor area: "
                                          "Total office space is 24,000, Total floor area is 20,000")
    assert all(not m.startswith(rule) for rule, m in said.items())  # the rule's id is not what a person reads


# ------------------------------------------------------------------ the advice a spec writes: hint/help in English
QUOTED = re.compile(r"“[^”]*”")
TWINS = (("hint", "hint_en"), ("help", "help_en"), ("message", "message_en"), ("when_text", "when_text_en"))


def _entries(node: Any) -> list[dict[str, Any]]:
    """Every table in a parsed spec, nested ones and inline ones (required_when) too."""
    if isinstance(node, dict):
        return [node] + [e for v in node.values() for e in _entries(v)]
    if isinstance(node, list):
        return [e for v in node for e in _entries(v)]
    return []


def _bare_chinese(text: str) -> bool:
    """Chinese outside “…”: what English may keep is the names a person finds on the forms, quoted."""
    return bool(CJK.search(QUOTED.sub("", text)))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_every_hint_and_help_has_an_english_twin(path: Path) -> None:
    spec = tomllib.loads(path.read_text("utf-8"))
    for entry in _entries(spec):
        for zh, en in TWINS:
            if isinstance(entry.get(zh), str):
                name = entry.get("key") or entry.get("id")
                assert entry.get(en, "").strip(), f"{path.name}: {name} has {zh}, no {en}"
                assert not _bare_chinese(entry[en]), f"{path.name}: {en} is not English: {entry[en]}"
    for claim in spec.get("claims", []):
        assert claim.get("label_en") and not _bare_chinese(claim["label_en"]), claim["key"]
        assert len(claim.get("value_labels_en", [])) == len(claim.get("value_labels", [])), claim["key"]
    for a in spec.get("applicant", []):
        assert a.get("label_en") and not _bare_chinese(a["label_en"]), a["key"]
    for x in spec.get("quotas", []) + spec.get("deadlines", []):
        assert x.get("label_en") and not _bare_chinese(x["label_en"]), x["label"]
    noted = [(n, "text") for n in spec.get("notes", [])] + [(spec.get("document", {}), "note")]
    for entry, key in noted + [(f, "note") for f in spec.get("forms", [])]:
        if entry.get(key):
            assert entry.get(f"{key}_en") and not _bare_chinese(entry[f"{key}_en"]), entry[key]


def _spec_advice() -> dict[str, str]:
    """Every Chinese hint/help/message the specs write, with its English."""
    out = {}
    for path in TEMPLATES:
        for entry in _entries(tomllib.loads(path.read_text("utf-8"))):
            for zh, en in TWINS[:3]:
                if isinstance(entry.get(zh), str):
                    out[entry[zh]] = entry[en]
    return out


@pytest.mark.parametrize("sample", SAMPLE_DIRS, ids=lambda p: p.name)
def test_english_findings_give_the_specs_advice_in_english(sample: Path) -> None:
    advice = _spec_advice()
    findings = json.loads(_check(sample, "en", "json"))["findings"]
    for f in findings:
        assert f["hint"] not in advice, f"{f['code']}: Chinese advice in English: {f['hint']}"
        if f["hint_zh"] in advice:
            assert f["hint"] == advice[f["hint_zh"]] == f["hint_en"]
        if f["code"].startswith("material_") and f["hint"]:
            assert not _bare_chinese(f["hint"]), f["hint"]
    zh = {f["hint"] for f in json.loads(_check(sample, "zh", "json"))["findings"]}
    assert not zh & set(advice.values()), "English advice in the Chinese report"


def test_broken_samples_use_the_specs_advice() -> None:
    """The test above is not empty: the broken samples show spec advice of every kind."""
    advice = _spec_advice()
    shown = {f["code"] for s in SAMPLE_DIRS if s.name.endswith("broken")
             for f in json.loads(_check(s, "en", "json"))["findings"] if f["hint_zh"] in advice}
    assert {"condition_in_principle", "consistency", "material_empty", "value_range", "field_missing"} <= shown


def test_a_needed_when_material_says_when_in_english() -> None:
    findings = json.loads(_check(SAMPLES / "sz-base-broken", "en", "json"))["findings"]
    said = [f["message"] for f in findings if f["code"] == "material_empty" and "needed" in f["message"]]
    assert said and all(not _bare_chinese(m) for m in said), said  # the folder's name is quoted “…”


# ------------------------------------------------------------------ sources that say more than the articles they cite
NUMERAL = "[一二三四五六七八九十百]"
CITATION = re.compile(rf"第{NUMERAL}+条|[（(][{NUMERAL[1:-1]}\d]+[）)]|附件\d*|附\d|序号\d*|{NUMERAL}+")


def _says_more(source: str) -> bool:
    """A source with words beyond its citations (zonekit 整理（通知未列明）, 延续试点不计入 …)."""
    rest = CITATION.sub("", QUOTED.sub("", source))
    return "zonekit" in source or bool(CJK.search(re.sub(r"[\d.、；;，,—–\-\s（）()：:…]", "", rest)))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_every_wordy_source_has_an_english_twin(path: Path) -> None:
    for entry in _entries(tomllib.loads(path.read_text("utf-8"))):
        source = entry.get("source")
        if isinstance(source, str) and _says_more(source):
            en = entry.get("source_en", "")
            assert en, f"{path.name}: source “{source}” says more than articles and has no source_en"
            assert not _says_more(en.replace("zonekit", "")), f"{path.name}: source_en is not English: {en}"


def test_english_report_says_zonekits_own_sources_in_english() -> None:
    report = json.loads(_check(SAMPLES / "g60-park-broken", "en", "json"))
    cities = [f for f in report["findings"] if f["code"] == "value_choice"]
    assert cities and all(f["source"] == f["source_en"] and "is zonekit's (the notice lists none)" in f["source"]
                          and "zonekit 整理" in f["source_zh"] for f in cities)
    assert "the list of the nine cities is zonekit's" in report["eligibility"]["conditions"][0]["source"]
    zh = json.loads(_check(SAMPLES / "g60-park-broken", "zh", "json"))
    assert all("zonekit 整理" in f["source"] for f in zh["findings"] if f["code"] == "value_choice")
    assert "(三（一）; the list of the nine cities is zonekit's" in _check(SAMPLES / "g60-park-broken", "en")
