"""Everything zonekit prints: rich tables for people, JSON for machines. The core never prints."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

_out = Console(highlight=False, soft_wrap=False)
JSON_VERSION = 1


def _json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


# ------------------------------------------------------------------ programmes
def programmes(progs: list[Any], *, fmt: str, lang: str) -> None:
    if fmt == "json":
        _json({"version": JSON_VERSION, "programmes": [
            {"id": p.id, "title": p.title(lang), "issuer": p.data["document"]["issuer"], "deadline": p.deadline(),
             "version": p.version}
            for p in progs]})
        return
    w = _WORDS[lang]
    t = Table(title=w["programmes"], show_lines=False)
    for h in ("id", w["title"], w["issuer"], w["deadline"]):
        t.add_column(h)
    for p in progs:
        t.add_row(p.id, p.title(lang), p.data["document"]["issuer"], p.deadline() or w["see_notice"])
    _out.print(t)
    _out.print(w["next"])


# what `programs` and `init` say around the notice's own words, which stay as the notice writes them
_WORDS: dict[str, dict[str, Any]] = {
    "zh": {"programmes": "zonekit 已知申报项目", "title": "名称", "issuer": "发文单位", "deadline": "截止",
           "see_notice": "见通知",
           "next": "查看条件和材料：zonekit programs show <id>；创建材料包：zonekit init <id> <目录>",
           "version": "规范版本", "basis": "依据", "issued": "发文", "seed": "来源", "submit": "报送",
           "conditions": "申报条件", "in_principle": "原则上", "commitment": "可承诺3年内达到", "other_bands": "其余",
           "any_of": "满足任一", "all_of": "同时满足", "definitions": "术语定义（通知原文）", "materials": "申报材料",
           "heads": ("目录", "材料", "是否必需", "依据"), "answers": "申报信息",
           "answers_note": "（zonekit init 逐项询问，写入 材料清单.xlsx 的“申报信息”表，可在 WPS/Excel 中修改）",
           "from_form": "取自{form}", "procedure": "申报评审程序（通知原文）", "quotas": "名额",
           "deadlines": "截止日期", "contacts": "通知所列联系方式", "notes": "背景与说明（非申报条件）",
           "indicators": "（{file}，{n} 项指标）", "points": "，{n:g} 分", "items": "{n} 项",
           "by_unit": "：按报送单位填写，只填“{column}”含本单位的行（申报信息 applicant.{key}；"
                      "zonekit init {id} 目录 --unit 单位 只生成这些行）",
           "created": "已创建材料包：[bold]{root}[/bold]（{title}）", "kept": "（已存在，未改动）",
           "then": "下一步：填写各表单（申报信息可在 材料清单.xlsx 的“申报信息”表中修改），把证明材料放入对应目录，"
                   "然后运行 [bold]zonekit check {root}[/bold]"},
    "en": {"programmes": "Programmes zonekit knows", "title": "title", "issuer": "issuer", "deadline": "deadline",
           "see_notice": "see the notice",
           "next": "Conditions and materials: zonekit programs show <id>; make a packet: zonekit init <id> <folder>",
           "version": "spec version", "basis": "Notice", "issued": "issued by", "seed": "source",
           "submit": "Submission (notice text)", "conditions": "Eligibility", "in_principle": "in principle",
           "commitment": "may be pledged, to be met within 3 years", "other_bands": "other",
           "any_of": "any one of", "all_of": "all of", "definitions": "Definitions (notice text)",
           "materials": "Materials", "heads": ("folder", "material", "required", "source"), "answers": "Answers",
           "answers_note": " (zonekit init asks them one by one and writes them to the sheet 申报信息 of "
                           "材料清单.xlsx, where WPS/Excel can change them)",
           "from_form": "taken from {form}", "procedure": "Application and review procedure (notice text)",
           "quotas": "Quotas", "deadlines": "Deadlines",
           "contacts": "Contacts in the notice", "notes": "Background and notes (not conditions)",
           "indicators": " ({file}, {n} indicators)", "points": ", {n:g} points", "items": "{n} indicators",
           "by_unit": ": each reporting unit fills in only the rows whose “{column}” names it "
                      "(answer applicant.{key}; zonekit init {id} FOLDER --unit UNIT makes only those rows)",
           "created": "Packet created: [bold]{root}[/bold] ({title})", "kept": " (already there, not changed)",
           "then": "Next: fill in the forms (the answers can be changed in the sheet 申报信息 of 材料清单.xlsx), "
                   "put the supporting files in their folders, then run [bold]zonekit check {root}[/bold]"},
}


def _condition_lines(node: dict[str, Any], tree: Tree, lang: str) -> None:
    w, en = _WORDS[lang], lang == "en"
    title = node.get("title_en") or node["title"] if en else node["title"]
    label = f"{escape(title)}  [dim]{escape(_cite(_said(node, 'source', lang), lang).strip())}[/dim]"
    if node.get("strength") == "in_principle":
        label += f"  [yellow]{w['in_principle']}[/yellow]"
    if node.get("commitment"):
        label += f"  [cyan]{w['commitment']}[/cyan]"
    branch = tree.add(label)
    if node.get("bands"):  # score bands, highest first: "≥90分：…", "≥80分：…", "<80分：…"
        unit = " points" if en and node["bands"].get("unit") == "分" else node["bands"].get("unit", "")
        items = sorted(node["bands"]["items"], key=lambda b: b.get("min", float("-inf")), reverse=True)
        for i, band in enumerate(items):
            rng = (f"≥{band['min']:g}{unit}" if "min" in band
                   else (f"<{items[i - 1]['min']:g}{unit}" if i else w["other_bands"]))
            said = band.get("label_en") or band["label"] if en else band["label"]
            branch.add(escape(f"{rng}: {said}" if en else f"{rng}：{said}"))
    for kind in ("any_of", "all_of"):
        if node.get(kind):
            sub = branch.add(f"[bold]{w[kind]}[/bold]")
            for child in node[kind]:
                _condition_lines(child, sub, lang)


def programme_detail(prog: Any, *, fmt: str, lang: str) -> None:
    if fmt == "json":
        from zonekit.answers import questions

        asked = [{"key": q.key, "label": q.label, "kind": q.kind, "values": list(q.values), "choices": q.choices(),
                  "default": q.default, "required": q.required, "source": q.source,
                  "from": q.from_form} for q in questions(prog)]
        _json({"version": JSON_VERSION, "spec_sha256": prog.sha256, "questions": asked, **prog.data})
        return
    from zonekit.spec.wording import contact_lines, definition_line

    w = _WORDS[lang]
    _notice_header(prog, lang)
    if prog.data.get("conditions"):
        tree = Tree(f"[bold]{w['conditions']}[/bold]")
        for c in prog.data["conditions"]:
            _condition_lines(c, tree, lang)
        _out.print(tree)
    _bullets(w["definitions"], [definition_line(x) for x in prog.definitions])
    _materials_table(prog, lang)
    _forms_rows(prog, lang)
    _questions_list(prog, lang)
    if prog.procedure:
        _out.print(f"[bold]{w['procedure']}[/bold]")
        for i, step in enumerate(prog.procedure, 1):
            cited = escape(_cite(step.source, lang).strip())
            _out.print(f"  {i}. {escape(f'{step.step}：{step.text}')}  [dim]{cited}[/dim]")
    d = prog.data
    _bullets(w["quotas"], [f"{_said(q, 'label', lang)}{_cite(_said(q, 'source', lang), lang)}"
                           for q in d.get("quotas", [])])
    _bullets(w["deadlines"], [f"{x.get('date', '')} {_said(x, 'label', lang)}{_cite(_said(x, 'source', lang), lang)}"
                              .strip() for x in d.get("deadlines", [])])
    _bullets(w["contacts"], contact_lines(prog.contacts))
    _bullets(w["notes"], [f"{_said(n, 'text', lang)}{_cite(_said(n, 'source', lang), lang)}"
                          for n in d.get("notes", [])])


def _said(entry: dict[str, Any], key: str, lang: str) -> str:
    """A spec text in `lang`: its `key_en` in English where the spec gives one, else the Chinese."""
    return (entry.get(f"{key}_en") if lang == "en" else None) or entry.get(key) or ""


def _cite(source: str, lang: str) -> str:
    """An article after what it supports: " (第五条)" in English, "（第五条）" in Chinese."""
    return f" ({source})" if lang == "en" else f"（{source}）"


def _notice_header(prog: Any, lang: str) -> None:
    """Title, the notice it rests on, zonekit's note on it and how to submit."""
    from zonekit.spec.wording import submission_text

    w, doc = _WORDS[lang], prog.data["document"]
    colon = ": " if lang == "en" else "："
    _out.print(f"[bold]{prog.title(lang)}[/bold]  ({prog.id}, {w['version']} {prog.version})")
    issued = " ".join(x for x in (doc["issuer"], doc.get("number"), doc.get("date")) if x)
    _out.print(f"{w['basis']}{colon}{doc['title']}  {w['issued']}{colon}{issued}  {w['seed']}{colon}{doc['seed']}")
    if doc.get("note"):
        _out.print(f"[yellow]{escape(_said(doc, 'note', lang))}[/yellow]")
    if prog.submission:
        _out.print(escape(f"{w['submit']}{colon}{submission_text(prog.submission)}"))


