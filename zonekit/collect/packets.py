"""The per-packet work of `collect`: check one packet and keep only a small, picklable `PacketRow`.

`examine` runs in worker processes with `jobs > 1` (spawned, so it and every class it returns must
stay importable at module top level); it returns summary figures plus the table rows the
cross-packet sheets need, never the report. A packet that cannot be read is a row with its error,
never the end of the run; a broken worker pool turns the remaining packets into such rows.
The value helpers every cross-packet step shares live here too: `as_text` (what a value shows),
`match_key` (what two values are compared by) and `as_score` (a figure to rank or band).
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from zonekit.collect.plan import Column, Plan
from zonekit.errors import ZonekitError
from zonekit.fields.cellvalues import norm_label
from zonekit.packet import read_packet
from zonekit.spec.programme import Programme, load_programme


# ------------------------------------------------------------------ what a worker returns
@dataclass
class TableRows:
    """The rows of one table form that the cross-packet sheets need: (Excel row, value per key)."""

    file: str
    sheet: str | None
    keys: tuple[str, ...]
    letters: dict[str, str]
    rows: list[tuple[Any, ...]]

    def cell(self, key: str, row: int) -> str | None:
        return f"{self.letters[key]}{row}" if key in self.letters else None


@dataclass
class PacketRow:
    """One packet: what the worker returns (small and picklable) and what the 汇总 sheet shows."""

    index: int
    packet: str  # the path as given (inside a zip: "x.zip/folder")
    programme: str | None = None
    applicant: dict[str, Any] = field(default_factory=dict)  # packet.toml [applicant]: text, numbers, yes/no
    error: str | None = None  # why the packet could not be read
    counts: dict[str, int] = field(default_factory=dict)
    eligibility: str = ""  # 符合 / 不符合 / 无法判断 …
    path: str = ""  # how the conditions are met, or what is missing
    values: dict[str, Any] = field(default_factory=dict)  # ref -> typed value (raw text when unreadable)
    cells: dict[str, tuple[str, str | None, str | None]] = field(default_factory=dict)  # ref -> (file, sheet, cell)
    tables: dict[str, TableRows] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)  # material id -> file names in its folder
    progress: list[tuple[Any, ...]] = field(default_factory=list)  # (form, row id, MatrixCell fields but packet)
    error_en: str | None = None  # `error` in English (a raiser's Chinese when it gave no English); None when read
    eligibility_en: str = ""  # `eligibility` in English: eligible / not eligible / cannot tell …
    path_en: str = ""  # `path` in English (the spec's condition titles by their `title_en`, else their ids)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def name(self) -> str:
        return as_text(self.applicant.get("name"))

    def value(self, ref: str) -> Any:
        if ref.startswith("packet.applicant."):
            value = self.applicant.get(ref.rsplit(".", 1)[1])
            return None if value == "" else value
        return self.values.get(ref)

    def to_json(self, columns: list[Column], lang: str = "zh") -> dict[str, Any]:
        """The packet's row; with `lang` "en" also the English twins (`eligibility_en`, `path_en`, `error_en`)."""
        out = {"index": self.index + 1, "packet": self.packet, "programme": self.programme, "applicant": self.name,
               "values": {c.ref: self.value(c.ref) for c in columns},
               "errors": self.counts.get("error") if self.ok else None,
               "warnings": self.counts.get("warning") if self.ok else None,
               "infos": self.counts.get("info") if self.ok else None,
               "eligibility": self.eligibility, "path": self.path, "error": self.error}
        if lang == "en":
            out.update(eligibility_en=self.eligibility_en, path_en=self.path_en, error_en=self.error_en)
        return out


def failed(index: int, label: str, zh: str, en: str, **fields: Any) -> PacketRow:
    """A row for a packet that could not be read, with the reason in Chinese and English."""
    return PacketRow(index, label, error=zh, error_en=en, **fields)


