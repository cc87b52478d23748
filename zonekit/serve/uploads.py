"""Uploads: a per-request temporary folder, and a packet zip unpacked into it by the rules `collect`
applies to zips (zonekit.collect.inputs.extract_zip: size and ratio limits, no zip-slip, no
symlinks, no devices). Nothing is written outside the request's folder, which is always removed."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from zonekit.errors import ZonekitError
from zonekit.packet import PACKET_FILE


def _env_mb(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() else default


MAX_UPLOAD_BYTES = _env_mb("ZONEKIT_MAX_UPLOAD_MB", 200) * 1024 * 1024  # one request's body, before it is stored


class UploadRefused(ZonekitError):
    """An upload that is not unpacked: not a zip, unsafe, too big, or holding no (or several) packets."""

    exit_code = 2


@contextmanager
def request_folder(workdir: Path) -> Iterator[Path]:
    """A fresh folder under the server's working folder, removed however the request ends."""
    path = Path(tempfile.mkdtemp(prefix="req-", dir=workdir))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def safe_name(name: str, fallback: str) -> str:
    """A file name from the browser reduced to its last component, without anything a path could use."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r'[\x00-\x1f<>:"|?*]', "_", base).strip(" .")
    return base[:120] or fallback


def unpack_packet(zip_path: Path, dest: Path) -> Path:
    """Unpack an uploaded packet zip into `dest` and return the packet folder (the one with packet.toml)."""
    from zonekit.collect.inputs import extract_zip

    if not zipfile.is_zipfile(zip_path):
        raise UploadRefused("上传的不是 zip 压缩包：请上传材料包文件夹压缩成的 zip，或用“选择文件夹”",
                            "the upload is not a zip file: upload the packet folder compressed into a zip,"
                            " or use “choose a folder”")
    try:
        extract_zip(zip_path, dest)
    except Exception as e:  # inputs._Refused, whose text is the Chinese reason and `en` the English
        raise UploadRefused(f"压缩包已拒绝：{e}", f"the zip was refused: {getattr(e, 'en', None) or e}") from None
    roots = sorted({Path(here) for here, _dirs, files in os.walk(dest) if PACKET_FILE in files})
    roots = [r for r in roots if not any(p in roots for p in r.parents)]
    if not roots:
        raise UploadRefused(f"压缩包中没有找到材料包（没有 {PACKET_FILE}）",
                            f"no packet found in the zip (no {PACKET_FILE})")
    if len(roots) > 1:
        raise UploadRefused(f"压缩包中有 {len(roots)} 个材料包：请一次上传一个，或在“汇总”页上传多个",
                            f"the zip holds {len(roots)} packets: upload one at a time, or upload several"
                            " on the “Collect” tab")
    return roots[0]


def zip_folder(folder: Path, out: Path, *, prefix: str = "") -> Path:
    """`folder`'s files into the zip `out` (UTF-8 names), under `prefix/` when given."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                name = path.relative_to(folder).as_posix()
                zf.write(path, f"{prefix}/{name}" if prefix else name)
    return out
