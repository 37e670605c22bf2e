"""Fixtures of the service tests: a station on SQLite (and on PostgreSQL where asked)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.service.harness import Service, postgres_schema, run_service, service_settings


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    async with run_service(service_settings(tmp_path)) as svc:
        yield svc


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def any_db_service(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Service]:
    """The same station on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        async with run_service(service_settings(tmp_path)) as svc:
            yield svc
    else:
        with postgres_schema() as url:
            async with run_service(service_settings(tmp_path, database_url=url)) as svc:
                yield svc
