"""Schemathesis against the station's own OpenAPI schema: valid and invalid requests generated for
every operation, sent over loopback to a real uvicorn as the root administrator of a station with
docks, drones and video composed (so dispatch and dock operations are live, not 503); none may
get a server error (5xx). Bounded: a fixed number of examples per operation and mode."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from tests.service.docked import run_docked_service
from tests.service.harness import Service

EXAMPLES_PER_MODE = 6


@contextlib.contextmanager
def _station_in_thread(data_dir: Path) -> Iterator[Service]:
    """A real station on loopback, run by an event loop in its own thread."""
    ready: list[Service] = []
    failed: list[BaseException] = []
    started, stop = threading.Event(), threading.Event()

    async def serve() -> None:
        async with run_docked_service(data_dir, real_server=True, video=True) as svc:
            ready.append(svc)
            started.set()
            while not stop.is_set():
                await asyncio.sleep(0.05)

    def main() -> None:
        try:
            asyncio.run(serve())
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            failed.append(exc)
            started.set()

    thread = threading.Thread(target=main, name="station under fuzz", daemon=True)
    thread.start()
    started.wait(60)
    try:
        if failed or not ready:
            raise RuntimeError("station did not start") from (failed[0] if failed else None)
        yield ready[0]
    finally:
        stop.set()
        thread.join(30)


def _fuzz(operation: Any, mode: GenerationMode, base_url: str, headers: dict[str, str],
          session: requests.Session, errors: list[str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, session=session, timeout=30)
        if response.status_code >= 500:
            errors.append(f"{case.method} {case.formatted_path} ({mode.value}): "
                          f"{response.status_code} {response.text[:200]}")

    run()


def test_no_generated_request_gets_a_server_error(tmp_path: Path) -> None:
    with _station_in_thread(tmp_path) as svc, requests.Session() as session:
        schema = schemathesis.openapi.from_url(f"{svc.base_url}/api/openapi.json")
        headers = svc.headers("admin")
        errors: list[str] = []
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 50
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(operation, mode, svc.base_url, headers, session, errors)
        assert errors == [], "\n".join(errors)
