"""Flight logs: every flight's MAVLink traffic as a .tlog, and replay of a .tlog into a link.

    recorder = FlightRecorder(settings, db, bus); recorder.attach(fleet); await recorder.run()
    for record in read_tlog(path): record.t_us, record.frame
    await replay_tlog(path, "127.0.0.1", 14550, speed=4.0)
"""

from groundstation.flightlog._recorder import FlightRecorder, flight_log_dir
from groundstation.flightlog._replay import ReplayResult, replay_tlog
from groundstation.flightlog._tlog import FrameSplitter, TlogRecord, TlogWriter, read_tlog

__all__ = [
    "FlightRecorder",
    "FrameSplitter",
    "ReplayResult",
    "TlogRecord",
    "TlogWriter",
    "flight_log_dir",
    "read_tlog",
    "replay_tlog",
]
