"""Material folders: present, not empty, accepted types, every file readable, nothing unsafe.

Files are looked at without being trusted: symlinks are reported and never followed, a PDF is
opened with pypdf (encrypted or corrupt is a finding), an image must decode, an office file
must be what its extension says.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from zonekit.findings import ERROR, INFO, WARNING, Finding
from zonekit.packet import ACCEPTED, CHECKLIST, PACKET_FILE, README_TXT

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEMPLATE_MARK = "【填写说明，完成后删除】".encode()
_LEGACY = {"wps": "docx", "et": "xlsx", "dps": "pptx"}
MAX_FILE = 200 * 1024 * 1024
MAX_STRAY = 20  # stray entries named one by one


def _f(code: str, sev: str, zh: str, en: str, file: str, **kw: Any) -> Finding:
    return Finding(code, sev, zh, en, file=file, **kw)


MAX_FILES = int(os.environ.get("ZONEKIT_MAX_FILES", "1000"))  # files one material folder may hold
MAX_DEPTH = 3  # sub-folder levels looked into
MAX_PATH = 200  # characters of a path inside the packet: Windows' 260 counts the folder the packet is copied to


def files_in(folder: Path, root: Path, _depth: int = 0, _count: list[int] | None = None) -> Iterator[tuple[Path, Finding | None]]:
    """Files under a material folder, with a finding for what cannot be used: a symlink (reported, not
    followed), a FIFO, socket or device (never opened), and the files beyond MAX_FILES."""
    count = _count if _count is not None else [0]
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        rel = str(folder.relative_to(root))
        yield folder, _f("file_unreadable", ERROR, f"{rel} 目录无法打开：{e.strerror}", f"{rel} cannot be listed", rel)
        return
    for entry in entries:
        p = Path(entry.path)
        rel = str(p.relative_to(root))
        if entry.is_symlink():
            yield p, _f("unsafe_path", ERROR, f"{rel} 是符号链接（快捷方式），zonekit 不跟随；请放入真实文件",
                        f"{rel} is a symlink; zonekit does not follow it", rel)
        elif entry.is_dir(follow_symlinks=False):
            if _depth < MAX_DEPTH:
                yield from files_in(p, root, _depth + 1, count)
        elif entry.name.startswith((".", "~$")) or entry.name == README_TXT:
            continue
        elif not entry.is_file(follow_symlinks=False):
            yield p, _f("file_special", WARNING, f"{rel} 不是普通文件（管道、套接字或设备），zonekit 不读取它，打包时也不包含",
                        f"{rel} is not a regular file (FIFO, socket or device); not read, not bundled", rel)
        else:
            count[0] += 1
            if count[0] > MAX_FILES:
                top = str(folder.relative_to(root))
                yield folder, _f("file_too_large", ERROR, f"{top} 中的文件超过 {MAX_FILES:,} 个，zonekit 不再逐个检查，也不会打包其余文件：请核对是否放错了目录",
                                 f"{top} holds more than {MAX_FILES:,} files; the rest are neither checked nor bundled", top)
                return
            yield p, None


def name_problem(path: Path, root: Path) -> Finding | None:
    """A name that breaks where people copy packets: too long for Windows, or read as an option."""
    rel = path.relative_to(root).as_posix()
    if len(rel) > MAX_PATH:
        return _f("file_name", WARNING, f"{rel[:40]}… 的路径有 {len(rel)} 个字符：复制到 Windows 的其他文件夹或解压时可能超过 260 个字符的限制，请改短文件名",
                  f"{rel[:40]}…: the path is {len(rel)} characters, beyond what Windows copies reliably (260 with its folder)", rel)
    if path.name.startswith("-"):
        return _f("file_name", WARNING, f"{rel} 的文件名以“-”开头，在命令行中会被当作选项，请改名",
                  f"{rel}: the name starts with '-', which command lines read as an option", rel)
    return None


def check_file(path: Path, root: Path, types: list[str]) -> list[Finding]:
    """What is wrong with one material file: type, size, readability, and for a PDF what a print
    shop would trip over (scripts and attachments, fonts not embedded)."""
    rel = str(path.relative_to(root))
    ext = path.suffix.lower().lstrip(".")
    size = path.stat().st_size
    if ext in _LEGACY:
        return [_f("file_type", ERROR, f"{rel} 是 WPS 专有格式（.{ext}），请另存为 .{_LEGACY[ext]} 或 PDF",
                   f"{rel} is a WPS-only format; save it as .{_LEGACY[ext]} or PDF", rel)]
    if ext not in types:
        return [_f("file_type", ERROR, f"{rel} 的类型 .{ext or '（无扩展名）'} 不被接受；本材料接受：{', '.join(types)}",
                   f"{rel}: type .{ext} not accepted here ({', '.join(types)})", rel)]
    if size == 0:
        return [_f("file_empty", ERROR, f"{rel} 是空文件（0 字节），请重新扫描或导出", f"{rel} is empty (0 bytes)", rel)]
    if size > MAX_FILE:
        return [_f("file_too_large", WARNING, f"{rel} 有 {size // 2**20} MB，请压缩后再放入（建议单个文件不超过 200 MB）",
                   f"{rel} is {size // 2**20} MB", rel)]
    with path.open("rb") as fh:
        head = fh.read(8)
    if ext == "pdf":
        return _pdf(path, head, rel)
    problem = {"jpg": _image, "jpeg": _image, "png": _image, "docx": _ooxml, "xlsx": _ooxml,
               "doc": _ole, "xls": _ole}[ext](path, head)
    if problem:
        return [_f("file_unreadable", ERROR, f"{rel} {problem[0]}", f"{rel}: {problem[1]}", rel)]
    if ext == "docx" and _still_template(path):
        return [_f("file_unreadable", WARNING, f"{rel} 仍含模板中的“填写说明”，请按说明写完并删除提示文字",
                   f"{rel} still contains the template's guidance text", rel)]
    return []


MAX_FONT_PAGES = 100  # pages whose fonts are looked at (a scan of 500 pages shares its fonts)


def _pdf(path: Path, head: bytes, rel: str) -> list[Finding]:
    def bad(zh: str, en: str) -> list[Finding]:
        return [_f("file_unreadable", ERROR, f"{rel} {zh}", f"{rel}: {en}", rel)]

    if not head.startswith(b"%PDF"):
        return bad("不是 PDF 文件（可能是改了扩展名），请重新导出为 PDF", "is not a PDF (renamed file?)")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return bad("已加密（设置了打开密码），请导出无密码的 PDF", "is encrypted with a password")
            except Exception:
                return bad("已加密且无法解密，请导出无密码的 PDF", "is encrypted")
        if len(reader.pages) == 0:
            return bad("没有任何页面", "has no pages")
        out = []
        active = _active_content(reader)
        if active:
            out.append(_f("pdf_active", WARNING, f"{rel} 含有{'、'.join(active)}：打包时会删除，请确认删除后内容完整",
                          f"{rel} carries {', '.join(active)}; they are removed when bundling", rel))
        fonts = _unembedded_fonts(reader)
        if fonts:
            names = "、".join(fonts[:5]) + (f" 等 {len(fonts)} 种" if len(fonts) > 5 else "")
            out.append(_f("pdf_fonts", WARNING, f"{rel} 的字体 {names} 没有嵌入：印刷时会被替换，附入的页面可能印成空白或乱码；请导出 PDF 时选择“嵌入字体”",
                          f"{rel}: fonts {', '.join(fonts[:5])} are not embedded; printed pages may come out blank or wrong", rel))
        return out
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as e:
        return bad(f"已损坏，无法打开（{type(e).__name__}），请重新扫描或导出", "is corrupt")


_ACTIVE = {"/JavaScript": "脚本（JavaScript）", "/Launch": "启动程序的动作", "/ImportData": "导入数据的动作",
           "/RichMediaExecute": "多媒体执行动作"}


def _active_content(reader: Any) -> list[str]:
    """What in a PDF runs or carries something when opened: scripts, launch actions, attached files."""
    found: list[str] = []

    def action(obj: Any) -> None:
        a = obj.get("/A") if hasattr(obj, "get") else None
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


def _unembedded_fonts(reader: Any) -> list[str]:
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


def _image(path: Path, head: bytes) -> tuple[str, str] | None:
    from PIL import Image

    try:
        with Image.open(path) as im:
            im.verify()
        with Image.open(path) as im:  # verify() does not decode pixels: a truncated scan passes it
            im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))  # JPEG: decode at 1/8 scale, fast
            im.load()
    except Exception:
        return "图片无法解码（文件损坏或不是图片），请重新扫描", "does not decode as an image"
    return None


def _ooxml(path: Path, head: bytes) -> tuple[str, str] | None:
    if head == _OLE:
        return "已加密或是旧版格式，请取消密码并另存为新版格式（.docx/.xlsx）", "is encrypted or a legacy format"
    if not head.startswith(b"PK") or not zipfile.is_zipfile(path):
        return "已损坏或不是 Office 文件（可能是改了扩展名）", "is corrupt or not an Office file"
    from zonekit.xlsx.reader import xml_with_entities

    try:
        with zipfile.ZipFile(path) as z:
            members = [n for n in z.namelist() if n.endswith((".xml", ".rels"))]
    except (zipfile.BadZipFile, OSError):
        return "已损坏或不是 Office 文件（可能是改了扩展名）", "is corrupt or not an Office file"
    entity = xml_with_entities(path, members)
    if entity:
        return (f"的 {entity} 含有 XML 实体声明（<!ENTITY>，Word/Excel/WPS 不会写出，可能是恶意文件），zonekit 拒绝读取",
                f"{entity} declares XML entities (never written by Word/Excel/WPS); refused")
    return None


def _ole(path: Path, head: bytes) -> tuple[str, str] | None:
    return None if head == _OLE else ("已损坏或不是 Office 文件（可能是改了扩展名）", "is corrupt or not an Office file")


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
    findings: list[Finding] = field(default_factory=list)  # about the folder or its files
    state: str = "dir"  # "dir", "missing" or "symlink"


def scan_materials(prog: Any, root: Path, form_files: set[str]) -> tuple[list[Finding], dict[str, Folder]]:
    """Stray entries in the packet, and each material folder's files checked one by one (opening
    every PDF and image: the slow part, which needs no form values, so it can run while they are read)."""
    stray: list[Finding] = []
    known = {PACKET_FILE, CHECKLIST} | {m["folder"] for m in prog.materials}
    others = sorted(p for p in root.iterdir() if p.name not in known and not p.name.startswith("."))
    for p in others[:MAX_STRAY]:
        kind = "目录" if p.is_dir() else "文件"
        stray.append(_f("stray_file", INFO, f"{p.name} 不属于任何申报材料（{kind}），打包时不会包含",
                        f"{p.name} belongs to no material and will not be bundled", p.name))
    if len(others) > MAX_STRAY:
        stray.append(_f("stray_file", INFO, f"另有 {len(others) - MAX_STRAY:,} 个文件或目录不属于任何申报材料，打包时不会包含",
                        f"{len(others) - MAX_STRAY:,} more entries belong to no material", "."))
    folders: dict[str, Folder] = {}
    for m in prog.materials:
        folder, seen = root / m["folder"], folders.setdefault(m["id"], Folder())
        if folder.is_symlink():
            seen.state = "symlink"
            seen.findings.append(_f("unsafe_path", ERROR, f"{m['folder']} 是符号链接，zonekit 不跟随", f"{m['folder']} is a symlink",
                                    m["folder"], source=m["source"]))
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


def check_materials(prog: Any, needed: dict[str, bool | None], scanned: tuple[list[Finding], dict[str, Folder]]) -> list[Finding]:
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
        if files and len(files) < minimum and need:
            findings.append(_f("material_empty", ERROR, f"“{m['title']}”至少需要 {minimum} 个文件，现有 {len(files)} 个",
                               f"'{m['title']}' needs at least {minimum} files", m["folder"], source=src, hint=m.get("help")))
        if not files and m.get("recommended"):
            findings.append(_recommended(m, seen.state))
            continue
        if files or need is False or not m.get("required", True):
            continue
        when = f"（{m['when_text']}时需提供）" if m.get("when_text") else ""
        sev = ERROR if need else WARNING
        where = m["folder"]
        if seen.state == "dir":
            findings.append(_f("material_empty", sev, f"“{m['title']}”目录为空{when}：请放入材料文件", f"'{m['title']}' folder is empty",
                               where, source=src, hint=m.get("help")))
        else:
            findings.append(_f("material_missing", sev, f"缺少“{m['title']}”目录{when}", f"'{m['title']}' is missing", where,
                               source=src, hint=f"新建目录 {where} 并放入材料，或运行 zonekit init --force 补齐"))
    return findings


def _recommended(m: dict[str, Any], state: str) -> Finding:
    """A material zonekit recommends and the notice does not ask for: said once, as information."""
    why = "zonekit 建议提供，通知未要求，缺少不作为错误"
    if state == "dir":
        return _f("material_recommended", INFO, f"“{m['title']}”目录为空（{why}）", f"'{m['title']}' folder is empty (recommended by zonekit, "
                  "not required by the notice)", m["folder"], source=m["source"], hint=m.get("help"))
    return _f("material_recommended", INFO, f"没有“{m['title']}”目录（{why}）", f"'{m['title']}' is not provided (recommended by zonekit, "
              "not required by the notice)", m["folder"], source=m["source"], hint=m.get("help"))
