"""`zonekit bundle`: one PDF to print and stamp, one docx to edit, and a manifest to prove it later.

Steps: check the packet (refuse on errors unless draft) → gather the parts in the notice's order of
materials, office files converted in one LibreOffice process (zonekit.bundle.parts) → render PDF and
docx → write manifest.json with the SHA-256 of every input and output (zonekit.bundle.manifest).
Inputs are only read; outputs are written atomically. This module is the entry the CLI and the web
server call (`build_bundle`, `bundle_date`, `verify`).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zonekit.background import Pending
from zonekit.bundle.manifest import MANIFEST, VerifyResult, manifest, verify, write_manifest
from zonekit.bundle.parts import (
    Conversions,
    Gathered,
    Progress,
    cover,
    gather_parts,
    start_word_conversions,
)
from zonekit.check.runner import CheckReport, check_packet
from zonekit.document.model import Bundle
from zonekit.errors import BundleRefused
from zonekit.findings import ERROR, Finding, Said

WATERMARK = "草稿 — 未通过检查"
# the longest table a bundle prints: about 1,500 pages
MAX_BUNDLE_ROWS = int(os.environ.get("ZONEKIT_MAX_BUNDLE_ROWS", "20000"))

__all__ = ["BundleResult", "MAX_BUNDLE_ROWS", "Progress", "VerifyResult", "WATERMARK", "build_bundle", "bundle_date",
           "verify"]


@dataclass
class BundleResult:
    out: Path
    pdf: Path
    docx: Path
    manifest: Path
    draft: bool
    pages: int
    parts: list[dict[str, Any]]
    warnings: list[tuple[str, Said]] = field(default_factory=list)  # (where, what), in Chinese and English
    incomplete: list[str] = field(default_factory=list)
    font_note: Said = Said("", "")
    report: CheckReport | None = None
    sources: dict[str, str] = field(default_factory=dict)  # part title -> the file its text comes from


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
    early = start_word_conversions(root, templates, early_dir, timeout)
    try:
        return _build(root, out, draft, date, templates, font, progress, timeout, early)
    finally:
        if early is not None:
            try:
                early.result()  # a refused bundle: LibreOffice is let finish before its folder goes
            except Exception:
                pass
        shutil.rmtree(early_dir, ignore_errors=True)


def _build(root: Path, out: Path, draft: bool, date: _dt.datetime, templates: Path | None, font: str | None,
           progress: Progress | None, timeout: float, early: Pending[Conversions] | None) -> BundleResult:
    tick: Progress = progress or (lambda stage, done, total: None)
    if os.environ.get("ZONEKIT_TIMINGS"):
        tick = _StageClock(tick)
    tick("检查材料包", 0, 1)
    report = check_packet(root, templates=templates, as_of=date.date())
    _refuse(report, draft)
    from zonekit.spec.programme import load_programme

    prog = load_programme(report.programme, templates)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "-draft" if draft else ""
    result = BundleResult(out, out / f"申报材料{suffix}.pdf", out / f"申报材料{suffix}.docx", out / MANIFEST,
                          draft, 0, [], report=report)
    with tempfile.TemporaryDirectory(prefix=".zk-convert-", dir=out) as tmp:
        got = gather_parts(prog, report, root, Path(tmp), tick, timeout, early)
        choice = _render(prog, report, got, result, date, font, tick)
    tick("写入清单", 0, 1)
    write_manifest(result.manifest, manifest(result, prog, root, date, choice, got.inputs))
    if isinstance(tick, _StageClock):
        tick.report()
    return result


def _refuse(report: CheckReport, draft: bool) -> None:
    """BundleRefused for a packet with errors (unless `draft`) and for a sheet far beyond any real form,
    which would take minutes and hundreds of pages."""
    errors = [f for f in report.findings if f.severity == ERROR]
    if errors and not draft:
        n = len(errors)
        lines = "\n".join(f"  - {f.location() or f.file or ''} {f.message}" for f in errors[:20])
        lines_en = "\n".join(f"  - {_quoted_location(f)} {f.text('en')}" for f in errors[:20])
        more = f"\n  … 共 {n} 个错误" if n > 20 else ""
        more_en = f"\n  … {n} errors in all" if n > 20 else ""
        raise BundleRefused(f"材料包有 {n} 个错误，未生成申报材料"
                            f"（改正后重试，或加 --draft 生成草稿）：\n{lines}{more}",
                            f"the packet has {n} error{'s' if n > 1 else ''}, so no bundle was made (correct "
                            f"them and try again, or add --draft to make a draft):\n{lines_en}{more_en}")
    for v in report.forms.values():
        rows = len(v.data.rows)
        if rows > MAX_BUNDLE_ROWS:
            raise BundleRefused(f"{v.data.file} 有 {rows:,} 行数据，超过打包上限 {MAX_BUNDLE_ROWS:,} 行"
                                f"（约 {rows // 13:,} 页 A4），未生成申报材料："
                                "请核对是否误填或粘贴了多余的行",
                                f"“{v.data.file}” has {rows:,} rows of data, more than the {MAX_BUNDLE_ROWS:,} a "
                                f"bundle takes (about {rows // 13:,} A4 pages), so no bundle was made: check "
                                "whether rows were filled in or pasted by mistake")


def _quoted_location(f: Finding) -> str:
    """Where a finding is, said in English: its file and sheet keep their Chinese names, in “…”."""
    return " ".join(p for p in (f.file and f"“{f.file}”", f.sheet and f"[“{f.sheet}”]", f.cell) if p)


def _render(prog: Any, report: CheckReport, got: Gathered, result: BundleResult, date: _dt.datetime, font: str | None,
            tick: Progress) -> Any:
    """The PDF and the docx of the gathered parts, behind a cover; `result` gets their pages, parts and
    warnings. Returns the font chosen (for the manifest)."""
    from zonekit.document.docx import render_docx
    from zonekit.document.fonts import find_cjk_font
    from zonekit.document.pdf import render_pdf

    applicant = report.facts.get("packet.applicant.name") if report.facts else None
    applicant = applicant if isinstance(applicant, str) and applicant else "（申报单位）"
    result.warnings += got.warnings
    result.incomplete += got.incomplete
    result.sources.update(got.sources)
    doc = Bundle(
        title=f"{prog.title()}材料", author=applicant, cover=cover(prog, report, applicant, date), parts=got.parts,
        watermark=WATERMARK if result.draft else None, subject=prog.data["document"]["title"],
    )
    tick("生成 PDF", 0, 1)
    choice = find_cjk_font(font)
    pdf_report = render_pdf(doc, result.pdf, font=choice, date=date)
    result.font_note = choice.said_note()
    result.sources.setdefault("封面", "封面（packet.toml 与表单中的文字）")
    result.warnings += [(result.sources.get(where, where), message) for where, message in pdf_report.warnings]
    result.pages = pdf_report.pages
    result.parts = [{"title": p.title, "start": p.start_page, "end": p.end_page, "kind": p.kind}
                    for p in pdf_report.parts]
    tick("生成 Word", 0, 1)
    render_docx(doc, result.docx, date=date)
    return choice


class _StageClock:
    """ZONEKIT_TIMINGS=1: seconds per progress stage, printed to stderr as one JSON line at the end."""

    def __init__(self, forward: Progress) -> None:
        self.forward = forward
        self.stages: dict[str, float] = {}
        self.current: str | None = None
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
