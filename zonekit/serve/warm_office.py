"""The one LibreOffice `zonekit serve` keeps running, so a bundle does not wait for soffice to start.

A bundle's Word report costs a cold `soffice --convert-to` about 1.5 s, nearly all of it start-up; a
running instance converts it in 0.1-0.3 s. `WarmOffice` starts `soffice --headless
--accept=pipe,name=…` with a private throw-away profile and a worker (uno_worker.py) run by a Python
that can `import uno` — LibreOffice's own on Windows and macOS, python3 with python3-uno on Debian —
talking JSON lines over its stdin/stdout. No TCP port is opened: the pipe's name is random per start.

Rules: one conversion at a time (a lock); a conversion that passes its timeout has soffice and the
worker killed and a new instance started in the background; a conversion that finds the instance dead
starts a new one first (and one that sees it die retries once on a new one); `close()` (the server's
shutdown) asks soffice to quit, kills what is left and removes the profile. Installed as
`zonekit.document.office`'s running office, so `convert_to_pdf` — the bundle's path — converts
through it; the CLI, which sets none, keeps starting soffice per batch.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import queue
import secrets
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from zonekit.document.office import TIMED_OUT, find_soffice, kill_tree, new_process_group, remove_ipc_pipes

UNO_PYTHON_ENV = "ZONEKIT_UNO_PYTHON"  # a Python that can `import uno`, checked before LibreOffice's own
WORKER = Path(__file__).with_name("uno_worker.py")
START_SECONDS = 60.0  # a first start makes the profile: a few seconds, more on a slow disk
QUIT_SECONDS = 10.0


@functools.lru_cache(maxsize=8)
def find_uno_python(soffice: str) -> str | None:
    """A Python that can `import uno` for the LibreOffice at `soffice`, or None.

    Order: $ZONEKIT_UNO_PYTHON; the Python LibreOffice ships (program\\python.exe on Windows,
    program/python in LibreOffice's own Linux packages, Contents/Resources/python on macOS); the
    system's python3 (Debian's python3-uno installs uno there)."""
    program = Path(soffice).resolve().parent
    candidates = [os.environ.get(UNO_PYTHON_ENV) or "", str(program / "python.exe"), str(program / "python"),
                  str(program.parent / "Resources" / "python"), "/usr/bin/python3", shutil.which("python3") or ""]
    for candidate in dict.fromkeys(c for c in candidates if c):
        if Path(candidate).is_file() and _imports_uno(candidate):
            return candidate
    return None


def _imports_uno(python: str) -> bool:
    try:
        return subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30,
                              stdin=subprocess.DEVNULL).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def why_not_warm() -> str | None:
    """Why the server cannot keep a LibreOffice running (None: it can). Bundles then start soffice each time."""
    soffice = find_soffice()
    if soffice is None:
        return "未找到 LibreOffice：Word/Excel 附件不能转换 / LibreOffice not found"
    if find_uno_python(soffice) is None:
        return ("LibreOffice 的 Python 接口（uno）不可用，每次打包单独启动 LibreOffice（Debian/Ubuntu：apt-get install "
                "python3-uno）/ LibreOffice's Python bridge is missing: each bundle starts LibreOffice")
    return None


class WarmOffice:
    """A running soffice plus its uno worker; `convert` is safe to call from any thread."""

    def __init__(self, workdir: Path, *, timeout: float = 120.0, soffice: str | None = None,
                 python: str | None = None) -> None:
        self.workdir = workdir
        self.timeout = timeout
        self.soffice = soffice or find_soffice() or ""
        self.python = python or (find_uno_python(self.soffice) if self.soffice else None) or ""
        self.starts = 0  # how many instances were started (a restart counts)
        self.conversions = 0  # how many files it converted
        self._lock = threading.Lock()
        self._office: subprocess.Popen | None = None
        self._worker: subprocess.Popen | None = None
        self._answers: queue.Queue[str | None] = queue.Queue()
        self._home: Path | None = None
        self._pipe = ""
        self._closed = False

    @property
    def pid(self) -> int | None:
        """soffice's process id while an instance runs."""
        return self._office.pid if self._office is not None and self._office.poll() is None else None

    def start(self) -> str | None:
        """Start an instance now unless one runs (the server warms it at start-up); None, or why it could not."""
        with self._lock:
            return self._ensure_running()

    def convert(self, src: Path, pdf: Path, timeout: float | None = None) -> str | None:
        """Write `src` as the PDF `pdf`: None when done, else why not. A timeout's text starts with TIMED_OUT."""
        limit = min(timeout or self.timeout, self.timeout)
        with self._lock:
            problem = self._ensure_running()
            if problem:
                return problem
            answer = self._ask({"in": str(src), "out": str(pdf)}, limit)
            if answer is None:
                self._stop(kill=True)
                threading.Thread(target=self.start, daemon=True, name="zonekit-warm-restart").start()
                return f"{TIMED_OUT}（{limit:g}秒）"
            if answer.get("gone"):  # soffice died under the conversion: one retry on a new instance
                self._stop(kill=True)
                problem = self._ensure_running()
                answer = {"error": problem} if problem else (self._ask({"in": str(src), "out": str(pdf)}, limit) or {})
            if not answer.get("ok"):
                return str(answer.get("error") or "LibreOffice 在转换这个文件时退出")
            self.conversions += 1
            return None

    def close(self) -> None:
        """Quit soffice (killed if it does not within QUIT_SECONDS) and remove its profile; no restart after."""
        with self._lock:
            self._closed = True
            self._stop(kill=False)

    # ------------------------------------------------------------------ the instance
    def _ensure_running(self) -> str | None:
        if self._closed:
            return "服务正在停止 / the server is stopping"
        if self._running():
            return None
        self._stop(kill=True)  # whatever is left of a dead instance
        if not self.soffice:
            return "未找到 LibreOffice（soffice）"
        if not self.python:
            return "LibreOffice 的 Python 接口（uno）不可用"
        home = Path(tempfile.mkdtemp(prefix="lo-warm-", dir=self.workdir))
        (home / "tmp").mkdir()
        pipe = f"zonekit-{secrets.token_hex(8)}"
        env = {**os.environ, "TMPDIR": str(home / "tmp"), "TMP": str(home / "tmp"), "TEMP": str(home / "tmp")}
        self._home, self._pipe, self.starts = home, pipe, self.starts + 1
        try:
            self._office = subprocess.Popen(
                [self.soffice, f"-env:UserInstallation={(home / 'profile').as_uri()}", "--headless", "--invisible",
                 "--norestore", "--nolockcheck", "--nodefault", "--nologo",
                 f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=home, env=env,
                **new_process_group())
            self._worker = subprocess.Popen(
                [self.python, str(WORKER), pipe, str(START_SECONDS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, cwd=home, env=env, text=True, encoding="utf-8", **new_process_group())
        except OSError as e:
            self._stop(kill=True)
            return f"无法启动 LibreOffice：{e}"
        self._answers = queue.Queue()
        threading.Thread(target=_read_lines, args=(self._worker, self._answers), daemon=True,
                         name="zonekit-warm-office").start()
        ready = self._wait(START_SECONDS + 5)
        if ready is None or not ready.get("ready"):
            self._stop(kill=True)
            return f"LibreOffice 未能启动：{(ready or {}).get('error') or '超时'}"
        return None

    def _running(self) -> bool:
        return all(p is not None and p.poll() is None for p in (self._office, self._worker))

    def _ask(self, request: dict[str, str], timeout: float) -> dict | None:
        """The worker's answer; None on timeout; {"gone": True} when the worker or soffice is gone."""
        worker = self._worker
        assert worker is not None and worker.stdin is not None
        try:
            worker.stdin.write(json.dumps(request) + "\n")
            worker.stdin.flush()
        except OSError:
            return {"gone": True}
        answer = self._wait(timeout)
        if answer is not None and not answer.get("ok") and not self._running():
            return {"gone": True}
        return answer

    def _wait(self, timeout: float) -> dict | None:
        try:
            line = self._answers.get(timeout=max(timeout, 0.001))
        except queue.Empty:
            return None
        if line is None:
            return {"gone": True}
        try:
            answer = json.loads(line)
        except ValueError:
            return {"error": line[:200]}
        return answer if isinstance(answer, dict) else {"error": line[:200]}

    def _stop(self, *, kill: bool) -> None:
        worker, office, home, pipe = self._worker, self._office, self._home, self._pipe
        self._worker = self._office = self._home = None
        if worker is not None:
            with contextlib.suppress(OSError):
                if worker.stdin is not None:
                    worker.stdin.close()  # the worker's cue to ask soffice to quit
        if office is not None:
            if not kill:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    office.wait(QUIT_SECONDS)
            if office.poll() is None:
                kill_tree(office)
            with contextlib.suppress(subprocess.TimeoutExpired):
                office.wait(QUIT_SECONDS)
            if home is not None:
                remove_ipc_pipes((home / "profile").as_uri(), pipe)
        if worker is not None:
            if worker.poll() is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.wait(0 if kill else QUIT_SECONDS)
            if worker.poll() is None:
                kill_tree(worker)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.wait(QUIT_SECONDS)
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)


def _read_lines(worker: subprocess.Popen, answers: queue.Queue[str | None]) -> None:
    """The worker's stdout, line by line, into `answers`; None when it closes (the worker ended)."""
    assert worker.stdout is not None
    with contextlib.suppress(OSError, ValueError):
        for line in worker.stdout:
            answers.put(line.strip())
    answers.put(None)
