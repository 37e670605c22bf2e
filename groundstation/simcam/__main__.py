"""Stream a simulated drone camera: ``python -m groundstation.simcam udp://127.0.0.1:5600``.

The drone orbits the demo centre looking at it, with a known drone and an unknown one circling
inside the view; Ctrl-C (or ``--seconds``) stops it. Settings come from ``GCS_VIDEO__SIMCAM__*``
with the options below on top.
"""

from __future__ import annotations

import argparse
import signal
import threading

from groundstation.config import Settings
from groundstation.simcam._camera import Aircraft
from groundstation.simcam._simcam import OrbitPoseSource, SimCamera


def main(argv: list[str] | None = None) -> int:
    """Run one simulated camera until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m groundstation.simcam", description=__doc__)
    parser.add_argument("output", help="udp://HOST:PORT (MPEG-TS), rtp://HOST:PORT or rtsp://...")
    parser.add_argument("--width", type=int)
    parser.add_argument("--height", type=int)
    parser.add_argument("--fps", type=float)
    parser.add_argument("--codec", choices=["h264", "h265"])
    parser.add_argument("--seconds", type=float, default=0.0, help="stop after this (0: never)")
    args = parser.parse_args(argv)
    base = Settings().video.simcam
    updates = {k: v for k, v in {"width_px": args.width, "height_px": args.height,
                                 "fps": args.fps, "codec": args.codec}.items() if v is not None}
    settings = base.model_copy(update=updates)
    lat, lon = settings.ground_centre_lat_deg, settings.ground_centre_lon_deg
    poses = OrbitPoseSource(centre_lat_deg=lat, centre_lon_deg=lon, others=[
        (40.0, 0.15, 0.0, Aircraft(lat, lon, 50.0, 0.9, True, "own")),
        (25.0, -0.25, 2.0, Aircraft(lat, lon, 35.0, 0.45, False, "unknown")),
    ])
    camera = SimCamera(poses, args.output, settings)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    camera.start()
    try:
        done.wait(args.seconds or None)
    except KeyboardInterrupt:
        pass
    finally:
        camera.stop()
    return 1 if camera.error else 0


if __name__ == "__main__":
    raise SystemExit(main())
