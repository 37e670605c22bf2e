"""The demo composition as a real process on loopback, with its printed logins."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.infra import free_port

ROOT = Path(__file__).resolve().parents[2]
USER_LINE = re.compile(r"^  (\S+)\s+(\S+)\s+(\S+)\s+\(")
UP_LINE = re.compile(r"^demo: (\d+) docks and (\d+) drones up")


@dataclass
class Demo:
    """A running demo: its base URL, generated passwords and a client."""

    url: str
    passwords: dict[str, str]
    output: list[str] = field(default_factory=list)
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, username: str) -> httpx.Client:
        """A client logged in as a demo user (closed when the demo stops)."""
        client = httpx.Client(base_url=self.url, timeout=30)
        self.clients.append(client)
        reply = client.post("/api/auth/token", json={"username": username,
                                                     "password": self.passwords[username]})
        reply.raise_for_status()
        client.headers["Authorization"] = f"Bearer {reply.json()['access_token']}"
        return client


def poll(read: Callable[[], Any], done: Callable[[Any], bool], timeout_s: float) -> Any:
    """``read()`` until ``done`` says so or the deadline passes; the last value read."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.25)


def _pump(stream: object, lines: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        lines.put(line.rstrip("\n"))


@contextmanager
def running_demo(data_dir: Path, *, time_factor: float = 30.0, start_timeout_s: float = 90.0) -> Iterator[Demo]:
    """Start ``groundstation demo`` on a free port; stop it on exit."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "groundstation", "demo", "--port", str(port), "--data-dir",
         str(data_dir), "--time-factor", str(time_factor), "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    demo = Demo(f"http://127.0.0.1:{port}", {})
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            demo.output.append(line)
            if m := USER_LINE.match(line):
                demo.passwords[m.group(1)] = m.group(3)
            if UP_LINE.match(line):
                break
        while time.monotonic() < deadline:  # uvicorn binds right after the lifespan started
            try:
                httpx.get(f"{demo.url}/api/openapi.json", timeout=2).raise_for_status()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield demo
    finally:
        for client in demo.clients:
            client.close()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
