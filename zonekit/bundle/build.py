"""`zonekit bundle`: one PDF to print and stamp, one docx to edit, and a manifest to prove it later.

Steps: check the packet (refuse on errors unless draft) → build the document model in the
notice's order of materials → convert office files in one LibreOffice process → render PDF and
docx → write manifest.json with the SHA-256 of every input and output. Inputs are only read;
outputs are written atomically.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zonekit import __version__
from zonekit.background import Pending
from zonekit.check.materials import files_in
from zonekit.check.runner import CheckReport, check_packet
from zonekit.document.forms import record_blocks, table_blocks, table_title
from zonekit.document.model import Attachment, Bundle, Para, Part, Placeholder, SealBlock, Section, Spacer
from zonekit.document.page_numbers import own_page_numbers
from zonekit.errors import BundleRefused
from zonekit.findings import ERROR
from zonekit.fsutil import atomic_write, sha256_file

WATERMARK = "草稿 — 未通过检查"
IMAGE = {"jpg", "jpeg", "png"}
OFFICE = {"docx", "doc", "xlsx", "xls"}
_CN = "一二三四五六七八九十"

Progress = Callable[[str, int, int], None]


def cn_number(n: int) -> str:
    if n <= 10:
        return _CN[n - 1]
    tens, ones = divmod(n, 10)
    return (_CN[tens - 1] if tens > 1 else "") + "十" + (_CN[ones - 1] if ones else "")


@dataclass
class BundleResult:
    out: Path
    pdf: Path
    docx: Path
    manifest: Path
    draft: bool
    pages: int
    parts: list[dict[str, Any]]
    warnings: list[tuple[str, str]] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    font_note: str = ""
    report: CheckReport | None = None
    sources: dict[str, str] = field(default_factory=dict)  # part title -> the file its text comes from


MAX_BUNDLE_ROWS = int(os.environ.get("ZONEKIT_MAX_BUNDLE_ROWS", "20000"))  # a table printed in a bundle: about 1,500 pages


def bundle_date(text: str | None) -> _dt.datetime:
    """--date, else SOURCE_DATE_EPOCH, else now (UTC, to the second)."""
    if text:
        return _dt.datetime.combine(_dt.date.fromisoformat(text), _dt.time(9, 0))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC).replace(tzinfo=None)
    return _dt.datetime.now().replace(microsecond=0)


def build_bundle(root: Path, out: Path, *, draft: bool = False, date: _dt.datetime, templates: Path | None = None,
                 font: str | None = None, progress: Progress | None = None, timeout: float = 120) -> BundleResult:
    """Check the packet, then assemble its PDF, docx and manifest in `out` (BundleRefused when it has errors
    and `draft` is not set). The Word files are converted by LibreOffice while the packet is checked."""
    early_dir = Path(tempfile.mkdtemp(prefix="zonekit-early-"))
    early = _start_word_conversions(root, templates, early_dir, timeout)
    try:
        return _build(root, out, draft, date, templates, font, progress, timeout, early)
    finally:
        if early is not None:
            try:
                early.result()  # a refused bundle: LibreOffice is let finish before its folder goes
            except Exception:
                pass
        shutil.rmtree(early_dir, ignore_errors=True)


WORD = {"docx", "doc"}  # converted while the packet is checked: the report is what LibreOffice spends most of a bundle on


def _start_word_conversions(root: Path, templates: Path | None, tmp: Path, timeout: float) -> Pending[dict[Path, Path | str]] | None:
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
    return Pending(_convert_words, words, tmp, timeout, thread=True)


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
            words += [p for p, problem in files_in(folder, root) if problem is None and p.suffix.lower().lstrip(".") in WORD
                      and not any(f.severity == ERROR for f in check_file(p, root, sorted(WORD)))]
    return words


def _convert_words(words: list[Path], tmp: Path, timeout: float) -> dict[Path, Path | str]:
    from zonekit.document.docx import seal_kept_copies
    from zonekit.document.office import convert_to_pdf

    copies = seal_kept_copies(words, tmp / "seal-kept")  # Word files: seal lines keep their text (GB/T 9704)
    done = convert_to_pdf(list(copies.values()), tmp, timeout=timeout)
    return {p: done[copies[p]] for p in words}


def _build(root: Path, out: Path, draft: bool, date: _dt.datetime, templates: Path | None, font: str | None,
           progress: Progress | None, timeout: float, early: Pending[dict[Path, Path | str]] | None) -> BundleResult:
    tick: Progress = progress or (lambda stage, done, total: None)
    if os.environ.get("ZONEKIT_TIMINGS"):
        tick = _StageClock(tick)
    tick("检查材料包", 0, 1)
    report = check_packet(root, templates=templates, as_of=date.date())
    errors = [f for f in report.findings if f.severity == ERROR]
    if errors and not draft:
        lines = "\n".join(f"  - {f.location() or f.file or ''} {f.message}" for f in errors[:20])
        more = f"\n  … 共 {len(errors)} 个错误" if len(errors) > 20 else ""
        raise BundleRefused(f"材料包有 {len(errors)} 个错误，未生成申报材料（改正后重试，或加 --draft 生成草稿）：\n{lines}{more}")
    for v in report.forms.values():  # a sheet far beyond any real form would take minutes and hundreds of pages
        if len(v.data.rows) > MAX_BUNDLE_ROWS:
            raise BundleRefused(f"{v.data.file} 有 {len(v.data.rows):,} 行数据，超过打包上限 {MAX_BUNDLE_ROWS:,} 行"
                                f"（约 {len(v.data.rows) // 13:,} 页 A4），未生成申报材料：请核对是否误填或粘贴了多余的行")
    from zonekit.spec.programme import load_programme

    prog = load_programme(report.programme, templates)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "-draft" if draft else ""
    result = BundleResult(out, out / f"申报材料{suffix}.pdf", out / f"申报材料{suffix}.docx", out / "manifest.json", draft, 0, [],
                          report=report)
    applicant = report.facts.get("packet.applicant.name") if report.facts else None
    applicant = applicant if isinstance(applicant, str) and applicant else "（申报单位）"
    with tempfile.TemporaryDirectory(prefix=".zk-convert-", dir=out) as tmp:
        parts, inputs = _parts(prog, report, root, Path(tmp), result, tick, timeout, early)
        doc = Bundle(
            title=f"{prog.title()}材料", author=applicant, cover=_cover(prog, report, applicant, date), parts=parts,
            watermark=WATERMARK if draft else None, subject=prog.data["document"]["title"],
        )
        from zonekit.document.fonts import find_cjk_font
        from zonekit.document.pdf import render_pdf

        tick("生成 PDF", 0, 1)
        choice = find_cjk_font(font)
        pdf_report = render_pdf(doc, result.pdf, font=choice, date=date)
        result.font_note = choice.note or choice.name
        result.sources.setdefault("封面", "封面（packet.toml 与表单中的文字）")
        result.warnings += [(result.sources.get(where, where), message) for where, message in pdf_report.warnings]
        result.pages = pdf_report.pages
        result.parts = [{"title": p.title, "start": p.start_page, "end": p.end_page, "kind": p.kind} for p in pdf_report.parts]
        tick("生成 Word", 0, 1)
        from zonekit.document.docx import render_docx

        render_docx(doc, result.docx, date=date)
    tick("写入清单", 0, 1)
    pages_of = {p["title"]: (p["start"], p["end"]) for p in result.parts}
    manifest = {
        "zonekit": __version__,
        "programme": prog.id,
        "spec_version": prog.version,
        "spec_sha256": prog.sha256,
        "date": date.isoformat(),
        "draft": draft,
        "packet": str(root.resolve()),
        "check": {"ok": report.ok, "counts": report.counts(), "verdict": report.verdict()},
        "font": {"name": choice.name, "embedded": choice.embedded, "note": choice.note},
        "incomplete": result.incomplete,
        "warnings": [{"where": w, "message": m} for w, m in result.warnings],
        "inputs": [{**entry, "pages": pages_of.get(entry.pop("part"), None)} for entry in inputs],
        "outputs": [_entry(result.pdf, out, pages=[1, result.pages]), _entry(result.docx, out)],
    }
    atomic_write(result.manifest, lambda p: p.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8"),
                 overwrite=True)
    if isinstance(tick, _StageClock):
        tick.report()
    return result


class _StageClock:
    """ZONEKIT_TIMINGS=1: seconds per progress stage, printed to stderr as one JSON line at the end."""

    def __init__(self, forward: Progress) -> None:
        self.forward, self.stages, self.current = forward, {}, None
        self.since = self.start = time.perf_counter()

    def __call__(self, stage: str, done: int, total: int) -> None:
        self._switch(stage)
        self.forward(stage, done, total)

    def _switch(self, stage: str) -> None:
        if stage != self.current:
            now = time.perf_counter()
            if self.current is not None:
                self.stages[self.current] = self.stages.get(self.current, 0.0) + now - self.since
            self.current, self.since = stage, now

    def report(self) -> None:
        self._switch("")
        info: dict[str, Any] = {"stages": {k: round(v, 3) for k, v in self.stages.items()},
                                "total": round(time.perf_counter() - self.start, 3)}
        try:
            import resource

            info["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        except ImportError:  # Windows
            pass
        print("zonekit-timings: " + json.dumps(info, ensure_ascii=False), file=sys.stderr)


def _entry(path: Path, base: Path, **extra: Any) -> dict[str, Any]:
    return {"path": str(path.relative_to(base)), "sha256": sha256_file(path), "size": path.stat().st_size, **extra}


def _cover(prog: Any, report: CheckReport, applicant: str, date: _dt.datetime) -> list[Any]:
    from zonekit.scaffold import contact_lines, copies_text

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
    blocks.append(Para(f"联系人：{contact if isinstance(contact, str) else ''}    联系电话：{phone if isinstance(phone, str) else ''}", "plain"))
    blocks.append(Para(f"申报日期：{date.year}年{date.month}月{date.day}日", "plain"))
    blocks += [Spacer(30 * air), SealBlock("申报单位（盖章）：", "年    月    日")]
    if sub and sub.copies:  # only a count the notice gives (深圳 第十一条、第十二条：一式两份)
        blocks += [Spacer(10), Para(f"（本材料{copies_text(sub.copies)}，{sub.seal or '加盖公章'}）", "center")]
    if contacts:
        blocks += [Spacer(8), Para("通知所列联系方式：", "note")] + [Para(c, "note") for c in contacts]
    return blocks


def _parts(prog: Any, report: CheckReport, root: Path, tmp: Path, result: BundleResult, tick: Progress,
           timeout: float, early: Pending[dict[Path, Path | str]] | None = None) -> tuple[list[Part], list[dict[str, Any]]]:
    """The parts in the notice's order, plus a manifest entry per input file."""
    plan: list[tuple[dict[str, Any], list[Path]]] = []
    office: list[Path] = []
    # files check found unusable (corrupt, encrypted, entity bombs, wrong type): not converted or merged
    unusable = {f.file: f.message for f in report.findings if f.severity == ERROR and f.file and f.code.startswith("file_")}
    unembedded = {f.file: f.message for f in report.findings if f.code == "pdf_fonts" and f.file}
    for m in prog.materials:
        folder = root / m["folder"]
        files = [p for p, problem in files_in(folder, root) if problem is None] if folder.is_dir() and not folder.is_symlink() else []
        # the form's own file: where check found it by content, else (a form not needed) by its name
        form_file = prog.form(m["form"])["file"] if m.get("form") else None
        forms_read = set(report.form_files.values())
        files = [p for p in files if p.relative_to(root).as_posix() not in forms_read and p.name != form_file]
        refused = [p for p in files if p.relative_to(root).as_posix() in unusable]  # --draft: never opened either
        for p in refused:
            rel = p.relative_to(root).as_posix()
            result.incomplete.append(rel)
            result.warnings.append((rel, unusable[rel]))
        files = [p for p in files if p not in refused]
        plan.append((m, files))
        office += [p for p in files if p.suffix.lower().lstrip(".") in OFFICE]
    converted: dict[Path, Path | str] = {}
    if office:
        from zonekit.document.office import find_soffice

        tick("LibreOffice 转换", 0, len(office))
        if find_soffice():
            from zonekit.document.pdf import warm_up

            warm_up()  # while LibreOffice works, a thread loads reportlab, pikepdf, the font, a blank Word document
            started = early.result() if early is not None else {}  # the Word files, converted while check ran
            converted = {p: started[p] for p in office if p in started}
            rest = [p for p in office if p not in converted]
            if rest:
                converted |= _convert_words(rest, tmp, timeout)
        else:
            converted = {p: "未找到 LibreOffice（soffice），无法自动转换" for p in office}
        tick("LibreOffice 转换", len(office), len(office))
    parts: list[Part] = []
    inputs: list[dict[str, Any]] = []
    n = 0
    for m, files in plan:
        needed = report.needed.get(m["id"])
        if not files and needed is False and (not m.get("form") or m["form"] not in report.forms):
            continue
        n += 1
        title = f"{cn_number(n)}、{m['title']}"
        parts.append(Section(title, [Spacer(70), Para(title, "title"), Spacer(8), Para(f"（{m['source']}）", "center")]))
        if m.get("form") and m["form"] in report.forms:
            parts.append(_form_section(prog, report, m))
            result.sources[parts[-1].title] = report.form_files[m["form"]]
            progress = [p for p in report.progress if p.form == m["form"]]
            if progress:  # an indicator sheet with `progress`: summary, chart and a table per group of units
                from zonekit.check.indicators import report_section

                parts.append(report_section(prog.form(m["form"]), progress, tmp))
            rel = report.form_files[m["form"]]
            inputs.append({**_entry(root / rel, root), "part": f"{title} — 表"})
        elif m.get("form"):
            parts.append(Placeholder(f"{title} — 表", "表单缺失或无法读取，见检查结果", in_toc=False))
            result.incomplete.append(m["title"])
        for path in files:
            rel = str(path.relative_to(root))
            label = f"{title} — {path.name}"
            ext = path.suffix.lower().lstrip(".")
            if ext == "pdf":
                parts.append(Attachment(label, path, "pdf", in_toc=False))
                if rel in unembedded:  # said by check; the bundle says it again where the printer will see it
                    result.warnings.append((rel, unembedded[rel]))
                own = own_page_numbers(path)
                if own:
                    result.warnings.append((rel, f"该文件自带页码（如“{own}”），打印后会与申报材料的统一页码同时出现：请换用不带页码的版本"))
            elif ext in IMAGE:
                parts.append(Attachment(label, path, "image", in_toc=False))
            elif ext in OFFICE:
                got = converted.get(path)
                if isinstance(got, Path):
                    parts.append(Attachment(label, got, "pdf", in_toc=False))
                else:
                    parts.append(Placeholder(label, f"{rel}：{got}。请单独打印此文件并放在此处。", in_toc=False))
                    result.incomplete.append(rel)
                    result.warnings.append((rel, str(got)))
            else:
                continue
            inputs.append({**_entry(path, root), "part": label})
        if not files and not m.get("form"):
            parts.append(Placeholder(f"{title} — 缺少材料", f"“{m['title']}”目录中没有材料文件（{m['source']}）。", in_toc=False))
            if needed:
                result.incomplete.append(m["title"])
    return parts, inputs


