"""`zonekit check`: everything a careful reviewer would find in a packet, as findings.

The check is `STAGES`, small functions run in order on one `Run`: the answers → each form (found,
read, validated) → the answers checked → responsibility → indicators → file references →
cross-form consistency → eligibility → materials → deadlines. Each stage yields problems
(`findings.Problem`: a code and its parameters) and keeps what it learns on the `Run`; the runner
renders every problem once. A broken file is a finding and the rest is still checked; only a
folder that is not a packet at all (or names an unknown programme) raises.
"""

from __future__ import annotations

import datetime as _dt
import gc
import operator
from collections.abc import Callable, Iterable, Iterator
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
from zonekit.findings import ERROR, INFO, WARNING, Finding, Problem, findings, sort_key, spec_help
from zonekit.fsutil import inside
from zonekit.packet import CHECKLIST, Packet, read_packet
from zonekit.spec.programme import Programme, load_programme
from zonekit.xlsx.form_reader import FormData
from zonekit.xlsx.locate import Located
from zonekit.xlsx.rowfilter import for_checking, responsibility_problems


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
    # indicators.IndicatorProgress per indicator (forms with `progress`)
    progress: list[Any] = field(default_factory=list)
    title_en: str = ""  # the programme's English title
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
        """The verdict on eligibility as a sentence (zonekit.check.sentences makes it)."""
        from zonekit.check.sentences import verdict

        return verdict(self.eligibility, lang)

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "version": 1,
            "programme": self.programme,
            "packet": str(self.root),
            "as_of": self.as_of.isoformat(),
            "ok": self.ok,
            "counts": self.counts(),
            "eligibility": {"verdict": self.verdict(lang), "conditions": [r.to_json(lang) for r in self.eligibility]},
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


@dataclass
class Run:
    """What the stages of one check share: the packet and its spec, the day, and the report they fill in."""

    prog: Programme
    packet: Packet
    root: Path
    today: _dt.date
    report: CheckReport
    facts: Facts = field(default_factory=Facts)
    forms: list[dict[str, Any]] = field(default_factory=list)  # the forms the packet needs
    located: dict[str, Located] = field(default_factory=dict)
    carried: set[str] = field(default_factory=set)  # applicant answers taken from a form
    scanned: Any = None  # the material folders being scanned (background.Pending)


Stage = Callable[[Run], Iterable[Problem]]


def _check_packet(root: Path, templates: Path | None, as_of: _dt.date | None) -> CheckReport:
    packet = read_packet(root)
    prog = load_programme(packet.programme_id, templates)
    today = as_of or _dt.date.today()
    run = Run(prog, packet, root, today, CheckReport(prog.id, prog.title(), root, prog.sha256, today,
                                                         title_en=prog.title("en")))
    found: list[Finding] = []
    for stage in STAGES:
        found.extend(findings(stage(run)))
    sources_en = prog.sources_en()
    found = [replace(f, source_en=sources_en[f.source]) if f.source in sources_en else f for f in found]
    run.report.findings = sorted(_one_per_file(found), key=sort_key)
    return run.report


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


# ------------------------------------------------------------------ the stages, in the order they run
def read_answers(run: Run) -> Iterable[Problem]:
    """The answers to the programme's questions: the sheet 申报信息 of 材料清单.xlsx, else (a packet made
    before it existed) packet.toml's [applicant], [claims] and [attestations]; and the forms they need."""
    from zonekit.answers import read_sheet

    prog, packet = run.prog, run.packet
    run.report.answers = answers = read_sheet(run.root / CHECKLIST, prog)
    if answers.found:
        for section in ("applicant", "claims", "attestations"):
            packet.data[section] = {**_tool_values(prog, packet, section), **answers.values.get(section, {})}
        packet.data.setdefault("packet", {})["deadline"] = answers.values.get("packet", {}).get("deadline", "")
    run.facts = Facts(packet=packet.data, derived=prog.section("facts"), labels=prog.labels(),
                      labels_en=prog.labels_en())
    # e.g. a path chosen in [claims] that does not need a form: that form is not read, not checked
    run.forms = [form for form in prog.forms if not _not_needed_by_packet(prog.material_of_form(form["id"]), run.facts)]
    return ()  # what is wrong with the answers is said once the forms that carry some of them are read


