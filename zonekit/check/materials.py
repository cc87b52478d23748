"""Material folders: present, not empty, accepted types, every file readable, nothing unsafe.

Files are looked at without being trusted: symlinks are reported and never followed, a PDF is
opened with pypdf (encrypted or corrupt is a finding), an image must decode, an office file
must be what its extension says.
"""

from __future__ import annotations

import logging
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from zonekit import sniff
from zonekit.findings import WARNING, Problem, spec_help
from zonekit.packet import ACCEPTED, CHECKLIST, PACKET_FILE, README_TXT

_TEMPLATE_MARK = "【填写说明，完成后删除】".encode()
_LEGACY = {"wps": "docx", "et": "xlsx", "dps": "pptx"}
MAX_FILE = 200 * 1024 * 1024
MAX_STRAY = 20  # stray entries named one by one


MAX_FILES = int(os.environ.get("ZONEKIT_MAX_FILES", "1000"))  # files one material folder may hold
MAX_DEPTH = 3  # sub-folder levels looked into
MAX_PATH = 200  # characters of a path inside the packet: Windows' 260 counts the folder the packet is copied to


def files_in(folder: Path, root: Path, _depth: int = 0,
             _count: list[int] | None = None) -> Iterator[tuple[Path, Problem | None]]:
    """Files under a material folder, with a problem for what cannot be used: a symlink (reported, not
    followed), a FIFO, socket or device (never opened), and the files beyond MAX_FILES."""
    count = _count if _count is not None else [0]
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        rel = str(folder.relative_to(root))
        yield folder, Problem("file_unreadable", {"rel": rel, "error": e.strerror}, "folder", file=rel)
        return
    for entry in entries:
        p = Path(entry.path)
        rel = str(p.relative_to(root))
        if entry.is_symlink():
            yield p, Problem("unsafe_path", {"rel": rel}, "symlink", file=rel)
        elif entry.is_dir(follow_symlinks=False):
            if _depth < MAX_DEPTH:
                yield from files_in(p, root, _depth + 1, count)
        elif entry.name.startswith((".", "~$")) or entry.name == README_TXT:
            continue
        elif not entry.is_file(follow_symlinks=False):
            yield p, Problem("file_special", {"rel": rel}, file=rel)
        else:
            count[0] += 1
            if count[0] > MAX_FILES:
                top = str(folder.relative_to(root))
                yield folder, Problem("file_too_large", {"rel": top, "max": MAX_FILES}, "folder_count", file=top)
                return
            yield p, None


def name_problem(path: Path, root: Path) -> Problem | None:
    """A name that breaks where people copy packets: too long for Windows, or read as an option."""
    rel = path.relative_to(root).as_posix()
    if len(rel) > MAX_PATH:
        return Problem("file_name", {"head": rel[:40], "n": len(rel)}, "long", file=rel)
    if path.name.startswith("-"):
        return Problem("file_name", {"rel": rel}, "dash", file=rel)
    return None


