"""The vision package's public surface is its __all__, and it stays a library."""

from __future__ import annotations

import subprocess
import sys

import vision
from tests.infra import REPO_ROOT


def test_all_names_exist_and_are_unique() -> None:
    assert len(vision.__all__) == len(set(vision.__all__))
    assert all(hasattr(vision, name) for name in vision.__all__)


def test_fresh_import_exposes_exactly_all_and_no_service_code() -> None:
    code = ("import sys, vision; extra = {n for n in dir(vision) if not n.startswith('_')} "
            "^ set(vision.__all__); bad = [m for m in sys.modules if m.split('.')[0] in "
            "('groundstation', 'missions', 'docks', 'fastapi', 'sqlalchemy', 'torch')]; "
            "print(extra, bad); sys.exit(1 if extra or bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], check=False, cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
