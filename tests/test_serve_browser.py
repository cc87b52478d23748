"""`zonekit serve` in a real browser: headless Chromium (Debian's `chromium`, driven by playwright's
Python package pointed at that executable) through the page's flows on the demo samples.

Screenshots of each page go to $ZONEKIT_SCREENSHOTS (default: the test's tmp folder)."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.conftest import AS_OF, SAMPLES

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip install -e '.[test]') is not installed")

from tests.test_serve_api import LiveServer, packet_zip  # noqa: E402

CHROMIUM = (os.environ.get("ZONEKIT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
            or "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

if not Path(CHROMIUM).is_file():
    pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium (CI does: tools/system_deps.sh chromium)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    s = LiveServer(tmp_path_factory.mktemp("serve"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server: LiveServer):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("requestfailed", lambda r: errors.append(f"{r.url} failed") if "/static/" in r.url else None)
    pg.goto(server.url)
    yield pg
    context.close()
    assert errors == []


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = Path(os.environ.get("ZONEKIT_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    where.mkdir(parents=True, exist_ok=True)
    return where


def test_flow1_programmes_and_the_blank_packet(page, shots: Path, tmp_path: Path) -> None:
    page.wait_for_selector("button.programme[data-id=sz-building]")
    assert page.locator("button.programme").count() >= 7
    assert "token=" not in page.url  # the token left the address bar
    page.click("button.programme[data-id=sz-building]")
    page.wait_for_selector("#init-form")
    detail = page.inner_text("#programme-detail")
    assert "申报条件" in detail and "申报材料" in detail and "第七条" in detail
    page.select_option("select[name='claims.scale_path']", "fiscal")
    page.select_option("select[name='attestations.no_incident']", "是")
    page.screenshot(path=str(shots / "1-prepare.png"), full_page=False)
    with page.expect_download() as dl:
        page.click("#download-packet")
    target = tmp_path / "blank.zip"
    dl.value.save_as(target)
    assert dl.value.suggested_filename == "sz-building-材料包.zip"
    with zipfile.ZipFile(target) as zf:
        assert "sz-building-材料包/packet.toml" in zf.namelist()


def _check(page, zip_path: Path) -> None:
    page.click("button.tab[data-tab=check]")
    page.fill("#check-as-of", AS_OF.isoformat())
    page.set_input_files("#check-zip", str(zip_path))
    page.wait_for_selector("#check-result .report")


def test_flow2_the_demo_verdict_and_a_broken_samples_findings(page, shots: Path, tmp_path: Path) -> None:
    demo, broken = tmp_path / "sz-building-demo.zip", tmp_path / "sz-building-broken.zip"
    demo.write_bytes(packet_zip(SAMPLES / "sz-building-demo", "sz-building-demo"))
    broken.write_bytes(packet_zip(SAMPLES / "sz-building-broken", "sz-building-broken"))
    _check(page, demo)
    assert "符合申报条件" in page.inner_text(".verdict")
    assert page.locator(".summary.ok").count() == 1
    page.screenshot(path=str(shots / "2-check-demo.png"), full_page=False)
    _check(page, broken)
    page.wait_for_selector(".report.bad")
    assert page.locator(".findings tr.error").count() >= 3
    cells = page.locator(".findings .cell").all_inner_texts()
    assert cells and all(c[0].isalpha() and c[-1].isdigit() for c in cells)
    files = page.locator(".file-group h4").all_inner_texts()
    assert any("附件1" in f for f in files)
    page.screenshot(path=str(shots / "2-check-broken.png"), full_page=False)


def test_flow2_a_folder_through_the_directory_picker(page, tmp_path: Path) -> None:
    page.click("button.tab[data-tab=check]")
    page.fill("#check-as-of", AS_OF.isoformat())
    page.set_input_files("#check-dir", str(SAMPLES / "sz-building-demo"))
    page.wait_for_selector("#check-result .report")
    assert "符合申报条件" in page.inner_text(".verdict")


def test_flow3_the_bundle_downloads_and_is_a_pdf(page, shots: Path, tmp_path: Path) -> None:
    demo = tmp_path / "sz-building-demo.zip"
    demo.write_bytes(packet_zip(SAMPLES / "sz-building-demo", "sz-building-demo"))
    _check(page, demo)
    page.click("button.tab[data-tab=bundle]")
    page.fill("#bundle-date", AS_OF.isoformat())
    page.click("#bundle-build")
    page.wait_for_selector("#bundle-progress:not(.hidden)")
    page.screenshot(path=str(shots / "3-bundle-progress.png"), full_page=False)
    page.wait_for_selector("#bundle-result a.download", timeout=240_000)
    page.screenshot(path=str(shots / "3-bundle-done.png"), full_page=False)
    with page.expect_download() as dl:
        page.click("#bundle-result a.download")
    target = tmp_path / "bundle.zip"
    dl.value.save_as(target)
    with zipfile.ZipFile(target) as zf:
        assert zf.read("申报材料.pdf")[:5] == b"%PDF-"


def test_flow3_a_refused_bundle_says_why(page, tmp_path: Path) -> None:
    broken = tmp_path / "b.zip"
    broken.write_bytes(packet_zip(SAMPLES / "sz-building-broken", "b"))
    page.click("button.tab[data-tab=bundle]")
    page.set_input_files("#bundle-zip", str(broken))
    page.click("#bundle-build")
    page.wait_for_selector("#bundle-result .refused", timeout=120_000)
    assert "未生成申报材料" in page.inner_text("#bundle-result .refused")


def test_flow4_collect_shows_progress_then_conflicts_and_quotas(page, shots: Path, tmp_path: Path) -> None:
    zips = []
    for i, s in enumerate(("sz-building-demo", "sz-building-broken", "sz-district-demo") * 3):
        z = tmp_path / f"{i + 1:02d}-{s}.zip"
        z.write_bytes(packet_zip(SAMPLES / s, s))
        zips.append(str(z))
    page.click("button.tab[data-tab=collect]")
    page.fill("#collect-as-of", AS_OF.isoformat())
    page.evaluate("""() => {  // every text the progress bar shows, however briefly
        window.zkProgress = [];
        const bar = document.getElementById("collect-progress");
        new MutationObserver(() => { if (!bar.classList.contains("hidden")) window.zkProgress.push(bar.innerText); })
            .observe(bar, {subtree: true, childList: true, characterData: true, attributes: true});
    }""")
    page.set_input_files("#collect-zips", zips)
    page.wait_for_function("""() => document.querySelector("#collect-progress .stage").innerText.includes("检查材料包")
        || document.querySelector("#collect-result a.download") !== null""", polling=20)
    page.screenshot(path=str(shots / "4-collect-progress.png"), full_page=False)
    page.wait_for_selector("#collect-result a.download", timeout=120_000)
    assert page.locator("#collect-progress.hidden").count() == 1
    shown = page.evaluate("window.zkProgress")
    # the bar showed the job's count while it ran; which stages a 300 ms poll catches depends on the machine
    # (the job itself, from 排队中 to done/total, is pinned by tests/test_serve_api.py's collect-job test)
    assert any("正在汇总" in text and "/9" in text for text in shown), shown
    assert page.locator("table.packets tbody tr").count() == 9
    text = page.inner_text("#collect-result")
    assert "跨材料包冲突" in text and "名额" in text
    page.screenshot(path=str(shots / "4-collect.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#collect-result a.download")
    target = tmp_path / "w.xlsx"
    dl.value.save_as(target)
    with zipfile.ZipFile(target) as zf:
        assert "xl/workbook.xml" in zf.namelist()


def test_english_page(page, server: LiveServer) -> None:
    page.goto(f"http://127.0.0.1:{server.port}/?lang=en")  # the token is kept for the tab's session
    page.wait_for_selector("button.programme[data-id=sz-building]")
    assert "Prepare" in page.inner_text("nav")
