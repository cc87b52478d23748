"""The API of `zonekit serve` (the contract the page relies on): token, Host check, upload rules,
and that /api/check answers exactly what `zonekit check --format json` prints.

A real uvicorn server on a free port in a thread; requests through http.client, so the Host header
and an oversize Content-Length are sent exactly as written."""

from __future__ import annotations

import http.client
import io
import json
import os
import shutil
import socket
import threading
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from tests.conftest import AS_OF, SAMPLES, run_cli


class LiveServer:
    """`zonekit serve` in a thread: the app of zonekit.serve.app on 127.0.0.1:<free port>."""

    def __init__(self, workdir: Path, **options: object) -> None:
        import uvicorn

        from zonekit.serve.app import ServeConfig, create_app

        self.token = uuid.uuid4().hex
        self.config = ServeConfig(token=self.token, workdir=workdir, **options)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.app = create_app(self.config)
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)

    @property
    def state(self):  # noqa: ANN201 - zonekit.serve.api.State, behind the Guard middleware
        return self.app.app.state.zk

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(20)
        self.sock.close()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                token: str | None = "default", host: str | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        h = {"Host": host or f"127.0.0.1:{self.port}", **(headers or {})}
        if token is not None:
            h["Authorization"] = f"Bearer {self.token if token == 'default' else token}"
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def post_files(self, path: str, files: list[tuple[str, str, bytes]], fields: dict[str, str] | None = None,
                   **kw: object) -> tuple[int, dict[str, str], bytes]:
        body, ctype = multipart(files, fields or {})
        return self.request("POST", path, body, {"Content-Type": ctype}, **kw)


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes containing `text` (Linux /proc; empty elsewhere)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            data = cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in data:
            found.append(data)
    return found


def multipart(files: list[tuple[str, str, bytes]], fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for field, name, data in files:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                  f"Content-Type: application/zip\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def packet_zip(folder: Path, top: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                rel = p.relative_to(folder).as_posix()
                zf.write(p, f"{top}/{rel}" if top else rel)
    return buf.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    s = LiveServer(tmp_path_factory.mktemp("serve"), max_upload=30 * 1024 * 1024)
    yield s
    s.stop()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _json(data: bytes) -> dict:
    return json.loads(data.decode("utf-8"))


# ------------------------------------------------------------------ token and Host
def test_api_needs_the_token(server: LiveServer) -> None:
    status, _, body = server.request("GET", "/api/programmes", token=None)
    assert status == 401 and _json(body)["error"] == "token_missing"
    status, _, body = server.request("GET", "/api/programmes", token="not-the-token")
    assert status == 403 and _json(body)["error"] == "token_wrong"
    status, _, body = server.request("GET", "/api/programmes")
    assert status == 200 and {p["id"] for p in _json(body)["programmes"]} >= {"sz-building", "g60-park"}


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "192.168.1.5"])
def test_a_foreign_host_header_is_refused(server: LiveServer, host: str) -> None:
    """DNS rebinding: a page on another name that resolves to 127.0.0.1 cannot talk to the server."""
    for path in ("/api/programmes", "/"):
        status, _, body = server.request("GET", path, host=host)
        assert status == 403 and _json(body)["error"] == "host_refused", (host, path)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]"])
def test_local_host_names_are_accepted(server: LiveServer, host: str) -> None:
    status, _, _ = server.request("GET", "/api/programmes", host=f"{host}:{server.port}")
    assert status == 200


def test_the_page_loads_without_the_token_but_holds_no_data(server: LiveServer) -> None:
    status, headers, body = server.request("GET", "/", token=None)
    assert status == 200 and "text/html" in headers["content-type"]
    text = body.decode()
    assert "zonekit" in text and server.token not in text
    status, _, body = server.request("GET", "/?lang=en", token=None)
    assert "Check" in body.decode()
    for asset in ("/static/app.js", "/static/zip.js", "/static/app.css"):
        assert server.request("GET", asset, token=None)[0] == 200
    assert "http" not in server.request("GET", "/static/app.css", token=None)[2].decode()  # no CDN, no web fonts


# ------------------------------------------------------------------ programmes and init
def test_programme_is_programs_show_json(server: LiveServer) -> None:
    status, _, body = server.request("GET", "/api/programmes/sz-building")
    cli = run_cli("programs", "show", "sz-building", "--format", "json")
    assert status == 200 and _json(body) == json.loads(cli.stdout)
    status, _, body = server.request("GET", "/api/programmes/nope")
    assert status == 404 and _json(body)["error"] == "unknown_programme"


