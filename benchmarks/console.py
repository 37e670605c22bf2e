"""Benchmark the console page: main-thread lag in headless Chromium with 115 drones at 2 Hz.

A station (SQLite in a temporary folder, no vehicles) serves the console on a free loopback
port; Chromium logs in and the page's own ``window.gcs.loadTest`` feeds synthetic telemetry
through the live-message path (the same code a WebSocket message runs; nothing goes to the
station). Measured in the page: requestAnimationFrame gaps, long tasks (>50 ms), message
handling time and canvas redraw time.

Printed: the idle baseline (the page with its WebSocket up and no drones), 115 drones at 2 Hz
(the Yongzhou fleet) and 1150 drones at 2 Hz (ten times it), each with the ratio of its p95
frame gap to the baseline's, all measured in this run. At 60 Hz a frame is 16.7 ms: a p95
gap near that and no long tasks mean the page keeps up.

Run: ``python benchmarks/console.py [--seconds S]`` (needs Debian's chromium).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import uvicorn
from playwright.sync_api import sync_playwright

from groundstation.app import create_app
from groundstation.bootstrap import first_admin_extension
from groundstation.config import Settings

START_TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    """Run the three loads and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("chromium not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as data:
        port = _free_port()
        settings = Settings(data_dir=Path(data), port=port,
                            mavlink={"endpoints": [f"udpin:127.0.0.1:{_free_port()}"]})
        logins: list[str] = []
        app = create_app(settings, extensions=[first_admin_extension(logins.append)])
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", timeout_graceful_shutdown=3))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        password = logins[0].split("password ")[1].split("'")[1]
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, headless=True)
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                page.goto(f"http://127.0.0.1:{port}/console/")
                page.wait_for_selector("body[data-ready=true]")
                page.fill("#login-form input[name=username]", "admin")
                page.fill("#login-form input[name=password]", password)
                page.click("#login-form button[type=submit]")
                page.wait_for_selector("#conn[data-state=live]")
                results = [page.evaluate("(o) => window.gcs.loadTest(o)",
                                         {"drones": n, "rateHz": 2, "seconds": args.seconds})
                           for n in (0, 115, 1150)]
                browser.close()
        finally:
            server.should_exit = True
            thread.join(START_TIMEOUT_S)
    base = results[0]
    print(f"console main-thread lag, headless Chromium 1920x1080, {args.seconds:g} s per load")
    for r in results:
        ratio = r["frame_gap_p95_ms"] / base["frame_gap_p95_ms"] if base["frame_gap_p95_ms"] else 0
        print(f"  {r['drones']:5d} drones @2 Hz: frame gap p50 {r['frame_gap_p50_ms']:.1f} ms, "
              f"p95 {r['frame_gap_p95_ms']:.1f} ms, max {r['frame_gap_max_ms']:.1f} ms "
              f"(p95 x{ratio:.2f} of idle); long tasks {r['long_tasks']} "
              f"({r['long_task_total_ms']:.0f} ms); message p95 {r['handle_p95_ms']:.1f} ms; "
              f"redraw p95 {r['draw_p95_ms']:.1f} ms")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
