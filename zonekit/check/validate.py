"""Field validation compiled once per field/column from the spec, then run over values.

Each field becomes a `FieldRule`: `parse` turns what a person typed into a typed value (or a
problem), `problems` checks the typed value (required, range, choices, formats). The same
rules are exported as JSON Schema by `zonekit.spec.form_schema`; a test proves the two agree. Table columns
are validated column by column, so 100,000 rows cost one tight loop per column, not a schema
call per row.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from zonekit.check.rules import decimals, equal_as_written
from zonekit.fields import cellvalues
from zonekit.fields import types as field_types
from zonekit.fields.cellvalues import norm_label, norm_labels
from zonekit.findings import ERROR, INFO, WARNING, Problem, spec_help
from zonekit.xlsx.form_reader import FormData
from zonekit.xlsx.names import AUX_SHEET
from zonekit.xlsx.reader import col_letter

MAX_PER_COLUMN = 10  # findings of one code in one column before they are summarised

@dataclass
class FieldRule:
    """A field's rule compiled once per field or column: its registered type (zonekit.fields.types), the
    allowed choices, the limits. Reading and checking are the type's; this only dispatches."""

    spec: dict[str, Any]
    today: _dt.date
    kind: str = field(init=False)
    type: field_types.FieldType = field(init=False)
    choices: dict[str, str] = field(init=False, default_factory=dict)
    limits: dict[str, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.kind = self.spec.get("type", "text")
        self.type = field_types.of(self.kind)
        self.choices = {norm_label(v): v for v in self.spec.get("values", [])}
        # once, not per cell
        self.limits = {name: self.type.limit(self.spec.get(name), self.today) for name in ("min", "max")}

    @property
    def label(self) -> str:
        return self.spec["label"]

    def parse(self, raw: Any) -> tuple[Any, Problem | None]:
        """Typed value (None when blank) or the raw value plus an issue when it cannot be read."""
        if raw is None or raw == "":
            return None, None
        return self.type.parse(self, raw)

    def problems(self, value: Any) -> Problem | None:
        """Checks on a typed value; `value` is None for a blank cell."""
        if value is None:
            if self.spec.get("required"):
                return Problem("field_missing", {"label": self.label})
            return None
        return self.type.problems(self, value)

    def read_issue(self, p: Problem) -> Problem:
        """What a value that cannot be read is: the problem cellvalues found, said of this field."""
        reason, zh, en = cellvalues.said(p)
        return p.replaced(params={"reason": reason, "zh": f"“{self.label}”{zh}", "en": f"'{self.label}': {en}"})

    def format_issue(self, p: Problem) -> Problem:
        """A value in the wrong format (credit code, phone, e-mail), at its code's default severity."""
        reason, zh, en = cellvalues.said(p)
        return p.replaced(params={"reason": reason, "zh": f"“{self.label}”：{zh}", "en": f"'{self.label}': {en}"})

    def check(self, raw: Any) -> tuple[Any, Problem | None]:
        value, issue = self.parse(raw)
        if issue:
            return value, issue
        if value is not None and isinstance(self.type, field_types.ChoiceField):
            canonical = self.type.canonical(self, value)
            if canonical is not None:
                return canonical, None  # an allowed choice: problems() has nothing more to say
        return value, self.problems(value)


def short(value: Any) -> str:
    """A value as a message quotes it: at most 30 characters."""
    text = str(value)
    return text if len(text) <= 30 else text[:29] + "…"


# ------------------------------------------------------------------ running rules over forms
@dataclass
class Validated:
    """Typed values of a form: `fields` for record forms, `columns` (aligned with data.rows) for tables."""

    data: FormData
    fields: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, list[Any]] = field(default_factory=dict)
    aux: dict[str, dict[int, Any]] = field(default_factory=dict)
    flagged: set[tuple[int, str]] = field(default_factory=set)  # (row or 0, key) with an issue


def _at(data: FormData, issue: Problem, cell: str | None, spec: dict[str, Any], sheet: str | None = None) -> Problem:
    """A cell's problem, said where it is: the cell of the field or column `spec`."""
    return issue.replaced(file=data.file, sheet=sheet or data.sheet, cell=cell, field=spec["label"],
                          source=spec.get("source") or data.form.get("source"), **spec_help(spec))


def validate_record(data: FormData, today: _dt.date) -> tuple[Validated, list[Problem]]:
    out = Validated(data)
    findings: list[Problem] = []
    for spec in data.form["fields"]:
        cv = data.fields.get(spec["key"])
        if cv is None:
            continue
        if cv.value in ("", None) and cv.formula is not None:
            out.flagged.add((0, spec["key"]))
            findings.append(Problem("formula_uncached", {"label": spec["label"], "formula": cv.formula}, "field",
                                    hint="",
                                    file=data.file, sheet=cv.sheet, cell=cv.cell, field=spec["label"],
                                    source=spec.get("source") or data.form.get("source")))
            continue
        value, issue = FieldRule(spec, today).check(cv.value)
        out.fields[spec["key"]] = None if issue and issue.severity == ERROR and issue.code != "field_missing" else value
        if issue:
            out.flagged.add((0, spec["key"]))
            findings.append(_at(data, issue, cv.cell, spec, cv.sheet))
    return out, findings