def _materials_table(prog: Any, lang: str) -> None:
    from zonekit.spec.wording import requirement_text

    w = _WORDS[lang]
    t = Table(title=w["materials"], show_lines=True)
    for h in w["heads"]:
        t.add_column(h, overflow="fold")
    for m in prog.materials:
        helped = _said(m, "help", lang)
        t.add_row(m["folder"], escape(m["title"]) + (f"\n[dim]{escape(helped)}[/dim]" if helped else ""),
                  escape(requirement_text(m, lang)), escape(_said(m, "source", lang)))
    _out.print(t)


def _forms_rows(prog: Any, lang: str) -> None:
    """The forms whose rows are fixed: filled in per unit, indicators with targets, or indicator lists."""
    w = _WORDS[lang]
    for form in prog.data.get("forms", []):
        if form.get("filter_by"):
            fb = form["filter_by"]
            _out.print(f"[bold]{escape(_title(form, lang))}[/bold]" + escape(w["by_unit"].format(
                column=_label(form, fb["column"]), key=fb["applicant"], id=prog.id)))
        if form.get("progress"):
            _progress_rows(form, lang)
        elif form.get("rows"):
            _indicator_rows(form, lang)


def _questions_list(prog: Any, lang: str) -> None:
    from zonekit.answers import form_label, questions

    w = _WORDS[lang]
    _out.print(f"[bold]{w['answers']}[/bold]{escape(w['answers_note'])}")
    for q in questions(prog):
        said = [q.key] + ([w["from_form"].format(form=form_label(prog, q.from_form))] if q.from_form else [])
        said += [q.source_text(lang)] if q.source else []
        _out.print(f"  • {escape(q.text(lang))}  [dim]{escape((', ' if lang == 'en' else '，').join(said))}[/dim]")


