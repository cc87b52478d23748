"""The LibreOffice `zonekit serve` keeps running (zonekit.serve.warm_office): a bundle through it is the
CLI's bundle page for page; it restarts when it was killed; a conversion past its timeout is refused
with the reason and the instance replaced; stopping the server leaves no process and no profile.

Real soffice, real uno worker, a real server on a free port (tests.test_serve_api.LiveServer)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import AS_OF, SAMPLES, run_cli
from tests.test_serve_api import LiveServer, packet_zip, processes_mentioning
from zonekit.document.office import find_soffice
from zonekit.serve.warm_office import WarmOffice, find_uno_python

SOFFICE = find_soffice()
if SOFFICE is None:
    pytest.skip("LibreOffice (soffice) not installed: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui",
                allow_module_level=True)
if find_uno_python(SOFFICE) is None:
    pytest.skip("LibreOffice's Python bridge is missing (no Python can `import uno`): apt-get install python3-uno",
                allow_module_level=True)

DEMO = SAMPLES / "sz-building-demo"
REPORT = "03_申请报告/申请报告.docx"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    s = LiveServer(tmp_path_factory.mktemp("serve"))
    yield s
    s.stop()


def pdftotext_pages(pdf: Path) -> list[str]:
    """Each page's text, as pdftotext lays it out (pypdf when poppler is absent)."""
    from pypdf import PdfReader

    pages = len(PdfReader(pdf).pages)
    try:
        return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                               text=True, check=True).stdout for n in range(1, pages + 1)]
    except FileNotFoundError:
        return [page.extract_text() for page in PdfReader(pdf).pages]


def server_bundle(server: LiveServer, into: Path) -> dict:
    status, _, body = server.post_files("/api/bundle", [("packet", "demo.zip", packet_zip(DEMO, "demo"))],
                                        {"date": AS_OF.isoformat()})
    assert status == 200, body[:300]
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        zf.extractall(into)
    return json.loads((into / "manifest.json").read_text("utf-8"))


def test_a_bundle_through_the_server_is_the_cli_bundle_page_for_page(server: LiveServer, tmp_path: Path) -> None:
    office = server.state.office
    assert isinstance(office, WarmOffice)
    before = office.conversions
    manifest = server_bundle(server, tmp_path / "served")
    assert office.conversions > before  # the report went through the running LibreOffice, not a new soffice
    cli = run_cli("bundle", str(DEMO), "-o", str(tmp_path / "cli"), "--date", AS_OF.isoformat())
    assert cli.returncode == 0, cli.stderr
    served = pdftotext_pages(tmp_path / "served" / "申报材料.pdf")
    printed = pdftotext_pages(tmp_path / "cli" / "申报材料.pdf")
    assert len(served) == len(printed) == 21
    assert served == printed
    assert manifest["incomplete"] == [] and not [w for w in manifest["warnings"] if "LibreOffice" in w["message"]]
    cli_manifest = json.loads((tmp_path / "cli" / "manifest.json").read_text("utf-8"))
    assert [i["pages"] for i in manifest["inputs"]] == [i["pages"] for i in cli_manifest["inputs"]]


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="kills soffice's process group (POSIX)")
def test_a_killed_libreoffice_is_started_again(server: LiveServer, tmp_path: Path) -> None:
    office = server.state.office
    assert office.start() is None
    pid, starts = office.pid, office.starts
    os.killpg(pid, signal.SIGKILL)  # a crash: soffice and soffice.bin gone at once
    manifest = server_bundle(server, tmp_path / "after-kill")
    assert manifest["incomplete"] == []
    assert office.starts == starts + 1 and office.pid not in (None, pid)


def test_a_conversion_past_its_timeout_is_refused_and_the_instance_replaced(tmp_path: Path) -> None:
    slow = LiveServer(tmp_path / "serve", convert_timeout=0.01)
    try:
        office = slow.state.office
        assert office.start() is None
        first = office.pid
        manifest = server_bundle(slow, tmp_path / "bundle")
        assert REPORT in manifest["incomplete"]
        (warning,) = [w for w in manifest["warnings"] if w["where"] == REPORT]
        assert warning["message"] == "LibreOffice 转换超时（0.01秒）：申请报告.docx"
        assert office.start() is None and office.pid != first  # killed, and a new instance took its place
        assert not Path(f"/proc/{first}").exists() or os.name == "nt"
        done = office.convert(DEMO / REPORT, tmp_path / "report.pdf", timeout=None)
        assert done == "LibreOffice 转换超时（0.01秒）"  # the server's own limit applies to every conversion
    finally:
        slow.stop()


def test_stopping_the_server_quits_libreoffice_and_removes_its_profile(tmp_path: Path) -> None:
    s = LiveServer(tmp_path / "serve")
    office = s.state.office
    assert office.start() is None
    homes = list((tmp_path / "serve").glob("lo-warm-*"))
    assert len(homes) == 1 and (homes[0] / "profile").is_dir()
    assert processes_mentioning(str(homes[0])) != [] or not Path("/proc").is_dir()
    s.stop()
    assert not homes[0].exists()
    assert processes_mentioning(str(homes[0])) == []
    assert office.convert(DEMO / REPORT, tmp_path / "x.pdf") is not None  # closed: no new instance after the stop
