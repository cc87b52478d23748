"""Field types: one class per family owns everything zonekit does with a field of that type.

A spec's `type` (number, integer, percent, date, choice, bool, text, longtext, seq, file, uscc,
phone, email) names a registered `FieldType`: `parse` reads what a person typed, `problems`
checks the typed value, `column` validates a whole clean column in a few C-level passes and
`cell` gives the per-cell fast path for the rest; `schema` is its JSON Schema fragment,
`excel_check`, `centered` and `number_format` are its input cell in the written form
(zonekit.xlsx.form_writer), `show` is a value as the bundle prints it (zonekit.document.forms).
`numeric`, `contact` and `numbering` answer what other code asks of a type, so nobody compares
type names. Types register where they are defined (`@field_type("number", "percent")`, as
jsonschema's `FormatChecker.checks` does), and `FieldRule` (zonekit.check.validate) picks its type
once per column, never per cell. The meta-schema accepts exactly the registered names
(zonekit.spec.programme.meta_schema).

Adding a type (say 邮政编码) is one class here: subclass `FieldType` (or the family it resembles),
decorate it with `@field_type("postcode")`, and override what differs — `parse`/`problems` for
what is read and refused, `schema` for the JSON Schema, `typed_check` (its Excel data validation),
`centered` and `number_format` for the written form, `show` for print. Everything else (the
check, `zonekit schema`, the spec's meta-schema, the form writer, the bundle) asks the registry;
tests/test_field_registry.py adds one this way.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from zonekit.fields import cellvalues
from zonekit.fields.cellvalues import norm_label
from zonekit.findings import Problem

if TYPE_CHECKING:
    from zonekit.check.validate import FieldRule

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
    """The registered type `name`; a name the registry does not know reads as untyped text."""
    return TYPES.get(name, UNTYPED)


def of_field(spec: dict[str, Any]) -> FieldType:
    """The type of a field or column as the spec gives it. A field the spec leaves untyped is text,
    except that its input cell keeps Excel's General format (only an explicit `text` asks for '@')."""
    return of(spec.get("type", ""))


@dataclass(frozen=True)
class ExcelCheck:
    """The data validation of a form's input cell, as Excel and WPS apply it (zonekit.xlsx.form_writer
    makes it an openpyxl DataValidation). `prompt` is the input message when the spec gives no `help`;
    `refuse`: Excel refuses a value that breaks it, else it only shows the prompt."""

    type: str
    formula1: str
    operator: str | None = None
    formula2: str | None = None
    prompt: str = ""
    refuse: bool = True


def _listed(values: list[str]) -> str:
    return '"' + ",".join(values) + '"'


class FieldType:
    """Text: kept as typed, stripped (numbers typed into a text cell read as they show)."""

    numeric: ClassVar[bool] = False  # a figure: summed, compared, printed with thousands separators
    contact: ClassVar[bool] = False  # how to reach someone (phone, e-mail): one shared by two packets is worth a look
    numbering: ClassVar[bool] = False  # 序号: zonekit numbers the rows; not data, not in the schema
    centered: ClassVar[bool] = False  # the input cell is centred (short values), else wrapped at the left
    number_format: ClassVar[str | None] = None  # the input cell's Excel number format; None: General

    def schema(self, spec: dict[str, Any]) -> dict[str, Any]:
        """This type's part of the field's JSON Schema (zonekit.spec.form_schema adds title, help, unit, source)."""
        return {"type": "string"}

    def limit(self, value: Any, today: _dt.date) -> Any:
        """A `min`/`max` of the spec as values of this type are compared with it."""
        return value

    def parse(self, rule: FieldRule, raw: Any) -> tuple[Any, Problem | None]:
        text = _text(raw)
        return (text or None), None

    def problems(self, rule: FieldRule, value: Any) -> Problem | None:
        return None

    def canonical(self, rule: FieldRule, value: Any) -> Any:
        """The value as the spec spells it, for a type with spellings of its own (choice); else None."""
        return None

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        """Every cell's typed value when the whole column (all of one Python type, `kind`) is plainly fine."""
        return list(raws) if kind is str and all(raws) and list(map(str.strip, raws)) == raws else None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        return lambda raw: raw if type(raw) is str and raw and not raw[0].isspace() and not raw[-1].isspace() else SLOW

    def excel_check(self, spec: dict[str, Any]) -> ExcelCheck | None:
        """What Excel checks in the input cell: a `suggest` list offers choices and allows other text;
        otherwise the type's own `typed_check`."""
        if spec.get("suggest"):
            return ExcelCheck("list", _listed(spec["suggest"]), prompt="可从列表选择，也可直接填写", refuse=False)
        return self.typed_check(spec)

    def typed_check(self, spec: dict[str, Any]) -> ExcelCheck | None:
        """The type's data validation; text has none (Excel would only limit its length)."""
        return None

    def show(self, value: Any) -> str:
        """The value as the bundle prints it. A value that could not be read stays as typed, whatever
        the type, so this goes by the value: 是/否, figures with thousands separators, ISO dates."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, float):
            return f"{value:,.2f}".rstrip("0").rstrip(".") if not value.is_integer() else f"{int(value):,}"
        if isinstance(value, int):
            return f"{value:,}"
        if isinstance(value, _dt.date):
            return value.isoformat()
        return str(value)


UNTYPED = FieldType()
field_type("longtext")(FieldType)


@field_type("text")
class TextField(FieldType):
    """One line of text, its input cell in Excel's text format (digits typed stay as typed)."""

    number_format = "@"


