"""The API the page uses: each handler parses the request, calls one core function in a worker
thread, and returns its result — the same data the CLI renders (`check --format json`,
`programs --format json`, the bundle's files, the collect workbook).

Work runs in bounded pools (anyio capacity limiters): checks and inits share one of
`check_workers` threads; bundles (which drive LibreOffice, one conversion at a time) and collects
each have their own single slot, so a bundle in progress never blocks a check. The LibreOffice is
the one the server keeps running (`warm_office.WarmOffice`, started with the server). Bundles and
collects also run as jobs (POST /api/jobs/bundle, /api/jobs/collect) whose progress the page polls.
Errors come back as JSON `{"error": code, "message": text}`: 400 bad input, 404 unknown programme,
413 too large, 422 a refused bundle.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import anyio
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from zonekit.document.office import RunningOffice, use_running_office
from zonekit.errors import BundleRefused, UnknownProgramme, ZonekitError
from zonekit.serve.app import ServeConfig
from zonekit.serve.uploads import UploadRefused, request_folder, safe_name, unpack_packet, zip_folder
from zonekit.serve.warm_office import WarmOffice, why_not_warm
from zonekit.spec.wording import stage_text

if TYPE_CHECKING:
    from zonekit.collect import CollectResult

ZIP = "application/zip"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JOB_TTL = 15 * 60  # a finished job's file is kept this long for its download


class BadRequest(ZonekitError):
    """A request missing a field or carrying a value that cannot be used."""


@dataclass
class Job:
    id: str
    folder: Path
    state: str = "running"  # running | done | refused | failed
    stage: str = ""
    done: int = 0
    total: int = 1
    message: str = ""
    message_en: str = ""
    file: Path | None = None
    name: str = ""
    finished: float = 0.0
    result: dict[str, Any] | None = None  # a collect's JSON, once done

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "stage": self.stage, "stage_en": stage_text(self.stage, "en"),
                "done": self.done, "total": self.total, "message": self.message,
                "message_en": self.message_en or self.message,
                "file": f"/api/jobs/{self.id}/file" if self.file else None, "result": self.result}

    def tick(self, stage: str, done: int, total: int) -> None:
        """The engine's progress callback: what GET /api/jobs/ID reports while the job runs."""
        self.stage, self.done, self.total = stage, done, max(total, 1)


class State:
    """What one server start keeps between requests: its config, worker pools and jobs."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.checks = anyio.CapacityLimiter(config.check_workers)
        self.bundles = anyio.CapacityLimiter(1)
        self.collects = anyio.CapacityLimiter(1)
        self.jobs: dict[str, Job] = {}
        self.office: WarmOffice | None = None
        self._replaced: RunningOffice | None = None
        self._tasks: set[asyncio.Task] = set()
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Load every spec once (load_programme caches them), so the first check pays no spec parsing; start
        the LibreOffice bundles convert through, in a thread (the first conversion waits for it)."""
        from zonekit.spec.programme import list_programmes, load_programme, templates_root

        root = templates_root(self.config.templates)
        for pid in list_programmes(root):
            load_programme(pid, root)
        if self.config.warm_office and why_not_warm() is None:
            self.office = WarmOffice(self.config.workdir, timeout=self.config.convert_timeout)
            self._replaced = use_running_office(self.office)
            threading.Thread(target=self.office.start, daemon=True, name="zonekit-warm-office-start").start()

    def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for job in list(self.jobs.values()):
            shutil.rmtree(job.folder, ignore_errors=True)
        self.jobs.clear()
        if self.office is not None:
            use_running_office(self._replaced)
            self.office.close()

    def start_job(self, job: Job, work: Callable[[], Path], limiter: anyio.CapacityLimiter) -> None:
        """Run `work` (which ticks `job`) in the pool behind `limiter`, in the background: the job ends done
        with the file `work` returns, refused (a refused bundle) or failed, with the reason."""

        async def run() -> None:
            try:
                job.file = await anyio.to_thread.run_sync(work, limiter=limiter)
                job.state, job.stage = "done", "完成"
            except BundleRefused as e:
                job.state, job.message, job.message_en = "refused", str(e), e.text("en")
            except ZonekitError as e:
                job.state, job.message, job.message_en = "failed", str(e), e.text("en")
            except Exception as e:  # shown on the page rather than lost in a background task
                job.state, job.message = "failed", f"内部错误 {type(e).__name__}: {e}"
                job.message_en = f"internal error {type(e).__name__}: {e}"
            finally:
                job.finished = time.monotonic()

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def root(self) -> Path:
        from zonekit.spec.programme import templates_root

        return templates_root(self.config.templates)

    def new_job(self) -> Job:
        now = time.monotonic()
        with self._lock:
            for old in [j for j in self.jobs.values() if j.finished and now - j.finished > JOB_TTL]:
                shutil.rmtree(old.folder, ignore_errors=True)
                self.jobs.pop(old.id, None)
            job = Job(uuid.uuid4().hex, Path(tempfile.mkdtemp(prefix="job-", dir=self.config.workdir)))
            self.jobs[job.id] = job
        return job

    def drop_job(self, job: Job) -> None:
        shutil.rmtree(job.folder, ignore_errors=True)
        self.jobs.pop(job.id, None)


