"""Run the station's HTTP service (API, WebSocket) with uvicorn, with drone video and the
black-flying watch composed in."""

from __future__ import annotations

import argparse
from collections.abc import Callable
import logging
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from groundstation.app import create_app
from groundstation.blackfly.station import overhead_watch
from groundstation.bootstrap import first_admin_extension
from groundstation.config import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``groundstation serve`` (defaults from GCS_* settings)."""
    parser.add_argument("--host", help="address to listen on (GCS_HOST)")
    parser.add_argument("--port", type=int, help="port to listen on (GCS_PORT)")
    parser.add_argument("--data-dir", type=Path, help="database, logs, evidence (GCS_DATA_DIR)")
    parser.add_argument("--log-level", default="info",
                        choices=["debug", "info", "warning", "error"])


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment with command-line overrides."""
    overrides = {k: v for k, v in {"host": args.host, "port": args.port,
                                   "data_dir": args.data_dir}.items() if v is not None}
    return Settings(**overrides)


def build_app(settings: Settings, announce: Callable[[str], None]) -> FastAPI:
    """The served app: the first admin on a new database, drone video (streams vehicles
    announce or configured) and the black-flying watch over those streams."""
    watch = overhead_watch()
    return create_app(settings, extensions=[first_admin_extension(announce), *watch.extensions],
                      routers=watch.routers)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    settings = settings_from(args)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def announce(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    app = build_app(settings, announce)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=args.log_level)
    return 0
