"""A real uvicorn server on loopback in a thread, for tests that need streaming HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from tests.infra import free_port


@contextmanager
def serve(app: FastAPI, *, start_timeout_s: float = 10.0) -> Iterator[str]:
    """Run ``app`` on 127.0.0.1 until the block ends; yields the base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, name="test-uvicorn", daemon=True)
    thread.start()
    started = threading.Event()

    def watch() -> None:
        while not server.started and thread.is_alive():
            started.wait(0.01)
        started.set()

    threading.Thread(target=watch, daemon=True).start()
    assert started.wait(start_timeout_s) and server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
