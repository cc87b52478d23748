"""The questions a programme asks that no form carries, and their answers in the checklist workbook.

Nobody at a district office edits TOML: `init` asks these questions once (or takes `--data`), and
writes the answers to the sheet 申报信息 of 材料清单.xlsx, one row per question — its label, the
answer in the cell to its right (drop-downs for choices and 是/否), the article. A person changes an
answer there in WPS or Excel; `check`, `bundle` and `collect` read it from there and point their
findings at that cell. A fact a form already carries (附件1's 联系人, 联系电话 …: `from` in the
spec) is taken from the form and not asked.

Keys are the ones `programs show ID --format json` lists: `applicant.name`, `claims.scale_path`,
`attestations.no_incident`, `packet.deadline`.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SHEET = "申报信息"
HEADER = ("项目", "填写", "可选值 / 说明", "依据", "代码（勿改）")
FIRST_ROW = 4  # title, note, header above
_YES = {"是", "√", "✓", "✔", "对", "有", "true", "yes", "y", "t", "1", "是的", "确认"}
_NO = {"否", "×", "✗", "✘", "x", "不", "不是", "无", "false", "no", "n", "f", "0", "错"}
_SPLIT = re.compile(r"\s*[、,，;；\n]+\s*")  # not on spaces: "1. 上年度形成地方财力…" is one label


@dataclass(frozen=True)
class Question:
    key: str  # applicant.name, claims.scale_path, attestations.no_incident, packet.deadline
    label: str
    kind: str  # text | choice | multi | bool | date | integer | phone | email
    source: str = ""
    values: tuple[str, ...] = ()  # stored values (fiscal, licensed …)
    value_labels: tuple[str, ...] = ()  # what a person picks (1. 上年度形成地方财力≥2.5亿元 …)
    default: Any = None
    required: bool = False
    help: str = ""
    when: dict[str, Any] | None = None  # asked only when this test on earlier answers holds
    from_form: str | None = None  # form.key: the form carries it, so it is not asked
    label_en: str = ""  # the spec's English, for `init --lang en`
    help_en: str = ""
    value_labels_en: tuple[str, ...] = ()
    source_en: str = ""

    @property
    def section(self) -> str:
        return self.key.partition(".")[0]

    @property
    def name(self) -> str:
        return self.key.partition(".")[2]

    def choices(self, lang: str = "zh") -> list[str]:
        """What the drop-down offers: the labels people read, or 是/否 (in English, where the spec gives it)."""
        if self.kind == "bool":
            return ["yes", "no"] if lang == "en" else ["是", "否"]
        if lang == "en" and self.value_labels_en:
            return list(self.value_labels_en)
        return list(self.value_labels or self.values)

    def text(self, lang: str = "zh") -> str:
        """The question in `lang`."""
        return self.label_en or self.label if lang == "en" else self.label

    def source_text(self, lang: str = "zh") -> str:
        return self.source_en or self.source if lang == "en" else self.source

    def help_text(self, lang: str = "zh") -> str:
        return self.help_en or self.help if lang == "en" else self.help

    def shown(self, value: Any, lang: str = "zh") -> str:
        """An answer as the sheet shows it (in `lang`: as `init --lang en` sums it up)."""
        if value is None or value == "" or value == []:
            return ""
        if self.kind == "bool":
            return self.choices(lang)[0 if value else 1]
        if self.kind in ("choice", "multi"):
            labels = dict(zip(self.values, self.choices(lang), strict=False))
            items = value if isinstance(value, list) else [value]
            return ("; " if lang == "en" else "、").join(labels.get(v, str(v)) for v in items)
        return str(value)


def questions(prog: Any) -> list[Question]:
    """Every question of `prog`, in the order `init` asks them: applicant, claims, attestations."""
    out: list[Question] = []
    # a listed value is offered, not enforced here: check says what is wrong with another
    for a in prog.section("applicant"):
        out.append(Question(f"applicant.{a['key']}", a["label"], a.get("type", "text"),
                            a.get("source", ""), tuple(a.get("values", [])), (), None, bool(a.get("required")),
                            a.get("help", ""), None, a.get("from"), a.get("label_en", ""), a.get("help_en", ""),
                            source_en=a.get("source_en", "")))
    for c in prog.section("claims"):
        default = c.get("default", [] if c["type"] == "multi" else False if c["type"] == "bool" else None)
        out.append(Question(f"claims.{c['key']}", c["label"], c["type"], c.get("source", ""),
                            tuple(c.get("values", [])),
                            tuple(c.get("value_labels", [])), default, True, c.get("help", ""), c.get("when"),
                            None, c.get("label_en", ""), c.get("help_en", ""), tuple(c.get("value_labels_en", [])),
                            c.get("source_en", "")))
    for a in prog.section("attestations"):
        out.append(Question(f"attestations.{a['key']}", a["label"], "bool", a["source"], (), (), None, True,
                            "属实的选“是”（由申报单位确认，并在申请报告或承诺中体现）", a.get("when"), None,
                            a.get("label_en", ""),
                            "choose yes if it is true (the applicant confirms it, and the application report "
                            "or a pledge shows it)", source_en=a.get("source_en", "")))
    out.append(Question("packet.deadline", "通知规定的申报截止日期（可选，YYYY-MM-DD）", "date", "",
                        help="项目规范已有截止日期的以规范为准",
                        label_en="The deadline the notice sets (optional, YYYY-MM-DD)",
                        help_en="where the programme's spec has a deadline, the spec's applies"))
    return out


_PROBLEMS = {"yes_no": ("应为“是”或“否”", "answer yes or no"),
             "date": ("不是可识别的日期（如 2026-06-30）", "not a date zonekit can read (write it like 2026-06-30)"),
             "integer": ("应为整数", "must be a whole number"),
             "choice": ("应为以下之一：", "must be one of: ")}


def parse(q: Question, raw: Any, lang: str = "zh") -> tuple[Any, str | None]:
    """What a person typed, as the value it means, or the raw value and what is wrong (in `lang`)."""
    value, problem = _parse(q, raw)
    if problem is None:
        return value, None
    said = _PROBLEMS[problem][lang == "en"]
    if problem == "choice":
        said += ("; " if lang == "en" else "；").join(q.choices(lang))
    return value, said


def _parse(q: Question, raw: Any) -> tuple[Any, str | None]:
    """What a person typed, as the value it means, or the raw value and a key of _PROBLEMS."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ([] if q.kind == "multi" else None), None
    if q.kind == "bool":
        if isinstance(raw, bool):
            return raw, None
        text = str(raw).strip().lower()
        if text in _YES:
            return True, None
        if text in _NO:
            return False, None
        return raw, "yes_no"
    if q.kind == "choice":
        return _choice(q, raw)
    if q.kind == "multi":
        items = raw if isinstance(raw, list) else [x for x in _SPLIT.split(str(raw)) if x]
        values = []
        for item in items:
            value, problem = _choice(q, item)
            if problem:
                return raw, problem
            values.append(value)
        return values, None
    if q.kind == "date":
        if isinstance(raw, _dt.datetime):
            return raw.date().isoformat(), None
        if isinstance(raw, _dt.date):
            return raw.isoformat(), None
        from zonekit.fields.cellvalues import parse_date

        day, _precision, unread = parse_date(raw)
        return (day.isoformat(), None) if day and not unread else (raw, "date")
    if q.kind == "integer":
        if isinstance(raw, float) and raw.is_integer():
            return int(raw), None
        try:
            return int(str(raw).strip()), None
        except ValueError:
            return raw, "integer"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw)), None
    return str(raw).strip(), None