def test_init_returns_a_blank_packet_zip(server: LiveServer, tmp_path: Path) -> None:
    answers = {"applicant.district": "福田区", "claims.scale_path": "fiscal", "attestations.no_incident": "是"}
    request = json.dumps({"programme": "sz-building", "answers": answers}).encode()
    status, headers, body = server.request("POST", "/api/init", request, {"Content-Type": "application/json"})
    assert status == 200 and headers["content-type"] == "application/zip"
    assert "filename*=UTF-8''" in headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path)
    assert "sz-building-材料包/packet.toml" in names and "sz-building-材料包/材料清单.xlsx" in names
    # a packet check can read
    assert run_cli("check", str(tmp_path / "sz-building-材料包"), "--format", "json").returncode in (0, 1)
    request = json.dumps({"programme": "sz-building", "answers": {"claims.nope": 1}}).encode()
    status, _, body = server.request("POST", "/api/init", request, {"Content-Type": "application/json"})
    assert status == 400 and "claims.nope" in _json(body)["message"]


# ------------------------------------------------------------------ check
@pytest.mark.parametrize("sample", ["sz-building-demo", "sz-building-broken", "qiantang-broken"])
def test_check_equals_the_cli_json(server: LiveServer, sample: str, tmp_path: Path) -> None:
    packet = tmp_path / sample
    shutil.copytree(SAMPLES / sample, packet)
    cli = run_cli("check", str(packet), "--format", "json", "--as-of", AS_OF.isoformat())
    status, _, body = server.post_files("/api/check", [("packet", f"{sample}.zip", packet_zip(packet, sample))],
                                        {"as_of": AS_OF.isoformat()})
    assert status == 200
    got, want = _json(body), json.loads(cli.stdout)
    assert got.pop("packet") == f"{sample}.zip"  # the upload's name, not a path on the server
    want.pop("packet")
    assert got == want


def test_check_in_english_and_a_zip_without_a_top_folder(server: LiveServer) -> None:
    status, _, body = server.post_files("/api/check", [("packet", "x.zip", packet_zip(SAMPLES / "sz-building-broken"))],
                                        {"as_of": AS_OF.isoformat(), "lang": "en"})
    report = _json(body)
    assert status == 200 and not report["ok"]
    assert report["eligibility"]["verdict"].startswith(("not eligible", "cannot"))