def _bullets(title: str, lines: list[str]) -> None:
    """A bold heading and one bullet per line; nothing at all when there are no lines."""
    if lines:
        _out.print(f"[bold]{title}[/bold]")
        for line in lines:
            _out.print(f"  • {escape(line)}")


def _title(form: dict[str, Any], lang: str) -> str:
    return _said(form, "title", lang)


def _column(form: dict[str, Any], key: str) -> dict[str, Any]:
    return next((c for c in form.get("columns", []) if c["key"] == key), {"label": key})


def _label(form: dict[str, Any], key: str) -> str:
    return str(_column(form, key)["label"])


def _progress_rows(form: dict[str, Any], lang: str) -> None:
    """An indicator sheet with targets (`progress`): each indicator's target and baseline, per group
    of responsible units."""
    from zonekit.check.indicators import IndicatorProgress, fmt, target_text
    from zonekit.check.sentences import figure_en

    cfg, en = form["progress"], lang == "en"
    years = sorted(int(y) for y in cfg["years"])
    said = (f" ({form['file']}, {len(form['rows'])} indicators, actual values {years[0]}–{years[-1]}; "
            f"{cfg.get('source', '')})" if en else
            f"（{form['file']}，{len(form['rows'])} 项指标，{years[0]}—{years[-1]}年各年实际值；"
            f"{cfg.get('source', '')}）")
    _out.print(f"[bold]{escape(_title(form, lang))}[/bold]{escape(said)}")
    group, colon = None, ": " if en else "："
    for r in form["rows"]:
        cells = r["cells"]
        if cells.get(cfg.get("group", "")) != group:
            group = cells.get(cfg.get("group", ""))
            _out.print(f"  [dim]{escape(_said(_column(form, cfg['group']), 'label', lang))}{colon}"
                       f"{escape(str(group))}[/dim]")
        p = IndicatorProgress(form["id"], r["id"], str(cells.get(cfg.get("number", ""), "")),
                              str(cells.get(cfg.get("label", ""), r["id"])),
                              str(cells.get(cfg.get("unit", ""), r.get("unit", ""))),
                              str(cells.get(cfg["comparator"], "≥")),
                              cells.get(cfg["target"]), cells.get(cfg.get("baseline", "")),
                              cells.get(cfg.get("baseline_year", "")),
                              "", years[-1], years[-1])
        base = ""
        if p.baseline is not None:
            base = (f", baseline {p.baseline_year}: {figure_en(p.baseline, p.unit)}" if en
                    else f"，基期 {p.baseline_year}年 {fmt(p.baseline, p.unit)}")
        _out.print(f"  • {escape(p.number)} {escape(p.indicator)}{colon}{escape(target_text(p, lang))}{escape(base)}"
                   f"  [dim]{escape(_cite(_said(r, 'source', lang), lang).strip())}[/dim]")


