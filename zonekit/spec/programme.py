"""Programme specs: find, load, merge includes, validate against the meta-schema.

A programme is a folder `templates/<id>/programme.toml`. Folders starting with `_` hold shared
parts that specs pull in with `include = ["_shared/x.toml"]`: tables and scalars of the
programme override the included ones, arrays of tables are appended after them.

The templates root is, in order: `--templates` / `ZONEKIT_TEMPLATES`, the copy inside the
installed package (`zonekit/templates`), the checkout's top-level `templates/`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from zonekit.errors import SpecError, UnknownProgramme

SPEC_FILE = "programme.toml"
SPEC_VERSION = 1
_HERE = Path(__file__).resolve().parent  # zonekit/spec/
_PACKAGE = _HERE.parent  # zonekit/
_META_SCHEMA = _HERE / "schemas" / "programme.schema.json"


def templates_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding one sub-folder per programme."""
    chosen = explicit or os.environ.get("ZONEKIT_TEMPLATES")
    if chosen:
        root = Path(chosen).expanduser()
        if not root.is_dir():
            raise SpecError(f"模板目录不存在：{root}（来自 --templates 或 ZONEKIT_TEMPLATES）",
                            f"the templates folder does not exist: {root} (from --templates or ZONEKIT_TEMPLATES)")
        return root
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise SpecError("找不到 zonekit 的 templates 目录：安装包不完整，请重新安装 zonekit",
                    "cannot find zonekit's templates folder: the installation is incomplete, please reinstall zonekit")


@dataclass(frozen=True)
class Submission:
    """`[submission]`: how the packet is handed in. `copies` is None unless the notice gives a count."""

    seal: str = ""
    to: str = ""
    source: str = ""
    copies: int | None = None


@dataclass(frozen=True)
class Contact:
    """One `[[contacts]]` entry: a contact the notice itself gives (its unit, person, phone, e-mail, address)."""

    source: str
    unit: str = ""
    role: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class Definition:
    """One `[[definitions]]` entry: a term the notice defines, in the notice's words. `fields` are
    "form.key" references (fields, columns or helper-sheet columns) whose help carries the
    definition; `materials` are material ids whose 说明.txt carries it (ids a programme does not
    have are ignored, so one shared list serves every programme that includes it)."""

    term: str
    text: str
    source: str
    fields: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One `[[procedure]]` step, in the notice's order and words."""

    step: str
    text: str
    source: str