def internal_error(e: Exception) -> tuple[str, str]:
    """An unexpected exception while reading a packet, said in Chinese and English."""
    return (f"zonekit 内部错误 {type(e).__name__}: {e}（请反馈）",
            f"zonekit internal error {type(e).__name__}: {e} (please report it)")


# ------------------------------------------------------------------ the per-packet work (runs in workers)
def examine(task: tuple[int, str, str, str | None, date, Plan]) -> PacketRow:
    """Check one packet and keep only what the collection needs. Never raises."""
    index, label, root, templates, as_of, plan = task
    row = PacketRow(index, label)
    tpl = Path(templates) if templates else None
    try:
        packet = read_packet(Path(root))
        row.programme = packet.programme_id
        row.applicant = applicant_answers(packet)
        from zonekit.check.runner import check_packet

        with _quiet():
            report = check_packet(Path(root), templates=tpl, as_of=as_of)
        if report.facts is not None:  # as check completed them: the answers in 申报信息, and what the forms carry
            row.applicant = applicant_answers(report.facts.packet.get("applicant", {}))
        _extract(report, plan, row, load_programme(row.programme, tpl))
    except ZonekitError as e:
        row.error, row.error_en = str(e), e.text("en")
    except Exception as e:  # one odd packet never ends the run
        row.error, row.error_en = internal_error(e)
    return row


@contextmanager
def _quiet() -> Iterator[None]:
    """No output per packet: the PDF libraries' log lines (a broken xref: "incorrect startxref pointer")
    and Python warnings are what `check` reports as findings anyway. `--debug` lets them through."""
    if os.environ.get("ZONEKIT_DEBUG"):
        yield
        return
    loggers = [(log, log.level) for log in map(logging.getLogger, ("pypdf", "pikepdf"))]
    for log, _ in loggers:
        log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for log, level in loggers:
            log.setLevel(level)


def _answer_cells(report: Any, prog: Programme) -> dict[str, tuple[str, str | None, str | None]]:
    """applicant key -> (file, sheet, cell): the form cell a carried answer comes from, else its cell of 申报信息."""
    from zonekit.answers import questions
    from zonekit.check.runner import answer_at

    out = {}
    for q in questions(prog):
        if q.section != "applicant":
            continue
        out[q.name] = _form_cell(report, q.from_form) or _answer_cell(answer_at(report.answers, q.key))
    return out


def _form_cell(report: Any, ref: str | None) -> tuple[str, str | None, str | None] | None:
    """Where a form holds a carried answer (附件1's 联系电话), when it is filled in there."""
    form_id, _, key = (ref or "").partition(".")
    v = report.forms.get(form_id) if ref else None
    cv = v.data.fields.get(key) if v is not None and v.data.fields else None
    if v is None or cv is None or cv.value in ("", None):
        return None
    return v.data.file, cv.sheet, cv.cell


def _answer_cell(where: dict[str, Any]) -> tuple[str, str | None, str | None]:
    return where["file"], where.get("sheet"), where.get("cell")


def applicant_answers(packet: Any) -> dict[str, Any]:
    """The applicant's answers as text, numbers and yes/no: of a Packet (packet.toml), or a dict already."""
    section = packet if isinstance(packet, dict) else packet.section("applicant")
    return {k: v.strip() if isinstance(v, str) else v if isinstance(v, bool | int | float) else as_text(v)
            for k, v in section.items()}


def as_text(value: Any) -> str:
    """A value as the text it shows: stripped, "" for None; what the cross-packet sheets print and compare."""
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def match_key(value: Any) -> str:
    """What two values are compared by across packets (spaces, brackets and case ignored); "" for no value."""
    return norm_label(value) if value not in (None, "") else ""