def _state(request: Request) -> State:
    return request.app.state.zk


def _lang(request: Request, form: Any = None) -> str:
    lang = (form.get("lang") if form is not None else None) or request.query_params.get("lang") or "zh"
    return "en" if lang == "en" else "zh"


def _date(text: Any, name: str) -> _dt.date | None:
    if not text:
        return None
    try:
        return _dt.date.fromisoformat(str(text))
    except ValueError:
        raise BadRequest(f"{name} 应为 YYYY-MM-DD：{text}", f"{name} should be written YYYY-MM-DD: {text}") from None


def _attachment(data: bytes, name: str, media: str) -> Response:
    ascii_name = name.encode("ascii", "ignore").decode() or "download"
    return Response(data, media_type=media, headers={
        "content-disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"})


async def _save_upload(form: Any, key: str, dest: Path) -> tuple[Path, str]:
    upload = form.get(key)
    if not isinstance(upload, UploadFile):
        raise BadRequest(f"缺少上传的文件（表单字段 {key}：材料包的 zip）",
                         f"no uploaded file (form field {key}: the packet's zip)")
    await anyio.to_thread.run_sync(_copier(upload, dest))
    return dest, safe_name(upload.filename or "", "packet.zip")


# ------------------------------------------------------------------ programmes
async def programmes(request: Request) -> JSONResponse:
    """`zonekit programs --format json`."""
    from zonekit.spec.programme import list_programmes, load_programme
    from zonekit.terminal import JSON_VERSION

    lang = _lang(request)
    root = _state(request).root()
    progs = [load_programme(p, root) for p in list_programmes(root)]
    return JSONResponse({"version": JSON_VERSION, "programmes": [
        {"id": p.id, "title": p.title(lang), "issuer": p.data["document"]["issuer"], "deadline": p.deadline(),
         "version": p.version}
        for p in progs]})


def _programme(request: Request) -> Any:
    from zonekit.spec.programme import load_programme

    return load_programme(request.path_params["id"], _state(request).root())


async def programme(request: Request) -> JSONResponse:
    """`zonekit programs show ID --format json`."""
    from zonekit.serve import page

    return JSONResponse(page.programme_json(_programme(request)))


async def programme_page(request: Request) -> Response:
    """The programme's requirements and the init form, as an HTML fragment for the page."""
    from zonekit.serve import page

    return page.programme_fragment(request, _programme(request), _lang(request))


# ------------------------------------------------------------------ init
async def init(request: Request) -> Response:
    """JSON {"programme", "answers": {key: value}, "unit"?} → the blank packet as a zip."""
    try:
        body = await request.json()
    except ValueError:
        raise BadRequest("请求应为 JSON：{\"programme\": id, \"answers\": {…}}",
                         "the request should be JSON: {\"programme\": id, \"answers\": {…}}") from None
    if not isinstance(body, dict) or not isinstance(body.get("programme"), str):
        raise BadRequest("缺少 programme（项目 id）", "programme (the programme id) is missing")
    answers = body.get("answers") or {}
    if not isinstance(answers, dict):
        raise BadRequest("answers 应为 键→值", "answers should map keys to values")
    state = _state(request)

    def work() -> tuple[bytes, str]:
        from zonekit.ask import from_data
        from zonekit.scaffold import init_packet
        from zonekit.spec.programme import load_programme

        prog = load_programme(body["programme"], state.root())
        pairs = [f"{k}={'、'.join(map(str, v)) if isinstance(v, list) else v}" for k, v in answers.items()
                 if v not in (None, "", [])]
        with request_folder(state.config.workdir) as tmp:
            name = f"{prog.id}-材料包"
            init_packet(prog, tmp / name, unit=body.get("unit") or None, answers=from_data(prog, pairs, None))
            return zip_folder(tmp / name, tmp / "packet.zip", prefix=name).read_bytes(), f"{name}.zip"

    data, name = await anyio.to_thread.run_sync(work, limiter=state.checks)
    return _attachment(data, name, ZIP)