def validate_table(data: FormData, today: _dt.date) -> tuple[Validated, list[Problem]]:
    out = Validated(data)
    findings: list[Problem] = []
    # columns whose rule depends on the row (indicator sheets) go last: they may read other columns
    ordered = sorted(data.form["columns"], key=lambda c: bool(c.get("required_when")))
    for spec in ordered:
        if spec["key"] in data.columns and not field_types.of_field(spec).numbering:
            findings += _column(data, spec, out, today)
    for spec in data.form.get("aux_columns", []):  # the helper sheet: problems there are warnings
        findings += _aux_column(data, spec, out, today)
    findings.extend(_total_row(data, out))
    findings.extend(_subtotals(data, out))
    return out, findings


def _column(data: FormData, spec: dict[str, Any], out: Validated, today: _dt.date) -> list[Problem]:
    """One column's typed values into `out`, and its problems: at most MAX_PER_COLUMN of a code, then
    how many more. A clean column is one whole-column test; otherwise cell by cell, plainly fine
    cells still fast, and a problem is built only for a cell that has one."""
    key, rule = spec["key"], FieldRule(spec, today)
    row_specs = {r["id"]: r for r in data.form.get("rows", [])}
    per_row = bool(row_specs) and _row_dependent(spec)
    capped: dict[str, int] = {}
    found: list[Problem] = []
    raws = data.column(key)
    values = None if per_row else fast_column(rule, raws)
    if values is None:  # some cell needs a closer look
        values = []
        fast = None if per_row else _fast_path(rule)
        for i, row in enumerate(data.rows):
            if per_row:
                rule = FieldRule(_row_spec(spec, row_specs.get(row.id or ""), out, i, data.form.get("row_key")), today)
            raw = raws[i]
            if fast is not None and (value := fast(raw)) is not _SLOW:
                values.append(value)
                continue
            value, issue = rule.check(raw)
            if issue:
                out.flagged.add((row.number, key))
                if issue.severity == ERROR:  # a warning keeps what was read (a credit code in its canonical form)
                    value = None
                n = capped[issue.code] = capped.get(issue.code, 0) + 1
                if n <= MAX_PER_COLUMN:
                    hint_spec = {**spec, **{k: rule.spec.get(k) for k in ("help", "help_en")}} if per_row else spec
                    found.append(_at(data, issue, data.cell(key, row.number), hint_spec))
            values.append(value)
    out.columns[key] = values
    if spec.get("unique"):
        canonical = rule.kind == "uscc" and not per_row  # kept codes are canonical: upper case, half-width, no spaces
        for dup in _duplicates(data, spec, values, canonical):
            out.flagged.add((int(str(dup.cell)[len(col_letter(data.columns[key])):]), key))
            n = capped[dup.code] = capped.get(dup.code, 0) + 1
            if n <= MAX_PER_COLUMN:
                found.append(dup)
    return found + [Problem(code, {"label": spec["label"], "extra": n - MAX_PER_COLUMN, "n": n, "max": MAX_PER_COLUMN},
                            "more", file=data.file, sheet=data.sheet, field=spec["label"], source=spec.get("source"))
                    for code, n in capped.items() if n > MAX_PER_COLUMN]


def _aux_column(data: FormData, spec: dict[str, Any], out: Validated, today: _dt.date) -> list[Problem]:
    """A helper-sheet column's typed values into `out.aux`; its problems are warnings."""
    key, rule = spec["key"], FieldRule(spec, today)
    aux_raws = data.aux.get(key, {})
    typed = fast_column(rule, list(aux_raws.values()))
    if typed is not None:
        out.aux[key] = dict(zip(aux_raws, typed, strict=True))
        return []
    found: list[Problem] = []
    fast = _fast_path(rule)
    for number, raw in aux_raws.items():
        if fast is not None and (value := fast(raw)) is not _SLOW:
            out.aux.setdefault(key, {})[number] = value
            continue
        value, issue = rule.check(raw)
        if issue:
            found.append(_at(data, issue.replaced(severity=WARNING), data.aux_cell(key, number), spec, AUX_SHEET))
        if issue is None or issue.severity != ERROR:  # a warning keeps what was read
            out.aux.setdefault(key, {})[number] = value
    return found


_SLOW = field_types.SLOW