def as_score(value: Any) -> float | None:
    """A figure as a float to rank, band or aim at; None for anything that is not a number (yes/no included)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _plain(typed: Any, raw: Any) -> Any:
    """The typed value, or what was typed when it could not be read (so a reviewer still sees it)."""
    if typed is not None:
        return typed
    if raw in (None, ""):
        return None
    return raw if isinstance(raw, int | float | str | date) else str(raw)


def _plain_column(typed: list[Any] | None, rows: list[Any], key: str) -> list[Any]:
    """`_plain` over one table column: the typed values as they are when every one was read."""
    if typed is not None and None not in typed:
        return typed
    typed = typed or [None] * len(rows)
    return [t if t is not None else _plain(None, r.values.get(key)) for t, r in zip(typed, rows, strict=True)]


def _extract(report: Any, plan: Plan, row: PacketRow, prog: Programme) -> None:
    """Fill `row` from a checked packet's report with what `plan` asks for, each kind in one step."""
    row.counts = report.counts()
    row.eligibility, row.path = _eligibility(report.eligibility)
    row.eligibility_en, row.path_en = _eligibility(report.eligibility, "en")
    for key, where in _answer_cells(report, prog).items():  # where each applicant answer is: its form cell, or 申报信息
        row.cells[f"packet.applicant.{key}"] = where
    _extract_records(report, plan.record_refs, row)
    _extract_facts(report, plan.facts, row)
    for form_id, keys in plan.table_cols:
        table = _table_rows(report.forms.get(form_id), keys)
        if table is not None:
            row.tables[form_id] = table
    if plan.progress:
        row.progress = [_progress_entry(p) for p in report.progress or []]
    row.files = _material_files(report, plan.materials, prog)


def _extract_records(report: Any, refs: tuple[str, ...], row: PacketRow) -> None:
    """Record fields: the typed value (or what was typed) and the cell it is in."""
    for ref in refs:
        form_id, _, key = ref.partition(".")
        v = report.forms.get(form_id)
        if v is None:
            continue
        cv = v.data.fields.get(key)
        row.values[ref] = _plain(v.fields.get(key), cv.value if cv else None)
        if cv is not None:
            row.cells[ref] = (v.data.file, cv.sheet, cv.cell)


def _extract_facts(report: Any, refs: tuple[str, ...], row: PacketRow) -> None:
    from zonekit.check.rules import MISSING

    for ref in refs:
        value = report.facts.get(ref) if report.facts else MISSING
        row.values[ref] = None if value is MISSING else value


def _table_rows(v: Any, keys: tuple[str, ...]) -> TableRows | None:
    """The columns `keys` of a validated table form (those it has), row by row; None without rows."""
    from zonekit.xlsx.reader import col_letter

    if v is None or not v.data.rows:
        return None
    present = [k for k in keys if k in v.data.columns]
    cols = [_plain_column(v.columns.get(k), v.data.rows, k) for k in present]
    rows = list(zip([r.number for r in v.data.rows], *cols, strict=True))  # column by column: C-level zips
    letters = {k: col_letter(v.data.columns[k]) for k in present}
    return TableRows(v.data.file, v.data.sheet, tuple(present), letters, rows)


def _progress_entry(p: Any) -> tuple[Any, ...]:
    """One indicator's progress as the matrix needs it: the latest year with a value up to the report year."""
    year = max((y for y, v in p.values.items() if v is not None and y <= p.report_year), default=None)
    return (p.form, p.id, p.report_year, year, p.values.get(year) if year else None, p.actual, p.completion, p.status)


def _material_files(report: Any, materials: tuple[str, ...], prog: Programme) -> dict[str, list[str]]:
    """material id -> the names of the acceptable files in its folder (a folder that is a symlink counts as none)."""
    from zonekit.check.materials import files_in

    folders = {m["id"]: m["folder"] for m in prog.materials}
    out: dict[str, list[str]] = {}
    for mid in materials:
        folder = report.root / folders[mid] if mid in folders else None
        if folder is not None and folder.is_dir() and not folder.is_symlink():
            out[mid] = [str(p.relative_to(folder)) for p, problem in files_in(folder, report.root) if problem is None]
    return out


