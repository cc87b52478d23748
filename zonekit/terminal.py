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
    t = Table(title="zonekit 已知申报项目 / programmes", show_lines=False)
    for h in ("id", "名称 title", "发文单位 issuer", "截止 deadline"):
        t.add_column(h)
    for p in progs:
        t.add_row(p.id, p.title(lang), p.data["document"]["issuer"], p.deadline() or "见通知")
    _out.print(t)
    _out.print("查看条件和材料：zonekit programs show <id>；创建材料包：zonekit init <id> <目录>")


def _condition_lines(node: dict[str, Any], tree: Tree) -> None:
    label = f"{node['title']}  [dim]（{node['source']}）[/dim]"
    if node.get("strength") == "in_principle":
        label += "  [yellow]原则上[/yellow]"
    if node.get("commitment"):
        label += "  [cyan]可承诺3年内达到[/cyan]"
    branch = tree.add(label)
    if node.get("bands"):  # score bands, highest first: "≥90分：…", "≥80分：…", "<80分：…"
        unit = node["bands"].get("unit", "")
        items = sorted(node["bands"]["items"], key=lambda b: b.get("min", float("-inf")), reverse=True)
        for i, band in enumerate(items):
            rng = f"≥{band['min']:g}{unit}" if "min" in band else (f"<{items[i - 1]['min']:g}{unit}" if i else "其余")
            branch.add(escape(f"{rng}：{band['label']}"))
    for kind, word in (("any_of", "满足任一"), ("all_of", "同时满足")):
        if node.get(kind):
            sub = branch.add(f"[bold]{word}[/bold]")
            for child in node[kind]:
                _condition_lines(child, sub)


def programme_detail(prog: Any, *, fmt: str, lang: str) -> None:
    from zonekit.answers import form_label, questions

    if fmt == "json":
        asked = [{"key": q.key, "label": q.label, "kind": q.kind, "values": list(q.values), "choices": q.choices(),
                  "default": q.default, "required": q.required, "source": q.source,
                  "from": q.from_form} for q in questions(prog)]
        _json({"version": JSON_VERSION, "spec_sha256": prog.sha256, "questions": asked, **prog.data})
        return
    d = prog.data
    doc = d["document"]
    _out.print(f"[bold]{prog.title(lang)}[/bold]  ({prog.id}, 规范版本 {prog.version})")
    _out.print(f"依据：{doc['title']}  发文：{doc['issuer']}{(' ' + doc['number']) if doc.get('number') else ''}"
               f"{(' ' + doc['date']) if doc.get('date') else ''}  来源：{doc['seed']}")
    if doc.get("note"):
        _out.print(f"[yellow]{doc['note']}[/yellow]")
    from zonekit.spec.wording import contact_lines, definition_line, requirement_text, submission_text

    if prog.submission:
        _out.print(escape(f"报送：{submission_text(prog.submission)}"))
    if d.get("conditions"):
        tree = Tree("[bold]申报条件[/bold]")
        for c in d["conditions"]:
            _condition_lines(c, tree)
        _out.print(tree)
    _bullets("术语定义（通知原文）", [definition_line(x) for x in prog.definitions])
    t = Table(title="申报材料", show_lines=True)
    for h in ("目录", "材料", "是否必需", "依据"):
        t.add_column(h, overflow="fold")

    for m in prog.materials:
        t.add_row(m["folder"], escape(m["title"]) + (f"\n[dim]{escape(m['help'])}[/dim]" if m.get("help") else ""),
                  escape(requirement_text(m)), escape(m["source"]))
    _out.print(t)
    for form in d.get("forms", []):
        if form.get("filter_by"):
            fb = form["filter_by"]
            _out.print(f"[bold]{escape(form['title'])}[/bold]：按报送单位填写，只填“"
                       f"{escape(_label(form, fb['column']))}”含本单位的行"
                       f"（申报信息 applicant.{fb['applicant']}；"
                       f"zonekit init {prog.id} 目录 --unit 单位 只生成这些行）")
        if form.get("progress"):
            _progress_rows(form)
        elif form.get("rows"):
            _indicator_rows(form)
    _out.print("[bold]申报信息[/bold]（zonekit init 逐项询问，写入 材料清单.xlsx 的“申报信息”表，可在 WPS/Excel "
               "中修改）")
    for q in questions(prog):
        carried = f"，取自{form_label(prog, q.from_form)}" if q.from_form else ""
        _out.print(f"  • {escape(q.label)}  [dim]"
                   f"{q.key}{escape(carried)}{('，' + escape(q.source)) if q.source else ''}[/dim]")
    if prog.procedure:
        _out.print("[bold]申报评审程序（通知原文）[/bold]")
        for i, step in enumerate(prog.procedure, 1):
            _out.print(f"  {i}. {escape(f'{step.step}：{step.text}')}  [dim]（{escape(step.source)}）[/dim]")
    for title, key, fmt_item in (
        ("名额", "quotas", lambda q: f"{q['label']}（{q['source']}）"),
        ("截止日期", "deadlines", lambda x: f"{x.get('date', '')} {x['label']}（{x['source']}）".strip()),
    ):
        _bullets(title, [fmt_item(item) for item in d.get(key, [])])
    _bullets("通知所列联系方式", contact_lines(prog.contacts))
    _bullets("背景与说明（非申报条件）", [f"{n['text']}（{n['source']}）" for n in d.get("notes", [])])


