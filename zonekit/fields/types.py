"""Field types: one class per family owns how a cell of that type is read and checked.

A spec's `type` (number, integer, percent, date, choice, bool, text, longtext, seq, file, uscc,
phone, email) names a registered `FieldType`: `parse` reads what a person typed, `problems`
checks the typed value, `column` validates a whole clean column in a few C-level passes and
`cell` gives the per-cell fast path for the rest. Types register where they are defined
(`@field_type("number", "integer", "percent")`, as jsonschema's `FormatChecker.checks` does), and
`FieldRule` (zonekit.check.validate) picks its type once per column, never per cell.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zonekit.fields import cellvalues
from zonekit.xlsx.form_reader import norm_label

if TYPE_CHECKING:
    from zonekit.check.validate import FieldRule, Issue

SLOW = object()  # a fast path's answer for "look at this cell closely"
_YES_NO = {"是": True, "否": False}
TYPES: dict[str, FieldType] = {}


def field_type(*names: str) -> Callable[[type[FieldType]], type[FieldType]]:
    """Register a FieldType class under the spec's type names."""
    def register(cls: type[FieldType]) -> type[FieldType]:
        for name in names:
            TYPES[name] = cls()
        return cls
    return register


def of(name: str) -> FieldType:
    return TYPES.get(name, TYPES["text"])


class FieldType:
    """Text: kept as typed, stripped (numbers typed into a text cell read as they show)."""

    def schema(self, spec: dict[str, Any]) -> dict[str, Any]:
        """This type's part of the field's JSON Schema (zonekit.spec.form_schema adds title, help, unit, source)."""
        return {"type": "string"}

    def limit(self, value: Any, today: _dt.date) -> Any:
        """A `min`/`max` of the spec as values of this type are compared with it."""
        return value

    def parse(self, rule: FieldRule, raw: Any) -> tuple[Any, Issue | None]:
        text = _text(raw)
        return (text or None), None

    def problems(self, rule: FieldRule, value: Any) -> Issue | None:
        return None

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        """Every cell's typed value when the whole column (all of one Python type, `kind`) is plainly fine."""
        return list(raws) if kind is str and all(raws) and list(map(str.strip, raws)) == raws else None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        return lambda raw: raw if type(raw) is str and raw and not raw[0].isspace() and not raw[-1].isspace() else SLOW


field_type("text", "longtext")(FieldType)


@field_type("seq", "file")
class PlainField(FieldType):
    """序号 and file names: text, with no column fast path of their own."""

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        return None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        return None


@field_type("number", "integer", "percent")
class NumberField(FieldType):
    def schema(self, spec: dict[str, Any]) -> dict[str, Any]:
        s: dict[str, Any] = {"type": "integer" if spec.get("type") == "integer" else "number"}
        for key, keyword in (("min", "minimum"), ("max", "maximum")):
            if isinstance(spec.get(key), int | float):
                s[keyword] = spec[key]
            elif isinstance(spec.get(key), str) and spec[key].startswith("row."):
                s[f"x-{keyword}"] = spec[key]  # a limit read from each fixed row of an indicator sheet: not a JSON Schema keyword
        return s

    def parse(self, rule: FieldRule, raw: Any) -> tuple[Any, Issue | None]:
        integer = rule.kind == "integer"
        if type(raw) is float:  # the common case, kept fast (what parse_number returns for it)
            if not integer:
                return raw, None
            if raw.is_integer():
                return int(raw), None
        value, p = cellvalues.parse_number(raw, rule.spec.get("unit"), integer=integer)
        return (raw, rule.read_issue(p)) if p else (value, None)

    def problems(self, rule: FieldRule, value: Any) -> Issue | None:
        from zonekit.check.validate import Issue

        if not isinstance(value, int | float) or isinstance(value, bool):
            return None  # a parse issue was already reported
        low, high = rule.limits["min"], rule.limits["max"]
        unit = rule.spec.get("unit", "")
        if low is not None and value < low:
            return Issue("value_range", f"“{rule.label}”为 {value:g}{unit}，不应小于 {low:g}{unit}",
                         f"'{rule.label}' is {value:g}, below {low:g}")
        if high is not None and value > high:
            return Issue("value_range", f"“{rule.label}”为 {value:g}{unit}，不应大于 {high:g}{unit}",
                         f"'{rule.label}' is {value:g}, above {high:g}")
        return None

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        if kind is not float:
            return None
        low, high = rule.limits["min"], rule.limits["max"]
        if (low is not None and min(raws) < low) or (high is not None and max(raws) > high):
            return None
        if rule.kind != "integer":
            return list(raws)
        return list(map(int, raws)) if all(map(float.is_integer, raws)) else None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        low, high = rule.limits["min"], rule.limits["max"]
        if high is not None or rule.kind == "percent":
            return None
        floor = low if low is not None else float("-inf")
        if rule.kind == "integer":
            return lambda raw: int(raw) if type(raw) is float and raw.is_integer() and raw >= floor else SLOW
        return lambda raw: raw if type(raw) is float and raw >= floor else SLOW