def _eligibility(results: list[Any], lang: str = "zh") -> tuple[str, str]:
    """A short verdict and the path: which conditions hold and by what figures, or what is missing (in `lang`)."""
    from zonekit.check.sentences import detail_text, title

    en = lang == "en"
    w = _WORDS_EN if en else _WORDS_ZH
    results = [r for r in results if r.status != "not_applicable"]
    if not results:
        return "—", ""
    statuses = {r.status for r in results}
    if "unmet" in statuses:
        return w["unmet"], w["not_met"] + _unmet(results, lang)
    if "unknown" in statuses:
        return w["unknown"], w["missing"] + w[";"].join(title(r, lang) for r in results if r.status == "unknown")
    notes = [note[en] for status, note in _MET_NOTES if status in statuses]
    bands = w[";"].join(r.figures.get("band_en", r.band) if en else r.band
                        for r in results if getattr(r, "band", None))
    paths = w[";"].join(d for r in results if r.children and r.status in ("met", "met_by_commitment")
                        and (d := detail_text(r, lang)))
    head = w["met"] + ((f" ({'; '.join(notes)})" if en else f"（{'；'.join(notes)}）") if notes else "")
    return head, w[";"].join(x for x in (bands, paths) if x)


_WORDS_ZH = {"met": "符合", "unmet": "不符合", "unknown": "无法判断", "not_met": "未满足：", "missing": "缺少数据：",
             ";": "；"}
_WORDS_EN = {"met": "eligible", "unmet": "not eligible", "unknown": "cannot tell", "not_met": "not met: ",
             "missing": "data missing: ", ";": "; "}
_MET_NOTES = (("met_by_commitment", ("部分以承诺满足", "partly met by commitment")),
              ("in_principle", ("“原则上”条件未达到，需说明理由",
                                "an in-principle condition is not reached: justify it")),
              ("outcome", ("自评分低于列入档次，以专家评估为准",
                           "the self-assessed score is below the listed bands: the experts decide")))


def _unmet(results: list[Any], lang: str = "zh") -> str:
    """The unmet leaf conditions with their figures; the unmet top conditions when no leaf says more."""
    from zonekit.check.rules import walk
    from zonekit.check.sentences import detail_text, title

    def leaf(r: Any) -> str:
        detail = detail_text(r, lang)
        if not detail:
            return title(r, lang)
        return f"{title(r, lang)} ({detail})" if lang == "en" else f"{r.title}（{detail}）"

    leaves = [leaf(r) for top in results if top.status == "unmet" for r in walk(top)
              if r.status == "unmet" and not r.children]
    sep = "; " if lang == "en" else "；"
    return sep.join(leaves or [title(r, lang) for r in results if r.status == "unmet"])


# ------------------------------------------------------------------ the process pool
def examine_all(tasks: list[tuple], jobs: int) -> Iterable[PacketRow]:
    """`examine` every task, in order: in this process with `jobs` 1, else in `jobs` spawned workers."""
    if jobs <= 1 or len(tasks) <= 1:
        for t in tasks:
            yield examine(t)
        return
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor

    # spawn: the same on Windows, Linux and macOS, and safe beside the progress bar's thread; it
    # re-imports the main script, so a main that is no file (python - < script) needs fork
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    spawn = main is None or os.path.exists(main) or os.name == "nt"
    context = multiprocessing.get_context("spawn" if spawn else "fork")
    workers = min(jobs, len(tasks))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = pool.map(examine, tasks, chunksize=max(1, min(16, len(tasks) // (workers * 4))))
        for k in range(len(tasks)):
            try:
                yield next(results)
            except Exception as e:  # examine() never raises: the pool broke (a worker killed): rows with the reason
                for t in tasks[k:]:
                    yield failed(t[0], t[1], f"检查此材料包的进程异常退出（{type(e).__name__}: {e}）",
                                 f"the process checking this packet ended abnormally ({type(e).__name__}: {e})")
                return
