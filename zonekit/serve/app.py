"""The Starlette application: security rules in one ASGI middleware, routes, lifespan.

Rules, for every request: the Host header must name this machine (127.0.0.1, localhost, [::1]) or
the `--host` given, else 403 (DNS rebinding); every `/api/` request carries the start token as
`Authorization: Bearer TOKEN`, else 401 (none) or 403 (wrong); a body over MAX_UPLOAD_BYTES is
refused with 413 — from its Content-Length before a byte is read, or as soon as the streamed body
passes the limit — so it is never stored.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from zonekit.serve import LOCAL_HOSTS
from zonekit.serve.uploads import MAX_UPLOAD_BYTES

STATIC = Path(__file__).parent / "static"


@dataclass
class ServeConfig:
    token: str
    workdir: Path  # every temporary file of the server lives under it
    host: str = "127.0.0.1"
    templates: Path | None = None
    max_upload: int = MAX_UPLOAD_BYTES
    check_workers: int = 4  # checks, inits: a bounded pool, never blocked by a bundle
    warm_office: bool = True  # keep one LibreOffice running for the bundles (warm_office.WarmOffice)
    convert_timeout: float = 120.0  # seconds one file may take in it before it is killed and restarted
    extra_hosts: tuple[str, ...] = field(default_factory=tuple)

    def allowed_hosts(self) -> set[str] | None:
        """Host names a request may carry; None: any (bound to all interfaces, the token alone protects)."""
        if self.host in ("0.0.0.0", "::"):
            return None
        return {*LOCAL_HOSTS, self.host.strip("[]"), *self.extra_hosts}

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


class TooLarge(HTTPException):
    """The streamed body passed the limit; Starlette's exception middleware answers 413 (api.EXCEPTION_HANDLERS)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit))


def _host_name(raw: str) -> str:
    raw = raw.strip().lower()
    if raw.startswith("["):
        return raw[1:raw.find("]")] if "]" in raw else raw
    return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw


class Guard:
    """ASGI middleware applying the rules of the module docstring."""

    def __init__(self, app: Any, config: ServeConfig) -> None:
        self.app = app
        self.config = config
        self.allowed = config.allowed_hosts()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.allowed is not None and _host_name(headers.get("host", "")) not in self.allowed:
            await _error(send, 403, "host_refused",
                         "请求的主机名不是本机（可能是 DNS 重绑定攻击），已拒绝。Host not allowed.")
            return
        if scope["path"].startswith("/api/"):
            auth = headers.get("authorization", "")
            if not auth.startswith("Bearer "):
                await _error(send, 401, "token_missing",
                             "缺少令牌：请用 zonekit serve 打印的链接打开页面。Missing token.")
                return
            if not hmac.compare_digest(auth[7:].strip().encode(), self.config.token.encode()):
                await _error(send, 403, "token_wrong",
                             "令牌不对：请用本次 zonekit serve 打印的链接打开页面。Wrong token.")
                return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.config.max_upload:
            await _error(send, 413, "too_large", _too_large(self.config.max_upload))
            return
        seen = 0
        started = False

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.config.max_upload:
                    raise TooLarge(self.config.max_upload)
            return message

        async def tracked(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except TooLarge:  # raised outside a route (none today): answer here if nothing was sent yet
            if not started:
                await _error(send, 413, "too_large", _too_large(self.config.max_upload))


def _too_large(limit: int) -> str:
    return (f"上传的文件超过 {limit / 2**20:.0f} MB 上限，未保存"
            "（可用环境变量 ZONEKIT_MAX_UPLOAD_MB 调整）。Upload too large.")


async def _error(send: Any, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": code, "message": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(config: ServeConfig) -> Any:
    """The application for one server start (its token, working folder and worker pools)."""
    from zonekit.serve import api, page

    config.workdir.mkdir(parents=True, exist_ok=True)
    state = api.State(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Any):  # noqa: ANN202 - Starlette's lifespan protocol
        state.warm()
        yield
        state.close()

    routes = [
        Route("/", page.index, methods=["GET"]),
        Route("/api/programmes", api.programmes, methods=["GET"]),
        Route("/api/programmes/{id}", api.programme, methods=["GET"]),
        Route("/api/programmes/{id}/page", api.programme_page, methods=["GET"]),
        Route("/api/init", api.init, methods=["POST"]),
        Route("/api/check", api.check, methods=["POST"]),
        Route("/api/bundle", api.bundle, methods=["POST"]),
        Route("/api/collect", api.collect, methods=["POST"]),
        Route("/api/jobs/bundle", api.bundle_job, methods=["POST"]),
        Route("/api/jobs/collect", api.collect_job, methods=["POST"]),
        Route("/api/jobs/{id}", api.job_status, methods=["GET"]),
        Route("/api/jobs/{id}/file", api.job_file, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=api.EXCEPTION_HANDLERS)
    app.state.zk = state
    return Guard(app, config)