def _choice(q: Question, raw: Any) -> tuple[Any, str | None]:
    text = str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    for labels in (q.choices(), q.choices("en")):  # a label in either language, or its number
        for value, label in zip(q.values, labels, strict=False):
            if text in (value, label) or text in (part.strip() for part in label.split(".", 1)):
                return value, None
    return raw, "choice"


# ------------------------------------------------------------------ the sheet
def write_sheet(wb: Any, prog: Any, answers: dict[str, Any]) -> None:
    """Add the sheet 申报信息 to an openpyxl workbook (the checklist), filled with `answers`."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(SHEET)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells("A1:D1")
    ws["A1"] = f"{prog.title()} — 申报信息"
    ws["A1"].font = Font(name="黑体", size=14)
    ws.merge_cells("A2:D2")
    ws["A2"] = ("在“填写”一列填写或从下拉框选择；zonekit check 从这里读取，不需要改动 packet.toml。"
                "标注“取自表单”的项目已在表单中填写，这里不用再填。本表由 zonekit 生成，不打印、不报送。")
    ws["A2"].alignment = wrap
    ws.row_dimensions[2].height = 34
    for j, (h, w) in enumerate(zip(HEADER, (46, 34, 46, 22, 26), strict=True), 1):
        cell = ws.cell(3, j, h)
        cell.font, cell.border, cell.alignment = Font(bold=True), box, Alignment(horizontal="center", vertical="center")
        ws.column_dimensions["ABCDE"[j - 1]].width = w
    for i, q in enumerate(questions(prog)):
        r = FIRST_ROW + i
        note = q.help
        if q.from_form:
            note = f"取自表单（{form_label(prog, q.from_form)}），这里不用填；表单中没有时在此填写"
        elif q.kind in ("choice", "multi") or q.values:
            note = ("可选多项，用顿号分隔：" if q.kind == "multi" else "从下拉框选择：") + "；".join(q.choices())
        if q.when:
            note = (note + "；" if note else "") + "仅在相关申报路径选定时需要"
        row = (q.label, q.shown(answers.get(q.key, q.default)), note, q.source, q.key)
        for j, value in enumerate(row, 1):
            cell = ws.cell(r, j, value if value != "" else None)
            cell.border, cell.alignment = box, wrap
        ws.row_dimensions[r].height = max(22, 16 * (1 + max(len(q.label), len(note)) // 24))
        if q.kind in ("bool", "choice") or (q.kind == "text" and q.values):
            dv = DataValidation(type="list", formula1='"' + ",".join(q.choices()) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="请从下拉框选择", error="；".join(q.choices())[:250])
            dv.add(f"B{r}")
            ws.add_data_validation(dv)
    ws.column_dimensions["E"].hidden = True  # the keys zonekit reads rows by; the labels may be edited
    from zonekit.xlsx.form_writer import never_print

    never_print(ws)  # zonekit's own sheet: not part of what is printed and submitted
    ws.freeze_panes = "B4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def form_label(prog: Any, ref: str) -> str:
    """附件1“联系人”: the form field a `from` names, as people know it."""
    form_id, _, key = ref.partition(".")
    form = next((f for f in prog.forms if f["id"] == form_id), None)
    if form is None:
        return ref
    label = next((f["label"] for f in form.get("fields", []) if f["key"] == key), key)
    return f"{form.get('attachment', '').rstrip('：:') or form['title']}“{label}”"


@dataclass
class Answers:
    """What the sheet says: values by section (like packet.toml's), where each is, what is wrong."""

    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # section -> name -> value
    cells: dict[str, str] = field(default_factory=dict)  # key -> cell (B7)
    problems: dict[str, tuple[Any, str]] = field(default_factory=dict)  # key -> (raw, what is wrong)
    found: bool = False  # the workbook has the sheet


def read_sheet(path: Path, prog: Any) -> Answers:
    """The answers in the checklist workbook at `path` (a missing file or sheet: none found)."""
    out = Answers()
    if not path.is_file() or path.is_symlink():
        return out
    from zonekit.xlsx.reader import ReadProblem, open_workbook

    try:  # a damaged checklist is the materials check's to report; here it simply holds no answers
        wb = open_workbook(path)
        if SHEET not in wb.sheet_names:
            return out
        r0, c0, rows = wb.rows(SHEET)
    except ReadProblem:
        return out
    out.found = True
    by_key = {q.key: q for q in questions(prog)}
    by_label = {q.label: q for q in by_key.values()}
    for i, row in enumerate(rows):
        cells = [*([""] * c0), *row, "", "", "", "", ""]  # column A first, whatever the used range's start
        q = by_key.get(str(cells[4]).strip()) or by_label.get(str(cells[0]).strip())
        if q is None:
            continue
        raw = cells[1]
        value, problem = parse(q, raw)
        cell = f"B{r0 + i + 1}"
        if q.from_form and value in (None, ""):
            out.cells[q.key] = cell
            continue
        out.cells[q.key] = cell
        if problem:
            out.problems[q.key] = (raw, problem)
            continue
        if value is not None and value != []:
            out.values.setdefault(q.section, {})[q.name] = value
    return out
