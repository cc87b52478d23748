"""packet.toml: what `init` writes at the root of a packet and what `check` reads back.

It is the tool's, not the user's: the programme and the exact spec the packet was made from
(version and SHA-256), the creation date, the zonekit version and the reporting unit. The answers
to the programme's questions are in 材料清单.xlsx (zonekit.answers); packets made before that keep
them here, in [applicant], [claims] and [attestations], and are read as before.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zonekit import __version__
from zonekit.errors import PacketError
from zonekit.spec.programme import Programme

PACKET_FILE = "packet.toml"
CHECKLIST = "材料清单.xlsx"  # the checklist workbook; its sheet 申报信息 holds the answers (zonekit.answers)
README_TXT = "说明.txt"  # in every material folder: what goes there and why
ACCEPTED = ["pdf", "jpg", "jpeg", "png", "docx", "doc", "xlsx", "xls"]  # material file types, unless the spec says


@dataclass
class Packet:
    root: Path
    data: dict[str, Any]

    @property
    def programme_id(self) -> str:
        return self.data["packet"]["programme"]

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        return value if isinstance(value, dict) else {}


def read_packet(root: Path) -> Packet:
    path = root / PACKET_FILE
    if not root.is_dir():
        raise PacketError(f"不是文件夹：{root}", f"not a folder: {root}")
    if path.is_symlink():
        raise PacketError(f"{path} 是符号链接（快捷方式），zonekit 不跟随；请把真实的 packet.toml 放在材料包中",
                          f"{path} is a symbolic link (shortcut), which zonekit does not follow; "
                          "put the real packet.toml in the packet")
    if not path.is_file():
        raise PacketError(f"{root} 不是 zonekit 材料包：缺少 {PACKET_FILE}（请先运行 zonekit init 项目 目录）",
                          f"{root} is not a zonekit packet: {PACKET_FILE} is missing "
                          "(run zonekit init PROGRAMME FOLDER first)")
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise PacketError(f"{path} 无法读取：{e}（请检查引号、等号是否为半角）",
                          f"{path} cannot be read: {e} (check that quotes and = signs are half-width)") from e
    programme = data.get("packet", {}).get("programme") if isinstance(data.get("packet"), dict) else None
    if not isinstance(programme, str) or not programme:
        raise PacketError(f"{path}: 缺少 [packet] programme（申报项目 id）",
                          f"{path}: [packet] programme (the programme id) is missing")
    return Packet(root, data)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def render_packet_toml(prog: Programme, created: str, applicant: dict[str, Any] | None = None) -> str:
    """The packet.toml text for a new packet: the tool's own record (programme, the exact spec, when
    and by which zonekit it was made) and the reporting unit `init --unit` was given. The answers to
    the programme's questions live in 材料清单.xlsx (sheet 申报信息), where people edit them."""
    lines = [
        f"# zonekit 申报材料包：{prog.title()}",
        "# 本文件由 zonekit 维护，不需要修改；申报信息在 材料清单.xlsx 的“申报信息”表中填写",
        "",
        "[packet]",
        f"programme = {_toml_value(prog.id)}",
        f"spec_version = {_toml_value(prog.version)}",
        f"spec_sha256 = {_toml_value(prog.sha256)}",
        f"created = {_toml_value(created)}",
        f"zonekit = {_toml_value(__version__)}",
    ]
    if applicant:
        lines += ["", "# 报送单位（zonekit init --unit）：表单只含该单位负责的行", "[applicant]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in applicant.items()]
    return "\n".join(lines) + "\n"
