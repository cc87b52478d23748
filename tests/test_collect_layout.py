"""collect/'s modules share only public names: a leading underscore stays private to its module (issue #14)."""

from __future__ import annotations

import ast
from pathlib import Path

COLLECT = Path(__file__).resolve().parent.parent / "zonekit" / "collect"


def _private_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    return [f"{path.name}:{node.lineno} {node.module}.{alias.name}" for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("zonekit")
            for alias in node.names if alias.name.startswith("_")]


def test_no_module_of_collect_imports_a_private_name():
    found = [hit for path in sorted(COLLECT.glob("*.py")) for hit in _private_imports(path)]
    assert len(list(COLLECT.glob("*.py"))) >= 9
    assert not found, found


def test_the_check_itself_sees_a_private_import(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("from zonekit.collect.packets import PacketRow, _plain\n", "utf-8")
    assert _private_imports(sample) == ["m.py:1 zonekit.collect.packets._plain"]
