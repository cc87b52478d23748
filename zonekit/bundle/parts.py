"""The parts of a bundle in the notice's order of materials: a divider per material, its form as the
notice prints it, its files (PDF as they are, images on A4 pages, office files converted by LibreOffice)
and a placeholder page for anything that cannot be included.

`gather_parts` returns data (`Gathered`): the parts, a manifest entry per input file and what the
bundle must tell the person (incomplete parts, warnings); zonekit.bundle.build renders and reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.background import Pending
from zonekit.check.materials import files_in
from zonekit.check.runner import CheckReport
from zonekit.document.forms import record_blocks, table_blocks, table_title
from zonekit.document.model import Attachment, Block, Para, Part, Placeholder, SealBlock, Section, Spacer
from zonekit.document.page_numbers import own_page_numbers
from zonekit.findings import ERROR, Said
from zonekit.fsutil import sha256_file

if TYPE_CHECKING:
    from zonekit.document.office import Failure

IMAGE = {"jpg", "jpeg", "png"}
OFFICE = {"docx", "doc", "xlsx", "xls"}
# converted while the packet is checked: the report is what LibreOffice spends most of a bundle on
WORD = {"docx", "doc"}
_CN = "一二三四五六七八九十"

Progress = Callable[[str, int, int], None]
"""A bundle's progress callback: stage, done, total."""

Conversions = dict[Path, "Path | Failure"]
"""Office file → the PDF LibreOffice made of it, or why there is none."""


def cn_number(n: int) -> str:
    if n <= 10:
        return _CN[n - 1]
    tens, ones = divmod(n, 10)
    return (_CN[tens - 1] if tens > 1 else "") + "十" + (_CN[ones - 1] if ones else "")


@dataclass
class Gathered:
    """What gathering the parts found: the parts in the notice's order, a manifest entry per input file
    (its `part` is the title of the part that prints it), and what the bundle must say."""

    parts: list[Part] = field(default_factory=list)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    warnings: list[tuple[str, Said]] = field(default_factory=list)  # (where, what)
    sources: dict[str, str] = field(default_factory=dict)  # part title -> the file its text comes from

    def missing(self, what: str, why: Said | None = None) -> None:
        """A part that is not (wholly) in the bundle; `why` also goes to the warnings."""
        self.incomplete.append(what)
        if why is not None:
            self.warnings.append((what, why))


def file_entry(path: Path, base: Path, **extra: Any) -> dict[str, Any]:
    """A manifest entry: the file's path under `base`, its SHA-256 and size."""
    return {"path": str(path.relative_to(base)), "sha256": sha256_file(path), "size": path.stat().st_size, **extra}


# ------------------------------------------------------------------ Word files converted early
def word_files(root: Path, templates: Path | None) -> list[Path]:
    """The packet's Word files that the material check accepts (the same `check_file`), found without
    the check: what may go to LibreOffice before the check ends."""
    from zonekit.check.materials import check_file
    from zonekit.packet import read_packet
    from zonekit.spec.programme import load_programme

    try:
        prog = load_programme(read_packet(root).programme_id, templates)
    except Exception:
        return []  # check says what is wrong with the packet
    words: list[Path] = []
    for m in prog.materials:
        folder = root / m["folder"]
        if folder.is_dir() and not folder.is_symlink():
            words += [p for p, problem in files_in(folder, root) if problem is None and _ext(p) in WORD
                      and not any(f.severity == ERROR for f in check_file(p, root, sorted(WORD)))]
    return words


def start_word_conversions(root: Path, templates: Path | None, tmp: Path,
                           timeout: float) -> Pending[Conversions] | None:
    """LibreOffice converting the packet's Word files in a thread, started before the check, with a CPU to
    spare and LibreOffice installed. Only files the material check would accept go (the same check_file:
    a damaged, encrypted or entity-declaring file is never handed to LibreOffice); the rest of the office
    files are converted after the check, as before."""
    from zonekit.background import cpus
    from zonekit.document.office import find_soffice

    if cpus() < 2 or not find_soffice():
        return None
    words = word_files(root, templates)
    if not words:
        return None
    from zonekit.document.pdf import warm_up

    warm_up()  # reportlab, pikepdf and the font load while the packet is checked and LibreOffice converts
    return Pending(convert_words, words, tmp, timeout, thread=True)


def convert_words(words: list[Path], tmp: Path, timeout: float) -> Conversions:
    """Office files converted to PDF in one LibreOffice run; Word files keep the text of their seal lines
    (GB/T 9704)."""
    from zonekit.document.docx import seal_kept_copies
    from zonekit.document.office import convert_to_pdf

    copies = seal_kept_copies(words, tmp / "seal-kept")
    done = convert_to_pdf(list(copies.values()), tmp, timeout=timeout)
    return {p: done[copies[p]] for p in words}


# ------------------------------------------------------------------ the parts
@dataclass
class _Context:
    prog: Any
    report: CheckReport
    root: Path
    tmp: Path
    got: Gathered


