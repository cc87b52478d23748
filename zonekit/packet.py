"""packet.toml: what `init` writes at the root of a packet and what `check` reads back.

It records the programme and the exact spec it was made from (version and SHA-256), the
applicant's details, the claimed path where the programme offers alternatives, and the yes/no
attestations of qualifications the forms cannot show.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .errors import PacketError
from .spec import Programme

PACKET_FILE = "packet.toml"


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
        raise PacketError(f"不是文件夹：{root}")
    if path.is_symlink():
        raise PacketError(f"{path} 是符号链接（快捷方式），zonekit 不跟随；请把真实的 packet.toml 放在材料包中")
    if not path.is_file():
        raise PacketError(f"{root} 不是 zonekit 材料包：缺少 {PACKET_FILE}（请先运行 zonekit init 项目 目录）")
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise PacketError(f"{path} 无法读取：{e}（请检查引号、等号是否为半角）") from e
    programme = data.get("packet", {}).get("programme") if isinstance(data.get("packet"), dict) else None
    if not isinstance(programme, str) or not programme:
        raise PacketError(f"{path}: 缺少 [packet] programme（申报项目 id）")
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
    """The packet.toml text for a new packet, with a Chinese comment above every entry; `applicant`
    pre-fills [applicant] entries (e.g. the reporting unit given to `init --unit`)."""
    lines = [
        f"# zonekit 申报材料包：{prog.title()}",
        "# 请填写下列信息（引号、等号用半角）；填好表单后运行 zonekit check 本目录",
        "",
        "[packet]",
        f"programme = {_toml_value(prog.id)}",
        f"spec_version = {_toml_value(prog.version)}",
        f"spec_sha256 = {_toml_value(prog.sha256)}",
        f"created = {_toml_value(created)}",
        f"zonekit = {_toml_value(__version__)}",
        "# 通知规定的申报截止日期（YYYY-MM-DD，可选；项目规范已有截止日期的以规范为准）",
        'deadline = ""',
        "",
        "[applicant]",
    ]
    for f in prog.list("applicant"):
        need = "必填" if f.get("required") else "选填"
        extra = f"；可选：{'、'.join(f['values'])}" if f.get("values") else ""
        value = _toml_value((applicant or {}).get(f["key"], ""))
        lines += [f"# {f['label']}（{need}）{('：' + f['help']) if f.get('help') else ''}{extra}", f"{f['key']} = {value}"]
    claims = prog.list("claims")
    if claims:
        lines += ["", "[claims]"]
    for c in claims:
        lines.append(f"# {c['label']}" + (f"（{c['source']}）" if c.get("source") else ""))
        for value, label in zip(c.get("values", []), c.get("value_labels", c.get("values", [])), strict=False):
            lines.append(f"#   {value} = {label}")
        default = c.get("default", [] if c["type"] == "multi" else False if c["type"] == "bool" else "")
        lines.append(f"{c['key']} = {_toml_value(default)}")
    attests = prog.list("attestations")
    if attests:
        lines += ["", "[attestations]", "# 以下资质条件由申报单位确认：属实的改为 true（将在申请报告或承诺中体现）"]
    for a in attests:
        lines += [f"# {a['label']}（{a['source']}）", f"{a['key']} = false"]
    return "\n".join(lines) + "\n"