@dataclass
class Programme:
    """A loaded, validated programme spec. `data` is the merged spec as a plain dict."""

    data: dict[str, Any]
    path: Path
    sha256: str  # over the programme file and every included file, in order
    _forms: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._forms = {f["id"]: f for f in self.data.get("forms", [])}

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def version(self) -> str:
        return self.data["version"]

    def title(self, lang: str = "zh") -> str:
        t = self.data["title"]
        return t.get(lang) or t["zh"]

    def section(self, key: str) -> list[dict[str, Any]]:
        """The entries of an array-of-tables section of the spec ([[forms]], [[materials]], …); [] when absent."""
        return self.data.get(key, [])

    @property
    def forms(self) -> list[dict[str, Any]]:
        return self.section("forms")

    @property
    def materials(self) -> list[dict[str, Any]]:
        return self.section("materials")

    @property
    def record_forms(self) -> list[dict[str, Any]]:
        """The forms of kind `record`: one label/value grid each (附件1 申报表)."""
        return [f for f in self.forms if f["kind"] == "record"]

    @property
    def table_forms(self) -> list[dict[str, Any]]:
        """The forms of kind `table`: one row per item under a header (附件2 信息表, indicator sheets)."""
        return [f for f in self.forms if f["kind"] == "table"]

    def form(self, form_id: str) -> dict[str, Any]:
        return self._forms[form_id]

    def form_of(self, m: dict[str, Any]) -> dict[str, Any] | None:
        """The form material `m` is filled in, or None for a material without one."""
        return self._forms.get(m.get("form") or "")

    def document(self, doc_id: str) -> dict[str, Any]:
        return next(d for d in self.section("documents") if d["id"] == doc_id)

    def material_of_form(self, form_id: str) -> dict[str, Any] | None:
        return next((m for m in self.materials if m.get("form") == form_id), None)

    @property
    def submission(self) -> Submission | None:
        sub = self.data.get("submission")
        return Submission(**sub) if sub is not None else None

    @property
    def contacts(self) -> list[Contact]:
        return [Contact(**c) for c in self.section("contacts")]

    @property
    def definitions(self) -> list[Definition]:
        return [Definition(**{**d, "fields": tuple(d.get("fields", ())), "materials": tuple(d.get("materials", ()))})
                for d in self.section("definitions")]

    @property
    def procedure(self) -> list[Step]:
        return [Step(**s) for s in self.section("procedure")]

    def definitions_for_field(self, form_id: str, key: str) -> list[Definition]:
        ref = f"{form_id}.{key}"
        return [d for d in self.definitions if ref in d.fields]

    def definitions_for_material(self, m: dict[str, Any]) -> list[Definition]:
        """The definitions a material's folder explains: named by the material, or by a field of its form."""
        form = self.form_of(m) or {}
        keys = {f"{form['id']}.{c['key']}" for c in form_items(form)}
        return [d for d in self.definitions if m["id"] in d.materials or keys & set(d.fields)]

    def deadline(self) -> str | None:
        dates = [d["date"] for d in self.section("deadlines")
                 if d.get("date") and d.get("kind", "submission") == "submission"]
        return min(dates) if dates else None

    def labels(self) -> dict[str, str]:
        """Fact -> the Chinese name the check shows (a field's label without its unit, 附件2“…”合计, …)."""
        labels: dict[str, str] = {}
        for form in self.forms:
            for f in form.get("fields", []):
                labels[f"{form['id']}.{f['key']}"] = _UNIT_SUFFIX.sub("", f["label"])
            for c in form.get("columns", []) + form.get("aux_columns", []):
                name = _UNIT_SUFFIX.sub("", c["label"])
                short = form.get("attachment", "").rstrip("：:") or form["title"]
                labels[f"{form['id']}.sum.{c['key']}"] = f"{short}“{name}”合计"
                labels[f"{form['id']}.count_true.{c['key']}"] = f"{short}中“{name}”为“是”的行数"
                labels[f"{form['id']}.each.{c['key']}"] = f"{short}“{name}”"
            labels[f"{form['id']}.count"] = f"{form.get('attachment', '').rstrip('：:') or form['title']}所列行数"
            key = form.get("row_key")
            for r in form.get("rows", []):
                for c in form.get("columns", []):
                    name = _UNIT_SUFFIX.sub("", c["label"])
                    labels[f"{form['id']}.row.{r['id']}.{c['key']}"] = f"“{r['cells'].get(key, r['id'])}”{name}"
            for c in form.get("columns", []):
                for v in c.get("values", []):
                    labels[f"{form['id']}.count_eq.{c['key']}.{v}"] = f"{form['title']}中“{v}”的个数"
        for fact in self.section("facts"):
            labels[f"facts.{fact['key']}"] = fact.get("label", fact["key"])
        for a in self.section("applicant"):
            labels[f"packet.applicant.{a['key']}"] = f"申报信息 {a['label']}"
        return labels

    def sources_en(self) -> dict[str, str]:
        """`source` -> its `source_en`, for every entry that says more than the articles it cites
        (zonekit's own lists and readings): how English shows that source wherever it appears."""
        out: dict[str, str] = {}
        todo: list[Any] = [self.data]
        while todo:
            node = todo.pop()
            if isinstance(node, dict):
                if isinstance(node.get("source"), str) and node.get("source_en"):
                    out[node["source"]] = node["source_en"]
                todo.extend(node.values())
            elif isinstance(node, list):
                todo.extend(node)
        return out

    def labels_en(self) -> dict[str, str]:
        """Fact -> English name, from the spec's `label_en` (fields, columns, derived facts, [[applicant]])
        and `title_en` (forms): the English counterpart of the Chinese labels the check shows. A fact
        whose field has no `label_en` is left out (English then shows its dotted path)."""
        labels: dict[str, str] = {}
        for form in self.forms:
            fid, title = form["id"], form.get("title_en", "")
            for f in form.get("fields", []):
                if f.get("label_en"):
                    labels[f"{fid}.{f['key']}"] = f["label_en"]
            if title:
                labels[f"{fid}.count"] = f"rows in {title}"
            for c in form.get("columns", []) + form.get("aux_columns", []):
                name = c.get("label_en")
                if not name:
                    continue
                where = f" ({title})" if title else ""
                labels[f"{fid}.sum.{c['key']}"] = f"{name}, total{where}"
                labels[f"{fid}.count_true.{c['key']}"] = f"rows with “{name}” yes{where}"
                labels[f"{fid}.each.{c['key']}"] = f"{name}{where}"
                for value in c.get("values", []):
                    shown = c.get("values_en", {}).get(value, value)
                    labels[f"{fid}.count_eq.{c['key']}.{value}"] = f"rows with {name} “{shown}”{where}"
            key = form.get("row_key")
            for r in form.get("rows", []):  # a fixed row's cell: the indicator as the form names it, the column
                for c in form.get("columns", []):
                    if c.get("label_en"):
                        labels[f"{fid}.row.{r['id']}.{c['key']}"] = f"“{r['cells'].get(key, r['id'])}” {c['label_en']}"
        for fact in self.section("facts"):
            if fact.get("label_en"):
                labels[f"facts.{fact['key']}"] = fact["label_en"]
        for a in self.section("applicant"):
            if a.get("label_en"):
                labels[f"packet.applicant.{a['key']}"] = f"application info: {a['label_en']}"
        return labels