def _indicator_rows(form: dict[str, Any], lang: str) -> None:
    """An indicator sheet's fixed rows: per group with its weight (G60), or each row with its unit (MIIT)."""
    rows, key, w = form["rows"], form["row_key"], _WORDS[lang]
    _out.print(f"[bold]{escape(_title(form, lang))}[/bold]"
               + escape(w["indicators"].format(file=form["file"], n=len(rows))))
    if form.get("note"):
        _out.print(f"  [yellow]{escape(_said(form, 'note', lang))}[/yellow]")
    group = (form.get("subtotals") or {}).get("group_column")
    weight = (form.get("rows_total") or {}).get("column")
    if group:
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            groups.setdefault(str(r["cells"].get(group, "")), []).append(r)
        for name, members in groups.items():
            score = w["points"].format(n=sum(float(r["cells"].get(weight) or 0) for r in members)) if weight else ""
            items = w["items"].format(n=len(members))
            _out.print(f"  • {escape(name)}{': ' if lang == 'en' else '：'}{items}{score}")
        return
    for r in rows:
        unit = escape(f" ({r['unit']})" if lang == "en" else f"（{r['unit']}）") if r.get("unit") else ""
        _out.print(f"  • {escape(str(r['cells'].get(key, r['id'])))}" + unit)


# ------------------------------------------------------------------ init
def init_result(prog: Any, result: Any, lang: str = "zh") -> None:
    w = _WORDS[lang]
    _out.print(w["created"].format(root=escape(str(result.root)), title=escape(prog.title(lang))))
    for p in result.created:
        _out.print(f"  [green]+[/green] {escape(str(p.relative_to(result.root)))}")
    for p in result.kept:
        _out.print(f"  [dim]= {escape(str(p.relative_to(result.root)))}{w['kept']}[/dim]")
    _out.print(w["then"].format(root=escape(str(result.root))))


