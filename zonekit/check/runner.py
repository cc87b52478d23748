"""`zonekit check`: everything a careful reviewer would find in a packet, as findings.

Order: packet.toml → each form (read, validate) → cross-form consistency → eligibility →
materials → deadlines. A broken file is a finding and the rest is still checked; only a folder
that is not a packet at all (or names an unknown programme) raises.
"""

from __future__ import annotations

import datetime as _dt
import gc
import operator
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from zonekit.answers import SHEET as ANSWERS_SHEET
from zonekit.answers import Answers, Question
from zonekit.check.indicators import check_progress
from zonekit.check.rules import (
    MISSING,
    Facts,
    Result,
    compare,
    evaluate,
    evaluate_when,
    name_match,
    resolve,
    show,
    walk,
)
from zonekit.check.validate import FieldRule, Validated, validate_record, validate_table
from zonekit.errors import UnsafePath
from zonekit.findings import ERROR, INFO, WARNING, Finding, sort_key
from zonekit.fsutil import inside
from zonekit.packet import CHECKLIST, Packet, read_packet
from zonekit.spec.programme import Programme, load_programme
from zonekit.xlsx.locate import Located
from zonekit.xlsx.rowfilter import for_checking, responsibility_findings

_UNIT_SUFFIX = re.compile(r"（[^）]*）$")


@dataclass
class CheckReport:
    programme: str
    title: str
    root: Path
    spec_sha256: str
    as_of: _dt.date
    findings: list[Finding] = field(default_factory=list)
    eligibility: list[Result] = field(default_factory=list)
    forms: dict[str, Validated] = field(default_factory=dict)
    facts: Facts | None = None
    needed: dict[str, bool | None] = field(default_factory=dict)
    progress: list[Any] = field(default_factory=list)  # indicators.IndicatorProgress per indicator (forms with `progress`)
    form_files: dict[str, str] = field(default_factory=dict)  # form id -> the file it was read from (relative)
    answers: Answers = field(default_factory=Answers)  # the sheet 申报信息, when the packet has it

    @property
    def ok(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)

    def counts(self) -> dict[str, int]:
        out = {ERROR: 0, WARNING: 0, INFO: 0}
        for f in self.findings:
            out[f.severity] += 1
        return out

    def verdict(self, lang: str = "zh") -> str:
        statuses = [r.status for r in self.eligibility if r.status != "not_applicable"]
        en = lang == "en"
        if not statuses:
            return "no conditions" if en else "本项目没有可自动判断的条件"
        if "unmet" in statuses:
            missed = "；".join(r.title for r in self.eligibility if r.status == "unmet")
            return f"not eligible: {missed}" if en else f"不符合申报条件：{missed}"
        if "unknown" in statuses:
            return "cannot decide: data missing" if en else "无法判断：缺少数据（见上方所列问题）"
        paths = "；".join(r.detail for r in self.eligibility if r.detail and r.children and r.status in ("met", "met_by_commitment"))
        notes = []
        if "met_by_commitment" in statuses:
            notes.append("partly by commitment" if en else "部分条件以承诺方式满足，需提交承诺函")
        if "in_principle" in statuses:
            notes.append("an in-principle threshold is missed: justify it" if en else "“原则上”条件未达到，需在申请报告中说明理由")
        if "outcome" in statuses:
            notes.append("the self-assessed score is below the listed bands (the experts decide)" if en
                         else "自评分低于列入档次（档次以专家评估为准，不是申报条件）")
        head = "eligible" if en else "符合申报条件"
        return head + (f"（{paths}）" if paths and not en else "") + ("；" + "；".join(notes) if notes else "")

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "version": 1,
            "programme": self.programme,
            "packet": str(self.root),
            "as_of": self.as_of.isoformat(),
            "ok": self.ok,
            "counts": self.counts(),
            "eligibility": {"verdict": self.verdict(lang), "conditions": [r.to_json() for r in self.eligibility]},
            "findings": [f.to_json(lang) for f in self.findings],
            **({"progress": [p.to_json() for p in self.progress]} if self.progress else {}),
        }