_UNIT_SUFFIX = re.compile(r"（[^）]*）$")  # 建筑面积（平方米） -> 建筑面积
FORM_ITEMS = ("fields", "columns", "aux_columns")  # where a form keeps its fields: record, table, helper sheet


def form_items(form: dict[str, Any]) -> list[dict[str, Any]]:
    """Every field of a form: a record's fields, a table's columns and its helper sheet's columns."""
    return [item for key in FORM_ITEMS for item in form.get(key, [])]


def list_programmes(root: Path | None = None) -> list[str]:
    root = root or templates_root()
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(("_", ".")) and (p / SPEC_FILE).is_file())


def load_programme(programme_id: str, root: Path | None = None) -> Programme:
    root = root or templates_root()
    path = root / programme_id / SPEC_FILE
    if programme_id.startswith(("_", ".")) or "/" in programme_id or not path.is_file():
        known = list_programmes(root)
        close = difflib.get_close_matches(programme_id, known, n=1, cutoff=0.4)
        hint, hint_en = (f"；您是否要找 “{close[0]}”？", f"; did you mean “{close[0]}”?") if close else ("", "")
        raise UnknownProgramme(f"未知的申报项目 “{programme_id}”。已知项目：{', '.join(known) or '（无）'}{hint}",
                               f"unknown programme “{programme_id}”. The programmes are "
                               f"{', '.join(known) or '(none)'}{hint_en}")
    return _load(path.resolve(), root.resolve())


@cache
def _load(path: Path, root: Path) -> Programme:
    digest = hashlib.sha256()
    data = _read_toml(path, digest)
    merged: dict[str, Any] = {}
    for inc in data.get("include", []):
        inc_path = (root / inc).resolve()
        if root not in inc_path.parents or not inc_path.is_file():
            raise SpecError(f"{path}: include “{inc}” 不存在或不在模板目录内",
                            f"{path}: include “{inc}” does not exist or is not inside the templates folder")
        _merge(merged, _read_toml(inc_path, digest))
    _merge(merged, data)
    _validate_once(merged, path, digest.hexdigest())
    if merged["id"] != path.parent.name:
        raise SpecError(f"{path}: id “{merged['id']}” 与目录名 “{path.parent.name}” 不一致",
                        f"{path}: id “{merged['id']}” does not match the folder name “{path.parent.name}”")
    _check_references(merged, path)
    return Programme(merged, path, digest.hexdigest())