def fast_column(rule: FieldRule, raws: list[Any]) -> list[Any] | None:
    """Every cell's typed value when the whole column is plainly fine, else None (then each cell
    goes through `_fast_path` / `check`). The tests are whole-list operations running in C (map,
    min, set), so a clean 100,000-row column costs milliseconds; the result is what `_fast_path`
    would give cell by cell."""
    if not raws:
        return []
    types = set(map(type, raws))
    return rule.type.column(rule, raws, types.pop()) if len(types) == 1 else None


def _fast_path(rule: FieldRule) -> Any:
    """The typed value of a cell that is plainly fine, or _SLOW to take the full `check`.

    Covers what most cells of a big table hold (clean text, a number in range, a valid code, an
    exact choice), so 100,000 rows are not 1.1 million calls through parse/problems.
    """
    return rule.type.cell(rule)


def _row_dependent(spec: dict[str, Any]) -> bool:
    return bool(spec.get("row_typed") or spec.get("required_when")
                or any(isinstance(spec.get(k), str) and spec[k].startswith("row.") for k in ("min", "max")))


def _row_spec(spec: dict[str, Any], row: dict[str, Any] | None, out: Validated, index: int,
              row_key: str | None = None) -> dict[str, Any]:
    """A column's spec made concrete for one indicator row: its type, unit and limits, and
    whether it is required there (`required_when` reads other columns of the same row)."""
    eff = dict(spec)
    if row is None:  # a row that is not one of the form's indicators (reported as row_unknown): no per-row limits
        for k in ("min", "max"):
            if isinstance(eff.get(k), str) and eff[k].startswith("row."):
                eff[k] = None
        return eff
    name = row.get("cells", {}).get(row_key) if row_key else None
    if name:  # messages name the indicator, not just the column: "“高新技术企业数 自评得分”为 6，不应大于 4"
        eff["label"] = f"{name} {spec['label']}"
    if spec.get("row_typed"):
        for k in ("type", "unit", "min", "max", "values"):
            if k in row:
                eff[k] = row[k]
    for k in ("min", "max"):
        v = eff.get(k)
        if isinstance(v, str) and v.startswith("row."):
            eff[k] = row.get("cells", {}).get(v[4:])
    test = spec.get("required_when")
    if test:
        from zonekit.check.rules import compare

        left = test["left"]
        value = out.columns.get(left[4:], [None] * (index + 1))[index] if left.startswith("row.") else None
        eff["required"] = compare(value, test["op"], test.get("right")) is True
        if eff["required"] and test.get("message"):
            eff["help"], eff["help_en"] = test["message"], test.get("message_en")  # what the row requires
    return eff


def _subtotals(data: FormData, out: Validated) -> Iterator[Problem]:
    """Each 小计 row against the rows of its group."""
    sub = data.form.get("subtotals")
    if not sub:
        return
    index = {row.number: i for i, row in enumerate(data.rows)}
    for srow, members in data.subtotals:
        for key in sub.get("sum", []):
            if key not in data.columns:
                continue
            want = sum(v for r in members if isinstance(v := out.columns.get(key, [])[index[r.number]], int | float))
            raw = srow.values.get(key)
            if raw in ("", None):
                continue  # a formula never calculated: the total row check already says so once
            got, p = cellvalues.parse_number(raw)
            column = next(c for c in data.form["columns"] if c["key"] == key)
            label, precision = column["label"], column.get("precision")
            wants = (want, _with_flagged(data, out, key, members, want))
            if p is None and got is not None and not any(equal_as_written(got, w, precision) for w in wants):
                yield Problem("total_mismatch", {"sub": sub["label"], "label": label, "got": _figure(got),
                                                 "want": _figure(want, got, precision)}, "subtotal", file=data.file,
                              sheet=data.sheet, cell=data.cell(key, srow.number), field=label,
                              source=data.form.get("source"))


def _sum(values: list[Any]) -> float:
    """The numbers among `values` (blank and unreadable cells are None), added up."""
    if set(map(type, values)) <= {int, float}:
        return sum(values)
    return sum(v for v in values if isinstance(v, int | float))


def _with_flagged(data: FormData, out: Validated, key: str, rows: list[Any], want: float) -> float:
    """`want` plus the numbers in cells already reported as out of range (a score of 6 where 4 is the most):
    a formula total over them is consistent with what is typed, and is not reported a second time."""
    extra = 0.0
    if not any(k == key for _, k in out.flagged):
        return want
    for r in rows:
        if (r.number, key) in out.flagged:
            number, p = cellvalues.parse_number(r.values.get(key))
            if p is None and number is not None:
                extra += number
    return want + extra


