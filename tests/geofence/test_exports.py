"""The package's public surface is exactly its __all__, and it stays a pure library."""

from __future__ import annotations

import subprocess
import sys

import geofence
from tests.infra import REPO_ROOT


def test_all_lists_exactly_the_public_names() -> None:
    public = {n for n in dir(geofence) if not n.startswith("_")}
    assert set(geofence.__all__) == public
    assert len(geofence.__all__) == len(set(geofence.__all__))


def test_importing_geofence_pulls_in_no_service_code() -> None:
    code = ("import sys, geofence; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('groundstation', 'missions', 'docks', 'vision', 'pymavlink', 'fastapi', "
            "'sqlalchemy')]; print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], check=False, cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
