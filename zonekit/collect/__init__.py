"""`zonekit collect`: the reviewing office's side — many packets in, one workbook's worth of data out.

Inputs are packet folders, folders holding packets, and zip files of packets (extracted into a
temporary folder, refusing anything that could escape it or blow it up). Every packet is checked
with `check_packet`, in worker processes with `jobs > 1`; the work function returns a small
`PacketRow` (summary figures plus the table rows the cross-packet sheets need), never the report.
A packet that cannot be read is a row with its error, never the end of the run. The parent only
joins: rows are taken in packet order as they come in, and a `Sink` (the workbook) gets each
packet's verification lines right then, so the writing overlaps the checking; the cross-packet
steps run once every packet is in.

Across packets, everything is derived from the programme spec, not from Python constants:
- summary columns: every numeric field of the record forms, their name/address fields, the
  fields quotas group by, any `rank_by` fact and the score a condition classifies into bands;
- conflicts, by hash joins (one dict per kind keyed by the normalised value, so linear in rows):
  `unique` table columns (统一社会信用代码, enterprise name), the record form's name and address,
  a record name or address found in another packet's table column that a `matches` consistency
  rule ties to the record name (a building inside a base), phone/email fields across applicants;
- verification sheets from `[[verification]]`, quotas and ranking from `[[quotas]]` (limits per
  group, informational counts, a target such as "about 10" with its gap, `where` filters, `groups`
  by name prefix), score bands from the `bands` of a condition on the ranked fact;
- for indicator sheets with `progress` (钱塘江): a matrix of indicators × reporting units with each
  unit's latest values and completion, and the responsible units (`filter_by`) that have not reported.

Packets of several programmes may be collected together only when their forms are identical
(the Shenzhen base, building and district programmes share theirs): one "round".
Nothing here prints; `workbook` writes the workbook and `terminal.collect_result` the summary.

This module runs a collection (`collect`, the round's programmes) and holds its result; the steps
live in `inputs` (folders, zips), `plan` (what to extract, from the specs), `packets` (the per-packet
work and the process pool), `conflicts`, `verification`, `quotas` (quotas, ranking, bands) and
`progress_matrix` (indicator × unit matrix, units not reported).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from zonekit.collect.conflicts import Conflict, Where, find_conflicts
from zonekit.collect.inputs import PacketInput, expand_inputs, extract_zip
from zonekit.collect.packets import (
    PacketRow,
    TableRows,
    applicant_answers,
    examine,
    examine_all,
    failed,
    internal_error,
)
from zonekit.collect.plan import ALL, ALL_VALUE, Column, Plan, make_plan, scope_ref
from zonekit.collect.progress_matrix import (
    MatrixCell,
    MatrixRow,
    ProgressMatrix,
    Reporting,
    progress_matrices,
    reporting,
)
from zonekit.collect.quotas import BandRow, QuotaRow, RankRow, band_counts, quotas_and_ranking
from zonekit.collect.verification import VerificationSheet, verification_sheets
from zonekit.errors import SpecError, ZonekitError
from zonekit.packet import read_packet
from zonekit.spec.programme import Programme, load_programme

__all__ = [
    "ALL", "ALL_VALUE", "SEVERITY_ZH", "STAGE", "Sink", "BandRow", "CollectResult", "Column", "Conflict",
    "MatrixCell", "MatrixRow", "PacketRow", "Plan", "ProgressMatrix", "QuotaRow", "RankRow", "Reporting", "TableRows",
    "Tick", "VerificationSheet", "Where", "band_counts", "collect", "examine", "extract_zip", "find_conflicts",
    "make_plan", "progress_matrices", "quotas_and_ranking", "reporting", "scope_ref", "verification_sheets",
]


STAGE = "检查材料包"  # its English is in zonekit.spec.wording.STAGES_EN, as every stage's
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}

Tick = Callable[[str, int, int], None]


# ------------------------------------------------------------------ result data
@dataclass
class CollectResult:
    programmes: list[str]
    titles: dict[str, str]
    as_of: date
    columns: list[Column] = field(default_factory=list)
    packets: list[PacketRow] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    verification: list[VerificationSheet] = field(default_factory=list)
    quotas: list[QuotaRow] = field(default_factory=list)
    ranking: list[RankRow] = field(default_factory=list)
    bands: list[BandRow] = field(default_factory=list)
    progress: list[ProgressMatrix] = field(default_factory=list)
    reporting: Reporting | None = None

    titles_en: dict[str, str] = field(default_factory=dict)  # programme -> its English title

    @property
    def title(self) -> str:
        return "；".join(self.titles[p] for p in self.programmes) or "申报材料汇总"

    @property
    def title_en(self) -> str:
        """`title` in English: the programmes' English titles (each its Chinese one where the spec has none)."""
        return "; ".join(self.titles_en.get(p) or self.titles[p] for p in self.programmes) or "Packets collected"

    @property
    def read(self) -> int:
        return sum(1 for p in self.packets if p.ok)

    def counts(self) -> dict[str, int]:
        return {
            "packets": len(self.packets),
            "read": self.read,
            "unreadable": len(self.packets) - self.read,
            "with_errors": sum(1 for p in self.packets if p.ok and p.counts.get("error")),
            "eligible": sum(1 for p in self.packets if p.ok and p.eligibility.startswith("符合")),
            "conflicts": len(self.conflicts),
            "quota_flags": sum(1 for q in self.quotas if q.flagged),
        }

    def where_json(self, w: Where) -> dict[str, Any]:
        p = self.packets[w.packet]
        return {"packet": p.packet, "applicant": p.name, "file": w.file, "sheet": w.sheet, "cell": w.cell, "row": w.row}

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        """The result as `collect --format json` prints it. With `lang` "en" every object also carries its English
        twins beside the Chinese keys (`label_en`, `hint_en`, `status_en` …); "zh" gives exactly the Chinese keys."""
        out = self._json_zh()
        if lang == "en":
            self._add_en(out)
        return out

    def _add_en(self, out: dict[str, Any]) -> None:
        """The `_en` keys, each beside its Chinese key; nothing Chinese is renamed or removed."""
        out["title_en"] = self.title_en
        out["packets"] = [p.to_json(self.columns, "en") for p in self.packets]
        for d, c in zip(out["conflicts"], self.conflicts, strict=True):
            d.update(label_en=c.label_en, hint_en=c.hint_en, source_en=c.source_en)
        for d, v in zip(out["verification"], self.verification, strict=True):
            d.update(source_en=v.source_en)
        for d, q in zip(out["quotas"], self.quotas, strict=True):
            d.update(label_en=q.label_en, source_en=q.source_en, scope_label_en=q.scope_label_en, value_en=q.value_en,
                     status_en=q.status_en, note_en=q.note_en)
        for d, r in zip(out["ranking"], self.ranking, strict=True):
            d.update(quota_en=r.quota_en, scope_value_en=r.scope_value_en, band_en=r.band_en)
        for d, b in zip(out["bands"], self.bands, strict=True):
            d.update(label_en=b.label_en, range_en=b.range_en, source_en=b.source_en)
        out["progress"] = [m.to_json("en") for m in self.progress]
        out["reporting"] = self.reporting.to_json("en") if self.reporting else None

    def _json_zh(self) -> dict[str, Any]:
        return {
            "version": 1,
            "programmes": self.programmes,
            "title": self.title,
            "as_of": self.as_of.isoformat(),
            "counts": self.counts(),
            "columns": [{"ref": c.ref, "label": c.label} for c in self.columns],
            "packets": [p.to_json(self.columns) for p in self.packets],
            "conflicts": [{"kind": c.kind, "label": c.label, "severity": c.severity, "value": c.value,
                           "source": c.source, "note": c.note, "a": self.where_json(c.a), "b": self.where_json(c.b)}
                          for c in self.conflicts],
            "verification": [{"sheet": v.sheet, "to": v.to, "title": v.title, "source": v.source, "header": v.header,
                              "rows": list(v.rows)} for v in self.verification],
            "quotas": [{"programme": q.programme, "label": q.label, "source": q.source, "scope": q.scope,
                        "scope_label": q.scope_label, "value": q.value, "count": q.count, "max": q.max, "min": q.min,
                        "kind": q.kind, "target": q.target, "gap": q.gap, "status": q.status, "flagged": q.flagged,
                        "strength": q.strength, "severity": q.severity, "note": q.note, "packets": q.packets}
                       for q in self.quotas],
            "ranking": [{"quota": r.quota, "rank": r.rank, "packet": r.packet, "applicant": r.applicant,
                         "scope_value": r.scope_value, "score": r.score, "band": r.band} for r in self.ranking],
            "bands": [{"programme": b.programme, "fact": b.fact, "fact_label": b.fact_label, "label": b.label,
                       "min": b.min, "below": b.below, "range": b.range, "status": b.status, "count": b.count,
                       "packets": b.packets, "source": b.source} for b in self.bands],
            "progress": [m.to_json() for m in self.progress],
            "reporting": self.reporting.to_json() if self.reporting else None,
        }


