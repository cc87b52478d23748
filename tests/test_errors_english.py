"""Every error zonekit raises on purpose says itself in English too: `ZonekitError(message, en)`.

An AST scan of zonekit/ finds the classes deriving from ZonekitError (by their bases, so a new
subclass anywhere is found without a list to keep) and asserts that every construction of one passes
the English; then a few real errors are checked in both languages through the CLI and the web API."""

from __future__ import annotations

import ast
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

PACKAGE = ROOT / "zonekit"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _trees() -> Iterator[tuple[Path, ast.AST]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text("utf-8"), str(path))


def _name(node: ast.expr) -> str | None:
    """`X` or `mod.X` -> "X"."""
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def error_classes() -> set[str]:
    """ZonekitError and every class under zonekit/ deriving from it, directly or not."""
    bases = {node.name: {_name(b) for b in node.bases}
             for _, tree in _trees() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    found = {"ZonekitError"}
    while more := {c for c, bs in bases.items() if c not in found and bs & found}:
        found |= more
    return found


def _gives_english(call: ast.Call) -> bool:
    en = call.args[1] if len(call.args) >= 2 else next((k.value for k in call.keywords if k.arg == "en"), None)
    return en is not None and not (isinstance(en, ast.Constant) and en.value is None)


def test_the_scan_finds_the_subclasses() -> None:
    """Guards the scan itself: the classes it finds include every subclass zonekit's modules define."""
    import zonekit.serve.api
    import zonekit.serve.uploads
    from zonekit.errors import ZonekitError

    def below(cls: type) -> set[type]:
        return {c for s in cls.__subclasses__() for c in (s, *below(s))}

    assert zonekit.serve.api.BadRequest and zonekit.serve.uploads.UploadRefused
    defined = {c.__name__ for c in below(ZonekitError) if c.__module__.startswith("zonekit.")}
    assert {"SpecError", "PacketError", "BundleRefused", "BadRequest", "UnknownJob", "UploadRefused"} <= defined
    assert defined <= error_classes()


def test_every_error_zonekit_raises_gives_english() -> None:
    """Each `raise X(...)` of a ZonekitError class (and each X(...) built to be raised later) passes the
    English as the second argument or `en=`. Re-raising an existing object (`raise e`, `raise self._error`)
    builds nothing and is not looked at; there is no exemption for calls without English."""
    classes = error_classes()
    missing = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in classes and not _gives_english(node):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:100]}")
    assert not missing, "errors without English (give `en` as the second argument):\n" + "\n".join(missing)


# ------------------------------------------------------------------ real errors, both languages
def _broken_templates(tmp_path: Path, old: str, new: str) -> Path:
    """The shipped templates with one line of sz-building's spec changed."""
    root = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", root)
    spec = root / "sz-building" / "programme.toml"
    text = spec.read_text("utf-8")
    assert text.count(old) == 1, old
    spec.write_text(text.replace(old, new), "utf-8")
    return root


@pytest.mark.parametrize(("old", "new", "en", "zh"), [
    ('folder = "02_入驻金融企业信息表"', 'folder = "01_申报表"',
     "materials[1](enterprise_table).folder: the folder name “01_申报表” is used twice",
     "materials[1](enterprise_table).folder: 目录名 “01_申报表” 重复"),
    ('form = "enterprises"', 'form = "no_such_form"',
     "materials[1](enterprise_table).form: there is no form with id “no_such_form”",
     "materials[1](enterprise_table).form: 没有 id 为 “no_such_form” 的表单"),
])
def test_a_broken_spec_is_named_in_the_language_asked(tmp_path: Path, old: str, new: str, en: str, zh: str) -> None:
    root = _broken_templates(tmp_path, old, new)
    done = run_cli("programs", "--templates", str(root), "--lang", "en")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert en in done.stderr and not HAN.search(done.stderr.replace("01_申报表", "")), done.stderr
    done = run_cli("programs", "--templates", str(root))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and zh in done.stderr, done.stderr


def test_a_missing_templates_folder_in_english(tmp_path: Path) -> None:
    done = run_cli("programs", "--templates", str(tmp_path / "none"), "--lang", "en")
    assert done.returncode == 2 and "the templates folder does not exist" in done.stderr, done.stderr
    assert "模板目录不存在" in run_cli("programs", "--templates", str(tmp_path / "none")).stderr


def test_serve_errors_carry_english(tmp_path: Path) -> None:
    from tests.test_serve_api import LiveServer, _evil_zip

    server = LiveServer(tmp_path)
    try:
        status, _, body = server.post_files("/api/check", [], {"as_of": "2026-01-01"})
        err = json.loads(body)
        assert status == 400 and "缺少上传的文件" in err["message"], err
        assert err["message_en"] == "no uploaded file (form field packet: the packet's zip)", err
        status, _, body = server.post_files("/api/check", [("packet", "a.zip", b"hello")])
        err = json.loads(body)
        assert status == 400 and err["error"] == "upload_refused" and "the upload is not a zip file" in err[
            "message_en"], err
        status, _, body = server.post_files("/api/check", [("packet", "evil.zip", _evil_zip("../x.txt"))])
        err = json.loads(body)
        assert status == 400 and err["message"].startswith("压缩包已拒绝：其中的“../x.txt”"), err
        assert err["message_en"].startswith("the zip was refused: “../x.txt” in it points outside"), err
        status, _, body = server.request("GET", "/api/jobs/nope")
        err = json.loads(body)
        assert status == 404 and err["message_en"].startswith("no such job"), err
    finally:
        server.stop()