def _evil_zip(name: str, *, symlink: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("p/packet.toml", "[packet]\nprogramme = 'sz-building'\n")
        info = zipfile.ZipInfo(name)
        if symlink:
            info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd" if symlink else "owned")
    return buf.getvalue()


@pytest.mark.parametrize("member,symlink,word", [
    ("../../escaped.txt", False, "zip-slip"), ("/tmp/escaped-abs.txt", False, "zip-slip"),
    ("p/link", True, "符号链接"),
])
def test_unsafe_zips_are_refused_and_nothing_is_left(server: LiveServer, member: str, symlink: bool, word: str) -> None:
    before = set(server.config.workdir.rglob("*"))
    status, _, body = server.post_files("/api/check", [("packet", "evil.zip", _evil_zip(member, symlink=symlink))])
    assert status == 400 and word in _json(body)["message"]
    assert set(server.config.workdir.rglob("*")) == before  # the request's folder is gone
    assert not (server.config.workdir.parent / "escaped.txt").exists() and not Path("/tmp/escaped-abs.txt").exists()


def test_not_a_zip_and_missing_field(server: LiveServer) -> None:
    status, _, body = server.post_files("/api/check", [("packet", "a.zip", b"hello")])
    assert status == 400 and _json(body)["error"] == "upload_refused"
    status, _, body = server.post_files("/api/check", [], {"as_of": "2026-01-01"})
    assert status == 400 and "packet" in _json(body)["message"]
    status, _, body = server.post_files("/api/check", [("packet", "a.zip", b"x")], {"as_of": "not a date"})
    assert status == 400 and "as_of" in _json(body)["message"]


def test_an_oversize_upload_is_refused_before_it_is_stored(server: LiveServer) -> None:
    """A declared Content-Length over the limit: 413 without the server reading a byte of the body."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("POST", "/api/check", skip_host=True)
    for k, v in (("Host", "127.0.0.1"), ("Authorization", f"Bearer {server.token}"),
                 ("Content-Type", "multipart/form-data; boundary=x"), ("Content-Length", str(10 * 2**30))):
        conn.putheader(k, v)
    conn.endheaders()
    r = conn.getresponse()
    assert r.status == 413 and "MB" in json.loads(r.read())["message"]
    conn.close()
    assert not any(p.is_file() for p in server.config.workdir.rglob("*") if not _office_profile(server, p))


def test_a_streamed_body_over_the_limit_is_cut_off(server: LiveServer) -> None:
    """No Content-Length (chunked): the body is counted as it arrives and refused once past the limit."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    chunk = b"x" * (1 << 20)
    body = iter([b"--x\r\nContent-Disposition: form-data; name=\"packet\"; filename=\"a.zip\"\r\n\r\n"] + [chunk] * 40)
    conn.request("POST", "/api/check", body=body, encode_chunked=True,
                 headers={"Host": "127.0.0.1", "Authorization": f"Bearer {server.token}",
                          "Content-Type": "multipart/form-data; boundary=x", "Transfer-Encoding": "chunked"})
    r = conn.getresponse()
    assert r.status == 413
    conn.close()


# ------------------------------------------------------------------ bundle, collect
def test_a_refused_bundle_says_why(server: LiveServer) -> None:
    broken = packet_zip(SAMPLES / "sz-building-broken", "b")
    status, _, body = server.post_files("/api/bundle", [("packet", "b.zip", broken)], {"date": AS_OF.isoformat()})
    assert status == 422
    err = _json(body)
    assert err["error"] == "bundle_refused" and "个错误，未生成申报材料" in err["message"]
    assert "no bundle was made" in err["message_en"], err["message_en"]  # what the page shows under ?lang=en


def test_bundle_returns_pdf_docx_manifest(server: LiveServer) -> None:
    demo = packet_zip(SAMPLES / "sz-building-demo", "d")
    status, headers, body = server.post_files("/api/bundle", [("packet", "demo.zip", demo)],
                                              {"date": AS_OF.isoformat()})
    assert status == 200 and headers["content-type"] == "application/zip", body[:300]
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        names = set(zf.namelist())
        assert {"申报材料.pdf", "申报材料.docx", "manifest.json"} <= names
        assert zf.read("申报材料.pdf")[:5] == b"%PDF-"


def test_bundle_job_reports_progress_then_the_file(server: LiveServer) -> None:
    broken = packet_zip(SAMPLES / "sz-building-broken", "b")
    status, _, body = server.post_files("/api/jobs/bundle", [("packet", "b.zip", broken)], {"date": AS_OF.isoformat()})
    assert status == 202
    job = _json(body)
    deadline = time.monotonic() + 120
    while job["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
        job = _json(server.request("GET", f"/api/jobs/{job['id']}")[2])
    assert job["state"] == "refused" and "未生成申报材料" in job["message"] and job["file"] is None
    assert "no bundle was made" in job["message_en"] and job["stage_en"] in ("checking", "done"), job
    assert server.request("GET", "/api/jobs/nope")[0] == 404


def test_collect_returns_the_workbook_and_its_json(server: LiveServer) -> None:
    files = [("packets", f"{s}.zip", packet_zip(SAMPLES / s, s)) for s in ("sz-building-demo", "sz-building-broken")]
    status, headers, body = server.post_files("/api/collect", files, {"as_of": AS_OF.isoformat()})
    assert status == 200 and headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        assert "xl/workbook.xml" in zf.namelist()
    status, _, body = server.post_files("/api/collect", files, {"as_of": AS_OF.isoformat(), "format": "json"})
    data = _json(body)
    assert status == 200 and data["counts"]["packets"] == 2
    assert [p["packet"] for p in data["packets"]] == ["sz-building-demo.zip/sz-building-demo",
                                                   "sz-building-broken.zip/sz-building-broken"]
    status, headers, wb = server.request("GET", data["workbook"])
    assert status == 200 and wb[:2] == b"PK"


def test_collect_job_reports_progress_then_the_workbook_and_its_json(server: LiveServer) -> None:
    samples = ("sz-building-demo", "sz-building-broken", "sz-district-demo")
    files = [("packets", f"{s}.zip", packet_zip(SAMPLES / s, s)) for s in samples]
    status, _, body = server.post_files("/api/jobs/collect", files, {"as_of": AS_OF.isoformat()})
    assert status == 202
    job = _json(body)
    seen = {(job["stage"], job["total"])}
    deadline = time.monotonic() + 120
    while job["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.02)
        job = _json(server.request("GET", f"/api/jobs/{job['id']}")[2])
        seen.add((job["stage"], job["total"]))
    assert job["state"] == "done", job["message"]
    assert ("排队中", 3) in seen and job["done"] == job["total"]  # the last tick: the workbook written
    data = job["result"]
    assert data["counts"]["packets"] == 3
    assert [p["packet"] for p in data["packets"]] == [f"{s}.zip/{s}" for s in samples]
    assert data["workbook"] == job["file"]
    assert str(server.config.workdir) not in json.dumps(data, ensure_ascii=False)  # no path on the server
    status, headers, wb = server.request("GET", job["file"])
    assert status == 200 and wb[:2] == b"PK" and headers["content-type"] == XLSX
    _, _, direct = server.post_files("/api/collect", files, {"as_of": AS_OF.isoformat(), "format": "json"})
    without_url = {k: v for k, v in data.items() if k != "workbook"}
    assert {k: v for k, v in _json(direct).items() if k != "workbook"} == without_url


def test_a_bundle_in_progress_does_not_block_a_check(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundle is held inside its slot (a real bundle, gated before it starts building) while a check
    runs: the check answers before the bundle is let go. Timing alone proves nothing on a busy machine."""
    import zonekit.bundle.build as build

    started, release = threading.Event(), threading.Event()
    real = build.build_bundle

    def held(*args: object, **kwargs: object) -> object:
        started.set()
        release.wait(120)
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "build_bundle", held)
    demo = packet_zip(SAMPLES / "sz-building-demo", "d")
    answers: dict[str, int] = {}

    def post(path: str, fields: dict[str, str]) -> None:
        answers[path] = server.post_files(path, [("packet", "d.zip", demo)], fields)[0]

    bundle = threading.Thread(target=post, args=("/api/bundle", {"date": AS_OF.isoformat()}))
    bundle.start()
    try:
        assert started.wait(60), "the bundle never started"
        check = threading.Thread(target=post, args=("/api/check", {"as_of": AS_OF.isoformat()}))
        check.start()
        check.join(120)
        assert answers.get("/api/check") == 200 and bundle.is_alive()  # answered while the bundle is held
    finally:
        release.set()
        bundle.join(300)
    assert answers.get("/api/bundle") == 200


def _office_profile(server: LiveServer, path: Path) -> bool:
    """Under the folder of the LibreOffice the server keeps running (its profile, removed when it stops)."""
    return path.relative_to(server.config.workdir).parts[0].startswith("lo-warm-")


def test_the_working_folder_is_empty_between_requests(server: LiveServer) -> None:
    left = [p for p in server.config.workdir.rglob("*") if p.is_file() and "job-" not in str(p)
            and not _office_profile(server, p)]
    assert left == []


# ------------------------------------------------------------------ the command
def test_help_does_not_import_the_web_stack() -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom zonekit import cli\nsys.argv = ['zonekit', '--help']\n"
            "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2', 'multipart', 'playwright')"
            " if m in sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.skipif(os.name == "nt", reason="sends SIGINT (Ctrl-C) to the server process")
def test_serve_prints_its_url_and_ctrl_c_removes_its_files(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "zonekit.cli", "serve", "--no-browser", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("zonekit serve: http://127.0.0.1:") and "/?token=" in line
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("zonekit-serve-")]
        port = int(line.split(":")[3].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/programmes", headers={"Authorization": "Bearer " + line.split("token=")[1]})
        assert conn.getresponse().status == 200
        conn.close()
        from zonekit.serve.warm_office import why_not_warm

        if why_not_warm() is None and Path("/proc").is_dir():  # its LibreOffice is up before Ctrl-C
            deadline = time.monotonic() + 60
            while not [c for c in processes_mentioning(str(tmp_path)) if "soffice" in c]:
                assert time.monotonic() < deadline, "the server's LibreOffice did not start"
                time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)
    assert proc.returncode == 0, proc.stderr.read()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("zonekit-serve-")]
    assert processes_mentioning(str(tmp_path)) == []  # the LibreOffice it kept running quit with it


def test_another_host_prints_a_warning(tmp_path: Path) -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "zonekit.cli", "serve", "--no-browser", "--port", "0", "--host", "0.0.0.0"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmp_path)})
    try:
        assert proc.stdout.readline().startswith("zonekit serve: http://127.0.0.1:")
    finally:
        proc.terminate()
        proc.wait(20)
    assert "警告" in proc.stderr.read()
