"""JSON Schema (draft 2020-12) for each form, derived from the programme spec.

This is the declared, exported contract (`zonekit schema PROGRAMME`). `check` runs the same rules
compiled per column (zonekit.check.validate) for speed; `validator()` runs them through jsonschema with
zonekit's format checkers and two small keywords (`minDate`/`maxDate`, `uniqueBy`), and a test
proves both paths flag the same cells.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any


def field_schema(f: dict[str, Any]) -> dict[str, Any]:
    from zonekit.fields.types import of

    s: dict[str, Any] = {"title": f["label"]}
    if f.get("help"):
        s["description"] = f["help"]
    s.update(of(f.get("type", "text")).schema(f))  # the type's own part: type, format, enum, limits
    if f.get("row_typed"):  # type, unit and limits differ per fixed row (indicator sheets)
        s.pop("type", None)
        s["x-row-typed"] = True
    if f.get("unit"):
        s["x-unit"] = f["unit"]
    if f.get("source"):
        s["x-source"] = f["source"]
    return s


def _object(fields: list[dict[str, Any]]) -> dict[str, Any]:
    fields = [f for f in fields if f.get("type") != "seq"]
    return {
        "type": "object",
        "properties": {f["key"]: field_schema(f) for f in fields},
        "required": [f["key"] for f in fields if f.get("required")],
    }


def form_schema(form: dict[str, Any]) -> dict[str, Any]:
    base = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": form["title"],
            "x-file": form["file"], "x-sheet": form["sheet"], "x-source": form.get("source", "")}
    if form["kind"] == "record":
        return base | _object(form["fields"])
    row = _object(form["columns"])
    unique = [c["key"] for c in form["columns"] if c.get("unique")]
    return base | {"type": "array", "items": row, "uniqueBy": unique}


def form_schemas(prog: Any) -> dict[str, dict[str, Any]]:
    return {f["id"]: form_schema(f) for f in prog.forms}


def validator(schema: dict[str, Any], today: _dt.date) -> Any:
    """A jsonschema validator for `schema` with zonekit's formats and keywords."""
    import jsonschema

    from zonekit.fields import cellvalues

    checker = jsonschema.FormatChecker()
    for name, fn in (("uscc", cellvalues.check_uscc), ("phone", cellvalues.check_phone), ("zk-email", cellvalues.check_email)):
        checker.checks(name)(lambda value, fn=fn: not isinstance(value, str) or fn(value) is None)

    def _limit(text: str) -> _dt.date:
        return today if text == "today" else _dt.date.fromisoformat(text)

    def min_date(validator: Any, limit: str, instance: Any, schema: dict[str, Any]) -> Any:
        if isinstance(instance, str) and _iso(instance) and _iso(instance) < _limit(limit):
            yield jsonschema.ValidationError(f"{instance} is before {limit}")

    def max_date(validator: Any, limit: str, instance: Any, schema: dict[str, Any]) -> Any:
        if isinstance(instance, str) and _iso(instance) and _iso(instance) > _limit(limit):
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


def instance_of(data: Any, today: _dt.date) -> Any:
    """The JSON instance of a read form: values parsed as `check` parses them, blanks omitted.

    A value that cannot be parsed stays as the text the person typed, so the schema rejects it too.
    """
    from zonekit.check.validate import FieldRule

    def parsed(spec: dict[str, Any], raw: Any) -> Any:
        rule = FieldRule(spec, today)
        value, issue = rule.parse(raw)
        if issue:
            return str(raw)
        if isinstance(value, _dt.date):
            return value.isoformat()
        if rule.kind == "choice" and value is not None:
            from zonekit.xlsx.form_reader import norm_label

            return rule.choices.get(norm_label(value), value)
        return value

    if data.form["kind"] == "record":
        out = {}
        for spec in data.form["fields"]:
            cv = data.fields.get(spec["key"])
            value = parsed(spec, cv.value) if cv else None
            if value is not None:
                out[spec["key"]] = value
        return out
    rows = []
    for row in data.rows:
        item = {}
        for spec in data.form["columns"]:
            if spec.get("type") == "seq" or spec["key"] not in data.columns:
                continue
            value = parsed(spec, row.values.get(spec["key"]))
            if value is not None:
                item[spec["key"]] = value
        rows.append(item)
    return rows
