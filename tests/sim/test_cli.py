"""``groundstation sim``: a fleet in a separate process that the station discovers; Ctrl-C stops it."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys

import pytest

from groundstation.cli import build_parser, main
from groundstation.events import EventBus
from groundstation.mavlink import Fleet
from tests.infra import REPO_ROOT, free_port
from tests.sim.conftest import station_settings


def test_sim_subcommand_is_registered_with_defaults_around_yongzhou() -> None:
    args = build_parser().parse_args(["sim"])
    assert args.count == 1 and args.personality == "ardupilot"
    assert abs(args.lat - 26.42) < 0.1 and abs(args.lon - 111.61) < 0.1


async def test_sim_process_runs_a_fleet_until_interrupted() -> None:
    port = free_port(socket.SOCK_DGRAM)
    async with Fleet(station_settings(port), EventBus()) as fleet:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "groundstation", "sim", "--count", "3", "--personality", "px4",
            "--target", f"udpout:127.0.0.1:{port}", "--time-factor", "5", "--first-id", "21",
            cwd=REPO_ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            for sysid in (21, 22, 23):
                vehicle = await fleet.wait_for_vehicle(sysid, timeout_s=20)
                assert vehicle.state.family == "px4"
        finally:
            proc.send_signal(signal.SIGINT)
            output, _ = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, output.decode()
    assert b"3 simulated px4 vehicle(s)" in output


def test_bad_endpoint_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim", "--target", "bogus:1:2"]) == 2
    assert "endpoint 'bogus:1:2'" in capsys.readouterr().out