# ------------------------------------------------------------------ check
_FINDING_HEADS = (("级别", "位置", "问题", "依据", "怎么改"), ("severity", "where", "problem", "source", "what to do"))
_SEV = {"error": "[red]错误[/red]", "warning": "[yellow]警告[/yellow]", "info": "[blue]提示[/blue]"}
_SEV_EN = {"error": "[red]error[/red]", "warning": "[yellow]warning[/yellow]", "info": "[blue]info[/blue]"}
_STATUS = {
    "met": ("[green]✔ 满足[/green]", "[green]✔ met[/green]"),
    "met_by_commitment": ("[cyan]✔ 以承诺满足[/cyan]", "[cyan]✔ met by commitment[/cyan]"),
    "in_principle": ("[yellow]△ 原则上未达到，需说明理由[/yellow]",
                     "[yellow]△ below an in-principle threshold[/yellow]"),
    "outcome": ("[yellow]△ 自评档次（以专家评估为准）[/yellow]",
                "[yellow]△ self-assessed band (the experts decide)[/yellow]"),
    "unmet": ("[red]✘ 未满足[/red]", "[red]✘ not met[/red]"),
    "unknown": ("[magenta]? 数据不足[/magenta]", "[magenta]? data missing[/magenta]"),
    "not_applicable": ("[dim]— 不适用[/dim]", "[dim]— n/a[/dim]"),
}


def check_report(report: Any, *, fmt: str, lang: str) -> None:
    if fmt == "json":
        _json(report.to_json(lang))
        return
    en = lang == "en"
    _out.print(f"[bold]{report.title_en if en else report.title}[/bold]  {report.root}")
    by_file: dict[str, list[Any]] = {}
    for f in report.findings:
        by_file.setdefault(f.file or ("(packet)" if en else "（材料包）"), []).append(f)
    for file, items in by_file.items():
        t = Table(title=file, title_justify="left", show_lines=False, expand=False)
        for h in _FINDING_HEADS[en]:
            t.add_column(h, overflow="fold")
        for f in items:
            where = " ".join(x for x in (f.sheet and f"[{f.sheet}]", f.cell, f.field and f"“{f.field}”") if x)
            t.add_row((_SEV_EN if en else _SEV)[f.severity], escape(where), escape(f.text(lang)),
                      escape(f.source_text(lang) or ""),
                      escape(f.hint_text(lang) or ""))
        _out.print(t)
    if report.eligibility:
        tree = Tree("[bold]Eligibility[/bold]" if en else "[bold]申报条件[/bold]")
        for node in report.eligibility:
            _eligibility_node(node, tree, en)
        _out.print(tree)
        _out.print(("Verdict: " if en else "结论：") + report.verdict(lang))
    counts = report.counts()
    summary = (f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes" if en
               else f"{counts['error']} 个错误，{counts['warning']} 个警告，{counts['info']} 条提示")
    style = "red" if counts["error"] else "green"
    ready = "  — ready to bundle" if en else "  — 可以运行 zonekit bundle 生成申报材料"
    _out.print(f"[{style}]{summary}[/{style}]" + ("" if counts["error"] else ready))


def _eligibility_node(node: Any, tree: Tree, en: bool) -> None:
    from zonekit.check.sentences import detail_text, title

    lang = "en" if en else "zh"
    status = _STATUS[node.status][1 if en else 0]
    detail = detail_text(node, lang)
    text = title(node, lang) + (f" — {detail}" if detail else "")
    source = f"({node.source_en or node.source})" if en else f"（{node.source}）"
    branch = tree.add(f"{status} {escape(text)} [dim]{escape(source)}[/dim]")
    for child in node.children:
        _eligibility_node(child, branch, en)


