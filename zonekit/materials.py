"""Material folders: present, not empty, accepted types, every file readable, nothing unsafe.

Files are looked at without being trusted: symlinks are reported and never followed, a PDF is
opened with pypdf (encrypted or corrupt is a finding), an image must decode, an office file
must be what its extension says.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .findings import ERROR, INFO, WARNING, Finding
from .init import ACCEPTED, CHECKLIST, README_TXT
from .packet import PACKET_FILE

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEMPLATE_MARK = "【填写说明，完成后删除】".encode()
_LEGACY = {"wps": "docx", "et": "xlsx", "dps": "pptx"}
MAX_FILE = 200 * 1024 * 1024


def _f(code: str, sev: str, zh: str, en: str, file: str, **kw: Any) -> Finding:
    return Finding(code, sev, zh, en, file=file, **kw)


def files_in(folder: Path, root: Path) -> Iterator[tuple[Path, Finding | None]]:
    """Files under a material folder (one level of sub-folders), symlinks reported, not followed."""
    for p in sorted(folder.iterdir()):
        rel = str(p.relative_to(root))
        if p.is_symlink():
            yield p, _f("unsafe_path", ERROR, f"{rel} 是符号链接（快捷方式），zonekit 不跟随；请放入真实文件",
                        f"{rel} is a symlink; zonekit does not follow it", rel)
        elif p.is_dir():
            yield from files_in(p, root)
        elif p.name.startswith((".", "~$")) or p.name == README_TXT:
            continue
        else:
            yield p, None


def check_file(path: Path, root: Path, types: list[str]) -> Finding | None:
    rel = str(path.relative_to(root))
    ext = path.suffix.lower().lstrip(".")
    size = path.stat().st_size
    if ext in _LEGACY:
        return _f("file_type", ERROR, f"{rel} 是 WPS 专有格式（.{ext}），请另存为 .{_LEGACY[ext]} 或 PDF",
                  f"{rel} is a WPS-only format; save it as .{_LEGACY[ext]} or PDF", rel)
    if ext not in types:
        return _f("file_type", ERROR, f"{rel} 的类型 .{ext or '（无扩展名）'} 不被接受；本材料接受：{', '.join(types)}",
                  f"{rel}: type .{ext} not accepted here ({', '.join(types)})", rel)
    if size == 0:
        return _f("file_empty", ERROR, f"{rel} 是空文件（0 字节），请重新扫描或导出", f"{rel} is empty (0 bytes)", rel)
    if size > MAX_FILE:
        return _f("file_too_large", WARNING, f"{rel} 有 {size // 2**20} MB，请压缩后再放入（建议单个文件不超过 200 MB）",
                  f"{rel} is {size // 2**20} MB", rel)
    with path.open("rb") as fh:
        head = fh.read(8)
    problem = {"pdf": _pdf, "jpg": _image, "jpeg": _image, "png": _image, "docx": _ooxml, "xlsx": _ooxml,
               "doc": _ole, "xls": _ole}[ext](path, head)
    if problem:
        return _f("file_unreadable", ERROR, f"{rel} {problem[0]}", f"{rel}: {problem[1]}", rel)
    if ext == "docx" and _still_template(path):
        return _f("file_unreadable", WARNING, f"{rel} 仍含模板中的“填写说明”，请按说明写完并删除提示文字",
                  f"{rel} still contains the template's guidance text", rel)
    return None


def _pdf(path: Path, head: bytes) -> tuple[str, str] | None:
    if not head.startswith(b"%PDF"):
        return "不是 PDF 文件（可能是改了扩展名），请重新导出为 PDF", "is not a PDF (renamed file?)"
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return "已加密（设置了打开密码），请导出无密码的 PDF", "is encrypted with a password"
            except Exception:
                return "已加密且无法解密，请导出无密码的 PDF", "is encrypted"
        if len(reader.pages) == 0:
            return "没有任何页面", "has no pages"
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as e:
        return f"已损坏，无法打开（{type(e).__name__}），请重新扫描或导出", "is corrupt"
    return None


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
    for p in sorted(root.iterdir()):
        if p.name not in known and not p.name.startswith("."):
            kind = "目录" if p.is_dir() else "文件"
            stray.append(_f("stray_file", INFO, f"{p.name} 不属于任何申报材料（{kind}），打包时不会包含",
                            f"{p.name} belongs to no material and will not be bundled", p.name))
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
            seen.files.append(path)
            rel = str(path.relative_to(root))
            if rel in form_files:  # a form is checked (and its symlink reported) by the form check
                continue
            bad = problem or check_file(path, root, m.get("types", ACCEPTED))
            if bad:
                seen.findings.append(bad if problem else Finding(**{**bad.__dict__, "source": m["source"]}))
    return stray, folders


def check_materials(prog: Any, needed: dict[str, bool | None], scanned: tuple[list[Finding], dict[str, Folder]]) -> list[Finding]:
    """The scan's findings, and what is missing given `needed`: material id -> True (required),
    False (not required) or None (cannot tell)."""
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