def _read_toml(path: Path, digest: Any) -> dict[str, Any]:
    raw = path.read_bytes()
    digest.update(raw)
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SpecError(f"{path}: 不是有效的 UTF-8 TOML：{e}", f"{path}: not valid UTF-8 TOML: {e}") from e


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, list) and value and isinstance(value[0], dict) and isinstance(into.get(key), list):
            into[key] = into[key] + value
        else:
            into[key] = value


def meta_schema() -> dict[str, Any]:
    """The programme meta-schema, its field `type` one of the names the field-type registry holds
    (zonekit.fields.types): a new type is a class there, not also a line here."""
    schema = json.loads(_META_SCHEMA.read_text("utf-8"))
    schema["$defs"]["type"]["enum"] = field_type_names()
    return schema


def field_type_names() -> list[str]:
    from zonekit.fields.types import TYPES

    return sorted(TYPES)


def _validate_once(data: dict[str, Any], path: Path, sha: str) -> None:
    """`_validate`, skipped for a spec already found valid: the same files, the same meta-schema and field
    types and the same zonekit (a marker in the user cache). Importing jsonschema and validating is most of a
    spec's load time."""
    from zonekit import __version__
    from zonekit.fsutil import user_cache

    schema = _META_SCHEMA.read_bytes()
    types = ",".join(field_type_names()).encode()
    key = hashlib.sha256(b"\0".join([sha.encode(), schema, types, __version__.encode()])).hexdigest()
    cache = user_cache()
    marker = cache / "valid-specs" / key if cache else None
    if marker is not None and marker.is_file():
        return
    _validate(data, path)
    if marker is not None:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass  # a read-only home: validate every time


