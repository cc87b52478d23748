"""Verification sheets of `collect`: one per `[[verification]]` entry, sent to another department.

Each lists, per packet, the columns of a table form (one line per row) or the fields of a record form
plus the file names of the materials it names, and ends with an empty 核查意见 column
(第十四条（三） for Shenzhen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..spec import Programme
from .packets import PacketRow
from .plan import _bare, _identity_refs, _materials_of, _verification_specs


@dataclass
class VerificationSheet:
    sheet: str
    to: str
    title: str
    source: str
    note: str
    header: list[str]
    rows: list[list[Any]]


# ------------------------------------------------------------------ verification sheets (第十四条（三） for Shenzhen)
def verification_sheets(rows: list[PacketRow], progs: list[Programme], today: date) -> list[VerificationSheet]:
    primary = progs[0]
    applicant_label = next((a["label"] for a in primary.list("applicant") if a["key"] == "name"), "申报单位")
    place = next(((ref, fld) for ref, _, fld in _identity_refs(primary) if ref.endswith(".name")), None)
    titles = {m["id"]: m["title"] for p in progs for m in p.materials}
    out = []
    for v, form, specs in _verification_specs(primary):
        header = ["序号", _bare(applicant_label)]
        body: list[list[Any]] = []
        if form["kind"] == "table":
            with_place = place is not None and place[0].split(".")[0] != form["id"]
            header += ([place[1]["label"]] if with_place and place else []) + [c["label"] for c in specs]
            for r in rows:
                t = r.tables.get(form["id"])
                if t is None:
                    continue
                pos = [t.keys.index(c["key"]) + 1 if c["key"] in t.keys else None for c in specs]
                lead = [r.name] + ([r.values.get(place[0])] if with_place and place else [])
                for values in t.rows:
                    body.append([len(body) + 1, *lead, *(values[j] if j else None for j in pos)])
        else:
            mats = [m for m in _materials_of(v) if m in titles]
            header += [c["label"] for c in specs] + [f"{titles[m]}（文件名）" for m in mats]
            for r in rows:
                body.append([len(body) + 1, r.name, *(r.values.get(f"{form['id']}.{c['key']}") for c in specs),
                             *("、".join(r.files.get(m, [])) or None for m in mats)])
        header.append("核查意见")
        for line in body:
            line.append(None)
        title = v.get("title") or v["sheet"]
        note = (v.get("note") or f"送{v['to']}核查（依据：{v['source']}）。共 {len(body)} 条；请在“核查意见”列填写核查结果。"
                ) + f"汇总日期：{today.isoformat()}"
        out.append(VerificationSheet(v["sheet"], v["to"], title, v["source"], note, header, body))
    return out