@field_type("date")
class DateField(FieldType):
    def schema(self, spec: dict[str, Any]) -> dict[str, Any]:
        s = {"type": "string", "format": "date"}
        s.update({keyword: spec[key] for key, keyword in (("min", "minDate"), ("max", "maxDate")) if spec.get(key)})
        return s

    def limit(self, value: Any, today: _dt.date) -> Any:
        if isinstance(value, str):
            return today if value == "today" else _dt.date.fromisoformat(value)
        return value

    def parse(self, rule: FieldRule, raw: Any) -> tuple[Any, Issue | None]:
        value, _precision, p = cellvalues.parse_date(raw)
        return (raw, rule.read_issue(p)) if p else (value, None)

    def problems(self, rule: FieldRule, value: Any) -> Issue | None:
        from zonekit.check.validate import Issue

        if not isinstance(value, _dt.date):
            return None
        low, high = rule.limits["min"], rule.limits["max"]
        if low and value < low:
            return Issue("value_range", f"“{rule.label}”{value.isoformat()} 早于 {low.isoformat()}，请核对",
                         f"'{rule.label}' {value} is before {low}")
        if high and value > high:
            what = "晚于今天（不能是将来的日期）" if rule.spec.get("max") == "today" else f"晚于 {high.isoformat()}"
            return Issue("value_range", f"“{rule.label}”{value.isoformat()} {what}，请核对", f"'{rule.label}' {value} is after {high}")
        return None

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        if kind not in (_dt.datetime, _dt.date):
            return None
        low, high = rule.limits["min"], rule.limits["max"]
        days = list(map(_dt.datetime.date, raws)) if kind is _dt.datetime else list(raws)
        if (low and min(days) < low) or (high and max(days) > high):
            return None
        return days

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        lo, hi = rule.limits["min"] or _dt.date.min, rule.limits["max"] or _dt.date.max

        def date_cell(raw: Any) -> Any:
            d = raw.date() if type(raw) is _dt.datetime else raw if type(raw) is _dt.date else None
            return d if d is not None and lo <= d <= hi else SLOW

        return date_cell


@field_type("bool")
class BoolField(FieldType):
    def schema(self, spec: dict[str, Any]) -> dict[str, Any]:
        return {"type": "boolean"}

    def parse(self, rule: FieldRule, raw: Any) -> tuple[Any, Issue | None]:
        value, p = cellvalues.parse_bool(raw)
        return (raw, rule.read_issue(p)) if p else (value, None)

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        return list(map(_YES_NO.__getitem__, raws)) if kind is str and set(raws) <= _YES_NO.keys() else None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        return lambda raw: _YES_NO.get(raw, SLOW) if type(raw) is str else SLOW


@field_type("choice")
class ChoiceField(FieldType):
    def schema(self, spec: dict[str, Any]) -> dict[str, Any]:
        return {"enum": list(spec["values"])}

    def problems(self, rule: FieldRule, value: Any) -> Issue | None:
        from zonekit.check.validate import Issue, short

        if norm_label(value) in rule.choices:
            return None
        allowed = rule.spec["values"]
        return Issue("value_choice", f"“{rule.label}”填写为“{short(value)}”，应为以下之一：{'、'.join(allowed)}",
                     f"'{rule.label}' is '{short(value)}'; expected one of {', '.join(allowed)}")

    def canonical(self, rule: FieldRule, value: Any) -> Any:
        """The allowed choice as the spec spells it (a choice typed with other spacing or brackets), or None."""
        return rule.choices.get(norm_label(value))

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        return list(raws) if kind is str and set(raws) <= set(rule.spec.get("values", [])) else None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        exact = set(rule.spec.get("values", []))
        return lambda raw: raw if type(raw) is str and raw in exact else SLOW


@field_type("phone", "email")
class FormatField(FieldType):
    """Text with a format of its own (cellvalues.CHECKERS): the checker says what is wrong."""

    FORMAT = {"uscc": "uscc", "phone": "phone", "email": "zk-email"}  # the JSON Schema format checkers' names

    def schema(self, spec: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "format": self.FORMAT[spec.get("type", "")]}

    def problems(self, rule: FieldRule, value: Any) -> Issue | None:
        p = cellvalues.CHECKERS[rule.kind](value)
        return rule.format_issue(p) if p else None

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        return None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        return None


@field_type("uscc")
class UsccField(FormatField):
    """统一社会信用代码: a valid code spelt otherwise (lower case, spaces, full width) is read as the
    canonical code, with a warning; an invalid one is kept as typed for problems() to explain."""

    def parse(self, rule: FieldRule, raw: Any) -> tuple[Any, Issue | None]:
        if type(raw) is not str or cellvalues.uscc_ok(raw):
            return super().parse(rule, raw)
        p = cellvalues.check_uscc(raw)
        if p and p.reason == "uscc_form":
            return cellvalues.uscc_canonical(raw), rule.format_issue(p)
        return raw.strip() or None, None

    def problems(self, rule: FieldRule, value: Any) -> Issue | None:
        return None if cellvalues.uscc_ok(value) else super().problems(rule, value)

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        return list(raws) if kind is str and cellvalues.usccs_ok(raws) else None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        return lambda raw: raw if cellvalues.uscc_ok(raw) else SLOW


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, _dt.datetime | _dt.date):
        return raw.isoformat()[:10]
    return str(raw).strip()