def read_forms(run: Run) -> Iterator[Problem]:
    """Which file is which form (by content, whatever the files are called), each read and validated;
    the material files (every PDF opened) are looked at meanwhile, while calamine reads the forms."""
    from zonekit.background import Pending
    from zonekit.check.materials import scan_materials
    from zonekit.xlsx.locate import locate_form

    prog, report = run.prog, run.report
    for form in run.forms:
        material = prog.material_of_form(form["id"])
        taken = {x.rel for x in run.located.values() if x.rel}
        run.located[form["id"]] = locate_form(form, material["folder"] if material else None, run.root, taken)
    report.form_files = {form_id: x.rel for form_id, x in run.located.items() if x.rel}
    run.scanned = Pending(scan_materials, prog, run.root, set(report.form_files.values()))
    for form in run.forms:
        checked = for_checking(form, run.packet.section("applicant"))
        validated, found = _check_form(prog, checked, run.root, run.today, run.located[form["id"]])
        material = prog.material_of_form(form["id"]) or {}
        # zonekit's own form (recommended, not asked for): it may warn, never block
        if not material.get("required", True):
            found = [x if x.severity != ERROR else x.replaced(severity=WARNING) for x in found]
            if validated is not None and FORM_KINDS[form["kind"]].empty(validated):
                validated = None  # an empty table that was not asked for says nothing: its conditions cannot be judged
        yield from found
        if validated is not None:
            report.forms[form["id"]] = validated
            FORM_KINDS[form["kind"]].add_facts(run.facts, form["id"], validated)
    report.facts = run.facts


def check_answers(run: Run) -> Iterator[Problem]:
    # 联系人, 联系电话 … that a form carries: taken from the form
    run.carried = _from_forms(run.prog, run.packet, run.facts)
    yield from _packet_problems(run.prog, run.packet, run.report.answers, run.carried, set(run.facts.records),
                                run.today)


def responsibility(run: Run) -> list[Problem]:
    return responsibility_problems(run.report.forms, run.packet.section("applicant"))


def indicators(run: Run) -> list[Problem]:
    run.report.progress, found = check_progress(run.report.forms, run.facts)
    if not run.report.answers.found:  # an old packet: its report year is in packet.toml, not on 申报信息
        found = [x.replaced(hint="after_year_legacy") if x.variant == "after_year" else x for x in found]
    return found


def file_references(run: Run) -> Iterator[Problem]:
    return _file_references(run.prog, run.root, run.report.forms)


def cross_form(run: Run) -> Iterator[Problem]:
    return _consistency(run.prog, run.facts, run.report.forms)


def check_eligibility(run: Run) -> Iterator[Problem]:
    run.report.eligibility = [evaluate(c, run.facts) for c in run.prog.section("conditions")]
    return _eligibility_problems(run.prog, run.report.eligibility, run.facts, run.report.forms, run.report.answers)


def materials(run: Run) -> Iterator[Problem]:
    """What the material folders hold (scanned while the forms were read), given what the answers need;
    a material folder that holds a form placed elsewhere is not said to be empty or missing."""
    from zonekit.check.materials import check_materials

    prog, report = run.prog, run.report
    report.needed = {m["id"]: _needed(m, run.facts) for m in prog.materials}
    elsewhere = {m["folder"] for m in prog.materials
                 if m.get("form") in run.located and run.located[m["form"]].elsewhere}
    for x in check_materials(prog, report.needed, run.scanned.result()):
        if not (x.code in ("material_empty", "material_missing") and x.file in elsewhere):
            yield x


def deadlines(run: Run) -> Iterator[Problem]:
    return _deadlines(run.prog, run.packet, run.report.answers, run.today)


STAGES: tuple[Stage, ...] = (read_answers, read_forms, check_answers, responsibility, indicators, file_references,
                             cross_form, check_eligibility, materials, deadlines)


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


def _answer_name_en(answers: Answers, q: Question) -> str:
    return f"“{q.text('en')}” on the sheet 申报信息" if answers.found else f"packet.toml [{q.section}] {q.name}"