def check_packet(root: Path, *, templates: Path | None = None, as_of: _dt.date | None = None) -> CheckReport:
    """Every finding on the packet in `root`, its eligibility verdict and the validated forms.

    Python's cyclic garbage collector is paused meanwhile: a 100,000-row sheet is a million cells
    and a list and a Row per row, and each batch of new containers would make the collector
    re-scan all of them (half a second in all, for nothing: these objects form no cycles)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _check_packet(root, templates, as_of)
    finally:
        if paused:
            gc.enable()


def _check_packet(root: Path, templates: Path | None, as_of: _dt.date | None) -> CheckReport:
    packet = read_packet(root)
    prog = load_programme(packet.programme_id, templates)
    today = as_of or _dt.date.today()
    report = CheckReport(prog.id, prog.title(), root, prog.sha256, today)
    f = report.findings
    from zonekit.answers import read_sheet

    # the answers to the programme's questions: the sheet 申报信息 of 材料清单.xlsx, else (a packet made
    # before it existed) packet.toml's [applicant], [claims] and [attestations]
    report.answers = answers = read_sheet(root / CHECKLIST, prog)
    if answers.found:
        for section in ("applicant", "claims", "attestations"):
            packet.data[section] = {**_tool_values(prog, packet, section), **answers.values.get(section, {})}
        packet.data.setdefault("packet", {})["deadline"] = answers.values.get("packet", {}).get("deadline", "")
    facts = Facts(packet=packet.data, derived=prog.section("facts"), labels=_labels(prog))
    # e.g. a path chosen in [claims] that does not need a form: that form is not read, not checked
    forms = [form for form in prog.forms if not _not_needed_by_packet(prog.material_of_form(form["id"]), facts)]
    from zonekit.background import Pending
    from zonekit.check.materials import check_materials, scan_materials
    from zonekit.xlsx.locate import locate_form

    located: dict[str, Located] = {}
    for form in forms:  # which file is which form: by content, whatever the files are called
        material = prog.material_of_form(form["id"])
        taken = {x.rel for x in located.values() if x.rel}
        located[form["id"]] = locate_form(form, material["folder"] if material else None, root, taken)
    report.form_files = {form_id: x.rel for form_id, x in located.items() if x.rel}
    # the material files (every PDF opened) are looked at while calamine reads the forms
    scanned = Pending(scan_materials, prog, root, set(report.form_files.values()))
    for form in forms:
        validated, found = _check_form(prog, for_checking(form, packet.section("applicant")), root, today, located[form["id"]])
        material = prog.material_of_form(form["id"]) or {}
        if not material.get("required", True):  # zonekit's own form (recommended, not asked for): it may warn, never block
            found = [x if x.severity != ERROR else replace(x, severity=WARNING) for x in found]
            if validated is not None and form["kind"] == "table" and not validated.data.rows:
                validated = None  # an empty table that was not asked for says nothing: its conditions cannot be judged
        f.extend(found)
        if validated is not None:
            report.forms[form["id"]] = validated
            if form["kind"] == "record":
                facts.records[form["id"]] = validated.fields
            else:
                facts.tables[form["id"]] = validated
    report.facts = facts
    carried = _from_forms(prog, packet, facts)  # 联系人, 联系电话 … that a form carries: taken from the form
    f.extend(_packet_findings(prog, packet, today, answers, carried, set(facts.records)))
    f.extend(responsibility_findings(report.forms, packet.section("applicant")))
    report.progress, found = check_progress(report.forms, facts)
    f.extend(found)
    f.extend(_file_references(prog, root, report.forms))
    f.extend(_consistency(prog, facts, report.forms))
    report.eligibility, found = eligibility(prog, facts, report.forms, answers)
    f.extend(found)
    report.needed = {m["id"]: _needed(m, facts) for m in prog.materials}
    elsewhere = {m["id"] for m in prog.materials if m.get("form") in located and located[m["form"]].elsewhere}
    f.extend(x for x in check_materials(prog, report.needed, scanned.result())
             if not (x.code in ("material_empty", "material_missing") and any(m["folder"] == x.file for m in prog.materials
                                                                               if m["id"] in elsewhere)))
    f.extend(_deadlines(prog, packet, today))
    report.findings = sorted(_one_per_file(f), key=sort_key)
    return report


def _one_per_file(findings: list[Finding]) -> list[Finding]:
    """A file that is unreadable (or too large, empty …) is said once, though both the form locator
    and the material scan look at it; the first word on it stands."""
    seen: set[tuple[str, str]] = set()
    out = []
    for x in findings:
        if x.file and x.cell is None and x.rule is None and x.code.startswith("file_"):
            if (x.code, x.file) in seen:
                continue
            seen.add((x.code, x.file))
        out.append(x)
    return out


# ------------------------------------------------------------------ the answers (申报信息, or packet.toml)
def _tool_values(prog: Programme, packet: Packet, section: str) -> dict[str, Any]:
    """What packet.toml keeps of a section although the sheet holds the answers: the reporting unit
    `init --unit` wrote (the forms hold only that unit's rows)."""
    keys = {f["filter_by"]["applicant"] for f in prog.forms if f.get("filter_by")} if section == "applicant" else set()
    return {k: v for k, v in packet.section(section).items() if k in keys and v not in ("", None)}


def _from_forms(prog: Programme, packet: Packet, facts: Facts) -> set[str]:
    """Fill the applicant answers a form carries (spec `from`) from the form; the keys so filled."""
    from zonekit.answers import questions

    applicant = packet.data.setdefault("applicant", {})
    carried = set()
    for q in questions(prog):
        if q.from_form:
            value = facts.get(q.from_form)
            if value is not MISSING and value not in (None, ""):
                applicant[q.name] = value
                carried.add(q.key)
    return carried


def answer_at(answers: Answers, key: str) -> dict[str, str | None]:
    """Where an answer is written: its cell of the sheet 申报信息, or packet.toml."""
    if answers.found:
        return {"file": CHECKLIST, "sheet": ANSWERS_SHEET, "cell": answers.cells.get(key)}
    return {"file": "packet.toml"}


def _form_name(prog: Programme, ref: str) -> str:
    form = next((f for f in prog.forms if f["id"] == ref.partition(".")[0]), None)
    return (form.get("attachment", "").rstrip("：:") or form["title"]) if form else ref


def _answer_name(answers: Answers, q: Question) -> str:
    return f"申报信息“{q.label}”" if answers.found else f"packet.toml [{q.section}] {q.name}（{q.label}）"


def _packet_findings(prog: Programme, packet: Packet, today: _dt.date, answers: Answers, carried: set[str],
                     forms_read: set[str]) -> list[Finding]:
    from zonekit.answers import questions

    out: list[Finding] = []
    meta = packet.section("packet")
    if meta.get("spec_sha256") and meta["spec_sha256"] != prog.sha256:
        out.append(Finding("spec_changed", WARNING, f"本材料包创建后，“{prog.id}”的项目规范已更新（创建时版本 {meta.get('spec_version', '?')}，"
                           f"现为 {prog.version}，内容校验值不同），表单或条件可能已变化", "the programme spec changed since this packet was created",
                           file="packet.toml", hint="用 zonekit init 新建一个材料包对照表单是否有变化"))
    if not answers.found and any(packet.section(s) for s in ("claims", "attestations")):
        out.append(Finding("packet_field", INFO, "本材料包的申报信息写在 packet.toml 中（旧版 zonekit 生成），仍照常读取；"
                           "新版 zonekit init 把申报信息放在 材料清单.xlsx 的“申报信息”表中，在 WPS/Excel 中即可修改",
                           "this packet keeps its answers in packet.toml (made by an older zonekit); they are read as before",
                           file="packet.toml"))
    how = "在 材料清单.xlsx 的“申报信息”表中填写" if answers.found else "在 packet.toml 中填写"
    rules = {a["key"]: a for a in prog.section("applicant")}
    for q in questions(prog):
        where = answer_at(answers, q.key)
        name = _answer_name(answers, q)
        if q.key in answers.problems:
            raw, problem = answers.problems[q.key]
            out.append(Finding("packet_field", ERROR, f"{name}填写为“{raw}”，{problem}", f"{q.key} = {raw!r}: not a valid answer",
                               **where, source=q.source or None, hint=how))
            continue
        value = packet.section(q.section).get(q.name)
        if q.from_form and q.key not in carried and value in (None, ""):
            if q.from_form.partition(".")[0] not in forms_read:  # a form that was read says so at its own cell
                out.append(Finding("packet_field", WARNING, f"{name}未填写：{_form_name(prog, q.from_form)}没有提供时，请在申报信息中填写",
                                   f"{q.key} is empty (the form that carries it is not there)", **where, hint=how))
            continue
        if q.section == "applicant" and q.key not in carried:
            spec = rules[q.name]
            _, issue = FieldRule(spec, today).check(value)
            if issue is None and spec.get("values") and value and value not in spec["values"]:
                out.append(Finding("packet_field", ERROR, f"{name}应为以下之一：{'、'.join(spec['values'])}",
                                   f"{q.key} must be one of the allowed values", **where, field=spec["label"], source=spec.get("source")))
            elif issue:
                out.append(Finding("packet_field", ERROR if issue.code == "field_missing" or spec.get("required") else WARNING,
                                   f"{name}：{issue.zh}", f"{q.key}: {issue.en}", **where, field=spec["label"], hint=how))
        elif q.section == "claims":
            value = value if q.name in packet.section("claims") else q.default
            bad = ((q.kind == "choice" and value not in q.values)
                   or (q.kind == "multi" and (not isinstance(value, list) or any(v not in q.values for v in value)))
                   or (q.kind == "bool" and not isinstance(value, bool)))
            if bad:
                allowed = " / ".join(q.choices()) or "是 / 否"
                out.append(Finding("packet_field", ERROR, f"{name} = {q.shown(value) or value!r} 无效；可选：{allowed}",
                                   f"{q.key} = {value!r} is invalid; allowed: {allowed}", **where, source=q.source or None, hint=how))
        elif q.section == "attestations" and value is not None and not isinstance(value, bool):
            out.append(Finding("packet_field", ERROR, f"{name}只能是“是”或“否”" + ("" if answers.found else "（true 或 false，不加引号）"),
                               f"{q.key} must be yes or no", **where, source=q.source))
    return out


def _labels(prog: Programme) -> dict[str, str]:
    labels: dict[str, str] = {}
    for form in prog.forms:
        for f in form.get("fields", []):
            labels[f"{form['id']}.{f['key']}"] = _UNIT_SUFFIX.sub("", f["label"])
        for c in form.get("columns", []) + form.get("aux_columns", []):
            name = _UNIT_SUFFIX.sub("", c["label"])
            short = form.get("attachment", "").rstrip("：:") or form["title"]
            labels[f"{form['id']}.sum.{c['key']}"] = f"{short}“{name}”合计"
            labels[f"{form['id']}.count_true.{c['key']}"] = f"{short}中“{name}”为“是”的行数"
            labels[f"{form['id']}.each.{c['key']}"] = f"{short}“{name}”"
        labels[f"{form['id']}.count"] = f"{form.get('attachment', '').rstrip('：:') or form['title']}所列行数"
        key = form.get("row_key")
        for r in form.get("rows", []):
            for c in form.get("columns", []):
                labels[f"{form['id']}.row.{r['id']}.{c['key']}"] = f"“{r['cells'].get(key, r['id'])}”{_UNIT_SUFFIX.sub('', c['label'])}"
        for c in form.get("columns", []):
            for v in c.get("values", []):
                labels[f"{form['id']}.count_eq.{c['key']}.{v}"] = f"{form['title']}中“{v}”的个数"
    for fact in prog.section("facts"):
        labels[f"facts.{fact['key']}"] = fact.get("label", fact["key"])
    for a in prog.section("applicant"):
        labels[f"packet.applicant.{a['key']}"] = f"申报信息 {a['label']}"
    return labels


# ------------------------------------------------------------------ forms
def _check_form(prog: Programme, form: dict[str, Any], root: Path, today: _dt.date,
                where: Located) -> tuple[Validated | None, list[Finding]]:
    material = prog.material_of_form(form["id"])
    optional = material is not None and not material.get("required", True)
    if where.rel is None:
        return None, [x for x in where.findings if not (optional and x.code == "file_missing")]
    rel = where.rel
    try:
        path = inside(root, Path(rel))
    except UnsafePath as e:
        return None, [Finding("unsafe_path", ERROR, str(e), "the form path is a symlink or leads outside the packet", file=rel)]
    if not path.is_file():
        return None, [] if optional else [Finding("file_missing", ERROR, f"缺少表单文件 {rel}", f"form file {rel} is missing", file=rel,
                                                  source=form.get("source"), hint="运行 zonekit init --force 本目录 可补回空白表单（不会改动已有文件）")]
    from zonekit.xlsx.form_reader import read_record, read_table
    from zonekit.xlsx.reader import ReadProblem, open_workbook

    try:
        wb = where.workbook or open_workbook(path)
        data = read_record(wb, form, rel) if form["kind"] == "record" else read_table(wb, form, rel)
    except ReadProblem as e:
        return None, [*where.findings, Finding(e.code, ERROR, str(e), e.message_en, file=rel, source=form.get("source"))]
    findings = [*where.findings, *data.findings]
    if data.sheet is None:
        return None, findings
    validated, found = (validate_record if form["kind"] == "record" else validate_table)(data, today)
    return validated, findings + found


def _file_references(prog: Programme, root: Path, forms: dict[str, Validated]) -> list[Finding]:
    """Cells of type `file` name a file that must be in the folder of material `folder`."""
    out: list[Finding] = []
    folders = {m["id"]: m["folder"] for m in prog.materials}
    required = {m["id"]: m.get("required", True) for m in prog.materials}
    for v in forms.values():
        for spec in v.data.form.get("columns", []):
            if spec.get("type") != "file" or spec.get("folder") not in folders:
                continue
            folder = root / folders[spec["folder"]]
            present = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
            stems = {Path(p).stem for p in present}
            for row, name in zip(v.data.rows, v.columns.get(spec["key"], []), strict=False):
                if name and name not in present and name not in stems:
                    out.append(Finding("file_missing", ERROR if required[spec["folder"]] else WARNING,
                                       f"第{row.number}行“{spec['label']}”所列文件“{name}”不在 {folders[spec['folder']]} 目录中",
                                       f"row {row.number}: file '{name}' is not in {folders[spec['folder']]}", file=v.data.file,
                                       sheet=v.data.sheet, cell=v.data.cell(spec["key"], row.number), field=spec["label"],
                                       source=spec.get("source"), hint="把该文件放入对应目录，或改正文件名"))
    return out


# ------------------------------------------------------------------ consistency, eligibility, materials
def _where(ref: str, forms: dict[str, Validated]) -> dict[str, str | None]:
    head, _, key = ref.partition(".")
    v = forms.get(head)
    if v is None:
        return {}
    cv = v.data.fields.get(key) if v.data.fields else None
    if cv is None and key.startswith("row."):  # one cell of an indicator sheet: row.<row id>.<column>
        row_id, _, col = key[4:].partition(".")
        row = next((r for r in v.data.rows if r.id == row_id), None)
        if row is not None and col in v.data.columns:
            return {"file": v.data.file, "sheet": v.data.sheet, "cell": v.data.cell(col, row.number)}
    return {"file": v.data.file, "sheet": cv.sheet if cv else v.data.sheet, "cell": cv.cell if cv else None}


def _consistency(prog: Programme, facts: Facts, forms: dict[str, Validated]) -> list[Finding]:
    out: list[Finding] = []
    unread = {form["id"] for form in prog.forms} - set(forms)  # already reported as unreadable or missing
    for rule in prog.section("consistency"):
        if rule.get("when") and not evaluate_when(rule["when"], facts):
            continue
        if any(isinstance(side, str) and side.partition(".")[0] in unread for side in (rule["left"], rule["right"])):
            continue  # resolve() would take "enterprises.count" of an unread form for a literal string
        left, right = facts.get(rule["left"]), resolve(facts, rule["right"])
        sev = rule.get("severity", ERROR)
        if isinstance(left, list):  # "each": one finding per disagreeing row
            out.extend(_each(rule, left, right, facts, forms, sev))
            continue
        ok = compare(left, rule["op"], right, rule.get("tolerance", 0.0), _precision(prog, rule["left"]))
        if ok is not False:
            continue
        lt, rt = facts.label(rule["left"]), facts.label(rule["right"]) if isinstance(rule["right"], str) else str(rule["right"])
        fmt = {"unit": ""}
        out.append(Finding(
            "consistency", sev,
            f"{rule['label']}不一致：{lt} 为 {show(left, fmt)}，{rt} 为 {show(right, fmt)}",
            f"{rule['id']}: {rule['left']} = {left} vs {rule['right']} = {right}",
            **_where(rule["left"], forms), source=rule["source"], rule=rule["id"],
            hint=rule.get("hint") or "请核对两处数字，使其一致"))
    return out


def _precision(prog: Programme, ref: str) -> float | None:
    """The `precision` of the form field (or table column) a fact reads, if the spec gives one."""
    form_id, _, rest = ref.partition(".")
    key = rest.rpartition(".")[2]
    form = next((f for f in prog.forms if f["id"] == form_id), None)
    spec = next((c for c in (form or {}).get("fields", []) + (form or {}).get("columns", []) if c["key"] == key), None)
    return (spec or {}).get("precision")


def _each(rule: dict[str, Any], pairs: list[tuple[int, Any]], right: Any, facts: Facts, forms: dict[str, Validated], sev: str) -> list[Finding]:
    out: list[Finding] = []
    form_id, _, rest = rule["left"].partition(".")
    v = forms[form_id]
    key = rest.split(".", 1)[1]
    # most rows repeat a handful of values (e.g. one building name): each distinct value is compared once
    distinct = {value for value in set(map(operator.itemgetter(1), pairs)) if value is not None}
    bad = {value for value in distinct if compare(value, rule["op"], right) is False}
    variants = {value for value in distinct - bad if rule["op"] == "matches" and name_match(value, right) == "variant"}
    for number, value in pairs if bad or variants else ():
        if value not in bad and value not in variants:
            continue
        where = {"file": v.data.file, "sheet": v.data.sheet, "cell": v.data.cell(key, number) if key in v.data.columns else None,
                 "source": rule["source"], "rule": rule["id"]}
        if value in variants:  # the same name written another way: say so, it blocks nothing
            out.append(Finding("consistency", WARNING, f"{rule['label']}写法不同：第{number}行为“{value}”，{facts.label(rule['right'])}为“{right}”",
                               f"{rule['id']}: row {number} '{value}' is written differently from '{right}'", **where,
                               hint="如是同一名称，建议统一写法"))
        else:
            out.append(Finding("consistency", sev, f"{rule['label']}不一致：第{number}行为“{value}”，{facts.label(rule['right'])}为“{right}”",
                               f"{rule['id']}: row {number} '{value}' vs '{right}'", **where, hint=rule.get("hint")))
        if len(out) >= 10:
            break
    return out


def eligibility(prog: Programme, facts: Facts, forms: dict[str, Validated],
                answers: Answers | None = None) -> tuple[list[Result], list[Finding]]:
    """The programme's conditions evaluated on `facts`, and the findings they give.

    Invariant (tested over every programme): a condition that is unmet gives an error."""
    results = [evaluate(c, facts) for c in prog.section("conditions")]
    return results, _eligibility_findings(prog, results, facts, forms, answers or Answers())


def _at(result: Result, forms: dict[str, Validated]) -> dict[str, str | None]:
    """Where a condition fails: the form cell of its first failing test, when it reads one."""
    leaf = next((r for r in walk(result) if r.fact and r.status in ("unmet", "in_principle", "outcome")), None)
    return _where(leaf.fact, forms) if leaf and leaf.fact else {}


def _eligibility_findings(prog: Programme, results: list[Result], facts: Facts, forms: dict[str, Validated],
                         answers: Answers) -> list[Finding]:
    out: list[Finding] = []
    # attestations the user can give now; one gated off by its `when` (a path not claimed) cannot mend a condition
    askable = {a["key"]: a for a in prog.section("attestations") if not a.get("when") or evaluate_when(a["when"], facts)}
    for top in results:
        for r in walk(top):
            if r.missing_attest and r.status in ("unmet", "in_principle"):
                for key in r.missing_attest:
                    if key not in askable:
                        continue
                    a = askable[key]
                    where = answer_at(answers, f"attestations.{key}")
                    hint = (f"情况属实的，在 材料清单.xlsx 的“申报信息”表 {where.get('cell') or ''} 中选“是”" if answers.found
                            else f"情况属实的，在 packet.toml 的 [attestations] 中将 {key} 改为 true")
                    out.append(Finding("attestation_missing", ERROR, f"尚未确认：{a['label']}", f"not attested: {key}", **where,
                                       source=a["source"], hint=hint))
        if top.status == "unmet" and not attestable(top, askable):
            hint = top.hint or next((r.hint for r in walk(top) if r.status == "unmet" and r.hint), None)
            out.append(Finding("condition_unmet", ERROR, f"未满足“{top.title}”：{top.detail}", f"condition {top.id} not met: {top.detail}",
                               source=top.source, rule=top.id, hint=hint or None, **_at(top, forms)))
        elif top.status == "outcome":
            out.append(Finding("score_band", WARNING, f"“{top.title}”：{top.detail}（按自评计算；档次由专家评估确定，不是申报条件）",
                               f"{top.id}: {top.detail} (self-assessed; the band is decided by the experts' evaluation, not an entry condition)",
                               source=top.source, rule=top.id, hint=top.hint or None, **_at(top, forms)))
        elif top.status == "in_principle":
            out.append(Finding("condition_in_principle", WARNING, f"“{top.title}”未达到：{top.detail}（“原则上”条件，需说明理由）",
                               f"in-principle condition {top.id} missed: {top.detail}", source=top.source, rule=top.id, hint=top.hint or None,
                               **_at(top, forms)))
        elif top.status == "unknown":
            out.append(Finding("condition_unknown", WARNING, f"无法判断“{top.title}”：{top.detail}", f"cannot evaluate {top.id}",
                               source=top.source, rule=top.id, hint="先改正表单中的错误或补填数据"))
        claim = next((c for c in prog.section("conditions") if c["id"] == top.id and c.get("claim")), None)
        if claim:
            out.extend(_claimed_path(claim, top, facts, answers))
    return out


def attestable(result: Result, askable: dict[str, Any]) -> bool:
    """True when an unmet `result` would be met once the user gives attestations they can give now.

    Then the attestation_missing findings say all there is to say; otherwise the condition itself is
    reported as unmet, so that a verdict "not eligible" is always an error."""
    if result.status != "unmet":
        return True
    if result.missing_attest:
        return all(key in askable for key in result.missing_attest)
    kids = [c for c in result.children if c.status != "not_applicable"]
    if not kids:
        return False  # a test that fails
    mended = [attestable(c, askable) for c in kids if c.status == "unmet"]
    return any(mended) if result.combine == "any_of" else all(mended)


def _claimed_path(spec: dict[str, Any], result: Result, facts: Facts, answers: Answers) -> list[Finding]:
    """The path chosen among the claims must be one that holds (or is committed to)."""
    claimed = facts.get(f"claims.{spec['claim']}")
    if result.status not in ("met", "met_by_commitment"):
        return []
    chosen = next((c for c in result.children if c.id == claimed), None)
    if chosen is None or chosen.status in ("met", "met_by_commitment"):
        return []
    ok = [c.title for c in result.children if c.status in ("met", "met_by_commitment")]
    where = answer_at(answers, f"claims.{spec['claim']}")
    said = "申报信息中" if answers.found else "packet.toml 中"
    hint = ("在 材料清单.xlsx 的“申报信息”表中改选满足的一项" if answers.found
            else f"把 packet.toml [claims] {spec['claim']} 改为满足的一项") + "，所需材料会随之变化"
    return [Finding("packet_field", WARNING, f"{said}选择以“{chosen.title}”申报，但该项未满足（{chosen.detail}）；满足的是：{'；'.join(ok)}",
                    f"claimed path {chosen.id} is not met", **where, source=spec["source"], hint=hint)]


def _not_needed_by_packet(material: dict[str, Any] | None, facts: Facts) -> bool:
    """A material whose `when` reads packet.toml alone (claims, attestations, applicant) and is false."""
    when = (material or {}).get("when")
    if when is None or when["left"].partition(".")[0] not in ("packet", "claims", "attest"):
        return False
    right = when.get("right")
    if isinstance(right, str) and right.partition(".")[0] not in ("packet", "claims", "attest") and right.partition(".")[2]:
        return False
    return evaluate_when(when, facts) is False


def _needed(material: dict[str, Any], facts: Facts) -> bool | None:
    if not material.get("required", True):
        return False
    if material.get("when") is None:
        return True
    return evaluate_when(material["when"], facts)


# ------------------------------------------------------------------ deadlines
def _deadlines(prog: Programme, packet: Packet, today: _dt.date) -> list[Finding]:
    out: list[Finding] = []
    entries = [(d["date"], d["label"], d["source"]) for d in prog.section("deadlines") if d.get("date") and d.get("kind", "submission") == "submission"]
    user = packet.section("packet").get("deadline")
    if user:
        try:
            entries.append((_dt.date.fromisoformat(str(user)).isoformat(), "通知规定的申报截止日期（packet.toml）", "packet.toml"))
        except ValueError:
            out.append(Finding("packet_field", ERROR, f"[packet] deadline “{user}” 不是 YYYY-MM-DD 格式的日期",
                               "[packet] deadline is not a YYYY-MM-DD date", file="packet.toml"))
    for day, label, source in entries:
        left = (_dt.date.fromisoformat(day) - today).days
        if left < 0:
            out.append(Finding("deadline_passed", WARNING, f"{label}（{day}）已过 {-left} 天", f"deadline {day} passed {-left} days ago",
                               source=source, hint="请向受理部门确认是否仍可报送"))
        else:
            out.append(Finding("deadline", WARNING if left <= 7 else INFO, f"距{label}（{day}）还有 {left} 天",
                               f"{left} days left until {day}", source=source))
    return out


__all__ = ["CheckReport", "check_packet", "MISSING"]
