"""Is `zonekit serve` warm? Request times against the CLI process doing the same work.

    python bench/serve_bench.py              # 5 rounds each
    python bench/serve_bench.py --repeat 9

Starts the server (zonekit.serve.app on a free 127.0.0.1 port, in a thread of this process), then
prints, on samples/sz-building-demo:
- a warm `POST /api/check` (after one warm-up request) against a `zonekit check --format json`
  process — target ≤ 0.3×;
- a second `POST /api/bundle` against a `zonekit bundle` process — target ≤ 0.6×; the server converts
  the Word report in the LibreOffice it keeps running (zonekit.serve.warm_office), the CLI starts soffice,
  and the last line says which LibreOffice the server used.
Medians of --repeat runs, taking turns so a slow spell of a shared machine weighs on both. The
request times include the upload, the unpacking and the zip of the answer; the CLI times include
Python start-up and imports, which is what the server saves.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import compiled  # noqa: E402  (bench/ is on sys.path when a script is run)

from tests.test_serve_api import LiveServer, packet_zip  # noqa: E402
from zonekit.serve.warm_office import why_not_warm  # noqa: E402

DEMO = ROOT / "samples" / "sz-building-demo"
AS_OF = "2026-11-22"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    compiled()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    zonekit = [sys.executable, "-m", "zonekit.cli"]
    with tempfile.TemporaryDirectory(prefix="zk-serve-bench-") as tmp:
        work = Path(tmp)
        packet = work / "sz-building-demo"
        shutil.copytree(DEMO, packet)
        data = packet_zip(packet, packet.name)
        server = LiveServer(work / "serve")
        try:
            def api_check() -> None:
                status, _, body = server.post_files("/api/check", [("packet", "demo.zip", data)], {"as_of": AS_OF})
                assert status == 200, body[:200]

            def cli_check() -> None:
                subprocess.run([*zonekit, "check", str(packet), "--format", "json", "--as-of", AS_OF],
                               capture_output=True, check=False)

            def api_bundle() -> None:
                status, _, body = server.post_files("/api/bundle", [("packet", "demo.zip", data)], {"date": AS_OF})
                assert status == 200, body[:300]

            def cli_bundle() -> None:
                out = work / "out"
                shutil.rmtree(out, ignore_errors=True)
                r = subprocess.run([*zonekit, "bundle", str(packet), "-o", str(out), "--date", AS_OF],
                                   capture_output=True, text=True)
                assert r.returncode == 0, r.stderr[-300:]

            api_check()  # warm-up: the first request
            api_bundle()  # the "second" bundle is the next one
            rows = []
            pairs = (("check", api_check, cli_check, 0.3), ("bundle", api_bundle, cli_bundle, 0.6))
            for label, api, cli, target in pairs:
                a, c = [], []
                for _ in range(args.repeat):
                    a.append(timed(api))
                    c.append(timed(cli))
                ma, mc = statistics.median(a), statistics.median(c)
                rows.append((label, ma, mc, ma / mc, target))
            office = server.state.office
            used = (f"kept running: {office.starts} start(s), {office.conversions} conversions" if office is not None
                    else f"started per bundle ({why_not_warm()})")
        finally:
            server.stop()
    print(f"{'':8} {'POST /api':>10} {'CLI':>10} {'ratio':>7} {'target':>7}")
    for label, ma, mc, ratio, target in rows:
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"{label:8} {ma:9.3f}s {mc:9.3f}s {ratio:6.2f}× {'≤' + format(target, '.1f') + '×':>7} {verdict}")
    print(f"server's LibreOffice: {used}")


if __name__ == "__main__":
    main()