def _packet_problems(prog: Programme, packet: Packet, answers: Answers, carried: set[str], forms_read: set[str],
                     today: _dt.date) -> Iterator[Problem]:
    from zonekit.answers import questions

    meta = packet.section("packet")
    if meta.get("spec_sha256") and meta["spec_sha256"] != prog.sha256:
        yield Problem("spec_changed", {"programme": prog.id, "was": meta.get("spec_version", "?"), "now": prog.version},
                      file="packet.toml")
    if not answers.found and any(packet.section(s) for s in ("claims", "attestations")):
        yield Problem("packet_field", variant="legacy", severity=INFO, file="packet.toml")
    for q in questions(prog):
        found = _answer_problem(prog, packet, answers, q, carried, forms_read, today)
        if found is not None:
            yield found.at(**answer_at(answers, q.key))


def _answer_problem(prog: Programme, packet: Packet, answers: Answers, q: Question, carried: set[str],
                    forms_read: set[str], today: _dt.date) -> Problem | None:
    """What is wrong with the answer to one question, if anything."""
    said = {"name": _answer_name(answers, q), "name_en": _answer_name_en(answers, q), "key": q.key}
    how = "sheet" if answers.found else "toml"
    if q.key in answers.problems:
        raw, problem = answers.problems[q.key]
        from zonekit.answers import parse

        said_en = parse(q, raw, "en")[1] or "not a valid answer"
        return Problem("packet_field", {**said, "raw": raw, "problem": problem, "problem_en": said_en}, "invalid",
                       source=q.source or None, hint=how)
    value = packet.section(q.section).get(q.name)
    if q.from_form and q.key not in carried and value in (None, ""):
        if q.from_form.partition(".")[0] in forms_read:  # a form that was read says so at its own cell
            return None
        return Problem("packet_field", {**said, "form": _form_name(prog, q.from_form)}, "from_form", WARNING, hint=how)
    if q.section == "applicant" and q.key not in carried:
        return _applicant_problem(prog, q, value, said, how, today)
    if q.section == "claims":
        value = value if q.name in packet.section("claims") else q.default
        if _bad_claim(q, value):
            allowed = " / ".join(q.choices()) or "是 / 否"
            return Problem("packet_field",
                           {**said, "shown": q.shown(value) or repr(value), "value": value, "allowed": allowed,
                            "shown_en": q.shown(value, "en") or repr(value),
                            "allowed_en": " or ".join(q.choices("en"))},
                           "claim", source=q.source or None, hint=how)
    elif q.section == "attestations" and value is not None and not isinstance(value, bool):
        return Problem("packet_field", said, "attestation" if answers.found else "attestation_toml", source=q.source)
    return None


def _applicant_problem(prog: Programme, q: Question, value: Any, said: dict[str, str], how: str,
                       today: _dt.date) -> Problem | None:
    spec = next(a for a in prog.section("applicant") if a["key"] == q.name)
    _, issue = FieldRule(spec, today).check(value)
    if issue is None and spec.get("values") and value and value not in spec["values"]:
        return Problem("packet_field", {**said, "values": "、".join(spec["values"]),
                                        "values_en": ", ".join(spec["values"])}, "not_allowed",
                       field=spec["label"],
                       source=spec.get("source"))
    if issue is None:
        return None
    zh, en = issue.texts()
    severity = ERROR if issue.code == "field_missing" or spec.get("required") else WARNING
    return Problem("packet_field", {**said, "zh": zh, "en": en}, "applicant", severity, hint=how, field=spec["label"])


def _bad_claim(q: Question, value: Any) -> bool:
    return ((q.kind == "choice" and value not in q.values)
            or (q.kind == "multi" and (not isinstance(value, list) or any(v not in q.values for v in value)))
            or (q.kind == "bool" and not isinstance(value, bool)))


# ------------------------------------------------------------------ forms
def _check_form(prog: Programme, form: dict[str, Any], root: Path, today: _dt.date,
                where: Located) -> tuple[Validated | None, list[Problem]]:
    material = prog.material_of_form(form["id"])
    optional = material is not None and not material.get("required", True)
    if where.rel is None:
        return None, [x for x in where.findings if not (optional and x.code == "file_missing")]
    rel = where.rel
    try:
        path = inside(root, Path(rel))
    except UnsafePath as e:
        return None, [Problem("unsafe_path", {"error": str(e)}, "form", file=rel)]
    if not path.is_file():
        return None, [] if optional else [Problem("file_missing", {"rel": rel}, "form", hint="init", file=rel,
                                                  source=form.get("source"))]
    from zonekit.xlsx.reader import ReadProblem, open_workbook

    kind = FORM_KINDS[form["kind"]]
    try:
        wb = where.workbook or open_workbook(path, ahead=kind.ahead(form))
        data = kind.read(wb, form, rel)
    except ReadProblem as e:
        return None, [*where.findings, e.problem.at(file=rel, source=form.get("source"))]
    found: list[Problem] = [*where.findings, *(x.at(file=data.file, sheet=data.sheet, source=form.get("source"))
                                                         for x in data.problems)]
    if data.sheet is None:
        return None, found
    validated, checked = kind.validate(data, today)
    return validated, found + list(checked)


