"""How zonekit says a programme's facts in words: whether a material is required, the submission
(seal, copies, where to), the notice's contacts and definitions, a field's help with them.

One wording for every place that shows it — `programs show` (zonekit.terminal), 说明.txt and the
workbooks `init` writes (zonekit.scaffold, zonekit.xlsx.form_writer), the bundle's cover
(zonekit.bundle.parts) and the web page (zonekit.serve.page).
"""

from __future__ import annotations

from typing import Any

from zonekit.spec.programme import FORM_ITEMS, Contact, Definition, Programme, Submission

# what the long commands say they are doing (the `tick(stage, done, total)` of bundle and collect, a
# server job's stage), in English
STAGES_EN = {
    "检查材料包": "checking", "写入清单": "writing the manifest", "生成 PDF": "making the PDF",
    "生成 Word": "making the Word file", "LibreOffice 转换": "converting with LibreOffice",
    "写入汇总表": "writing the workbook", "排队中": "waiting", "完成": "done",
}


def stage_text(stage: str, lang: str = "zh") -> str:
    return STAGES_EN.get(stage, stage) if lang == "en" else stage


def requirement_text(m: dict[str, Any], lang: str = "zh") -> str:
    """Whether a material is needed: 必需, 可选, 条件必需：… or zonekit's advice (in `lang`)."""
    if lang == "en":
        if m.get("when"):
            return f"needed {m.get('when_text_en') or m.get('when_text') or 'when a condition holds'}"
        if m.get("recommended"):
            return "recommended (zonekit's advice, not required by the notice)"
        return "required" if m.get("required", True) else "optional"
    if m.get("when"):
        return f"条件必需：{m.get('when_text', '满足条件时')}"
    if m.get("recommended"):
        return "建议提供（zonekit 建议，通知未要求）"
    return "必需" if m.get("required", True) else "可选"


_CN_COUNT = "一两三四五六七八九十"


def copies_text(n: int) -> str:
    """一式两份 — as the notices write the count (两, not 二)."""
    return f"一式{_CN_COUNT[n - 1] if 1 <= n <= 10 else n}份"


def submission_text(sub: Submission) -> str:
    """Seal, copy count (only when the notice gives one), where to, and the article: one sentence."""
    parts = [sub.seal, copies_text(sub.copies) if sub.copies else "", f"报送{sub.to}" if sub.to else ""]
    return "，".join(x for x in parts if x) + (f"（{sub.source}）" if sub.source else "")


def contact_lines(contacts: list[Contact]) -> list[str]:
    """One line per unit the notice names (consecutive entries of one unit, role and article share
    it), in the notice's order, e.g.
    “工业和信息化部工业文化发展中心（申报咨询）：联系人 宋晓旭，电话 010-68200662（五）”."""
    groups: list[tuple[tuple[str, str, str], list[str]]] = []
    for c in contacts:
        details = "，".join(f"{label} {value}" for label, value in
                           (("联系人", c.name), ("电话", c.phone), ("邮箱", c.email), ("地址", c.address)) if value)
        key = (c.unit, c.role, c.source)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(details)
        else:
            groups.append((key, [details]))
    lines = []
    for (unit, role, source), people in groups:
        who = unit + (f"（{role}）" if role else "")
        lines.append((f"{who}：" if who else "") + "；".join(people) + f"（{source}）")
    return lines


def definition_line(d: Definition) -> str:
    """“持牌金融机构（第三条）：本办法所称持牌金融机构，是指……”"""
    return f"{d.term}（{d.source}）：{d.text}"


def field_help(prog: Programme, form_id: str, f: dict[str, Any]) -> str:
    """A field's help as the workbook shows it: the spec's help, then the notice's definition of
    each term the field counts (`[[definitions]] fields`), in full."""
    parts = [f["help"]] if f.get("help") else [f"单位：{f['unit']}"] if f.get("unit") else []
    parts += [f"{d.source}：{d.text}" for d in prog.definitions_for_field(form_id, f["key"])]
    return "\n".join(parts)


def with_definitions(prog: Programme, form: dict[str, Any]) -> dict[str, Any]:
    """A copy of `form` whose fields' help carries the definitions (the spec is not changed)."""
    out = dict(form)
    for key in FORM_ITEMS:
        if key in form:
            out[key] = [{**f, "help": field_help(prog, form["id"], f)}
                        if prog.definitions_for_field(form["id"], f["key"]) else f for f in form[key]]
    return out