# ------------------------------------------------------------------ check
async def check(request: Request) -> JSONResponse:
    """Multipart `packet` (a packet zip), optional `as_of`, `lang` → exactly `zonekit check --format json`,
    except that "packet" is the uploaded file's name rather than a path on the server."""
    state = _state(request)
    async with request.form(max_files=1, max_fields=20) as form:
        lang = _lang(request, form)
        as_of = _date(form.get("as_of"), "as_of")
        with request_folder(state.config.workdir) as tmp:
            path, name = await _save_upload(form, "packet", tmp / "upload.zip")

            def work() -> dict[str, Any]:
                from zonekit.check.runner import check_packet

                root = unpack_packet(path, tmp / "packet")
                return {**check_packet(root, templates=state.root(), as_of=as_of).to_json(lang), "packet": name}

            return JSONResponse(await anyio.to_thread.run_sync(work, limiter=state.checks))


# ------------------------------------------------------------------ bundle
def _bundle_work(state: State, upload: Path, folder: Path, *, draft: bool, when: str | None,
                 tick: Any = None) -> Path:
    """Unpack, bundle, zip the bundle's files; returns the zip (in `folder`). Raises BundleRefused."""
    from zonekit.bundle.build import build_bundle, bundle_date

    root = unpack_packet(upload, folder / "packet")
    out = folder / "申报材料"
    build_bundle(root, out, draft=draft, date=bundle_date(when), templates=state.root(), progress=tick)
    return zip_folder(out, folder / "bundle.zip")  # 申报材料.pdf, 申报材料.docx, manifest.json


async def _bundle_options(form: Any) -> tuple[bool, str | None]:
    when = form.get("date") or None
    _date(when, "date")
    draft = str(form.get("draft", "")).lower() in ("1", "true", "yes", "on", "是")
    return draft, when


async def bundle(request: Request) -> Response:
    """Multipart `packet`, optional `date`, `draft` → a zip of 申报材料.pdf, 申报材料.docx and manifest.json;
    a refused bundle is 422 with the reason, as the CLI prints it."""
    state = _state(request)
    async with request.form(max_files=1, max_fields=20) as form:
        draft, when = await _bundle_options(form)
        with request_folder(state.config.workdir) as tmp:
            path, name = await _save_upload(form, "packet", tmp / "upload.zip")
            zipped = await anyio.to_thread.run_sync(
                lambda: _bundle_work(state, path, tmp, draft=draft, when=when), limiter=state.bundles)
            return _attachment(zipped.read_bytes(), f"{Path(name).stem}-申报材料.zip", ZIP)


async def bundle_job(request: Request) -> JSONResponse:
    """Like /api/bundle, but answers at once with a job to poll (GET /api/jobs/ID: stage, done, total)
    and, when done, its file (GET /api/jobs/ID/file)."""
    state = _state(request)
    async with request.form(max_files=1, max_fields=20) as form:
        draft, when = await _bundle_options(form)
        job = state.new_job()
        try:
            path, name = await _save_upload(form, "packet", job.folder / "upload.zip")
        except BaseException:
            state.drop_job(job)
            raise
    job.stage, job.name = "排队中", f"{Path(name).stem}-申报材料.zip"
    state.start_job(job, lambda: _bundle_work(state, path, job.folder, draft=draft, when=when, tick=job.tick),
                    state.bundles)
    return JSONResponse(job.to_json(), status_code=202)


def _job(request: Request) -> Job:
    job = _state(request).jobs.get(request.path_params["id"])
    if job is None:
        raise UnknownJob("没有这个任务（可能已过期或服务已重启），请重新上传",
                         "no such job (it may have expired, or the server has restarted): upload again")
    return job


class UnknownJob(ZonekitError):
    """A job id the server does not (or no longer) know."""


async def job_status(request: Request) -> JSONResponse:
    return JSONResponse(_job(request).to_json())


async def job_file(request: Request) -> Response:
    job = _job(request)
    if job.file is None:
        raise BadRequest("任务还没有完成，或没有生成文件", "the job has not finished yet, or made no file")
    return _attachment(job.file.read_bytes(), job.name, XLSX if job.file.suffix == ".xlsx" else ZIP)


# ------------------------------------------------------------------ collect
async def _collect_uploads(request: Request, state: State) -> tuple[Job, list[Path], _dt.date | None, bool, str]:
    """The packets of a collect request saved into a new job's folder (the job is dropped if that fails); its
    as_of, whether JSON was asked for, and the language of the JSON's `_en` keys (`lang=en`)."""
    async with request.form(max_files=1000, max_fields=20) as form:
        as_of, lang = _date(form.get("as_of"), "as_of"), _lang(request, form)
        as_json = form.get("format") == "json"
        uploads = [u for u in form.getlist("packets") if isinstance(u, UploadFile)]
        if not uploads:
            raise BadRequest("缺少上传的材料包（表单字段 packets：一个或多个 zip）",
                             "no uploaded packets (form field packets: one or more zips)")
        job = state.new_job()
        try:
            paths = []
            for i, u in enumerate(uploads):  # the same names may come twice
                dest = job.folder / "inputs" / f"{i + 1:03d}" / safe_name(u.filename or "", "packet.zip")
                dest.parent.mkdir(parents=True)
                await anyio.to_thread.run_sync(_copier(u, dest))
                paths.append(dest)
        except BaseException:
            state.drop_job(job)
            raise
    job.name = "汇总.xlsx"
    return job, paths, as_of, as_json, lang