# ------------------------------------------------------------------ the run
class Sink(Protocol):
    """What is written while a round is collected (the workbook): `begin` once the round's sheets are laid
    out, `lines` for each packet's new verification lines (in packet order, while later packets are
    still being checked), `end` with the finished result. Methods run in the parent process only."""

    def begin(self, result: CollectResult) -> None: ...

    def lines(self, sheet: int, lines: list[list[Any]]) -> None: ...

    def end(self, result: CollectResult) -> None: ...


def collect(paths: list[Path], *, templates: Path | None = None, jobs: int = 1, as_of: date | None = None,
            progress: Tick | None = None, sink: Sink | None = None) -> CollectResult:
    """Check every packet under `paths` and relate them. Raises only for a broken programme spec.

    Packets are checked in `jobs` worker processes and come back as compact `PacketRow`s, in order;
    each is joined into the result (and its verification lines handed to `sink`) as soon as it and
    every packet before it are in, so writing overlaps checking."""
    today = as_of or date.today()
    tick = progress or (lambda stage, done, total: None)
    with tempfile.TemporaryDirectory(prefix="zonekit-collect-") as tmp:
        inputs = expand_inputs(paths, Path(tmp))
        rows, tasks, progs = _assign(inputs, templates)
        plan, columns = make_plan(progs)
        result = CollectResult([p.id for p in progs], {p.id: p.title() for p in progs}, today, columns,
                               titles_en={p.id: p.title("en") for p in progs})
        result.verification = verification_sheets(progs, today)
        if sink:
            sink.begin(result)
        done = len(rows)
        tick(STAGE, done, len(inputs))
        tpl = str(templates) if templates else None
        jobs_in = [(i, inp.label, str(inp.root), tpl, today, plan) for i, inp in tasks]
        for row in examine_all(jobs_in, jobs):
            rows[row.index] = row
            done += 1
            _join_ready(result, rows, sink)
            tick(STAGE, done, len(inputs))
        _join_ready(result, rows, sink)
    if progs:
        _relate(result, progs)
    if sink:
        sink.end(result)
    return result


