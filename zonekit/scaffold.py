"""`zonekit init`: scaffold a packet folder from a programme spec.

Writes packet.toml, one numbered folder per material (each with 说明.txt), the official forms
as xlsx, Word templates as docx and 材料清单.xlsx. Never touches an existing file: into a
non-empty folder it refuses unless `force`, and then it only adds what is missing.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from zonekit.document.model import Block, Para, SealBlock, Spacer
from zonekit.errors import InvalidOption, TargetExists
from zonekit.fsutil import atomic_write, write_text
from zonekit.packet import ACCEPTED, CHECKLIST, PACKET_FILE, README_TXT, render_packet_toml
from zonekit.spec.programme import Programme
from zonekit.spec.wording import contact_lines, definition_line, requirement_text, submission_text, with_definitions
from zonekit.xlsx.rowfilter import for_unit


@dataclass
class InitResult:
    root: Path
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # already there, left untouched
    answers: dict[str, Any] = field(default_factory=dict)  # question key -> the answer written to 申报信息


def document_blocks(doc: dict[str, Any]) -> list[Block]:
    """A Word template: title, addressee, one heading + guidance paragraph per section, seal block."""
    blocks: list[Block] = [Para(doc["title"], "title"), Spacer(6)]
    if doc.get("addressee"):
        blocks.append(Para(doc["addressee"], "plain"))
    for s in doc["sections"]:
        if s.get("heading"):
            blocks.append(Para(s["heading"], "heading1"))
        if s.get("guide"):
            blocks.append(Para(f"【填写说明，完成后删除】{s['guide']}" if s.get("heading") else s["guide"], "body"))
    blocks += [Spacer(20), SealBlock(f"{doc.get('seal', '申报单位（盖章）')}：")]
    return blocks


def material_readme(prog: Programme, m: dict[str, Any]) -> str:
    sub = prog.submission
    lines = [
        f"{m['folder']}  {m['title']}",
        "",
        f"是否必需：{requirement_text(m)}",
        f"依据：{prog.data['document']['title']} {m['source']}",
    ]
    if m.get("help"):
        lines.append(f"内容：{m['help']}")
    form = prog.form_of(m)
    if form is not None:
        lines.append(f"填写本目录中的 {form['file']}（请勿改动表头和列顺序）。")
    if m.get("document"):
        lines.append(f"按本目录中的 {prog.document(m['document'])['file']} 模板撰写。")
    lines.append(f"接受的文件类型：{', '.join(m.get('types', ACCEPTED))}")
    if sub:
        lines.append(f"报送要求：{submission_text(sub)}。")
    definitions = prog.definitions_for_material(m)
    if definitions:
        lines += ["", "术语定义（通知原文）："] + [f"  {definition_line(d)}" for d in definitions]
    contacts = contact_lines(prog.contacts)
    if contacts:
        lines += ["", "通知所列联系方式："] + [f"  {c}" for c in contacts]
    return "\n".join(lines) + "\n"


def init_packet(prog: Programme, target: Path, *, force: bool = False, today: date | None = None,
                unit: str | None = None, answers: dict[str, Any] | None = None) -> InitResult:
    """`unit`: the reporting unit, for programmes whose forms are filled per unit (form key `filter_by`):
    written into packet.toml, and forms hold only the rows that unit is responsible for.
    `answers`: question key (applicant.name, claims.scale_path …) -> value, written into the sheet
    申报信息 of 材料清单.xlsx (the defaults where not given)."""
    applicant = _unit_applicant(prog, unit) if unit is not None else {}
    answers = {**(answers or {}), **{f"applicant.{k}": v for k, v in applicant.items()}}
    if target.exists() and not target.is_dir():
        raise TargetExists(f"{target} 已存在且不是文件夹", f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise TargetExists(f"{target} 不是空文件夹；zonekit 不会覆盖已有文件。"
                           "换一个目录，或加 --force 只补齐缺少的文件",
                           f"{target} is not empty, and zonekit never overwrites a file: choose another folder, "
                           "or add --force to add only the files that are missing")
    target.mkdir(parents=True, exist_ok=True)
    result = InitResult(target)
    today = today or date.today()

    def emit(path: Path, write: Callable[[Path], object]) -> None:
        if path.exists() or path.is_symlink():
            result.kept.append(path)
        elif atomic_write(path, write):
            result.created.append(path)
        else:
            result.kept.append(path)

    emit(target / PACKET_FILE, lambda p: p.write_text(render_packet_toml(prog, today.isoformat(), applicant), "utf-8"))
    from zonekit.xlsx.form_writer import write_form

    for m in prog.materials:
        folder = target / m["folder"]
        if folder.is_symlink():
            result.kept.append(folder)
            continue
        folder.mkdir(exist_ok=True)
        emit(folder / README_TXT, partial(_write_readme, prog, m))
        form = prog.form_of(m)
        if form is not None:
            form = with_definitions(prog, for_unit(form, unit))
            emit(folder / form["file"], partial(write_form, form))
        if m.get("document"):
            doc = prog.document(m["document"])
            emit(folder / doc["file"], partial(_write_doc, doc))
    required = {m["id"]: requirement_text(m) for m in prog.materials}
    emit(target / CHECKLIST, lambda p: _write_checklist(prog, p, required, today, answers))
    result.answers = answers
    return result


def _write_readme(prog: Programme, m: dict[str, Any], path: Path) -> None:
    path.write_text(material_readme(prog, m), "utf-8")


def _write_checklist(prog: Programme, path: Path, required: dict[str, str], today: date,
                     answers: dict[str, Any]) -> None:
    """材料清单.xlsx: the checklist, and the sheet 申报信息 with the answers."""
    from openpyxl import load_workbook

    from zonekit.answers import write_sheet
    from zonekit.xlsx.form_writer import write_checklist

    write_checklist(prog, path, required, today)
    wb = load_workbook(path)
    write_sheet(wb, prog, answers)
    wb.save(path)


def _unit_applicant(prog: Programme, unit: str) -> dict[str, str]:
    """{applicant key: unit} for `init --unit`, after checking the programme has such a unit."""
    keys = [f["filter_by"]["applicant"] for f in prog.forms if f.get("filter_by")]
    if not keys:
        raise InvalidOption(f"“{prog.id}”的表单不按报送单位填写，--unit 不适用",
                            f"the forms of {prog.id} are not filled in per reporting unit: --unit does not apply")
    spec = next((a for a in prog.section("applicant") if a["key"] == keys[0]), {})
    allowed = spec.get("values") or []
    unit = unit.strip()
    if allowed and unit not in allowed:
        close = difflib.get_close_matches(unit, allowed, n=1, cutoff=0.3)
        hint, hint_en = (f"；您是否要找 “{close[0]}”？", f"; did you mean “{close[0]}”?") if close else ("", "")
        raise InvalidOption(f"--unit “{unit}” 不是“{prog.id}”的责任单位。可选：{'、'.join(allowed)}{hint}",
                            f"--unit “{unit}” is not a responsible unit of {prog.id}. "
                            f"The units are {', '.join(allowed)}{hint_en}")
    return {keys[0]: unit}


def _write_doc(doc: dict[str, Any], path: Path) -> None:
    from zonekit.document.docx import write_docx

    write_docx(document_blocks(doc), path, title=doc["title"])


__all__ = ["init_packet", "InitResult", "document_blocks", "write_text"]