@field_type("file")
class PlainField(FieldType):
    """File names: text, with no column fast path of their own."""

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        return None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        return None


@field_type("seq")
class SeqField(PlainField):
    """序号: the row's number, which the written form fills in."""

    numbering = True
    centered = True


@field_type("number")
class NumberField(FieldType):
    """A figure with decimals."""

    numeric = True
    whole: ClassVar[bool] = False
    number_format: ClassVar[str | None] = "#,##0.00"
    excel_type, hint = "decimal", "请填写不小于0的数字"

    def schema(self, spec: dict[str, Any]) -> dict[str, Any]:
        s: dict[str, Any] = {"type": "integer" if self.whole else "number"}
        for key, keyword in (("min", "minimum"), ("max", "maximum")):
            if isinstance(spec.get(key), int | float):
                s[keyword] = spec[key]
            elif isinstance(spec.get(key), str) and spec[key].startswith("row."):
                # a limit read from each fixed row of an indicator sheet: not a JSON Schema keyword
                s[f"x-{keyword}"] = spec[key]
        return s

    def parse(self, rule: FieldRule, raw: Any) -> tuple[Any, Problem | None]:
        integer = self.whole
        if type(raw) is float:  # the common case, kept fast (what parse_number returns for it)
            if not integer:
                return raw, None
            if raw.is_integer():
                return int(raw), None
        value, p = cellvalues.parse_number(raw, rule.spec.get("unit"), integer=integer)
        return (raw, rule.read_issue(p)) if p else (value, None)

    def problems(self, rule: FieldRule, value: Any) -> Problem | None:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return None  # a parse issue was already reported
        low, high = rule.limits["min"], rule.limits["max"]
        unit = rule.spec.get("unit", "")
        if low is not None and value < low:
            return Problem("value_range", {"label": rule.label, "value": value, "unit": unit, "low": low}, "below")
        if high is not None and value > high:
            return Problem("value_range", {"label": rule.label, "value": value, "unit": unit, "high": high}, "above")
        return None

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        if kind is not float:
            return None
        low, high = rule.limits["min"], rule.limits["max"]
        if (low is not None and min(raws) < low) or (high is not None and max(raws) > high):
            return None
        if not self.whole:
            return list(raws)
        return list(map(int, raws)) if all(map(float.is_integer, raws)) else None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        low, high = rule.limits["min"], rule.limits["max"]
        if high is not None:
            return None
        floor = low if low is not None else float("-inf")
        if self.whole:
            return lambda raw: int(raw) if type(raw) is float and raw.is_integer() and raw >= floor else SLOW
        return lambda raw: raw if type(raw) is float and raw >= floor else SLOW

    def typed_check(self, spec: dict[str, Any]) -> ExcelCheck | None:
        low = str(spec.get("min", 0))
        high = None if spec.get("max") is None else str(spec["max"])
        unit = f"，单位：{spec['unit']}" if spec.get("unit") else ""
        operator = "greaterThanOrEqual" if high is None else "between"
        return ExcelCheck(self.excel_type, low, operator, high, self.hint + unit)


@field_type("percent")
class PercentField(NumberField):
    """A figure in %: no per-cell fast path (every cell takes the full read)."""

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        return None


@field_type("integer")
class IntegerField(NumberField):
    """A whole number (a count): centred in its cell, Excel accepts whole numbers only."""

    whole = True
    number_format = None
    centered = True
    excel_type, hint = "whole", "请填写不小于0的整数"


