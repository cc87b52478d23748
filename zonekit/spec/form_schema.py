"""JSON Schema (draft 2020-12) for each form, derived from the programme spec.

This is the declared, exported contract (`zonekit schema PROGRAMME`). `check` runs the same rules
compiled per column (zonekit.check.validate) for speed; `validator()` runs them through jsonschema with
zonekit's format checkers and two small keywords (`minDate`/`maxDate`, `uniqueBy`), and a test
proves both paths flag the same cells.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

from zonekit.fields.types import of_field


def field_schema(f: dict[str, Any]) -> dict[str, Any]:
    s: dict[str, Any] = {"title": f["label"]}
    if f.get("help"):
        s["description"] = f["help"]
    s.update(of_field(f).schema(f))  # the type's own part: type, format, enum, limits
    if f.get("row_typed"):  # type, unit and limits differ per fixed row (indicator sheets)
        s.pop("type", None)
        s["x-row-typed"] = True
    if f.get("unit"):
        s["x-unit"] = f["unit"]
    if f.get("source"):
        s["x-source"] = f["source"]
    return s


def _data_fields(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fields that hold data: not the 序号 zonekit numbers itself."""
    return [f for f in fields if not of_field(f).numbering]


def _object(fields: list[dict[str, Any]]) -> dict[str, Any]:
    fields = _data_fields(fields)
    return {
        "type": "object",
        "properties": {f["key"]: field_schema(f) for f in fields},
        "required": [f["key"] for f in fields if f.get("required")],
    }


def _record_schema(form: dict[str, Any]) -> dict[str, Any]:
    return _object(form["fields"])


def _table_schema(form: dict[str, Any]) -> dict[str, Any]:
    unique = [c["key"] for c in form["columns"] if c.get("unique")]
    return {"type": "array", "items": _object(form["columns"]), "uniqueBy": unique}


SCHEMAS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"record": _record_schema, "table": _table_schema}
"""Each form `kind`'s shape: a record is one object, a table an array of row objects."""


def form_schema(form: dict[str, Any]) -> dict[str, Any]:
    base = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": form["title"],
            "x-file": form["file"], "x-sheet": form["sheet"], "x-source": form.get("source", "")}
    return base | SCHEMAS[form["kind"]](form)


def form_schemas(prog: Any) -> dict[str, dict[str, Any]]:
    return {f["id"]: form_schema(f) for f in prog.forms}


def validator(schema: dict[str, Any], today: _dt.date) -> Any:
    """A jsonschema validator for `schema` with zonekit's formats and keywords."""
    import jsonschema

    from zonekit.fields import cellvalues

    checker = jsonschema.FormatChecker()
    formats = (("uscc", cellvalues.check_uscc), ("phone", cellvalues.check_phone), ("zk-email", cellvalues.check_email))
    for name, fn in formats:
        checker.checks(name)(lambda value, fn=fn: not isinstance(value, str) or fn(value) is None)

    def _limit(text: str) -> _dt.date:
        return today if text == "today" else _dt.date.fromisoformat(text)

    def min_date(validator: Any, limit: str, instance: Any, schema: dict[str, Any]) -> Any:
        if isinstance(instance, str) and (day := _iso(instance)) and day < _limit(limit):
            yield jsonschema.ValidationError(f"{instance} is before {limit}")

    def max_date(validator: Any, limit: str, instance: Any, schema: dict[str, Any]) -> Any:
        if isinstance(instance, str) and (day := _iso(instance)) and day > _limit(limit):
            yield jsonschema.ValidationError(f"{instance} is after {limit}")

    def unique_by(validator: Any, keys: list[str], instance: Any, schema: dict[str, Any]) -> Any:
        if not isinstance(instance, list):
            return
        for key in keys:
            seen: set[Any] = set()
            for i, item in enumerate(instance):
                value = item.get(key) if isinstance(item, dict) else None
                if value is None:
                    continue
                norm = "".join(str(value).split()).lower()
                if norm in seen:
                    yield jsonschema.ValidationError(f"duplicate {key}: {value}", path=[i, key])
                seen.add(norm)

    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                       {"minDate": min_date, "maxDate": max_date, "uniqueBy": unique_by})
    return cls(schema, format_checker=checker)


def _iso(text: str) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _parsed(spec: dict[str, Any], raw: Any, today: _dt.date) -> Any:
    """A cell's value as `check` reads it, as JSON has it; the text typed when it cannot be read."""
    from zonekit.check.validate import FieldRule

    rule = FieldRule(spec, today)
    value, issue = rule.parse(raw)
    if issue:
        return str(raw)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if value is not None:
        return rule.type.canonical(rule, value) or value  # a choice as the spec spells it
    return value


def _record_instance(data: Any, today: _dt.date) -> Any:
    out = {}
    for spec in data.form["fields"]:
        cv = data.fields.get(spec["key"])
        value = _parsed(spec, cv.value, today) if cv else None
        if value is not None:
            out[spec["key"]] = value
    return out


def _table_instance(data: Any, today: _dt.date) -> Any:
    specs = [c for c in _data_fields(data.form["columns"]) if c["key"] in data.columns]
    rows = []
    for row in data.rows:
        item = {}
        for spec in specs:
            value = _parsed(spec, row.values.get(spec["key"]), today)
            if value is not None:
                item[spec["key"]] = value
        rows.append(item)
    return rows


INSTANCES: dict[str, Callable[[Any, _dt.date], Any]] = {"record": _record_instance, "table": _table_instance}
"""Each form `kind`'s JSON instance, shaped as its schema (`SCHEMAS`)."""


def instance_of(data: Any, today: _dt.date) -> Any:
    """The JSON instance of a read form: values parsed as `check` parses them, blanks omitted.

    A value that cannot be parsed stays as the text the person typed, so the schema rejects it too.
    """
    return INSTANCES[data.form["kind"]](data, today)
