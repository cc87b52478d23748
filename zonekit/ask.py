"""`zonekit init` asking its questions on a terminal (rich prompts), and `--data` / `--data-file`.

This is the command line's side: the questions and what an answer means are zonekit.answers';
here they are only put to a person, one at a time, and the answers shown back in a summary.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from zonekit.answers import Question, parse, questions
from zonekit.errors import InvalidOption

_TEXT = {
    "zh": {"intro": "请回答以下问题（直接回车采用方括号中的默认值）；"
                    "答案写入 材料清单.xlsx 的“申报信息”表，以后可在 WPS/Excel 中修改。",
           "pick": "请输入编号", "yes": "是", "no": "否", "multi": "可输入多个编号，用逗号分隔；不选直接回车",
           "summary": "申报信息", "question": "问题", "answer": "回答", "blank": "（空）", "again": "请重新输入",
           "required": "必填"},
    "en": {"intro": "Answer the questions below (Enter takes the default in brackets); "
                    "the answers go to the sheet 申报信息 of 材料清单.xlsx, "
                    "where they can be changed later in WPS/Excel.",
           "pick": "number", "yes": "yes", "no": "no", "multi": "several numbers, comma-separated; Enter for none",
           "summary": "Answers", "question": "question", "answer": "answer", "blank": "(blank)",
           "again": "please try again", "required": "required"},
}


def from_data(prog: Any, pairs: list[str], data_file: Path | None) -> dict[str, Any]:
    """Answers given on the command line (`--data applicant.name=…`, repeatable) and in a TOML or
    JSON file (`--data-file`: {"applicant": {"name": …}} or {"applicant.name": …}), checked."""
    raw: dict[str, Any] = {}
    if data_file is not None:
        try:
            text = data_file.read_text("utf-8")
            loaded = json.loads(text) if data_file.suffix.lower() == ".json" else tomllib.loads(text)
        except (OSError, ValueError, tomllib.TOMLDecodeError) as e:
            raise InvalidOption(f"--data-file {data_file} 无法读取：{e}",
                                f"--data-file {data_file} cannot be read: {e}") from e
        raw.update(_flatten(loaded))
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise InvalidOption(f"--data “{pair}” 应写成 键=值，如 applicant.name=深圳市某某公司",
                                f"--data “{pair}” is written KEY=VALUE, e.g. applicant.name=深圳市某某公司")
        raw[key.strip()] = value
    known = {q.key: q for q in questions(prog)}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        q = known.get(key)
        if q is None:
            raise InvalidOption(f"“{prog.id}”没有问题 {key}；可用的键：{', '.join(known)}"
                                f"（见 zonekit programs show {prog.id} --format json）",
                                f"{prog.id} asks no question {key}; the keys are {', '.join(known)} "
                                f"(see zonekit programs show {prog.id} --format json)")
        parsed, problem = parse(q, value)
        if problem:
            raise InvalidOption(f"{key}（{q.label}）= “{value}”：{problem}",
                                f"{key} ({q.text('en')}) = “{value}”: {parse(q, value, 'en')[1]}")
        out[key] = parsed
    return out


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def interview(prog: Any, given: dict[str, Any], *, lang: str = "zh", console: Any = None) -> dict[str, Any]:
    """Ask, on a terminal, every question not answered in `given` and not carried by a form."""
    from rich.console import Console
    from rich.markup import escape
    from rich.prompt import Prompt

    out = console or Console()
    t = _TEXT[lang]
    answers = dict(given)
    out.print(f"[bold]{prog.title(lang)}[/bold]\n{t['intro']}")
    for q in questions(prog):
        if q.key in answers or q.from_form or not _applies(q, answers):
            continue
        cited = f" ({q.source_text(lang)})" if lang == "en" else f"（{q.source}）"
        where = f" [dim]{escape(cited)}[/dim]" if q.source else ""
        shown_help = f"\n[dim]{q.help_text(lang)}[/dim]" if q.help and q.kind != "bool" else ""
        out.print(f"\n[bold]{q.text(lang)}[/bold]{where}" + shown_help)
        while True:
            if q.kind in ("choice", "multi") or q.values:  # a listed value (所在区) is picked by number too
                for i, label in enumerate(q.choices(lang), 1):
                    out.print(f"  {i}. {label.split('. ', 1)[-1]}")
            default = _default_text(q, t)
            prompt = (t["pick"] if q.kind == "choice" or (q.values and q.kind == "text")
                      else t["multi"] if q.kind == "multi"
                      else f"{t['yes']}/{t['no']}" if q.kind == "bool" else "")
            text = Prompt.ask(f"  {prompt}" if prompt else " ", default=default, show_default=bool(default),
                              console=out)
            value, problem = parse(q, _by_number(q, text), lang)
            if problem is None and not (q.required and q.section == "applicant" and value in (None, "")):
                answers[q.key] = value
                break
            out.print(f"  [red]{problem or t['required']}[/red]{', ' if lang == 'en' else '，'}{t['again']}")
    _summary(prog, answers, out, t, lang)
    return answers


def _applies(q: Question, answers: dict[str, Any]) -> bool:
    """A question gated by `when` on an earlier answer (the 第八条 attestations) is asked only when it holds."""
    if not q.when:
        return True
    left = answers.get(q.when["left"])
    right = q.when.get("right")
    return {"==": left == right, "!=": left != right}.get(q.when["op"], True)


def _default_text(q: Question, t: dict[str, str]) -> str:
    if q.kind == "bool":
        return "" if q.default is None else t["yes"] if q.default else t["no"]
    if q.kind == "choice" and q.default in q.values:
        return str(q.values.index(q.default) + 1)
    return ""


def _by_number(q: Question, text: str) -> Any:
    """A choice picked by its number (2, or 1,3 for several)."""
    if not text or not (q.kind in ("choice", "multi") or q.values):
        return text
    labels = q.choices()
    picked = []
    for part in text.replace("，", ",").replace("、", ",").split(","):
        part = part.strip()
        picked.append(labels[int(part) - 1] if part.isdigit() and 1 <= int(part) <= len(labels) else part)
    return picked if q.kind == "multi" else picked[0]


def _summary(prog: Any, answers: dict[str, Any], out: Any, t: dict[str, str], lang: str) -> None:
    from rich.table import Table

    table = Table(title=t["summary"], title_justify="left")
    table.add_column(t["question"])
    table.add_column(t["answer"])
    for q in questions(prog):
        if q.key in answers:
            table.add_row(q.text(lang), q.shown(answers[q.key], lang) or t["blank"])
    out.print(table)
