"""Safe file writing and path handling: atomic outputs, never clobbering, never leaving the packet."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from zonekit.errors import UnsafePath


def atomic_write(path: Path, write: Callable[[Path], object], *, overwrite: bool = False) -> bool:
    """Call `write(tmp)` on a temp file beside `path`, then move it into place.

    With overwrite=False an existing `path` is never replaced (returns False; the temp file is
    removed). An interrupted write never leaves a half-written file at `path`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".zk-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual permissions
    try:
        write(tmp)
        if overwrite:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # atomic, fails if path exists
        except FileExistsError:
            return False
        except OSError:  # filesystems without hard links
            if path.exists():
                return False
            os.replace(tmp, path)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str, *, overwrite: bool = False) -> bool:
    """`text` written as UTF-8, atomically (`atomic_write`)."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, "utf-8"), overwrite=overwrite)


def write_bytes(path: Path, data: bytes, *, overwrite: bool = False) -> bool:
    """`data` written atomically (`atomic_write`)."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data), overwrite=overwrite)


def write_stream(path: Path, write: Callable[[BinaryIO], object], *, overwrite: bool = False) -> bool:
    """`atomic_write` for a writer that takes an open binary file (pikepdf's and pypdf's `save`)."""
    def into(tmp: Path) -> None:
        with tmp.open("w+b") as fh:
            write(fh)

    return atomic_write(path, into, overwrite=overwrite)


def sha256_file(path: Path) -> str:
    """The file's SHA-256 (hex), read in 1 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def inside(root: Path, path: Path) -> Path:
    """`path` resolved, provided it stays inside `root` and passes through no symlink."""
    root_r = root.resolve()
    rel = path.relative_to(root) if path.is_absolute() and path.is_relative_to(root) else path
    current = root
    for part in Path(rel).parts:
        if part == "..":
            raise UnsafePath(f"路径 {path} 指向材料包以外", f"the path {path} leads outside the packet")
        current = current / part
        if current.is_symlink():
            raise UnsafePath(f"{current.relative_to(root)} 是符号链接，zonekit 不跟随",
                             f"{current.relative_to(root)} is a symbolic link, which zonekit does not follow")
    resolved = current.resolve()
    if resolved != root_r and root_r not in resolved.parents:
        raise UnsafePath(f"路径 {path} 指向材料包以外", f"the path {path} leads outside the packet")
    return resolved


def user_cache() -> Path | None:
    """zonekit's folder in the user's cache (XDG_CACHE_HOME or ~/.cache; %LOCALAPPDATA% on Windows), or
    None when ZONEKIT_CACHE=0. Only what can be rebuilt goes there."""
    import sys

    chosen = os.environ.get("ZONEKIT_CACHE")
    if chosen == "0":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("LOCALAPPDATA") if sys.platform == "win32" else os.environ.get("XDG_CACHE_HOME")
    home_cache = Path.home() / (".cache" if sys.platform != "win32" else "AppData/Local")
    return (Path(base) if base else home_cache) / "zonekit"
