"""The simulated drone camera: a procedurally drawn, geo-referenced ground map of the demo area,
a pinhole camera rendering it from a drone's pose with other aircraft in view, capture-time
stamps for latency measurement, and real H.264/H.265 through ffmpeg over UDP, RTP or RTSP.
"""

from groundstation.simcam._camera import Aircraft, CameraPose, CameraView, PinholeCamera
from groundstation.simcam._encoder import FfmpegEncoder, encoder_command
from groundstation.simcam._ground import GroundMap
from groundstation.simcam._simcam import (
    OrbitPoseSource,
    PoseSource,
    SimCamera,
    StaticPoseSource,
    offset_position,
)
from groundstation.simcam._stamp import read_stamp, stamp_cell_px, stamp_frame
from groundstation.simcam._truth import AirborneLike, TruthLike, TruthPoseSource

__all__ = [
    "AirborneLike",
    "Aircraft",
    "CameraPose",
    "CameraView",
    "FfmpegEncoder",
    "GroundMap",
    "OrbitPoseSource",
    "PinholeCamera",
    "PoseSource",
    "SimCamera",
    "StaticPoseSource",
    "TruthLike",
    "TruthPoseSource",
    "encoder_command",
    "offset_position",
    "read_stamp",
    "stamp_cell_px",
    "stamp_frame",
]
