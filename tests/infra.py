"""Helpers for tests that need outside infrastructure (broker, database, browser, footage).

Without it such a test skips with a clear reason; under ``GCS_TEST_STRICT=1`` (set by
``scripts/test.sh`` and so by CI) a missing piece fails the test instead, so CI cannot go
green by skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"
FOOTAGE_DIR = SHARED_DIR / "data" / "drone-footage"
STRICT = os.environ.get("GCS_TEST_STRICT") == "1"


def require(condition: object, reason: str) -> None:
    """Skip (or, in strict mode, fail) the calling test unless ``condition`` holds."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"required test infrastructure missing: {reason}", pytrace=False)
    pytest.skip(reason)


def require_program(name: str) -> str:
    """Return the path of an installed program or skip/fail naming the Debian package."""
    path = shutil.which(name)
    require(path, f"program {name!r} not installed (see scripts/test.sh)")
    assert path is not None
    return path


def require_footage() -> Path:
    """Return ../shared/data/drone-footage or skip/fail when the shared folder is absent."""
    require(FOOTAGE_DIR.is_dir(), f"real footage not found at {FOOTAGE_DIR} (../shared is absent)")
    return FOOTAGE_DIR


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """Return a port on 127.0.0.1 that is free right now for the given socket kind."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