@dataclass(frozen=True)
class FormKind:
    """What the check does by a form's `kind`: read it from its workbook, validate it, give its facts
    to the rules, and tell whether it says nothing at all (a table without rows)."""

    read: Callable[[Any, dict[str, Any], str], FormData]
    validate: Callable[[FormData, _dt.date], tuple[Validated, list[Problem]]]
    add_facts: Callable[[Facts, str, Validated], None]
    empty: Callable[[Validated], bool]
    ahead: Callable[[dict[str, Any]], tuple[str, ...]]  # sheets `read` will want besides the form's (read ahead)


def _record_facts(facts: Facts, form_id: str, v: Validated) -> None:
    facts.records[form_id] = v.fields


def _table_facts(facts: Facts, form_id: str, v: Validated) -> None:
    facts.tables[form_id] = v


def _form_kinds() -> dict[str, FormKind]:
    from zonekit.xlsx.form_reader import read_record, read_table, table_sheets_ahead

    return {"record": FormKind(read_record, validate_record, _record_facts, lambda v: False, lambda form: ()),
            "table": FormKind(read_table, validate_table, _table_facts, lambda v: not v.data.rows, table_sheets_ahead)}


FORM_KINDS = _form_kinds()


def _file_references(prog: Programme, root: Path, forms: dict[str, Validated]) -> Iterator[Problem]:
    """Cells of type `file` name a file that must be in the folder of material `folder`."""
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
                    yield Problem("file_missing", {"row": row.number, "label": spec["label"], "name": name,
                                                   "folder": folders[spec["folder"]]}, "listed",
                                  None if required[spec["folder"]] else WARNING, file=v.data.file, sheet=v.data.sheet,
                                  cell=v.data.cell(spec["key"], row.number), field=spec["label"],
                                  source=spec.get("source"))


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


def _consistency(prog: Programme, facts: Facts, forms: dict[str, Validated]) -> Iterator[Problem]:
    unread = {form["id"] for form in prog.forms} - set(forms)  # already reported as unreadable or missing
    for rule in prog.section("consistency"):
        if rule.get("when") and not evaluate_when(rule["when"], facts):
            continue
        if any(isinstance(side, str) and side.partition(".")[0] in unread for side in (rule["left"], rule["right"])):
            continue  # resolve() would take "enterprises.count" of an unread form for a literal string
        left, right = facts.get(rule["left"]), resolve(facts, rule["right"])
        sev = rule.get("severity", ERROR)
        if isinstance(left, list):  # "each": one finding per disagreeing row
            yield from _each(rule, left, right, facts, forms, sev)
            continue
        ok = compare(left, rule["op"], right, rule.get("tolerance", 0.0), _precision(prog, rule["left"]))
        if ok is not False:
            continue
        right_label = facts.label(rule["right"]) if isinstance(rule["right"], str) else str(rule["right"])
        fmt = {"unit": ""}
        yield Problem("consistency",
                      {"label": rule["label"], "left_label": facts.label(rule["left"]), "left_shown": show(left, fmt),
                       "right_label": right_label, "right_shown": show(right, fmt), "rule": rule["id"],
                       "left": rule["left"], "left_value": left, "right": rule["right"], "right_value": right,
                       "label_en": rule.get("label_en", rule["id"]), "left_en": facts.label_en(rule["left"]),
                       "right_en": facts.label_en(rule["right"]) if isinstance(rule["right"], str) else right_label},
                      severity=sev, **spec_help(rule, "hint"), source=rule["source"],
                      rule=rule["id"]).at(**_where(rule["left"], forms))


