"""Run the whole station on embedded defaults: demo docks and drones around Yongzhou, in
accelerated time, with drone video and the black-flying watch as ``serve`` composes them."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from pathlib import Path

import uvicorn

from groundstation.app import create_app
from groundstation.config import Settings
from groundstation.demo import DemoConfig, demo_extension
from groundstation.blackfly.station import overhead_watch


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``groundstation demo``."""
    parser.add_argument("--host", default="127.0.0.1", help="address of the API and console")
    parser.add_argument("--port", type=int, default=8080, help="port of the API and console")
    parser.add_argument("--data-dir", type=Path, default=Path("data/demo"),
                        help="SQLite database, schedules, logs of the demo")
    parser.add_argument("--time-factor", type=float, default=20.0,
                        help="how much faster than real time drones and docks run")
    parser.add_argument("--mavlink-port", type=int, default=0,
                        help="loopback UDP port the station listens on for the drones (0: any free)")
    parser.add_argument("--cameras", type=int, default=2,
                        help="simulated cameras streaming at once, on drones in flight (0: none)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(args: argparse.Namespace) -> int:
    """Serve the demo until interrupted."""
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.time_factor > 0:
        print("--time-factor must be positive", file=sys.stderr)
        return 2
    mavlink_port = args.mavlink_port or _free_udp_port()
    base = Settings()
    settings = base.model_copy(update={
        "host": args.host, "port": args.port, "data_dir": args.data_dir,
        "mavlink": base.mavlink.model_copy(update={
            "endpoints": [f"udpin:127.0.0.1:{mavlink_port}"]}),
    })

    def announce(text: str) -> None:
        print(text, flush=True)

    if args.cameras < 0:
        print("--cameras must be 0 or more", file=sys.stderr)
        return 2
    config = DemoConfig(mavlink_port=mavlink_port, time_factor=args.time_factor,
                        cameras=args.cameras)
    watch = overhead_watch()
    app = create_app(settings, extensions=[*watch.extensions, demo_extension(config, announce)],
                     routers=watch.routers)
    announce(f"demo: API and console on http://{args.host}:{args.port}/ (data in {args.data_dir})")
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0