def gather_parts(prog: Any, report: CheckReport, root: Path, tmp: Path, tick: Progress, timeout: float,
                 early: Pending[Conversions] | None = None) -> Gathered:
    """The parts in the notice's order, plus a manifest entry per input file. Files check found unusable
    are left out (and said); office files are converted first, in one LibreOffice run."""
    ctx = _Context(prog, report, root, tmp, Gathered())
    plan = [(m, _usable_files(ctx, m)) for m in prog.materials]
    office = [p for _, files in plan for p in files if _ext(p) in OFFICE]
    converted = _convert_office(office, tmp, tick, timeout, early) if office else {}
    n = 0
    for m, files in plan:
        if not _printed(ctx, m, files):
            continue
        n += 1
        _material_parts(ctx, m, files, f"{cn_number(n)}、{m['title']}", converted)
    return ctx.got


def _ext(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def _usable_files(ctx: _Context, m: dict[str, Any]) -> list[Path]:
    """The material's files that go into the bundle: not its form's own file (printed from what check read),
    not a file check found unusable (corrupt, encrypted, entity bombs, wrong type: never opened, even with
    --draft)."""
    root, report = ctx.root, ctx.report
    folder = root / m["folder"]
    listed = folder.is_dir() and not folder.is_symlink()
    files = [p for p, problem in files_in(folder, root) if problem is None] if listed else []
    # the form's own file: where check found it by content, else (a form not needed) by its name
    form = ctx.prog.form_of(m)
    forms_read = set(report.form_files.values())
    files = [p for p in files
             if p.relative_to(root).as_posix() not in forms_read and (form is None or p.name != form["file"])]
    unusable = {f.file: Said(f.message, f.text("en")) for f in report.findings
                if f.severity == ERROR and f.file and f.code.startswith("file_")}
    kept = []
    for p in files:
        rel = p.relative_to(root).as_posix()
        if rel in unusable:
            ctx.got.missing(rel, unusable[rel])
        else:
            kept.append(p)
    return kept


def _convert_office(office: list[Path], tmp: Path, tick: Progress, timeout: float,
                    early: Pending[Conversions] | None) -> Conversions:
    """The office files as PDF: the Word files converted while check ran, the rest now."""
    from zonekit.document.office import Failure, find_soffice

    tick("LibreOffice 转换", 0, len(office))
    if find_soffice():
        from zonekit.document.pdf import warm_up

        warm_up()  # while LibreOffice works, a thread loads reportlab, pikepdf, the font, a blank Word document
        started = early.result() if early is not None else {}
        converted = {p: started[p] for p in office if p in started}
        rest = [p for p in office if p not in converted]
        if rest:
            converted |= convert_words(rest, tmp, timeout)
    else:
        none = Failure("未找到 LibreOffice（soffice），无法自动转换",
                       "LibreOffice (soffice) was not found, so the file could not be converted automatically")
        converted = {p: none for p in office}
    tick("LibreOffice 转换", len(office), len(office))
    return converted


def _printed(ctx: _Context, m: dict[str, Any], files: list[Path]) -> bool:
    """A material gets its part unless it has no files, is not needed and has no form check read."""
    has_form = bool(m.get("form")) and m["form"] in ctx.report.forms
    return bool(files) or ctx.report.needed.get(m["id"]) is not False or has_form


def _material_parts(ctx: _Context, m: dict[str, Any], files: list[Path], title: str, converted: Conversions) -> None:
    """A material's divider page, its form, its files, or a placeholder saying what is missing."""
    got = ctx.got
    divider: list[Block] = [Spacer(70), Para(title, "title"), Spacer(8), Para(f"（{m['source']}）", "center")]
    got.parts.append(Section(title, divider))
    if m.get("form"):
        _form_parts(ctx, m, title)
    for path in files:
        part = _file_part(ctx, path, f"{title} — {path.name}", converted)
        if part is not None:
            got.parts.append(part)
            got.inputs.append({**file_entry(path, ctx.root), "part": part.title})
    if not files and not m.get("form"):
        got.parts.append(Placeholder(f"{title} — 缺少材料", f"“{m['title']}”目录中没有材料文件（{m['source']}）。",
                                     in_toc=False))
        if ctx.report.needed.get(m["id"]):
            got.missing(m["title"])


def _form_parts(ctx: _Context, m: dict[str, Any], title: str) -> None:
    """The form as the notice prints it (and an indicator sheet's progress report), or a placeholder
    when check could not read it."""
    report, got = ctx.report, ctx.got
    if m["form"] not in report.forms:
        got.parts.append(Placeholder(f"{title} — 表", "表单缺失或无法读取，见检查结果", in_toc=False))
        got.missing(m["title"])
        return
    got.parts.append(form_section(ctx.prog, report, m))
    rel = report.form_files[m["form"]]
    got.sources[got.parts[-1].title] = rel
    progress = [p for p in report.progress if p.form == m["form"]]
    if progress:  # an indicator sheet with `progress`: summary, chart and a table per group of units
        from zonekit.check.indicators import report_section

        got.parts.append(report_section(ctx.prog.form(m["form"]), progress, ctx.tmp))
    got.inputs.append({**file_entry(ctx.root / rel, ctx.root), "part": f"{title} — 表"})


def _file_part(ctx: _Context, path: Path, label: str, converted: Conversions) -> Part | None:
    """A user's file as a part (None for a file the bundle does not print), with what the printer must know."""
    rel = str(path.relative_to(ctx.root))
    ext = _ext(path)
    if ext == "pdf":
        _pdf_warnings(ctx, path, rel)
        return Attachment(label, path, "pdf", in_toc=False)
    if ext in IMAGE:
        return Attachment(label, path, "image", in_toc=False)
    if ext not in OFFICE:
        return None
    got = converted[path]
    if isinstance(got, Path):
        return Attachment(label, got, "pdf", in_toc=False)
    ctx.got.missing(rel, got.said)
    return Placeholder(label, f"{rel}：{got}。请单独打印此文件并放在此处。", in_toc=False)


def _pdf_warnings(ctx: _Context, path: Path, rel: str) -> None:
    """Fonts not embedded (said by check; said again where the printer will see it) and page numbers of its own."""
    unembedded = {f.file: Said(f.message, f.text("en")) for f in ctx.report.findings
                  if f.code == "pdf_fonts" and f.file}
    if rel in unembedded:
        ctx.got.warnings.append((rel, unembedded[rel]))
    own = own_page_numbers(path)
    if own:
        ctx.got.warnings.append((rel, Said(f"该文件自带页码（如“{own}”），打印后会与申报材料的统一页码同时出现："
                                           "请换用不带页码的版本",
                                           f"the file prints page numbers of its own (such as “{own}”), which "
                                           "will print next to the bundle's page numbers: use a version without "
                                           "them")))


# ------------------------------------------------------------------ forms
def form_section(prog: Any, report: CheckReport, m: dict[str, Any]) -> Section:
    """Material `m`'s form as check read it, laid out as the notice prints it."""
    form = prog.form(m["form"])
    return FORM_SECTIONS[form["kind"]](form, report)


def _record_section(form: dict[str, Any], report: CheckReport) -> Section:
    v = report.forms[form["id"]]
    return Section(form["title"], record_blocks(form, v.fields), landscape=bool(form.get("landscape")), in_toc=False)


def _table_section(form: dict[str, Any], report: CheckReport) -> Section:
    from zonekit.fields.types import of_field

    v = report.forms[form["id"]]
    n = len(v.data.rows)
    columns = [list(range(1, n + 1)) if of_field(c).numbering else v.columns.get(c["key"], [None] * n)
               for c in form["columns"]]
    rows = [list(r) for r in zip(*columns, strict=True)]
    title = table_title(form, report.facts)
    submitted = {}
    if v.data.total is not None:  # the figures of the file's own 合计 row, as the user submitted them
        from zonekit.fields.cellvalues import parse_number

        submitted = {key: number for key, raw in v.data.total.values.items()
                     if (number := parse_number(raw)[0]) is not None}
    return Section(title, table_blocks(form, rows, title, submitted), landscape=bool(form.get("landscape")),
                   in_toc=False)


FORM_SECTIONS: dict[str, Callable[[dict[str, Any], CheckReport], Section]] = {
    "record": _record_section, "table": _table_section}
"""How each form `kind` is printed in the bundle."""


# ------------------------------------------------------------------ cover
def cover(prog: Any, report: CheckReport, applicant: str, date: Any) -> list[Any]:
    """The cover page: the programme, the cover facts the spec names, the applicant, a seal line and the
    notice's contacts."""
    from zonekit.spec.wording import contact_lines, copies_text

    facts = report.facts
    sub = prog.submission
    contacts = contact_lines(prog.contacts)
    air = 0.5 if contacts else 1.0  # the notice's contacts at the foot: less air above, so the cover stays one page
    blocks: list[Any] = [Spacer(40 * air), Para(f"{prog.title()}材料", "title"), Spacer(30 * air)]
    for item in prog.section("cover"):
        value = facts.get(item["fact"]) if facts else None
        shown = value if isinstance(value, str | int) and not isinstance(value, bool) else ""
        blocks.append(Para(f"{item['label']}：{shown}", "plain"))
    blocks.append(Para(f"申报单位：{applicant}", "plain"))
    contact = facts.get("packet.applicant.contact") if facts else None
    phone = facts.get("packet.applicant.phone") if facts else None
    blocks.append(Para(f"联系人：{contact if isinstance(contact, str) else ''}    "
                       f"联系电话：{phone if isinstance(phone, str) else ''}", "plain"))
    blocks.append(Para(f"申报日期：{date.year}年{date.month}月{date.day}日", "plain"))
    blocks += [Spacer(30 * air), SealBlock("申报单位（盖章）：", "年    月    日")]
    if sub and sub.copies:  # only a count the notice gives (深圳 第十一条、第十二条：一式两份)
        blocks += [Spacer(10), Para(f"（本材料{copies_text(sub.copies)}，{sub.seal or '加盖公章'}）", "center")]
    if contacts:
        blocks += [Spacer(8), Para("通知所列联系方式：", "note")] + [Para(c, "note") for c in contacts]
    return blocks
