"""Convert office files (doc/docx/xls/xlsx/odt/…) to PDF with a headless LibreOffice.

`convert_to_pdf` converts a whole batch in ONE soffice process with ONE throw-away user profile
(`-env:UserInstallation=file:///tmp/zonekit-lo-…`), which is several times faster than starting
LibreOffice per file and never touches (or is blocked by) the user's own LibreOffice profile or a
running instance. `convert_each_to_pdf` keeps the same contract but starts one process per file;
it exists so the benchmark can compare the two.

Inputs are never modified: they are copied into a staging directory under unique ASCII names
first (so a.docx and a.xlsx cannot both become a.pdf, and odd file names cannot trip up the
command line), and the PDFs are then moved to `outdir` under names derived from the inputs.

LibreOffice imports any file it cannot recognise as plain text and "converts" the garbage, so
each input's container (zip/OLE) is first checked against its extension; damaged, empty and
password-protected files are reported without starting soffice.

Every input gets either the path of its PDF or a `Failure`: a Chinese error message (a str, as it
always was) that carries its English in `en` — conversion problems are reported, never raised. On
timeout the whole process group is killed; files the batch did not get to are retried once
individually within a second time budget of the same length.

`zonekit serve` keeps one LibreOffice running (zonekit.serve.warm_office) and installs it with
`use_running_office`: the files are then staged and checked the same way, converted by it one at a
time (each within `timeout`), and placed the same way — the PDFs are the ones soffice would write.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from zonekit import sniff
from zonekit.findings import Said

SOFFICE_ENV = "ZONEKIT_SOFFICE"  # explicit path to soffice, checked before PATH

_WINDOWS_CANDIDATES = ("soffice.com", "soffice.exe")  # in <Program Files>\LibreOffice\program
_POSIX_CANDIDATES = (
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/usr/lib64/libreoffice/program/soffice",
    "/usr/local/lib/libreoffice/program/soffice",
    "/opt/libreoffice*/program/soffice",
    "/snap/bin/libreoffice",
    "/var/lib/flatpak/exports/bin/org.libreoffice.LibreOffice",
)


class Failure(str):
    """Why a file was not converted: the Chinese message (the string itself) and its English, `en`."""

    en: str

    def __new__(cls, zh: str, en: str) -> Failure:
        failure = super().__new__(cls, zh)
        failure.en = en
        return failure

    @property
    def said(self) -> Said:
        return Said(str(self), self.en)


NOT_FOUND = Failure("LibreOffice 转换失败：未找到 LibreOffice（soffice），请安装 LibreOffice 后重试",
                    "the file could not be converted: LibreOffice (soffice) was not found; install LibreOffice "
                    "and try again")
NO_OUTPUT = Said("LibreOffice 未能生成PDF，文件可能已损坏、加密或格式不受支持",
                 "LibreOffice made no PDF of it: the file may be damaged, encrypted or of a kind it cannot read")
TIMED_OUT = "LibreOffice 转换超时"  # how every timeout message starts


class RunningOffice(Protocol):
    """A LibreOffice kept running between conversions (zonekit.serve.warm_office.WarmOffice)."""

    def convert(self, src: Path, pdf: Path, timeout: float | None = None) -> str | None:
        """Write `src` as the PDF `pdf`: None when done, else why not (a timeout's text starts with TIMED_OUT)."""
        ...


_running: RunningOffice | None = None


def use_running_office(office: RunningOffice | None) -> RunningOffice | None:
    """Route `convert_to_pdf` (without an explicit `soffice`) through `office`, or back to starting soffice per
    batch with None; returns the one replaced. Process-wide: the bundle converts in worker threads."""
    global _running
    previous, _running = _running, office
    return previous


def find_soffice() -> str | None:
    """Path of the LibreOffice executable, or None.

    Order: $ZONEKIT_SOFFICE, `soffice`/`libreoffice` on PATH, then the usual install locations
    on Windows, macOS and Linux (including /opt/libreoffice*, snap and flatpak).
    """
    explicit = os.environ.get(SOFFICE_ENV)
    if explicit and Path(explicit).is_file():
        return explicit
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _candidates():
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def convert_to_pdf(
    files: list[Path],
    outdir: Path,
    *,
    timeout: float = 120,
    soffice: str | None = None,
) -> dict[Path, Path | Failure]:
    """Convert all `files` to PDF in one LibreOffice process; see the module docstring.

    Returns, for every input path (as given), the output PDF path or why not (a `Failure`).
    """
    return _convert(files, outdir, timeout=timeout, soffice=soffice, batch=True)


def convert_each_to_pdf(
    files: list[Path],
    outdir: Path,
    *,
    timeout: float = 120,
    soffice: str | None = None,
) -> dict[Path, Path | Failure]:
    """Like `convert_to_pdf`, but one LibreOffice process per file (`timeout` applies to each).

    The files share one temporary profile, so only process start-up is measured, not the
    profile creation.
    """
    return _convert(files, outdir, timeout=timeout, soffice=soffice, batch=False)


# --------------------------------------------------------------------------- the conversion


def _convert(
    files: list[Path], outdir: Path, *, timeout: float, soffice: str | None, batch: bool
) -> dict[Path, Path | Failure]:
    inputs = list(dict.fromkeys(Path(f) for f in files))  # the same path twice: convert once
    results: dict[Path, Path | Failure] = {}
    running = _running if soffice is None else None
    exe = soffice or find_soffice()
    if exe is None and running is None:
        return dict.fromkeys(inputs, NOT_FOUND)

    todo = []
    for f in inputs:
        problem = _precheck(f)
        if problem:
            results[f] = failed(f, problem)
        else:
            todo.append(f)
    if not todo:
        return results

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    targets = output_paths(todo, outdir, protected=inputs)
    if running is not None:
        results |= _convert_running(running, todo, targets, timeout)
        return {f: results[f] for f in inputs}
    assert exe is not None
    with (tempfile.TemporaryDirectory(prefix="zonekit-lo-", ignore_cleanup_errors=True) as tmp,
          kept_profile() as profile):
        office = _Office(exe, Path(tmp), profile)
        staged = office.stage(todo)
        if batch:
            results |= _run_group(office, todo, staged, targets, timeout)
            if len(todo) > 1:
                left_over = [f for f in todo if _is_timeout(results[f])]
                results |= _retry_timeouts(office, left_over, staged, targets, timeout)
        else:
            for f in todo:
                results |= _run_group(office, [f], staged, targets, timeout)
    return {f: results[f] for f in inputs}


def _convert_running(running: RunningOffice, todo: list[Path], targets: dict[Path, Path],
                     timeout: float) -> dict[Path, Path | Failure]:
    """`todo` staged as for soffice, converted one by one by the running office, placed the same way."""
    results: dict[Path, Path | Failure] = {}
    with tempfile.TemporaryDirectory(prefix="zonekit-lo-", ignore_cleanup_errors=True) as tmp:
        stage_dir, out_dir = Path(tmp) / "in", Path(tmp) / "out"
        stage_dir.mkdir()
        out_dir.mkdir()
        staged = _stage(todo, stage_dir)
        for f in todo:
            pdf = out_dir / f"{staged[f].stem}.pdf"
            problem = running.convert(staged[f], pdf, timeout)
            if problem is None and _looks_like_pdf(pdf):
                _place(pdf, targets[f])
                results[f] = targets[f]
            elif problem and problem.startswith(TIMED_OUT):
                results[f] = Failure(f"{problem}：{f.name}", f"LibreOffice took too long to convert “{f.name}”")
            else:  # the running office's reasons are Chinese only: quoted as they are
                results[f] = failed(f, Said(problem, f"LibreOffice said “{problem}”") if problem else None)
    return results


def failed(f: Path, reason: Said | None) -> Failure:
    """What the bundle says of a file LibreOffice did not convert (the manifest and the placeholder page)."""
    reason = reason or NO_OUTPUT
    return Failure(f"LibreOffice 转换失败：{f.name}（{reason.zh}）",
                   f"LibreOffice could not convert “{f.name}” ({reason.en})")


def _run_group(office: _Office, group: list[Path], staged: dict[Path, Path], targets: dict[Path, Path],
               timeout: float) -> dict[Path, Path | Failure]:
    """One soffice run over `group`; each file gets its PDF path or an error."""
    outcome = office.run([staged[f] for f in group], timeout)
    results: dict[Path, Path | Failure] = {}
    for f in group:
        pdf = office.output_of(staged[f])
        if pdf is not None:
            _place(pdf, targets[f])
            results[f] = targets[f]
        elif outcome.timed_out:
            results[f] = timed_out(f, timeout)
        else:
            results[f] = failed(f, outcome.reason)
    return results


def _retry_timeouts(office: _Office, pending: list[Path], staged: dict[Path, Path], targets: dict[Path, Path],
                    timeout: float) -> dict[Path, Path | Failure]:
    """Retry files left over by a timed-out batch one by one, within another `timeout` in total.

    One slow or hanging file should not cost the rest of the batch. Each retry gets at most half
    the original timeout; whatever the budget does not reach stays a timeout.
    """
    results: dict[Path, Path | Failure] = {}
    deadline = time.monotonic() + timeout
    for f in pending:
        budget = min(timeout / 2, deadline - time.monotonic())
        if budget <= 0.5:
            results[f] = timed_out(f, timeout)
            continue
        result = _run_group(office, [f], staged, targets, budget)[f]
        if isinstance(result, str) and _is_timeout(result):
            again = round(budget, 1)
            result = Failure(f"{TIMED_OUT}（{timeout:g}秒，单独重试 {again:g} 秒仍超时）：{f.name}",
                             f"LibreOffice took more than {timeout:g} seconds to convert “{f.name}”, and more than "
                             f"{again:g} seconds again when tried on its own")
        results[f] = result
    return results


def timed_out(f: Path, timeout: float) -> Failure:
    return Failure(f"{TIMED_OUT}（{timeout:g}秒）：{f.name}",
                   f"LibreOffice took more than {timeout:g} seconds to convert “{f.name}”")


def _is_timeout(result: Path | str) -> bool:
    return isinstance(result, str) and result.startswith(TIMED_OUT)


@dataclass(frozen=True)
class _Outcome:
    timed_out: bool
    reason: Said | None = None  # a short explanation when soffice itself failed


class _Office:
    """A soffice executable plus a private working area: staging dir, output dir, user profile."""

    def __init__(self, exe: str, workdir: Path, profile: Path | None = None) -> None:
        self.exe = exe
        self.stage_dir = workdir / "in"
        self.out_dir = workdir / "out"
        self.profile = profile or workdir / "profile"
        self.kept = profile is not None
        self.tmp = workdir / "tmp"  # LibreOffice's own lu*.tmp dirs, removed with the rest
        for d in (self.stage_dir, self.out_dir, self.tmp):
            d.mkdir()
        self.profile.mkdir(parents=True, exist_ok=True)

    def stage(self, files: list[Path]) -> dict[Path, Path]:
        return _stage(files, self.stage_dir)

    def command(self, staged: list[Path]) -> list[str]:
        return [
            self.exe,
            f"-env:UserInstallation={self.profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(self.out_dir),
            *(str(p) for p in staged),
        ]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("TMPDIR", "TMP", "TEMP"):
            env[name] = str(self.tmp)
        return env

    def run(self, staged: list[Path], timeout: float) -> _Outcome:
        try:
            proc = subprocess.Popen(
                self.command(staged),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=self.stage_dir,
                env=self.environment(),
                **new_process_group(),
            )
        except OSError as exc:
            return _Outcome(timed_out=False, reason=Said(f"无法启动 LibreOffice：{exc}",
                                                         f"LibreOffice could not be started: {exc}"))
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_tree(proc)
            proc.communicate()
            remove_ipc_pipes(self.profile.as_uri())
            if self.kept:  # killed mid-write, the kept profile may be damaged: the next run makes a new one
                shutil.rmtree(self.profile, ignore_errors=True)
            return _Outcome(timed_out=True)
        if proc.returncode != 0:
            said = _last_line(err)  # soffice's own words
            return _Outcome(timed_out=False, reason=Said(said, said) if said else
                            Said(f"退出码 {proc.returncode}", f"exit code {proc.returncode}"))
        return _Outcome(timed_out=False)

    def output_of(self, staged: Path) -> Path | None:
        """The complete PDF LibreOffice wrote for `staged`, if any."""
        pdf = self.out_dir / f"{staged.stem}.pdf"
        return pdf if _looks_like_pdf(pdf) else None


def _stage(files: list[Path], stage_dir: Path) -> dict[Path, Path]:
    """Copy inputs to unique ASCII names (zk0001.docx, …), without the page numbers they would print
    themselves (the bundle numbers every page); the originals stay untouched."""
    from zonekit.document.office_copy import copy_without_page_numbers

    staged = {}
    for i, f in enumerate(files, start=1):
        suffix = f.suffix if f.suffix.isascii() else ""
        staged[f] = stage_dir / f"zk{i:04d}{suffix}"
        copy_without_page_numbers(f, staged[f])
    return staged


# --------------------------------------------------------------------------- the kept profile
PROFILE_ENV = "ZONEKIT_LO_PROFILE"  # "0": a throw-away profile every time; a path: keep the profile there
_STALE_LOCK = 15 * 60  # seconds after which a lock left by a killed run is taken over


def _profile_dir() -> Path | None:
    from zonekit.fsutil import user_cache

    chosen = os.environ.get(PROFILE_ENV)
    if chosen == "0":
        return None
    if chosen:
        return Path(chosen)
    cache = user_cache()
    return cache / "libreoffice-profile" if cache else None


@contextlib.contextmanager
def kept_profile() -> Iterator[Path | None]:
    """zonekit's own LibreOffice profile, kept between runs (a new profile costs LibreOffice a few
    tenths of a second to set up), used by one conversion at a time: a second zonekit running at the
    same moment, or a profile that cannot be made, gets a throw-away one (None). Never the user's own
    LibreOffice profile."""
    path = _profile_dir()
    lock = path.with_name(path.name + ".lock") if path else None
    held = False
    if path is not None and lock is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                if time.time() - lock.stat().st_mtime > _STALE_LOCK:
                    lock.unlink()
            except FileNotFoundError:
                pass
            os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            held = True
        except OSError:
            held = False
    try:
        yield path if held else None
    finally:
        if held and lock is not None:
            lock.unlink(missing_ok=True)


# --------------------------------------------------------------------------- pre-flight checks

_OOXML = {".docx", ".docm", ".dotx", ".dotm", ".xlsx", ".xlsm", ".xltx", ".xltm", ".pptx", ".pptm", ".ppsx", ".potx"}
_ODF = {".odt", ".ott", ".ods", ".ots", ".odp", ".otp", ".odg"}
_LEGACY = {".doc", ".dot", ".xls", ".xlt", ".ppt", ".pps", ".pot", ".wps", ".et", ".dps"}
DAMAGED = Said("文件已损坏或内容与扩展名不符", "the file is damaged or its content does not match its extension")


def _precheck(path: Path) -> Said | None:
    """Why `path` cannot be converted, or None.

    LibreOffice silently imports any unreadable file as plain text and "converts" the garbage,
    so the container format is checked against the extension before soffice sees the file.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(4096)
    except FileNotFoundError:
        return Said("找不到文件", "the file is not there")
    except OSError as exc:
        return Said(f"无法读取文件：{exc.strerror or exc}", f"the file cannot be read: {exc.strerror or exc}")
    if size == 0:
        return Said("文件为空", "the file is empty")
    suffix = path.suffix.lower()
    if suffix in _OOXML:
        if head.startswith(sniff.OLE):  # encrypted OOXML is an OLE container
            return (Said("文件已加密，请先取消密码保护", "the file is encrypted: remove its password first")
                    if sniff.ole_encrypted(path) else None)
        return None if head.startswith(sniff.ZIP) and sniff.zip_has(path, "[Content_Types].xml") else DAMAGED
    if suffix in _ODF:
        return None if head.startswith(sniff.ZIP) and sniff.zip_has(path, "mimetype") else DAMAGED
    if suffix in _LEGACY:
        # real binaries, or the HTML/RTF/XML files many systems export under a .doc/.xls name
        if head.startswith((sniff.OLE, sniff.ZIP)) or b"\x00" not in head:
            return None
        return DAMAGED
    return None


# --------------------------------------------------------------------------- helpers


def _candidates() -> list[str]:
    if sys.platform == "win32":
        roots = {os.environ.get(v) for v in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")}
        roots |= {r"C:\Program Files", r"C:\Program Files (x86)"}
        return [os.path.join(root, "LibreOffice", "program", exe) for root in sorted(r for r in roots if r)
                for exe in _WINDOWS_CANDIDATES]
    found: list[str] = []
    for pattern in _POSIX_CANDIDATES:
        found.extend(sorted(glob.glob(pattern), reverse=True) if "*" in pattern else [pattern])
    return found


def output_paths(files: list[Path], outdir: Path, *, protected: list[Path]) -> dict[Path, Path]:
    """`<stem>.pdf`, or `<stem>_<ext>.pdf` when two inputs share a stem; never an input's path."""
    def key(p: Path) -> str:
        return os.path.normcase(str(p.resolve())).casefold()

    stems = Counter(f.stem.casefold() for f in files)
    taken = {key(p) for p in protected}
    paths = {}
    for f in files:
        base = f.stem if stems[f.stem.casefold()] == 1 else f"{f.stem}_{f.suffix.lstrip('.')}"
        candidate, n = outdir / f"{base}.pdf", 2
        while key(candidate) in taken:
            candidate, n = outdir / f"{base}_{n}.pdf", n + 1
        taken.add(key(candidate))
        paths[f] = candidate
    return paths


def _place(src: Path, target: Path) -> None:
    """Copy next to `target`, then rename: `target` is never seen half-written."""
    from zonekit.fsutil import atomic_write

    def copy(tmp: Path) -> None:
        shutil.copyfile(src, tmp)

    atomic_write(target, copy, overwrite=True)


def _looks_like_pdf(path: Path) -> bool:
    """Exists, starts with %PDF- and has an %%EOF near the end (not cut off by a kill)."""
    try:
        size = path.stat().st_size
        if size < 64:
            return False
        with path.open("rb") as fh:
            head = fh.read(5)
            fh.seek(max(0, size - 1024))
            tail = fh.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail


def new_process_group() -> dict:
    """Popen options starting a process in its own group (Ctrl-C in the terminal does not reach it; kill_tree can)."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def kill_tree(proc: subprocess.Popen) -> None:
    """Kill a process started with `new_process_group` and everything it started (oosplash → soffice.bin)."""
    if sys.platform == "win32":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
        proc.kill()
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # start_new_session: the group id is the pid
    except ProcessLookupError:
        pass


def remove_ipc_pipes(profile_uri: str, accept_pipe: str = "") -> None:
    """Delete the sockets a killed soffice leaves in /tmp (a clean exit removes them itself): its IPC pipe and
    the pipe of its `--accept=pipe,name=…`.

    LibreOffice names the first OSL_PIPE_<uid>_SingleOfficeIPC_<md5 of the profile URL as UTF-16,
    unpadded hex per byte>, the second OSL_PIPE_<uid>_<name>; the profile is ours alone, so the sockets are too.
    """
    if sys.platform == "win32" or not hasattr(os, "getuid"):
        return
    digest = hashlib.md5(profile_uri.encode("utf-16-le"), usedforsecurity=False).digest()
    names = [f"SingleOfficeIPC_{''.join(format(b, 'x') for b in digest)}", *([accept_pipe] if accept_pipe else [])]
    for name in names:
        Path("/tmp", f"OSL_PIPE_{os.getuid()}_{name}").unlink(missing_ok=True)


def _last_line(data: bytes | None) -> str:
    lines = [ln.strip() for ln in (data or b"").decode("utf-8", "replace").splitlines() if ln.strip()]
    lines = [ln for ln in lines if "javaldx" not in ln]  # harmless start-up noise
    return lines[-1][:200] if lines else ""
