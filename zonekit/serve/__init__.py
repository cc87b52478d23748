"""`zonekit serve`: the same engine on a local web page, for people who never open a terminal.

`run()` binds 127.0.0.1 by default, prints the start URL with a random token, opens the browser
and serves until Ctrl-C, then removes its temporary folder. The page and the API are in `app`
(security rules: token, Host check, upload limit), the API handlers in `api`, upload handling in
`uploads`, the page in `page` with its Jinja templates and static assets as package data, and the
LibreOffice it keeps running for the bundles in `warm_office`.

Starlette, uvicorn, python-multipart and Jinja2 are imported only here, so `zonekit --help` and
the other commands never load them.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import tempfile
import threading
import webbrowser
from pathlib import Path

DEFAULT_PORT = 8765
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def start_url(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); port 0, or the default port when it is taken, gets a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for candidate in ((port,) if port else ()) + ((0,) if port in (0, DEFAULT_PORT) else ()):
        sock = socket.socket(family, socket.SOCK_STREAM)
        if os.name != "nt":  # on Windows SO_REUSEADDR lets two servers share a port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
        except OSError:
            sock.close()
            if candidate == 0 or port != DEFAULT_PORT:
                raise
            continue
        sock.listen(128)
        sock.set_inheritable(True)
        return sock
    raise OSError(f"cannot bind {host}:{port}")


def run(*, host: str = "127.0.0.1", port: int = DEFAULT_PORT, open_browser: bool = True,
        templates: Path | None = None, echo=print) -> None:
    """Serve until Ctrl-C. Every temporary file (uploads, zips, bundles, collect's extraction) is
    under one private folder, removed on the way out."""
    import uvicorn

    from zonekit.serve.app import ServeConfig, create_app

    token = secrets.token_urlsafe(24)
    workdir = Path(tempfile.mkdtemp(prefix="zonekit-serve-"))
    tempfile.tempdir = str(workdir)  # what the engine writes to a temporary folder (collect's zips) stays in ours
    sock = bind(host, port)
    port = sock.getsockname()[1]
    url = start_url("127.0.0.1" if host in ("0.0.0.0", "::") else host, port, token)
    if host not in LOCAL_HOSTS:
        echo(f"zonekit serve: 警告：监听 {host}，本机以外也能访问；只凭启动链接中的令牌保护，请只在可信网络中使用。"
             f" Warning: listening on {host}, reachable from other machines.", file=sys.stderr)
    config = ServeConfig(token=token, workdir=workdir, host=host, templates=templates)
    app = create_app(config)
    echo(f"zonekit serve: {url}")
    from zonekit.serve.warm_office import why_not_warm

    note = why_not_warm()
    if note:
        echo(f"zonekit serve: {note}", file=sys.stderr)
    sys.stdout.flush()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False))
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown: stopping is the normal end
        echo("zonekit serve: 已停止 / stopped")
    finally:
        sock.close()
        config.cleanup()
        tempfile.tempdir = None


def main() -> None:
    """`zonekit-serve`: the double-clickable start (a console window shows the address; closing it stops the server)."""
    from zonekit.cli import main as cli_main

    sys.argv = [sys.argv[0], "serve", *sys.argv[1:]]
    cli_main()
