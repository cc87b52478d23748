"""Rows that belong to a reporting unit (form key `filter_by`).

Some forms are filled by several units, each only in the rows that name it as responsible
(钱塘江金融港湾 附件4/附件5: the 责任单位 column). A form declares
`filter_by = { column = "units", applicant = "unit", fill = [...] }`: `column` holds the
responsible units ("省地方金融监管局、杭州市政府、…"), `applicant` is the packet.toml [applicant]
key holding the reporting unit, `fill` the columns a unit must fill in each of its own rows.

- `init --unit X` writes only X's rows (`for_unit`);
- `check` expects only X's rows (`for_checking`: other rows are optional, not "missing"),
  reports rows filled although X is not responsible for them, and X's rows left empty
  (`responsibility_problems`).
A unit matches when it is one of the names in the cell, compared like labels (spaces and
full-width brackets ignored), never as a substring: "宁波市政府" is not "宁波市".
"""

from __future__ import annotations

import re
from typing import Any

from zonekit.fields.cellvalues import norm_label
from zonekit.fields.types import of_field
from zonekit.findings import Problem
from zonekit.xlsx.form_reader import Row

_SEPARATORS = re.compile(r"[、，,；;／/\s]+")


def unit_list(text: Any) -> list[str]:
    """The units a 责任单位 cell names, as written, in order."""
    return [p for p in _SEPARATORS.split(str(text or "")) if p]


def unit_names(text: Any) -> set[str]:
    """The units a 责任单位 cell names, normalised for comparison."""
    return {norm_label(p) for p in unit_list(text)}


def reporting_unit(form: dict[str, Any], applicant: dict[str, Any]) -> str | None:
    """The unit from packet.toml that `form` is filtered by (None: no filter, or not filled in)."""
    fb = form.get("filter_by")
    value = applicant.get(fb["applicant"]) if fb else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _units_of(form: dict[str, Any], spec_row: dict[str, Any] | None, row: Row | None = None) -> Any:
    col = form["filter_by"]["column"]
    if spec_row is not None and col in spec_row.get("cells", {}):
        return spec_row["cells"][col]  # the spec's text, not what someone typed over it
    return row.values.get(col) if row is not None else None


def is_responsible(form: dict[str, Any], unit: str, spec_row: dict[str, Any] | None, row: Row | None = None) -> bool:
    return norm_label(unit) in unit_names(_units_of(form, spec_row, row))


def for_unit(form: dict[str, Any], unit: str | None) -> dict[str, Any]:
    """The form with only `unit`'s fixed rows (for `init --unit`); unchanged without filter or unit."""
    if not form.get("filter_by") or not unit or not form.get("rows"):
        return form
    return {**form, "rows": [r for r in form["rows"] if is_responsible(form, unit, r)]}


def for_checking(form: dict[str, Any], applicant: dict[str, Any]) -> dict[str, Any]:
    """The form as `check` reads it: rows of other units may be absent (all rows, when the unit is not known)."""
    if not form.get("filter_by") or not form.get("rows"):
        return form
    unit = reporting_unit(form, applicant)
    optional = [r["id"] for r in form["rows"] if unit is None or not is_responsible(form, unit, r)]
    return {**form, "_optional_rows": optional}


def own_rows(validated: Any, applicant: dict[str, Any]) -> list[tuple[int, Row]]:
    """(index, row) of the rows the reporting unit is responsible for (every row without a filter)."""
    form = validated.data.form
    unit = reporting_unit(form, applicant)
    specs = {r["id"]: r for r in form.get("rows", [])}
    return [(i, row) for i, row in enumerate(validated.data.rows)
            if unit is None or is_responsible(form, unit, specs.get(row.id or ""), row)]


def responsibility_problems(forms: dict[str, Any], applicant: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    for v in forms.values():
        form = v.data.form
        unit = reporting_unit(form, applicant)
        if unit is None:
            continue
        fb = form["filter_by"]
        specs = {r["id"]: r for r in form.get("rows", [])}
        labels = {c["key"]: c["label"] for c in form["columns"]}
        name_key = form.get("row_key") or next((c["key"] for c in form["columns"] if not of_field(c).numbering), "")
        source = fb.get("source") or form.get("source")
        for row in v.data.rows:
            spec_row = specs.get(row.id or "")
            name = str((spec_row or {}).get("cells", {}).get(name_key) or row.values.get(name_key) or "")
            if is_responsible(form, unit, spec_row, row):
                for key in fb.get("fill", []):
                    if key in v.data.columns and row.values.get(key) in ("", None):
                        out.append(Problem("field_missing", {"name": name, "label": labels[key]}, "responsible",
                                           file=v.data.file,
                                           sheet=v.data.sheet, cell=v.data.cell(key, row.number), field=labels[key],
                                           source=source))
                continue
            prefilled = set((spec_row or {}).get("cells", {})) | {fb["column"], name_key}
            filled = [k for k in v.data.columns
                      if k not in prefilled and labels.get(k) and row.values.get(k) not in ("", None)
                      and not of_field(next(c for c in form["columns"] if c["key"] == k)).numbering]
            if not filled:
                continue
            units = _units_of(form, spec_row, row) or "（空）"
            out.append(Problem("row_not_responsible", {"row": row.number, "name": name, "units": units, "unit": unit},
                               file=v.data.file, sheet=v.data.sheet, cell=v.data.cell(filled[0], row.number),
                               field=labels[filled[0]],
                               source=source))
    return out