# ------------------------------------------------------------------ bundle / verify
class progress:  # noqa: N801 - used as a context manager: `with render.progress() as tick`
    """A rich progress bar driven by the core's `tick(stage, done, total)` callback."""

    def __init__(self, lang: str = "zh") -> None:
        self.lang = lang

    def __enter__(self) -> Any:
        from rich.progress import BarColumn, Progress, TextColumn

        from zonekit.spec.wording import stage_text

        self._p = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                           console=Console(stderr=True), transient=True)
        self._p.__enter__()
        self._tasks: dict[str, Any] = {}

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in self._tasks:
                self._tasks[stage] = self._p.add_task(stage_text(stage, self.lang), total=max(total, 1))
            self._p.update(self._tasks[stage], completed=done, total=max(total, 1))

        return tick

    def __exit__(self, *exc: Any) -> None:
        self._p.__exit__(*exc)


# what each part of a bundle is, as its table says it (the manifest keeps the key)
_PART_KINDS = {
    "cover": ("封面", "cover"), "toc": ("目录", "contents"), "section": ("zonekit 排版", "set by zonekit"),
    "pdf": ("PDF", "PDF"), "image": ("图片", "image"), "placeholder": ("占位页", "placeholder"),
}
_BUNDLE_WORDS: dict[str, dict[str, Any]] = {
    "zh": {"title": "申报材料", "draft_title": "（草稿）", "heads": ("材料", "页码", "类型"), "warning": "警告",
           "incomplete": "[red]不完整[/red]：以下材料需单独打印或补充：{items}", "font": "字体：{note}",
           "pages": "共 {pages} 页。PDF：[bold]{pdf}[/bold]", "files": "Word：{docx}    清单：{manifest}",
           "draft": "[yellow]这是草稿：每页都有“草稿 — 未通过检查”水印，不能用于正式报送。[/yellow]",
           "changed": "[red]已改动[/red] {path}", "missing": "[red]缺失[/red] {path}",
           "same": "[green]一致[/green]：{n} 个文件与打包时相同（{date}）",
           "differ": "[red]{n} 个文件与打包时不同[/red]：打印件可能与检查过的材料不一致，请重新检查并打包"},
    "en": {"title": "Bundle", "draft_title": " (draft)", "heads": ("material", "pages", "kind"), "warning": "warning",
           "incomplete": "[red]incomplete[/red]: print or add these separately: {items}", "font": "font: {note}",
           "pages": "{pages} pages. PDF: [bold]{pdf}[/bold]", "files": "Word: {docx}    manifest: {manifest}",
           "draft": "[yellow]This is a draft: every page carries the watermark “草稿 — 未通过检查” (draft, not "
                    "checked); it cannot be submitted.[/yellow]",
           "changed": "[red]changed[/red] “{path}”", "missing": "[red]missing[/red] “{path}”",
           "same": "[green]unchanged[/green]: {n} files are as they were when bundled ({date})",
           "differ": "[red]{n} files differ from the bundle[/red]: the printout may not be what was checked; "
                     "check and bundle again"},
}


def bundle_result(result: Any, lang: str = "zh") -> None:
    w, i = _BUNDLE_WORDS[lang], int(lang == "en")
    t = Table(title=w["title"] + (w["draft_title"] if result.draft else ""), show_lines=False)
    for h in w["heads"]:
        t.add_column(h, overflow="fold")
    for p in result.parts:
        t.add_row(escape(p["title"]), f"{p['start']}–{p['end']}" if p["end"] != p["start"] else str(p["start"]),
                  _PART_KINDS.get(p["kind"], (p["kind"], p["kind"]))[i])
    _out.print(t)
    sep = ": " if i else "："
    for where, said in result.warnings:
        text = said.text(lang)  # a check finding carried over names its file first: not said twice
        _out.print(f"[yellow]{w['warning']}[/yellow] {escape(text if text.startswith(where) else where + sep + text)}")
    if result.incomplete:
        _out.print(w["incomplete"].format(items=escape(("; " if i else "、").join(result.incomplete))))
    _out.print(w["font"].format(note=escape(result.font_note.text(lang))))
    _out.print(w["pages"].format(pages=result.pages, pdf=result.pdf))
    _out.print(w["files"].format(docx=result.docx, manifest=result.manifest))
    if result.draft:
        _out.print(w["draft"])