@field_type("date")
class DateField(FieldType):
    centered = True
    number_format = "yyyy-mm-dd"

    def typed_check(self, spec: dict[str, Any]) -> ExcelCheck | None:
        return ExcelCheck("date", "DATE(1978,1,1)", "between", "DATE(2100,12,31)", "请填写日期，如 2023-06-30")

    def schema(self, spec: dict[str, Any]) -> dict[str, Any]:
        s = {"type": "string", "format": "date"}
        s.update({keyword: spec[key] for key, keyword in (("min", "minDate"), ("max", "maxDate")) if spec.get(key)})
        return s

    def limit(self, value: Any, today: _dt.date) -> Any:
        if isinstance(value, str):
            return today if value == "today" else _dt.date.fromisoformat(value)
        return value

    def parse(self, rule: FieldRule, raw: Any) -> tuple[Any, Problem | None]:
        value, _precision, p = cellvalues.parse_date(raw)
        return (raw, rule.read_issue(p)) if p else (value, None)

    def problems(self, rule: FieldRule, value: Any) -> Problem | None:
        if not isinstance(value, _dt.date):
            return None
        low, high = rule.limits["min"], rule.limits["max"]
        if low and value < low:
            return Problem("value_range", {"label": rule.label, "value": value, "low": low}, "before")
        if high and value > high:
            variant = "after_today" if rule.spec.get("max") == "today" else "after"
            return Problem("value_range", {"label": rule.label, "value": value, "high": high}, variant)
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

    def parse(self, rule: FieldRule, raw: Any) -> tuple[Any, Problem | None]:
        value, p = cellvalues.parse_bool(raw)
        return (raw, rule.read_issue(p)) if p else (value, None)

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        return list(map(_YES_NO.__getitem__, raws)) if kind is str and set(raws) <= _YES_NO.keys() else None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        return lambda raw: _YES_NO.get(raw, SLOW) if type(raw) is str else SLOW

    def excel_check(self, spec: dict[str, Any]) -> ExcelCheck | None:
        """是/否 from a list, also when the spec suggests other answers (then Excel allows them)."""
        return ExcelCheck("list", _listed(list(_YES_NO)), refuse=not spec.get("suggest"))


@field_type("choice")
class ChoiceField(FieldType):
    centered = True

    def typed_check(self, spec: dict[str, Any]) -> ExcelCheck | None:
        return ExcelCheck("list", _listed(spec["values"]))

    def schema(self, spec: dict[str, Any]) -> dict[str, Any]:
        return {"enum": list(spec["values"])}

    def problems(self, rule: FieldRule, value: Any) -> Problem | None:
        from zonekit.check.validate import short

        if norm_label(value) in rule.choices:
            return None
        allowed = rule.spec["values"]
        return Problem("value_choice", {"label": rule.label, "value": short(value), "allowed_zh": "、".join(allowed),
                                        "allowed_en": ", ".join(allowed)})

    def canonical(self, rule: FieldRule, value: Any) -> Any:
        """The allowed choice as the spec spells it (a choice typed with other spacing or brackets), or None."""
        return rule.choices.get(norm_label(value))

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        return list(raws) if kind is str and set(raws) <= set(rule.spec.get("values", [])) else None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        exact = set(rule.spec.get("values", []))
        return lambda raw: raw if type(raw) is str and raw in exact else SLOW


class FormatField(FieldType):
    """Text with a format of its own (cellvalues.CHECKERS): the checker says what is wrong. Excel only
    limits the length and says what is expected (`hint`); the check explains a wrong value."""

    json_format: ClassVar[str]  # the name of its JSON Schema format checker (zonekit.spec.form_schema.validator)
    hint: ClassVar[str]

    def schema(self, spec: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "format": self.json_format}

    def typed_check(self, spec: dict[str, Any]) -> ExcelCheck | None:
        return ExcelCheck("textLength", "60", "lessThanOrEqual", prompt=self.hint, refuse=False)

    def problems(self, rule: FieldRule, value: Any) -> Problem | None:
        p = cellvalues.CHECKERS[rule.kind](value)
        return rule.format_issue(p) if p else None

    def column(self, rule: FieldRule, raws: list[Any], kind: type) -> list[Any] | None:
        return None

    def cell(self, rule: FieldRule) -> Callable[[Any], Any] | None:
        return None


@field_type("phone")
class PhoneField(FormatField):
    contact = True
    number_format = "@"  # a leading 0 (区号) stays
    json_format, hint = "phone", "手机号或带区号的固定电话，如 0755-83451234"


@field_type("email")
class EmailField(FormatField):
    contact = True
    json_format, hint = "zk-email", "如 name@example.com"


@field_type("uscc")
class UsccField(FormatField):
    """统一社会信用代码: a valid code spelt otherwise (lower case, spaces, full width) is read as the
    canonical code, with a warning; an invalid one is kept as typed for problems() to explain."""

    number_format = "@"
    json_format, hint = "uscc", "18位统一社会信用代码"

    def parse(self, rule: FieldRule, raw: Any) -> tuple[Any, Problem | None]:
        if type(raw) is not str or cellvalues.uscc_ok(raw):
            return super().parse(rule, raw)
        p = cellvalues.check_uscc(raw)
        if p and p.code == "uscc_form":
            return cellvalues.uscc_canonical(raw), rule.format_issue(p)
        return raw.strip() or None, None

    def problems(self, rule: FieldRule, value: Any) -> Problem | None:
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