def _precision(prog: Programme, ref: str) -> float | None:
    """The `precision` of the form field (or table column) a fact reads, if the spec gives one."""
    form_id, _, rest = ref.partition(".")
    key = rest.rpartition(".")[2]
    form = next((f for f in prog.forms if f["id"] == form_id), None)
    spec = next((c for c in (form or {}).get("fields", []) + (form or {}).get("columns", []) if c["key"] == key), None)
    return (spec or {}).get("precision")


def _each(rule: dict[str, Any], pairs: list[tuple[int, Any]], right: Any, facts: Facts, forms: dict[str, Validated],
          sev: str) -> Iterator[Problem]:
    form_id, _, rest = rule["left"].partition(".")
    v = forms[form_id]
    key = rest.split(".", 1)[1]
    # most rows repeat a handful of values (e.g. one building name): each distinct value is compared once
    distinct = {value for value in set(map(operator.itemgetter(1), pairs)) if value is not None}
    bad = {value for value in distinct if compare(value, rule["op"], right) is False}
    variants = {value for value in distinct - bad if rule["op"] == "matches" and name_match(value, right) == "variant"}
    said = 0
    for number, value in pairs if bad or variants else ():
        if value not in bad and value not in variants:
            continue
        params = {"label": rule["label"], "row": number, "value": value, "right_label": facts.label(rule["right"]),
                  "right_value": right, "rule": rule["id"], "label_en": rule.get("label_en", rule["id"]),
                  "right_en": facts.label_en(rule["right"])}
        where = {"file": v.data.file, "sheet": v.data.sheet,
                 "cell": v.data.cell(key, number) if key in v.data.columns else None,
                 "source": rule["source"], "rule": rule["id"]}
        if value in variants:  # the same name written another way: say so, it blocks nothing
            yield Problem("consistency", params, "variant", WARNING, **where)
        else:
            yield Problem("consistency", params, "row", sev, **spec_help(rule, "hint"), **where)
        said += 1
        if said >= 10:
            break


def eligibility(prog: Programme, facts: Facts, forms: dict[str, Validated],
                answers: Answers | None = None) -> tuple[list[Result], list[Finding]]:
    """The programme's conditions evaluated on `facts`, and the findings they give.

    Invariant (tested over every programme): a condition that is unmet gives an error."""
    results = [evaluate(c, facts) for c in prog.section("conditions")]
    return results, findings(_eligibility_problems(prog, results, facts, forms, answers or Answers()))


def _at(result: Result, forms: dict[str, Validated]) -> dict[str, str | None]:
    """Where a condition fails: the form cell of its first failing test, when it reads one."""
    leaf = next((r for r in walk(result) if r.fact and r.status in ("unmet", "in_principle", "outcome")), None)
    return _where(leaf.fact, forms) if leaf and leaf.fact else {}


_CONDITION_CODE = {"unmet": "condition_unmet", "outcome": "score_band", "in_principle": "condition_in_principle",
                   "unknown": "condition_unknown"}


def _eligibility_problems(prog: Programme, results: list[Result], facts: Facts, forms: dict[str, Validated],
                          answers: Answers) -> Iterator[Problem]:
    # attestations the user can give now; one gated off by its `when` (a path not claimed) cannot mend a condition
    askable = {a["key"]: a for a in prog.section("attestations")
               if not a.get("when") or evaluate_when(a["when"], facts)}
    for top in results:
        yield from _attestations(top, askable, answers)
        code = _CONDITION_CODE.get(top.status)
        if code is not None and not (top.status == "unmet" and attestable(top, askable)):
            yield _condition_problem(code, top, forms)
        claim = next((c for c in prog.section("conditions") if c["id"] == top.id and c.get("claim")), None)
        if claim:
            yield from _claimed_path(claim, top, facts, answers)


def _attestations(top: Result, askable: dict[str, Any], answers: Answers) -> Iterator[Problem]:
    """The attestations missing under `top` that the user can give now."""
    for r in walk(top):
        if r.missing_attest and r.status in ("unmet", "in_principle"):
            for key in r.missing_attest:
                if key in askable:
                    where = answer_at(answers, f"attestations.{key}")
                    yield Problem("attestation_missing",
                                  {"label": askable[key]["label"], "label_en": askable[key].get("label_en", key),
                                   "key": key, "cell": where.get("cell") or ""},
                                  hint="sheet" if answers.found else "toml", source=askable[key]["source"]).at(**where)