def _bullets(title: str, lines: list[str]) -> None:
    """A bold heading and one bullet per line; nothing at all when there are no lines."""
    if lines:
        _out.print(f"[bold]{title}[/bold]")
        for line in lines:
            _out.print(f"  • {escape(line)}")


def _label(form: dict[str, Any], key: str) -> str:
    return next((c["label"] for c in form.get("columns", []) if c["key"] == key), key)


def _progress_rows(form: dict[str, Any]) -> None:
    """An indicator sheet with targets (`progress`): each indicator's target and baseline, per group
    of responsible units."""
    from zonekit.check.indicators import IndicatorProgress, fmt, target_text

    cfg = form["progress"]
    years = sorted(int(y) for y in cfg["years"])
    _out.print(f"[bold]{escape(form['title'])}[/bold]（{escape(form['file'])}，{len(form['rows'])} 项指标，"
               f"{years[0]}—{years[-1]}年各年实际值；{escape(cfg.get('source', ''))}）")
    group = None
    for r in form["rows"]:
        cells = r["cells"]
        if cells.get(cfg.get("group", "")) != group:
            group = cells.get(cfg.get("group", ""))
            _out.print(f"  [dim]{escape(_label(form, cfg['group']))}：{escape(str(group))}[/dim]")
        p = IndicatorProgress(form["id"], r["id"], str(cells.get(cfg.get("number", ""), "")),
                              str(cells.get(cfg.get("label", ""), r["id"])),
                              str(cells.get(cfg.get("unit", ""), r.get("unit", ""))),
                              str(cells.get(cfg["comparator"], "≥")),
                              cells.get(cfg["target"]), cells.get(cfg.get("baseline", "")),
                              cells.get(cfg.get("baseline_year", "")),
                              "", years[-1], years[-1])
        base = f"，基期 {p.baseline_year}年 {fmt(p.baseline, p.unit)}" if p.baseline is not None else ""
        _out.print(f"  • {escape(p.number)} {escape(p.indicator)}：{escape(target_text(p))}{escape(base)}"
                   f"  [dim]（{escape(r.get('source', ''))}）[/dim]")