def _join_ready(result: CollectResult, rows: dict[int, PacketRow], sink: Sink | None) -> None:
    """Join the rows that are next in packet order (a later packet waits for every one before it)."""
    while len(result.packets) in rows:
        _join(result, rows.pop(len(result.packets)), sink)


def _relate(result: CollectResult, progs: list[Programme]) -> None:
    """The cross-packet steps, once every packet is in: conflicts, quotas and ranking, bands, progress."""
    packets, columns = result.packets, result.columns
    result.conflicts = find_conflicts([p for p in packets if p.ok], progs)
    result.quotas, result.ranking = quotas_and_ranking(packets, progs, columns)
    result.bands = band_counts(packets, progs, columns)
    result.progress = progress_matrices(packets, progs)
    result.reporting = reporting(packets, progs)


def _join(result: CollectResult, row: PacketRow, sink: Sink | None) -> None:
    result.packets.append(row)
    for k, sheet in enumerate(result.verification):
        lines = sheet.add(row)
        if sink and lines:
            sink.lines(k, lines)


def _assign(inputs: list[PacketInput], templates: Path | None
            ) -> tuple[dict[int, PacketRow], list[tuple[int, PacketInput]], list[Programme]]:
    """Which programme each packet belongs to; the round is the most common one plus those with identical forms."""
    rows: dict[int, PacketRow] = {}
    found: list[tuple[int, PacketInput, Any, Programme]] = []
    for i, inp in enumerate(inputs):
        if inp.error or inp.root is None:
            rows[i] = PacketRow(i, inp.label, error=inp.error, error_en=inp.error_en)
            continue
        try:
            packet = read_packet(inp.root)
            found.append((i, inp, packet, load_programme(packet.programme_id, templates)))
        except SpecError:
            raise  # a broken spec is the office's problem, not the packet's
        except ZonekitError as e:
            rows[i] = failed(i, inp.label, str(e), e.text("en"))
        except Exception as e:
            rows[i] = failed(i, inp.label, *internal_error(e))
    if not found:
        return rows, [], []
    counts = Counter(prog.id for *_, prog in found)
    primary = next(prog for *_, prog in found if prog.id == counts.most_common(1)[0][0])
    shape = _forms_shape(primary)
    progs = [primary]
    tasks: list[tuple[int, PacketInput]] = []
    for i, inp, packet, prog in found:
        if prog.id != primary.id and _forms_shape(prog) != shape:
            rows[i] = failed(i, inp.label, f"本次汇总的是“{primary.title()}”（{primary.id}）的材料包；"
                                           f"此材料包属于“{prog.title()}”（{prog.id}），表单不同，不能一起汇总，"
                                           "请单独运行 zonekit collect",
                             f"this round collects the packets of “{primary.title('en')}” ({primary.id}); this packet "
                             f"is of “{prog.title('en')}” ({prog.id}), whose forms differ, so they cannot be collected "
                             "together: run zonekit collect for it on its own",
                             programme=prog.id, applicant=applicant_answers(packet))
            continue
        if prog not in progs:
            progs.append(prog)
        tasks.append((i, inp))
    return rows, tasks, progs


def _forms_shape(prog: Programme) -> str:
    return json.dumps(prog.forms, sort_keys=True, ensure_ascii=False, default=str)
