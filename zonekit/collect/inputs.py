"""The inputs of `collect`: packet folders, folders holding packets, and zip files of packets.

A zip is extracted into a temporary folder, refusing anything that could escape it or blow it up
(zip-slip, symlinks, special files, too many members, too many bytes, abnormal compression ratios);
GBK member names from Windows tools are decoded. Every input becomes an `PacketInput`: a packet folder
to check, or the reason there is none.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from zonekit.packet import PACKET_FILE


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip().isdigit() else default


MAX_ZIP_BYTES = _env_int("ZONEKIT_MAX_ZIP_MB", 500) * 1024 * 1024  # all members of one zip, uncompressed
MAX_ZIP_ENTRIES = _env_int("ZONEKIT_MAX_ZIP_ENTRIES", 20000)
MAX_ZIP_RATIO = 250  # uncompressed / compressed for one member above 1 MB: a zip bomb, as in zonekit.xlsx.reader
_RATIO_FROM = 1024 * 1024


# ------------------------------------------------------------------ inputs: folders and zips
@dataclass
class PacketInput:
    """One packet to check: `label` as the user gave it, `root` the folder (extracted, for a zip), or `error`."""

    label: str
    root: Path | None
    error: str | None = None
    error_en: str | None = None  # `error` in English


class _Refused(Exception):
    """A zip that is not extracted (unsafe or too big); str(self) is the Chinese reason, `en` the English."""

    def __init__(self, message: str, en: str) -> None:
        super().__init__(message)
        self.en = en


def _is_zip(path: Path) -> bool:
    return path.is_file() and (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path))


def expand_inputs(paths: Iterable[Path], tmp: Path) -> list[PacketInput]:
    """Packets to check, in order: a folder holding packets (or zips) expands to them, a zip to the packets inside."""
    out: list[PacketInput] = []
    seen: dict[Path, str] = {}

    def add(path: Path, label: str, top: bool) -> None:
        key = path.resolve()
        if key in seen:
            what = "压缩包" if path.is_file() else "文件夹"
            what_en = "zip file" if path.is_file() else "folder"
            out.append(PacketInput(label, None, f"与“{seen[key]}”是同一个{what}，已跳过",
                                   f"the same {what_en} as “{seen[key]}”: skipped"))
            return
        seen[key] = label
        if not path.exists():
            out.append(PacketInput(label, None, f"找不到 {label}", f"cannot find {label}"))
        elif path.is_dir():
            inner = _scan(path, zips=True) if top and not (path / PACKET_FILE).exists() else []
            for c in inner:
                add(c, f"{label.rstrip('/')}/{c.relative_to(path).as_posix()}", False)
            if not inner:
                out.append(PacketInput(label, path))  # read_packet says what is wrong if it is not a packet
        elif _is_zip(path):
            out.extend(_unzip(path, label, tmp / str(len(out))))
        else:
            out.append(PacketInput(label, None, f"{label} 既不是材料包文件夹，也不是 zip 压缩包",
                                   f"{label} is neither a packet folder nor a zip file"))

    for p in paths:
        add(Path(p), str(p), True)
    return out


def _unzip(path: Path, label: str, dest: Path) -> list[PacketInput]:
    try:
        extract_zip(path, dest)
    except _Refused as e:
        shutil.rmtree(dest, ignore_errors=True)
        return [PacketInput(label, None, f"压缩包已拒绝：{e}", f"zip file refused: {e.en}")]
    roots = _scan(dest, zips=False)
    if not roots:
        return [PacketInput(label, None, f"压缩包中没有找到材料包（没有 {PACKET_FILE}）",
                            f"no packet found in the zip file (no {PACKET_FILE})")]
    return [PacketInput(label if r == dest else f"{label}/{r.relative_to(dest).as_posix()}", r) for r in roots]


def _scan(top: Path, *, zips: bool, depth: int = 4) -> list[Path]:
    """Packet folders (and .zip files) under `top`, a few levels deep; symlinks are not followed."""
    found: list[Path] = []
    for here, dirs, files in os.walk(top):
        h = Path(here)
        if PACKET_FILE in files:
            found.append(h)
            dirs[:] = []  # a packet's sub-folders are its materials
            continue
        found += [h / f for f in files if zips and f.lower().endswith(".zip") and not (h / f).is_symlink()]
        dirs[:] = [d for d in dirs if d != "__MACOSX" and len(h.relative_to(top).parts) < depth]
    return sorted(found)


def _member_name(info: zipfile.ZipInfo) -> str:
    """Windows' built-in zip and many Chinese tools store GBK names without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def extract_zip(path: Path, dest: Path) -> None:
    """Extract `path` into `dest`, or raise _Refused without extracting anything unsafe.

    Refused: not a zip, encrypted, more than MAX_ZIP_ENTRIES members, more than MAX_ZIP_BYTES in
    all, a member whose compression ratio is abnormal, an absolute path or `..` (zip-slip), a
    symlink or other special file.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise _Refused(f"不是有效的 zip 文件（{e}）", f"not a valid zip file ({e})") from None
    with zf:
        members = _safe_members(zf.infolist(), MAX_ZIP_BYTES)
        try:
            _write_members(zf, members, dest, MAX_ZIP_BYTES)
        except RuntimeError as e:  # zipfile: "File ... is encrypted, password required"
            raise _Refused(f"压缩包已加密，无法解压（{e}）",
                           f"the zip file is encrypted and cannot be extracted ({e})") from None
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as e:
            raise _Refused(f"无法解压：{e}", f"cannot extract: {e}") from None


def _safe_members(infos: list[zipfile.ZipInfo], limit: int) -> list[tuple[zipfile.ZipInfo, list[str]]]:
    """The files to extract with their path parts, or _Refused for the first member that makes the zip unsafe."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise _Refused(f"有 {len(infos)} 个文件，超过上限 {MAX_ZIP_ENTRIES} 个"
                       "（可用环境变量 ZONEKIT_MAX_ZIP_ENTRIES 调整）",
                       f"it holds {len(infos)} files, more than the limit of {MAX_ZIP_ENTRIES} "
                       "(the environment variable ZONEKIT_MAX_ZIP_ENTRIES changes it)")
    members: list[tuple[zipfile.ZipInfo, list[str]]] = []
    total = 0
    for info in infos:
        name = _member_name(info)
        parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
        _refuse_unsafe(info, name, parts)
        if not parts or parts[0] == "__MACOSX" or info.is_dir():
            continue
        total += info.file_size
        if total > limit:
            raise _Refused(f"解压后超过 {limit / 2**20:.0f} MB 上限（可用环境变量 ZONEKIT_MAX_ZIP_MB 调整）",
                           f"more than the limit of {limit / 2**20:.0f} MB once extracted "
                           "(the environment variable ZONEKIT_MAX_ZIP_MB changes it)")
        if info.file_size > _RATIO_FROM and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise _Refused(f"其中的“{name}”压缩比异常（{ratio:.0f} 倍），疑似“压缩炸弹”",
                           f"“{name}” in it is compressed abnormally ({ratio:.0f} times): it looks like a zip bomb")
        members.append((info, parts))
    return members


def _refuse_unsafe(info: zipfile.ZipInfo, name: str, parts: list[str]) -> None:
    """A member that points outside the folder (zip-slip), a symlink or a special file refuses the whole zip."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise _Refused(f"其中的“{name}”指向解压目录以外（zip-slip），整个压缩包不予解压",
                       f"“{name}” in it points outside the folder it is extracted to (zip-slip): "
                       "the whole zip file is not extracted")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise _Refused(f"其中的“{name}”是符号链接，zonekit 不解压符号链接",
                       f"“{name}” in it is a symbolic link: zonekit does not extract symbolic links")
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise _Refused(f"其中的“{name}”不是普通文件", f"“{name}” in it is not a regular file")


def _write_members(zf: zipfile.ZipFile, members: list[tuple[zipfile.ZipInfo, list[str]]], dest: Path,
                   limit: int) -> None:
    """Extract the checked members, counting the bytes actually written (a member may lie about its size)."""
    written = 0
    for info, parts in members:
        target = dest.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, open(target, "xb") as out:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > limit:
                    raise _Refused(f"解压后超过 {limit / 2**20:.0f} MB 上限",
                                   f"more than the limit of {limit / 2**20:.0f} MB once extracted")
                out.write(chunk)