def _duplicates(data: FormData, spec: dict[str, Any], values: list[Any], canonical: bool = False) -> Iterator[Problem]:
    """Repeated values (compared as `norm_label` has them, unless they are `canonical` already)."""
    at = range(len(values)) if None not in values else [i for i, v in enumerate(values) if v is not None]
    present = values if isinstance(at, range) else [values[i] for i in at]
    keys = present if canonical else norm_labels(present)
    if len(set(keys)) == len(keys):
        return
    seen: dict[str, int] = {}
    for i, k in zip(at, keys, strict=True):
        row, value = data.rows[i], values[i]
        if k in seen:
            yield Problem("duplicate_value", {"label": spec["label"], "value": short(value), "first": seen[k]},
                          file=data.file,
                          sheet=data.sheet, cell=data.cell(spec["key"], row.number), field=spec["label"],
                          source=data.form.get("source"))
        else:
            seen[k] = row.number


def _total_row(data: FormData, out: Validated) -> Iterator[Problem]:
    total = data.form.get("total")
    if not total:
        return
    if data.total is None:
        yield Problem("total_mismatch", {"label": total["label"]}, "no_total", WARNING, file=data.file,
                      sheet=data.sheet,
                      source=data.form.get("source"))
        return
    expected: dict[str, float] = {}
    for key in total.get("count", []):
        column = out.columns.get(key, [])
        expected[key] = len(column) - column.count(None)
    for key in total.get("sum", []):
        expected[key] = _sum(out.columns.get(key, []))
    uncached = [key for key in expected if key in data.columns and data.total.values.get(key) in ("", None)]
    formulas = {}
    if uncached:
        cells = {data.cell(k, data.total.number): k for k in uncached}
        formulas = {cells[c]: f for c, f in data.wb_formulas(set(cells)).items()} if data.wb_formulas else {}
    labels = {c["key"]: c["label"] for c in data.form["columns"]}
    precisions = {c["key"]: c["precision"] for c in data.form["columns"] if c.get("precision")}
    for key, want in expected.items():
        if key not in data.columns:
            continue
        cell = data.cell(key, data.total.number)
        raw = data.total.values.get(key)
        if raw in ("", None):
            if key in formulas:
                yield Problem("formula_uncached", {"formula": formulas[key], "want": want}, "total", hint="",
                              file=data.file,
                              sheet=data.sheet, cell=cell, field=labels[key])
            continue
        got, p = cellvalues.parse_number(raw)
        if p or got is None:
            yield Problem("value_type", {"label": labels[key], "raw": short(raw)}, "total", file=data.file,
                          sheet=data.sheet,
                          cell=cell, field=labels[key])
            continue
        summed = key in total.get("sum", [])
        precision = precisions.get(key)
        as_text = _numbers_as_text(data, out, key) if summed else {}
        if as_text and equal_as_written(got, want - sum(as_text.values()), precision):
            # Excel's and WPS's SUM leave text out: the 合计 is right for what the sheet counts, the cells are wrong
            yield from _text_numbers(data, key, labels[key], as_text, ERROR)
            continue
        if as_text:
            yield from _text_numbers(data, key, labels[key], as_text, WARNING)
        wants = (want, _with_flagged(data, out, key, data.rows, want) if summed else want)
        if not any(equal_as_written(got, w, precision) for w in wants):
            yield Problem("total_mismatch",
                          {"label": labels[key], "got": _figure(got), "want": _figure(want, got, precision)},
                          "total", file=data.file, sheet=data.sheet, cell=cell, field=labels[key],
                          source=data.form.get("source"))


def _figure(value: float, like: float | None = None, precision: float | None = None) -> str:
    """A figure as typed (15150, 3.12), or a computed one at the precision of the figure `like` it is compared with."""
    places = max(decimals(value if like is None else like), decimals(precision) if precision else 0)
    return f"{round(value, places):.{places}f}" if places else f"{round(value):.0f}"


def _numbers_as_text(data: FormData, out: Validated, key: str) -> dict[int, float]:
    """Excel row -> number, for the cells of column `key` that hold a number saved as text ('　1900　')."""
    raws = data.column(key)
    if str not in set(map(type, raws)):
        return {}
    values = out.columns.get(key, [])
    return {row.number: v for row, raw, v in zip(data.rows, raws, values, strict=False)
            if type(raw) is str and isinstance(v, int | float) and not isinstance(v, bool)}


def _text_numbers(data: FormData, key: str, label: str, cells: dict[int, float], severity: str) -> Iterator[Problem]:
    variant = "uncounted" if severity == ERROR else ""
    for n, (number, value) in enumerate(cells.items()):
        if n == MAX_PER_COLUMN:
            break
        yield Problem("number_as_text", {"label": label, "value": _figure(value)}, variant, severity, hint="",
                      file=data.file,
                      sheet=data.sheet, cell=data.cell(key, number), field=label, source=data.form.get("source"))


__all__ = ["FieldRule", "Validated", "validate_record", "validate_table", "INFO"]