def _form_section(prog: Any, report: CheckReport, m: dict[str, Any]) -> Section:
    form = prog.form(m["form"])
    v = report.forms[form["id"]]
    landscape = bool(form.get("landscape"))
    if form["kind"] == "record":
        return Section(form["title"], record_blocks(form, v.fields), landscape=landscape, in_toc=False)
    n = len(v.data.rows)
    columns = [list(range(1, n + 1)) if c.get("type") == "seq" else v.columns.get(c["key"], [None] * n) for c in form["columns"]]
    rows = [list(r) for r in zip(*columns, strict=True)]
    title = table_title(form, report.facts)
    submitted = {}
    if v.data.total is not None:  # the figures of the file's own 合计 row, as the user submitted them
        from zonekit.fields.cellvalues import parse_number

        submitted = {key: number for key, raw in v.data.total.values.items() if (number := parse_number(raw)[0]) is not None}
    return Section(title, table_blocks(form, rows, title, submitted), landscape=landscape, in_toc=False)


# ------------------------------------------------------------------ verify
@dataclass
class VerifyResult:
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    checked: int = 0
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.changed and not self.missing


def verify(out: Path, packet: Path | None = None) -> VerifyResult:
    from zonekit.errors import PacketError

    path = out / "manifest.json"
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise PacketError(f"{path} 无法读取：{e}（不是 zonekit bundle 的输出目录？）") from e
    result = VerifyResult(manifest=manifest)
    packet = packet or Path(manifest.get("packet", ""))
    for base, entries in ((out, manifest.get("outputs", [])), (packet, manifest.get("inputs", []))):
        for e in entries:
            p = base / e["path"]
            result.checked += 1
            if not p.is_file():
                result.missing.append(str(p))
            elif p.stat().st_size != e["size"] or sha256_file(p) != e["sha256"]:
                result.changed.append(str(p))
    return result