def _collect_work(state: State, job: Job, paths: list[Path], as_of: _dt.date | None, lang: str = "zh") -> Path:
    """Collect the saved packets, write 汇总.xlsx in the job's folder and keep the JSON as the job's result."""
    from zonekit.collect import collect as collect_packets
    from zonekit.collect.workbook import write_workbook

    result = collect_packets(paths, templates=state.root(), jobs=1, as_of=as_of, progress=job.tick)
    _upload_names(result, [f"{p.parent}{os.sep}" for p in paths])
    out = job.folder / "汇总.xlsx"
    write_workbook(result, out, progress=job.tick)
    shutil.rmtree(job.folder / "inputs", ignore_errors=True)
    job.result = {**result.to_json(lang), "workbook": f"/api/jobs/{job.id}/file"}
    return out


def _upload_names(result: CollectResult, prefixes: list[str]) -> None:
    """Every packet named by the upload's name, not by the server's temporary path (rows, quotas, ranking, bands)."""

    def name(text: str) -> str:
        for prefix in prefixes:
            text = text.replace(prefix, "")
        return text

    for row in result.packets:
        row.packet = name(row.packet)
        row.error = name(row.error) if row.error else row.error
        row.error_en = name(row.error_en) if row.error_en else row.error_en
    for rank in result.ranking:
        rank.packet = name(rank.packet)
    for named in [q.packets for q in result.quotas] + [b.packets for b in result.bands]:
        named[:] = [name(p) for p in named]


async def collect(request: Request) -> Response:
    """Multipart `packets` (several packet zips), optional `as_of`, `format` (xlsx | json) → the collect
    workbook; with format=json, the JSON of `zonekit collect --format json` whose "workbook" is the URL
    the workbook downloads from (kept JOB_TTL)."""
    state = _state(request)
    job, paths, as_of, as_json, lang = await _collect_uploads(request, state)
    try:
        job.file = await anyio.to_thread.run_sync(lambda: _collect_work(state, job, paths, as_of, lang),
                                                  limiter=state.collects)
    except BaseException:
        state.drop_job(job)
        raise
    job.state, job.finished = "done", time.monotonic()
    if as_json:
        return JSONResponse(job.result)
    body = job.file.read_bytes()
    state.drop_job(job)
    return _attachment(body, "汇总.xlsx", XLSX)


async def collect_job(request: Request) -> JSONResponse:
    """Like /api/collect with format=json, but answers at once with a job to poll (GET /api/jobs/ID: stage,
    done, total — packets checked so far); when done, the job's "result" is that JSON and its file the workbook."""
    state = _state(request)
    job, paths, as_of, _, lang = await _collect_uploads(request, state)
    job.stage, job.total = "排队中", len(paths)
    state.start_job(job, lambda: _collect_work(state, job, paths, as_of, lang), state.collects)
    return JSONResponse(job.to_json(), status_code=202)


def _copier(upload: UploadFile, dest: Path) -> Any:
    def copy() -> None:
        upload.file.seek(0)
        with open(dest, "xb") as out:
            shutil.copyfileobj(upload.file, out, 1 << 20)

    return copy


# ------------------------------------------------------------------ errors
def _json_error(status: int, code: str) -> Any:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": code, **_messages(exc)}, status_code=status)

    return handler


async def _zonekit_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": type(exc).__name__, **_messages(exc)}, status_code=400)


async def _internal(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": "internal", "message": f"内部错误 {type(exc).__name__}: {exc}",
                         "message_en": f"internal error {type(exc).__name__}: {exc}"}, status_code=500)


def _messages(exc: Exception) -> dict[str, str]:
    """"message" in Chinese and "message_en" in English (the Chinese where the raiser gave none)."""
    return {"message": str(exc), "message_en": exc.text("en") if isinstance(exc, ZonekitError) else str(exc)}


async def _http(request: Request, exc: Exception) -> JSONResponse:
    status = getattr(exc, "status_code", 400)
    code = {413: "too_large", 404: "not_found", 405: "method_not_allowed"}.get(status, "bad_request")
    return JSONResponse({"error": code, "message": getattr(exc, "detail", str(exc))}, status_code=status)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    HTTPException: _http,
    BundleRefused: _json_error(422, "bundle_refused"),
    UnknownProgramme: _json_error(404, "unknown_programme"),
    UnknownJob: _json_error(404, "unknown_job"),
    UploadRefused: _json_error(400, "upload_refused"),
    BadRequest: _json_error(400, "bad_request"),
    ZonekitError: _zonekit_error,
    Exception: _internal,
}