def _indicator_rows(form: dict[str, Any]) -> None:
    """An indicator sheet's fixed rows: per group with its weight (G60), or each row with its unit (MIIT)."""
    rows, key = form["rows"], form["row_key"]
    _out.print(f"[bold]{escape(form['title'])}[/bold]（{escape(form['file'])}，{len(rows)} 项指标）")
    if form.get("note"):
        _out.print(f"  [yellow]{escape(form['note'])}[/yellow]")
    group = (form.get("subtotals") or {}).get("group_column")
    weight = (form.get("rows_total") or {}).get("column")
    if group:
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            groups.setdefault(str(r["cells"].get(group, "")), []).append(r)
        for name, members in groups.items():
            score = f"，{sum(float(r['cells'].get(weight) or 0) for r in members):g} 分" if weight else ""
            _out.print(f"  • {escape(name)}：{len(members)} 项{score}")
        return
    for r in rows:
        unit = f"（{escape(r['unit'])}）" if r.get("unit") else ""
        _out.print(f"  • {escape(str(r['cells'].get(key, r['id'])))}" + unit)


# ------------------------------------------------------------------ init
def init_result(prog: Any, result: Any) -> None:
    _out.print(f"已创建材料包：[bold]{result.root}[/bold]（{prog.title()}）")
    for p in result.created:
        _out.print(f"  [green]+[/green] {p.relative_to(result.root)}")
    for p in result.kept:
        _out.print(f"  [dim]= {p.relative_to(result.root)}（已存在，未改动）[/dim]")
    _out.print("下一步：填写各表单（申报信息可在 材料清单.xlsx 的“申报信息”表中修改），把证明材料放入对应目录，"
               "然后运行 "
               f"[bold]zonekit check {result.root}[/bold]")


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
                      escape(f.source or ""),
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
    source = f"({node.source})" if en else f"（{node.source}）"
    branch = tree.add(f"{status} {escape(text)} [dim]{escape(source)}[/dim]")
    for child in node.children:
        _eligibility_node(child, branch, en)


# ------------------------------------------------------------------ bundle / verify
class progress:  # noqa: N801 - used as a context manager: `with render.progress() as tick`
    """A rich progress bar driven by the core's `tick(stage, done, total)` callback."""

    def __enter__(self) -> Any:
        from rich.progress import BarColumn, Progress, TextColumn

        self._p = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                           console=Console(stderr=True), transient=True)
        self._p.__enter__()
        self._tasks: dict[str, Any] = {}

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in self._tasks:
                self._tasks[stage] = self._p.add_task(stage, total=max(total, 1))
            self._p.update(self._tasks[stage], completed=done, total=max(total, 1))

        return tick

    def __exit__(self, *exc: Any) -> None:
        self._p.__exit__(*exc)


def bundle_result(result: Any) -> None:
    t = Table(title="申报材料" + ("（草稿）" if result.draft else ""), show_lines=False)
    for h in ("材料", "页码", "类型"):
        t.add_column(h, overflow="fold")
    for p in result.parts:
        t.add_row(escape(p["title"]), f"{p['start']}–{p['end']}" if p["end"] != p["start"] else str(p["start"]),
                  p["kind"])
    _out.print(t)
    for where, message in result.warnings:
        _out.print(f"[yellow]警告[/yellow] {escape(where)}：{escape(message)}")
    if result.incomplete:
        _out.print(f"[red]不完整[/red]：以下材料需单独打印或补充：{escape('、'.join(result.incomplete))}")
    _out.print(f"字体：{escape(result.font_note)}")
    _out.print(f"共 {result.pages} 页。PDF：[bold]{result.pdf}[/bold]")
    _out.print(f"Word：{result.docx}    清单：{result.manifest}")
    if result.draft:
        _out.print("[yellow]这是草稿：每页都有“草稿 — 未通过检查”水印，不能用于正式报送。[/yellow]")


def verify_result(result: Any) -> None:
    for p in result.changed:
        _out.print(f"[red]已改动[/red] {escape(p)}")
    for p in result.missing:
        _out.print(f"[red]缺失[/red] {escape(p)}")
    if result.ok:
        _out.print(f"[green]一致[/green]：{result.checked} 个文件与打包时相同（{result.manifest.get('date', '')}）")
    else:
        _out.print(f"[red]{len(result.changed) + len(result.missing)} 个文件与打包时不同[/red]："
                   "打印件可能与检查过的材料不一致，请重新检查并打包")