def _condition_problem(code: str, top: Result, forms: dict[str, Validated]) -> Problem:
    from zonekit.check.sentences import detail_text

    params = {"title": top.title, "detail": top.detail, "detail_en": detail_text(top, "en"), "id": top.id,
              "title_en": top.title_en or top.id}
    if code == "condition_unknown":
        return Problem(code, params, source=top.source, rule=top.id)
    said = top  # whose hint: the condition's own, else (unmet) the first unmet part's that has one
    if code == "condition_unmet" and not top.hint:
        said = next((r for r in walk(top) if r.status == "unmet" and r.hint), top)
    return Problem(code, params, source=top.source, rule=top.id, help=said.hint or None,
                   help_en=said.hint_en or None).at(**_at(top, forms))


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


def _claimed_path(spec: dict[str, Any], result: Result, facts: Facts, answers: Answers) -> Iterator[Problem]:
    """The path chosen among the claims must be one that holds (or is committed to)."""
    claimed = facts.get(f"claims.{spec['claim']}")
    if result.status not in ("met", "met_by_commitment"):
        return
    chosen = next((c for c in result.children if c.id == claimed), None)
    if chosen is None or chosen.status in ("met", "met_by_commitment"):
        return
    from zonekit.check.sentences import detail_text, title

    ok = [c for c in result.children if c.status in ("met", "met_by_commitment")]
    variant = "claimed_path" if answers.found else "claimed_path_toml"
    yield Problem("packet_field",
                  {"title": chosen.title, "detail": chosen.detail, "met": "；".join(c.title for c in ok),
                   "id": chosen.id, "claim": spec["claim"], "title_en": title(chosen, "en"),
                   "detail_en": detail_text(chosen, "en"), "met_en": "; ".join(title(c, "en") for c in ok)},
                  variant, WARNING, source=spec["source"], **answer_at(answers, f"claims.{spec['claim']}"))


def _not_needed_by_packet(material: dict[str, Any] | None, facts: Facts) -> bool:
    """A material whose `when` reads packet.toml alone (claims, attestations, applicant) and is false."""
    when = (material or {}).get("when")
    if when is None or when["left"].partition(".")[0] not in ("packet", "claims", "attest"):
        return False
    right = when.get("right")
    if isinstance(right, str) and right.partition(".")[0] not in ("packet", "claims",
                                                                  "attest") and right.partition(".")[2]:
        return False
    return evaluate_when(when, facts) is False


def _needed(material: dict[str, Any], facts: Facts) -> bool | None:
    if not material.get("required", True):
        return False
    if material.get("when") is None:
        return True
    return evaluate_when(material["when"], facts)


# ------------------------------------------------------------------ deadlines
def _deadlines(prog: Programme, packet: Packet, answers: Answers, today: _dt.date) -> Iterator[Problem]:
    entries: list[tuple[str, str, str, dict[str, str | None]]] = [
        (d["date"], d["label"], d.get("label_en") or "the deadline", {"source": d["source"]})
        for d in prog.section("deadlines") if d.get("date") and d.get("kind", "submission") == "submission"]
    user = packet.section("packet").get("deadline")
    if user:  # the deadline the user wrote down: said where it is written (申报信息, or packet.toml)
        where = answer_at(answers, "packet.deadline")
        try:
            entries.append((_dt.date.fromisoformat(str(user)).isoformat(),
                            f"通知规定的申报截止日期（{ANSWERS_SHEET if answers.found else 'packet.toml'}）",
                            f"the deadline entered in {ANSWERS_SHEET if answers.found else 'packet.toml'}", where))
        except ValueError:
            yield Problem("packet_field", {"value": user}, "deadline", **where)
    for day, label, label_en, where in entries:
        left = (_dt.date.fromisoformat(day) - today).days
        if left < 0:
            yield Problem("deadline_passed", {"label": label, "label_en": label_en, "day": day, "days": -left}
                          ).at(**where)
        else:
            yield Problem("deadline", {"label": label, "label_en": label_en, "day": day, "left": left},
                          severity=WARNING if left <= 7 else INFO).at(**where)


__all__ = ["CheckReport", "check_packet", "MISSING"]