def _validate(data: dict[str, Any], path: Path) -> None:
    if data.get("spec_version") != SPEC_VERSION:
        raise SpecError(f"{path}: spec_version 应为 {SPEC_VERSION}，实际为 {data.get('spec_version')!r}"
                        "（本版 zonekit 不认识该格式）",
                        f"{path}: spec_version should be {SPEC_VERSION}, not {data.get('spec_version')!r}"
                        " (this version of zonekit does not know that format)")
    import jsonschema

    validator = jsonschema.Draft202012Validator(meta_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = _json_path(error.absolute_path, data)
        where_en = "(top level)" if where == "（顶层）" else where
        raise SpecError(f"{path}: {where}: {error.message}", f"{path}: {where_en}: {error.message}")


def _json_path(parts: Any, data: dict[str, Any]) -> str:
    """`forms[0].fields[3].type` plus the offending item's key/id when it has one."""
    out = ""
    node: Any = data
    for part in parts:
        if isinstance(part, int):
            node = node[part]
            name = node.get("key") or node.get("id") if isinstance(node, dict) else None
            out += f"[{part}]" + (f"({name})" if name else "")
        else:
            node = node[part] if isinstance(node, dict) else node
            out += f".{part}" if out else str(part)
    return out or "（顶层）"


def _check_references(data: dict[str, Any], path: Path) -> None:
    """Cross-references the meta-schema cannot express: what materials, forms and quotas name exists."""
    _check_materials(data, path)
    for form in data.get("forms", []):
        _check_form(form, f"{path}: forms({form['id']})")
    _check_quotas(data, path)


def _check_materials(data: dict[str, Any], path: Path) -> None:
    """The forms and documents materials name exist; no two materials share a folder."""
    forms = {f["id"] for f in data.get("forms", [])}
    docs = {d["id"] for d in data.get("documents", [])}
    seen: set[str] = set()
    for i, m in enumerate(data["materials"]):
        where = f"{path}: materials[{i}]({m['id']})"
        if m.get("form") and m["form"] not in forms:
            raise SpecError(f"{where}.form: 没有 id 为 “{m['form']}” 的表单",
                            f"{where}.form: there is no form with id “{m['form']}”")
        if m.get("document") and m["document"] not in docs:
            raise SpecError(f"{where}.document: 没有 id 为 “{m['document']}” 的文档模板",
                            f"{where}.document: there is no document template with id “{m['document']}”")
        if m["folder"] in seen:
            raise SpecError(f"{where}.folder: 目录名 “{m['folder']}” 重复",
                            f"{where}.folder: the folder name “{m['folder']}” is used twice")
        seen.add(m["folder"])


def _check_form(form: dict[str, Any], where: str) -> None:
    """A form's keys are unique, its fixed rows are sound and the columns it names exist."""
    keys = [c["key"] for c in form_items(form)]
    if form.get("rows"):
        _check_fixed_rows(form, keys, where)
    if form.get("rows_total"):
        _check_rows_total(form, where)
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:
        raise SpecError(f"{where}: 字段 key 重复：{', '.join(sorted(dupes))}",
                        f"{where}: field keys used more than once: {', '.join(sorted(dupes))}")
    for ref, col in _column_refs(form):
        if col not in keys:
            raise SpecError(f"{where}.{ref}: 没有 key 为 “{col}” 的列",
                            f"{where}.{ref}: there is no column with key “{col}”")


def _check_fixed_rows(form: dict[str, Any], keys: list[str], where: str) -> None:
    if form.get("row_key") not in keys:
        raise SpecError(f"{where}.row_key: 有固定指标行的表必须指定 row_key（某一列的 key）",
                        f"{where}.row_key: a form with fixed indicator rows must set row_key (the key of one column)")
    ids = [r["id"] for r in form["rows"]]
    if len(set(ids)) != len(ids):
        raise SpecError(f"{where}.rows: 指标行 id 重复", f"{where}.rows: indicator row ids used more than once")


def _check_rows_total(form: dict[str, Any], where: str) -> None:
    """`rows_total`: the fixed rows' figures in one column add up to what the notice says."""
    col, want = form["rows_total"]["column"], form["rows_total"]["equals"]
    got = sum(float(r["cells"].get(col, 0) or 0) for r in form.get("rows", []))
    if abs(got - want) > 1e-9:
        raise SpecError(f"{where}.rows: “{col}”各行合计为 {got:g}，应为 {want:g}",
                        f"{where}.rows: the rows of “{col}” add up to {got:g}, but should add up to {want:g}")


def _check_quotas(data: dict[str, Any], path: Path) -> None:
    """What a quota counts, ranks by and filters on is a form or a derived fact."""
    heads = {"packet", "facts", "claims", "attest", *(f["id"] for f in data.get("forms", []))}
    derived = {d["key"] for d in data.get("facts", [])}
    for i, q in enumerate(data.get("quotas", [])):
        for key, ref in _quota_refs(q):
            head, _, rest = ref.partition(".")
            if ref and (head == "facts" and rest not in derived or head not in heads):
                raise SpecError(f"{path}: quotas[{i}].{key}: “{ref}” 不是已知的表单或派生事实",
                                f"{path}: quotas[{i}].{key}: “{ref}” is not a known form or derived fact")


def _quota_refs(q: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, reference) for what a quota names; `applies_to` only when it names a field (not a test)."""
    target = q.get("applies_to") or ""
    return [("applies_to", target if "." in target and "=" not in target else ""), ("rank_by", q.get("rank_by") or ""),
            ("where.left", (q.get("where") or {}).get("left") or "")]


def _column_refs(form: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, column key) for every column that `filter_by` and `progress` name."""
    refs: list[tuple[str, str]] = []
    fb = form.get("filter_by")
    if fb:
        refs += [("filter_by.column", fb["column"])] + [("filter_by.fill", k) for k in fb.get("fill", [])]
    pr = form.get("progress")
    if pr:
        refs += [(f"progress.{k}", v) for k, v in pr.items() if k not in ("years", "report_year", "source")]
        refs += [(f"progress.years.{y}", v) for y, v in pr["years"].items()]
    return refs