# ------------------------------------------------------------------ collect
def collect_result(result: Any, fmt: str, workbook: Any = None) -> None:
    if fmt == "json":
        _json({**result.to_json(), "workbook": str(workbook) if workbook else None})
        return
    c = result.counts()
    _out.print(f"[bold]{escape(result.title)}[/bold]  材料包汇总（{result.as_of.isoformat()}）")
    t = Table(show_header=False)
    t.add_column("项目")
    t.add_column("数量", justify="right")
    for label, n, style in (
        ("材料包", c["packets"], ""), ("已检查", c["read"], ""), ("无法读取", c["unreadable"], "red"),
        ("有错误的材料包", c["with_errors"], "red"), ("符合申报条件", c["eligible"], "green"),
        ("跨材料包冲突", c["conflicts"], "yellow"), ("名额问题", c["quota_flags"], "yellow"),
    ):
        t.add_row(label, f"[{style}]{n}[/{style}]" if n and style else str(n))
    _out.print(t)
    bad = [p for p in result.packets if p.error]
    if bad:
        u = Table(title="无法读取的材料包", title_justify="left")
        u.add_column("材料包", overflow="fold")
        u.add_column("原因", overflow="fold")
        for p in bad[:20]:
            u.add_row(escape(p.packet), escape(p.error))
        _out.print(u)
        if len(bad) > 20:
            _out.print(f"  …另有 {len(bad) - 20} 个，见汇总表“汇总”工作表")
    if result.conflicts:
        kinds: dict[tuple[str, str], int] = {}
        for x in result.conflicts:
            kinds[(x.label, x.severity)] = kinds.get((x.label, x.severity), 0) + 1
        k = Table(title="跨材料包冲突", title_justify="left")
        for h in ("类型", "级别", "条数"):
            k.add_column(h)
        for (label, sev), n in kinds.items():
            k.add_row(escape(label), _SEV[sev], str(n))
        _out.print(k)
    for q in result.quotas:
        if q.flagged:
            limit = f"上限 {q.max}" if q.status == "超出名额" else f"下限 {q.min}"
            soft = q.severity == "warning"
            head = "[yellow]名额（“原则上”，警告：需说明理由）[/yellow]" if soft else "[red]名额（错误）[/red]"
            _out.print(f"{head} {escape(q.label)}：{escape(q.scope_label)}“{escape(q.value)}”有 {q.count} 个材料包"
                       f"（{limit}）：{escape('、'.join(q.packets))}（{escape(q.source)}）")
        elif q.kind == "target":
            _out.print(f"[cyan]目标[/cyan] {escape(q.label)}：现有 {q.count} 个，"
                       f"{escape(q.status)}（{escape(q.source)}）")
    if result.bands:
        _out.print("分档：" + "；".join(f"{escape(b.range)} {escape(b.label)} {b.count} 个" for b in result.bands))
    rep = result.reporting
    if rep:
        text = f"应报送 {len(rep.expected)} 个责任单位，已报送 {len(rep.reported)} 个"
        if rep.not_reported:
            text += f"；[yellow]未报送 {len(rep.not_reported)} 个[/yellow]：{escape('、'.join(rep.not_reported))}"
        _out.print(text)
    if result.verification:
        sheets = [f"{escape(v.sheet)}（送{escape(v.to)}，{len(v.rows)} 条）" for v in result.verification]
        _out.print("核查表：" + "；".join(sheets))
    if workbook:
        _out.print(f"汇总表：[bold]{escape(str(workbook))}[/bold]")
    if not result.read:
        _out.print("[red]没有可以读取的材料包[/red]：请确认路径是 zonekit 材料包（含 packet.toml）的文件夹或其 zip "
                   "压缩包")