def check_file(path: Path, root: Path, types: list[str]) -> list[Problem]:
    """What is wrong with one material file: type, size, readability, and for a PDF what a print
    shop would trip over (scripts and attachments, fonts not embedded)."""
    rel = str(path.relative_to(root))
    ext = path.suffix.lower().lstrip(".")
    size = path.stat().st_size
    said = {"rel": rel}
    if ext in _LEGACY:
        return [Problem("file_type", {**said, "ext": ext, "new": _LEGACY[ext]}, "legacy", file=rel)]
    if ext not in types:
        return [Problem("file_type", {**said, "ext": ext, "types": ", ".join(types)}, "" if ext else "no_ext",
                        file=rel)]
    if size == 0:
        return [Problem("file_empty", said, file=rel)]
    if size > MAX_FILE:
        return [Problem("file_too_large", {**said, "mb": size // 2**20}, "file", WARNING, file=rel)]
    head = sniff.head(path)
    if ext == "pdf":
        return _pdf(path, head, rel)
    problem = _CONTENT_CHECKS[ext](path, head)
    if problem:
        return [Problem("file_unreadable", {**said, **problem[1]}, problem[0], file=rel)]
    if ext == "docx" and _still_template(path):
        return [Problem("file_unreadable", said, "template", WARNING, file=rel)]
    return []


_SILENT = logging.NullHandler()
MAX_FONT_PAGES = 100  # pages whose fonts are looked at (a scan of 500 pages shares its fonts)


def _pdf(path: Path, head: bytes, rel: str) -> list[Problem]:
    def bad(variant: str, **params: Any) -> list[Problem]:
        return [Problem("file_unreadable", {"rel": rel, **params}, variant, file=rel)]

    if sniff.container(head) != "pdf":
        return bad("not_pdf")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not os.environ.get("ZONEKIT_DEBUG"):  # pypdf logs what it repairs ("EOF marker not found"); with no
        logging.getLogger("pypdf").addHandler(_SILENT)  # handler Python prints that beside the finding that says it
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return bad("pdf_password")
            except Exception:
                return bad("pdf_encrypted")
        if len(reader.pages) == 0:
            return bad("pdf_no_pages")
        out = []
        active = _active_content(reader)
        if active:
            out.append(Problem("pdf_active", {"rel": rel, "what_zh": "、".join(active), "what_en": ", ".join(active)},
                               file=rel))
        fonts = unembedded_fonts(reader)
        if fonts:
            out.append(Problem("pdf_fonts",
                               {"rel": rel, "names_zh": "、".join(fonts[:5]), "names_en": ", ".join(fonts[:5]),
                                             "n": len(fonts)}, "many" if len(fonts) > 5 else "", file=rel))
        return out
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as e:
        return bad("pdf_corrupt", error=type(e).__name__)


_ACTIVE = {"/JavaScript": "脚本（JavaScript）", "/Launch": "启动程序的动作", "/ImportData": "导入数据的动作",
           "/RichMediaExecute": "多媒体执行动作"}


def _active_content(reader: Any) -> list[str]:
    """What in a PDF runs or carries something when opened: scripts, launch actions, attached files."""
    found: list[str] = []

    def action(obj: Any) -> None:
        a: Any = obj.get("/A") if hasattr(obj, "get") else None
        a = a.get_object() if a is not None else None
        if hasattr(a, "get") and a.get("/S") in _ACTIVE and _ACTIVE[a.get("/S")] not in found:
            found.append(_ACTIVE[a.get("/S")])
        if "/AA" in obj and "自动执行的动作" not in found:
            found.append("自动执行的动作")

    root = reader.trailer["/Root"].get_object()
    opening = root.get("/OpenAction")
    opening = opening.get_object() if opening is not None else None
    if hasattr(opening, "get"):
        action({"/A": opening})
    action(root)
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    if "/JavaScript" in names and _ACTIVE["/JavaScript"] not in found:
        found.append(_ACTIVE["/JavaScript"])
    if "/EmbeddedFiles" in names:
        found.append("附件（嵌入的文件）")
    for page in reader.pages[:MAX_FONT_PAGES]:
        action(page)
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if hasattr(annot, "get"):
                if annot.get("/Subtype") == "/FileAttachment" and "附件（嵌入的文件）" not in found:
                    found.append("附件（嵌入的文件）")
                action(annot)
    return found


def unembedded_fonts(reader: Any) -> list[str]:
    """Base names of the fonts the first pages use without embedding them (Type 3 fonts are drawn, not named)."""
    missing: list[str] = []
    seen: set[Any] = set()
    for page in reader.pages[:MAX_FONT_PAGES]:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        fonts = resources.get("/Font") if hasattr(resources, "get") else None
        fonts = fonts.get_object() if fonts is not None else {}
        for ref in (fonts.values() if hasattr(fonts, "values") else []):
            key = getattr(ref, "idnum", None) or id(ref)
            if key in seen:
                continue
            seen.add(key)
            font = ref.get_object()
            if font.get("/Subtype") == "/Type3":
                continue
            described = font
            if font.get("/Subtype") == "/Type0":
                kids = font.get("/DescendantFonts")
                kids = kids.get_object() if kids is not None else []
                described = kids[0].get_object() if kids else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                name = str(font.get("/BaseFont", "?")).lstrip("/")
                if name not in missing:
                    missing.append(name)
    return missing


_Content = tuple[str, dict[str, str]] | None  # what is wrong with a file's content: a variant of file_unreadable


def _image(path: Path, head: bytes) -> _Content:
    from PIL import Image

    try:
        with Image.open(path) as im:
            im.verify()
        with Image.open(path) as im:  # verify() does not decode pixels: a truncated scan passes it
            im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))  # JPEG: decode at 1/8 scale, fast
            im.load()
    except Exception:
        return "image", {}
    return None


def _ooxml(path: Path, head: bytes) -> _Content:
    kind = sniff.container(head)
    if kind == "ole":
        return "ooxml_ole", {}
    if kind != "zip" or not zipfile.is_zipfile(path):
        return "not_office", {}
    from zonekit.xlsx.reader import xml_with_entities

    try:
        with zipfile.ZipFile(path) as z:
            members = [n for n in z.namelist() if n.endswith((".xml", ".rels"))]
    except (zipfile.BadZipFile, OSError):
        return "not_office", {}
    entity = xml_with_entities(path, members)
    return ("entities", {"member": entity}) if entity else None


def _ole(path: Path, head: bytes) -> _Content:
    return None if sniff.container(head) == "ole" else ("not_office", {})


_CONTENT_CHECKS = {"jpg": _image, "jpeg": _image, "png": _image, "docx": _ooxml, "xlsx": _ooxml, "doc": _ole,
                   "xls": _ole}


def _still_template(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return _TEMPLATE_MARK in z.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


@dataclass
class Folder:
    """What a material's folder holds, looked at without knowing yet whether the material is needed."""

    files: list[Path] = field(default_factory=list)  # present (a symlink too: present, though unusable)
    findings: list[Problem] = field(default_factory=list)  # about the folder or its files
    state: str = "dir"  # "dir", "missing" or "symlink"


def scan_materials(prog: Any, root: Path, form_files: set[str]) -> tuple[list[Problem], dict[str, Folder]]:
    """Stray entries in the packet, and each material folder's files checked one by one (opening
    every PDF and image: the slow part, which needs no form values, so it can run while they are read)."""
    stray: list[Problem] = []
    known = {PACKET_FILE, CHECKLIST} | {m["folder"] for m in prog.materials}
    others = sorted(p for p in root.iterdir() if p.name not in known and not p.name.startswith("."))
    for p in others[:MAX_STRAY]:
        stray.append(Problem("stray_file", {"name": p.name}, "dir" if p.is_dir() else "file", file=p.name))
    if len(others) > MAX_STRAY:
        stray.append(Problem("stray_file", {"n": len(others) - MAX_STRAY}, "more", file="."))
    folders: dict[str, Folder] = {}
    for m in prog.materials:
        folder, seen = root / m["folder"], folders.setdefault(m["id"], Folder())
        if folder.is_symlink():
            seen.state = "symlink"
            seen.findings.append(Problem("unsafe_path", {"rel": m["folder"]}, "folder", file=m["folder"],
                                         source=m["source"]))
            continue
        if not folder.is_dir():
            seen.state = "missing"
            continue
        for path, problem in files_in(folder, root):
            if problem is None or path.is_symlink():  # a symlink is there, though unusable; a FIFO is not a material
                seen.files.append(path)
            rel = path.relative_to(root).as_posix()
            if rel in form_files:  # a form is checked (and its symlink reported) by the form check
                continue
            if problem is None and (named := name_problem(path, root)):
                seen.findings.append(named)
            if problem:
                seen.findings.append(problem)
                continue
            seen.findings += [replace(x, source=m["source"]) for x in check_file(path, root, m.get("types", ACCEPTED))]
    return stray, folders


def check_materials(prog: Any, needed: dict[str, bool | None],
                    scanned: tuple[list[Problem], dict[str, Folder]]) -> list[Problem]:
    """The scan's findings, and what is missing given `needed`: material id -> True (required),
    False (not required) or None (cannot tell). A material the spec marks `recommended` (zonekit's
    own advice, `required = false`) that is not there is an info finding, never an error."""
    stray, folders = scanned
    findings = list(stray)
    for m in prog.materials:
        seen, need, src = folders[m["id"]], needed[m["id"]], m["source"]
        findings.extend(seen.findings)
        if seen.state == "symlink":
            continue
        files, minimum = seen.files, m.get("min_files", 1)
        said = {"title": m["title"], "folder": m["folder"], "when": m.get("when_text", ""),
                "when_en": m.get("when_text_en") or m.get("when_text", "")}
        if files and len(files) < minimum and need:
            findings.append(Problem("material_empty", {**said, "min": minimum, "n": len(files)}, "min",
                                    file=m["folder"], source=src, **spec_help(m)))
        if not files and m.get("recommended"):
            findings.append(_recommended(m, seen.state))
            continue
        if files or need is False or not m.get("required", True):
            continue
        variant, sev = "when" if m.get("when_text") else "", None if need else WARNING
        if seen.state == "dir":
            findings.append(Problem("material_empty", said, variant, sev, file=m["folder"], source=src,
                                    **spec_help(m)))
        else:
            findings.append(Problem("material_missing", said, variant, sev, hint="", file=m["folder"], source=src))
    return findings


def _recommended(m: dict[str, Any], state: str) -> Problem:
    """A material zonekit recommends and the notice does not ask for: said once, as information."""
    return Problem("material_recommended", {"title": m["title"]}, "dir" if state == "dir" else "missing",
                   file=m["folder"], source=m["source"], **spec_help(m))
