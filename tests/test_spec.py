"""Programme specs: the shipped ones load, broken ones are rejected naming file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zonekit.errors import SpecError, UnknownProgramme
from zonekit.spec.programme import list_programmes, load_programme, templates_root

from .conftest import ROOT, run_cli


def test_shipped_programmes_load():
    ids = list_programmes()
    assert {"sz-base", "sz-building", "sz-district"} <= set(ids)
    for pid in ids:
        prog = load_programme(pid)
        assert prog.id == pid and len(prog.sha256) == 64
        for m in prog.materials:
            assert m["source"], m


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "templates"
    shutil.copytree(templates_root(), root)
    return root


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('type = "integer"\nunit = "家"', 'type = "whole"\nunit = "家"', "fields[10](licensed_count).type"),
        ('folder = "03_申请报告"', 'folder = "申请报告"', "materials[2](report).folder"),
        ('source = "第十二条（三）"\n', "", "materials[2](report)"),
    ],
)
def test_broken_spec_names_file_and_key(tmp_path, old, new, where):
    root = _copy(tmp_path)
    target = root / ("_shared/shenzhen-forms.toml" if "unit" in old else "sz-building/programme.toml")
    text = target.read_text("utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(SpecError) as e:
        load_programme("sz-building", root)
    assert where in str(e.value) and "programme.toml" in str(e.value)


def test_unknown_material_form_reference(tmp_path):
    root = _copy(tmp_path)
    p = root / "sz-building/programme.toml"
    p.write_text(p.read_text("utf-8").replace('form = "enterprises"', 'form = "enterprise"'), "utf-8")
    with pytest.raises(SpecError, match="enterprise"):
        load_programme("sz-building", root)


def test_unknown_programme_suggests_closest():
    with pytest.raises(UnknownProgramme) as e:
        load_programme("sz-buildin")
    assert "sz-building" in str(e.value) and "sz-base" in str(e.value)


def test_cli_broken_spec_is_one_line_exit_2(tmp_path):
    root = _copy(tmp_path)
    p = root / "sz-base/programme.toml"
    p.write_text(p.read_text("utf-8").replace("spec_version = 1", "spec_version = 9"), "utf-8")
    r = run_cli("programs", "show", "sz-base", "--templates", str(root))
    assert r.returncode == 2
    assert "spec_version" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


TOY = """
spec_version = 1
id = "toy"
version = "1"
[title]
zh = "玩具项目"
[document]
title = "玩具通知"
issuer = "测试办"
seed = "none"
[[forms]]
id = "basic"
kind = "record"
file = "表1 基本信息.xlsx"
sheet = "基本信息"
title = "基本信息表"
[[forms.fields]]
key = "name"
label = "单位名称"
required = true
[[forms.fields]]
key = "staff"
label = "职工人数（人）"
type = "integer"
min = 0
[[conditions]]
id = "staff"
title = "职工不少于10人"
source = "第一条"
test = { left = "basic.staff", op = ">=", right = 10 }
[[materials]]
id = "basic"
title = "基本信息表"
folder = "01_基本信息表"
form = "basic"
source = "第二条"
[[materials]]
id = "proof"
title = "证明材料"
folder = "02_证明材料"
source = "第三条"
"""


def test_new_programme_is_a_folder_no_code(tmp_path):
    root = tmp_path / "tpl"
    (root / "toy").mkdir(parents=True)
    (root / "toy/programme.toml").write_text(TOY, "utf-8")
    r = run_cli("programs", "--templates", str(root), "--format", "json")
    assert r.returncode == 0 and '"toy"' in r.stdout
    r = run_cli("init", "toy", str(tmp_path / "p"), "--templates", str(root))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "p/01_基本信息表/表1 基本信息.xlsx").is_file()
    assert (tmp_path / "p/02_证明材料/说明.txt").is_file()
    r = run_cli("check", str(tmp_path / "p"), "--templates", str(root), "--format", "json")
    assert r.returncode == 1 and "field_missing" in r.stdout and "material_empty" in r.stdout


@pytest.mark.parametrize(
    ("pid", "old", "new", "match"),
    [
        # no phone, e-mail or address
        ("miit-pilot", 'name = "宋晓旭"\nphone = "010-68200662"\n', 'name = "宋晓旭"\n', "contacts"),
        ("sz-building", 'fields = ["application.hq_land"]', 'fields = ["hq_land"]', "definitions"),  # not form.key
        ("sz-building", 'step = "公示"\n', 'step = "公示"\ndays = 5\n', "procedure"),  # unknown key
        ("miit-pilot", 'seal = "申报文件由申报城市', 'copies = 0\nseal = "申报文件由申报城市', "submission.copies"),
    ],
)
def test_new_blocks_are_checked_by_the_meta_schema(tmp_path, pid, old, new, match):
    root = _copy(tmp_path)
    target = root / ("_shared/shenzhen-forms.toml" if pid.startswith("sz") else f"{pid}/programme.toml")
    text = target.read_text("utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(SpecError, match=match):
        load_programme(pid, root)


def test_typed_views_of_the_new_blocks():
    prog = load_programme("sz-base")
    assert prog.submission.copies == 2 and prog.submission.seal == "盖申报单位公章"
    assert load_programme("g60-park").submission.copies is None
    by_term = {d.term: d for d in prog.definitions}
    assert by_term["形成地方财力"].source == "第十九条" and "application.fiscal_total" in by_term["形成地方财力"].fields
    assert [d.term for d in prog.definitions_for_field("enterprises", "licensed")] == ["持牌金融机构"]
    tax = next(m for m in prog.materials if m["id"] == "tax_proof")
    assert [d.term for d in prog.definitions_for_material(tax)] == ["形成地方财力"]
    assert prog.procedure[3].step == "公示" and prog.procedure[3].source == "第十四条（四）"
    assert [c.name for c in load_programme("g60-park").contacts] == ["王海凤", "王祺"]


def test_a_spec_found_valid_is_not_validated_again_but_an_edited_one_is(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "ZONEKIT_CACHE": str(tmp_path / "cache")}
    code = ("import sys; from zonekit.spec.programme import load_programme; load_programme('sz-building'); "
            "print('jsonschema' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env).stdout.strip()
            for _ in (1, 2)]
    assert runs == ["True", "False"]  # the second start skips jsonschema: the same files were found valid
    import shutil

    root = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", root)
    spec = root / "sz-building" / "programme.toml"
    spec.write_text(spec.read_text("utf-8").replace('type = "choice"', 'type = "pick-one"', 1), "utf-8")
    load = ("from zonekit.spec.programme import load_programme; "
            f"load_programme('sz-building', __import__('pathlib').Path(r'{root}'))")
    bad = subprocess.run([sys.executable, "-c", load], capture_output=True, text=True, env=env)
    assert bad.returncode != 0 and "pick-one" in bad.stderr
