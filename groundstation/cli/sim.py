"""Run a fleet of simulated MAVLink drones (ArduCopter or PX4) until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from groundstation.sim import YONGZHOU_HOME, Personality, SimConfig, SimError, SimFleet

_log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``groundstation sim``."""
    parser.add_argument("--count", type=int, default=1, help="number of vehicles (default 1)")
    parser.add_argument(
        "--target", action="append", default=None,
        help="endpoint each vehicle opens: udpout:HOST:PORT (default udpout:127.0.0.1:14550), "
        "udpin:HOST:PORT or tcpin:HOST:PORT (one port per vehicle: PORT + index); repeatable",
    )  # fmt: skip
    parser.add_argument("--time-factor", type=float, default=1.0, help="sim seconds per second")
    parser.add_argument(
        "--personality", choices=[p.value for p in Personality], default="ardupilot"
    )
    parser.add_argument("--lat", type=float, default=YONGZHOU_HOME[0], help="home latitude")
    parser.add_argument("--lon", type=float, default=YONGZHOU_HOME[1], help="home longitude")
    parser.add_argument("--alt", type=float, default=YONGZHOU_HOME[2], help="home altitude AMSL")
    parser.add_argument("--first-id", type=int, default=1, help="system id of the first vehicle")
    parser.add_argument("--spacing", type=float, default=40.0, help="metres between homes")


def _endpoints_for(targets: list[str], index: int) -> tuple[str, ...]:
    """Each vehicle's endpoints: listening ports are offset by the vehicle's index."""
    out = []
    for target in targets:
        kind, host, port = target.split(":")
        if kind in ("udpin", "tcpin"):
            port = str(int(port) + index)
        out.append(f"{kind}:{host}:{port}")
    return tuple(out)


async def run_fleet(args: argparse.Namespace, stop: asyncio.Event) -> None:
    """Run the fleet until ``stop`` is set."""
    targets = args.target or ["udpout:127.0.0.1:14550"]
    base = SimConfig(
        personality=Personality(args.personality), home_lat_deg=args.lat, home_lon_deg=args.lon,
        home_alt_amsl_m=args.alt, time_factor=args.time_factor, endpoints=tuple(targets),
    )  # fmt: skip
    fleet = SimFleet(
        args.count, base, first_system_id=args.first_id, spacing_m=args.spacing,
        endpoints_for=lambda i: _endpoints_for(targets, i),
    )  # fmt: skip
    async with fleet:
        print(
            f"{len(fleet)} simulated {args.personality} vehicle(s), system ids "
            f"{fleet.vehicles[0].system_id}..{fleet.vehicles[-1].system_id}, "
            f"time factor {args.time_factor:g}, links {', '.join(targets)}; Ctrl-C stops",
            flush=True,
        )
        await stop.wait()


def run(args: argparse.Namespace) -> int:
    """Entry point of ``groundstation sim``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await run_fleet(args, stop)

    try:
        asyncio.run(main())
    except (SimError, ValueError) as exc:
        print(f"groundstation sim: {exc}")
        return 2
    return 0
