"""The public surface is exactly __all__; missions stays a pure library over geofence."""

from __future__ import annotations

import ast
import subprocess
import sys

import missions
from missions._cmd_names import MAV_CMD_NAMES
from tests.infra import REPO_ROOT


def test_all_lists_exactly_the_public_names() -> None:
    public = {n for n in dir(missions) if not n.startswith("_")}
    assert set(missions.__all__) == public
    assert len(missions.__all__) == len(set(missions.__all__))


def test_importing_missions_pulls_in_no_service_code_or_sockets() -> None:
    code = ("import sys, missions; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('groundstation', 'docks', 'vision', 'pymavlink', 'fastapi', 'sqlalchemy', "
            "'docks')]; print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], check=False, cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_of_missions_imports_sockets_or_an_event_loop() -> None:
    for path in (REPO_ROOT / "missions").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in {"socket", "asyncio", "groundstation", "docks",
                                                  "pymavlink", "ssl", "http"}, (path, name)


def test_command_names_match_the_mavlink_dialect() -> None:
    from pymavlink.dialects.v20 import ardupilotmega as dialect
    names = {k: v.name.removeprefix("MAV_CMD_") for k, v in dialect.enums["MAV_CMD"].items()
             if not v.name.endswith("ENUM_END")}
    assert names == MAV_CMD_NAMES