def verify_result(result: Any, lang: str = "zh") -> None:
    w = _BUNDLE_WORDS[lang]
    for p in result.changed:
        _out.print(w["changed"].format(path=escape(p)))
    for p in result.missing:
        _out.print(w["missing"].format(path=escape(p)))
    if result.ok:
        _out.print(w["same"].format(n=result.checked, date=result.manifest.get("date", "")))
    else:
        _out.print(w["differ"].format(n=len(result.changed) + len(result.missing)))


# ------------------------------------------------------------------ collect
_COLLECT_WORDS: dict[str, dict[str, Any]] = {
    "zh": {"head": "[bold]{title}[/bold]  材料包汇总（{day}）", "no_title": "申报材料汇总",
           "counts": ("材料包", "已检查", "无法读取", "有错误的材料包", "符合申报条件", "跨材料包冲突", "名额问题"),
           "unreadable": "无法读取的材料包", "heads": ("材料包", "原因"),
           "more": "  …另有 {n} 个，见汇总表“汇总”工作表", "conflicts": "跨材料包冲突",
           "kinds": ("类型", "级别", "条数"),
           "soft": "[yellow]名额（“原则上”，警告：需说明理由）[/yellow]", "hard": "[red]名额（错误）[/red]",
           "max": "上限 {n}", "min": "下限 {n}", "sep": "、",
           "quota": "{head} {label}：{scope}“{value}”有 {count} 个材料包（{limit}）：{packets}（{source}）",
           "target": "[cyan]目标[/cyan] {label}：现有 {count} 个，{status}（{source}）",
           "bands": "分档：", "band": "{range} {label} {n} 个", "bands_sep": "；",
           "reporting": "应报送 {expected} 个责任单位，已报送 {reported} 个",
           "not_reported": "；[yellow]未报送 {n} 个[/yellow]：{units}",
           "sheets": "核查表：", "sheet": "{sheet}（送{to}，{n} 条）", "workbook": "汇总表：[bold]{path}[/bold]",
           "none": "[red]没有可以读取的材料包[/red]：请确认路径是 zonekit 材料包（含 packet.toml）的文件夹或其 zip "
                   "压缩包"},
    "en": {"head": "[bold]{title}[/bold]  packets collected ({day})", "no_title": "packets collected",
           "counts": ("packets", "checked", "unreadable", "packets with errors", "eligible", "cross-packet conflicts",
                      "quota problems"),
           "unreadable": "packets that could not be read", "heads": ("packet", "why"),
           "more": "  …and {n} more: see the sheet “汇总” of the workbook", "conflicts": "cross-packet conflicts",
           "kinds": ("kind", "severity", "count"),
           "soft": "[yellow]quota (“原则上”, in principle: a warning, to be justified)[/yellow]",
           "hard": "[red]quota (error)[/red]", "max": "at most {n}", "min": "at least {n}", "sep": ", ",
           "quota": "{head} {label}: {scope} “{value}” has {count} packets ({limit}): {packets} ({source})",
           "target": "[cyan]target[/cyan] {label}: {count} so far, {status} ({source})",
           "bands": "bands: ", "band": "{range} {label}: {n}", "bands_sep": "; ",
           "reporting": "{expected} responsible units should report, {reported} have",
           "not_reported": "; [yellow]{n} have not[/yellow]: {units}",
           "sheets": "verification sheets: ", "sheet": "“{sheet}” (for “{to}”, {n} rows)",
           "workbook": "workbook: [bold]{path}[/bold]",
           "none": "[red]no packet could be read[/red]: give folders of zonekit packets (with packet.toml) or their "
                   "zip files"},
}


def collect_result(result: Any, fmt: str, workbook: Any = None, lang: str = "zh") -> None:
    if fmt == "json":
        _json({**result.to_json(lang), "workbook": str(workbook) if workbook else None})
        return
    w, en = _COLLECT_WORDS[lang], lang == "en"
    c = result.counts()
    title = (result.title_en if en else result.title) if result.programmes else w["no_title"]
    _out.print(w["head"].format(title=escape(title), day=result.as_of.isoformat()))
    t = Table(show_header=False)
    t.add_column("项目")
    t.add_column("数量", justify="right")
    keys = ("packets", "read", "unreadable", "with_errors", "eligible", "conflicts", "quota_flags")
    styles = ("", "", "red", "red", "green", "yellow", "yellow")
    for label, key, style in zip(w["counts"], keys, styles, strict=True):
        n = c[key]
        t.add_row(label, f"[{style}]{n}[/{style}]" if n and style else str(n))
    _out.print(t)
    _unreadable(result, w, en)
    if result.conflicts:
        kinds: dict[tuple[str, str], int] = {}
        for x in result.conflicts:
            kind = (x.label_en if en else x.label, x.severity)
            kinds[kind] = kinds.get(kind, 0) + 1
        k = Table(title=w["conflicts"], title_justify="left")
        for h in w["kinds"]:
            k.add_column(h)
        for (label, sev), n in kinds.items():
            k.add_row(escape(label), (_SEV_EN if en else _SEV)[sev], str(n))
        _out.print(k)
    _quota_lines(result, w, en)
    _collect_tail(result, w, en, workbook)


def _unreadable(result: Any, w: dict[str, Any], en: bool) -> None:
    bad = [p for p in result.packets if p.error]
    if not bad:
        return
    u = Table(title=w["unreadable"], title_justify="left")
    for h in w["heads"]:
        u.add_column(h, overflow="fold")
    for p in bad[:20]:
        u.add_row(escape(p.packet), escape(p.error_en if en else p.error))
    _out.print(u)
    if len(bad) > 20:
        _out.print(w["more"].format(n=len(bad) - 20))


def _quota_lines(result: Any, w: dict[str, Any], en: bool) -> None:
    for q in result.quotas:
        label, source = (q.label_en, q.source_en) if en else (q.label, q.source)
        if q.flagged:
            limit = w["max"].format(n=q.max) if q.status == "超出名额" else w["min"].format(n=q.min)
            _out.print(w["quota"].format(
                head=w["soft"] if q.severity == "warning" else w["hard"], label=escape(label),
                scope=escape(q.scope_label_en if en else q.scope_label), value=escape(q.value_en if en else q.value),
                count=q.count,
                limit=limit, packets=escape(w["sep"].join(q.packets)), source=escape(source)))
        elif q.kind == "target":
            _out.print(w["target"].format(label=escape(label), count=q.count,
                                          status=escape(q.status_en if en else q.status), source=escape(source)))


def _collect_tail(result: Any, w: dict[str, Any], en: bool, workbook: Any) -> None:
    if result.bands:
        _out.print(w["bands"] + w["bands_sep"].join(
            w["band"].format(range=escape(b.range_en if en else b.range), label=escape(b.label_en if en else b.label),
                             n=b.count) for b in result.bands))
    rep = result.reporting
    if rep:
        text = w["reporting"].format(expected=len(rep.expected), reported=len(rep.reported))
        if rep.not_reported:
            text += w["not_reported"].format(n=len(rep.not_reported), units=escape(w["sep"].join(rep.not_reported)))
        _out.print(text)
    if result.verification:
        _out.print(w["sheets"] + w["bands_sep"].join(
            w["sheet"].format(sheet=escape(v.sheet), to=escape(v.to), n=len(v.rows)) for v in result.verification))
    if workbook:
        _out.print(w["workbook"].format(path=escape(str(workbook))))
    if not result.read:
        _out.print(w["none"])
