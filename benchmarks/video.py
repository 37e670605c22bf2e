"""Drone video: glass-to-glass latency and CPU per stream at 1280×720, 30 fps, against a plain
ffmpeg-to-ffmpeg relay of the same stream measured in the same run; and how many such streams
this machine ingests at full rate.

Every chain starts at the simulated camera (``python -m groundstation.simcam`` in its own
process: render, stamp the wall-clock capture time into the picture, libx264 zerolatency,
MPEG-TS over UDP on loopback) and ends where the stamp is read back from a decoded picture:

  station   camera → VideoStream (PyAV demux + decode, one thread) → FrameHub → MJPEG over HTTP
            (uvicorn, ``video_router``) → a browser-like viewer in another process decodes the
            JPEG.  Also read at the hub itself ("station decode").
  opencv    camera → ``cv2.VideoCapture`` (OpenCV's FFmpeg backend, nobuffer/low_delay through
            OPENCV_FFMPEG_CAPTURE_OPTIONS) → decoded frame: the ingest this code did not choose.
  relay     camera → ``ffmpeg -c copy`` relay to a second UDP port → ``ffmpeg`` decoding to raw
            BGR on a pipe → frame read: the baseline.

CPU is user+system time of the processes doing the station's job, per second of wall time
(100 % = one core): the station process (ingest, decode, JPEG, HTTP) against the relay and the
decoding ffmpeg. Capacity: N pre-encoded 720p30 streams (``ffmpeg -re -c copy`` senders, a few %
CPU each) into one station process; N rises until some stream falls below 95 % of 30 fps.

Delivery paths: the per-frame work of MJPEG (the one chosen), of an H.264 re-encode (what a
browser path fed with decoded frames costs per encoder, e.g. a WebRTC track without packet
pass-through) and of remuxing the drone's packets into fragmented MP4 for Media Source
Extensions, on the same 720p30 clip, with the bandwidth each sends to one viewer.

Run: ``python benchmarks/video.py [--seconds 10] [--max-streams 14]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import numpy as np

from groundstation.config import SimCameraSettings, VideoSettings
from groundstation.simcam import (
    Aircraft,
    GroundMap,
    OrbitPoseSource,
    SimCamera,
    read_stamp,
)
from groundstation.video import BOUNDARY, StreamState, VideoHub, video_router

W, H, FPS = 1280, 720, 30
ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def start_camera(port: int, seconds: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "groundstation.simcam", f"udp://127.0.0.1:{port}",
         "--width", str(W), "--height", str(H), "--fps", str(FPS), "--seconds", str(seconds)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def summary(ms: list[float]) -> str:
    if not ms:
        return "no frames"
    q = statistics.quantiles(ms, n=20) if len(ms) >= 20 else [max(ms)] * 19
    return (f"median {statistics.median(ms):6.1f} ms  p95 {q[18]:6.1f} ms  "
            f"({len(ms)} frames)")


# -- viewers ---------------------------------------------------------------------------------------

def mjpeg_viewer(url: str, seconds: float, out: multiprocessing.Queue) -> None:
    """A browser stand-in (own process): read multipart JPEGs, decode, read the stamp."""
    import httpx

    lat: list[float] = []
    end = time.monotonic() + seconds
    buf = b""
    marker = f"--{BOUNDARY}".encode()
    with httpx.Client(timeout=10) as client, client.stream("GET", url) as response:
        for chunk in response.iter_bytes():
            buf += chunk
            while True:
                head_end = buf.find(b"\r\n\r\n")
                if head_end < 0 or not buf.startswith(marker):
                    break
                length = int(buf[:head_end].split(b"Content-Length: ")[1].split(b"\r\n")[0])
                if len(buf) < head_end + 4 + length + 2:
                    break
                jpeg = buf[head_end + 4:head_end + 4 + length]
                buf = buf[head_end + 4 + length + 2:]
                image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
                stamp = read_stamp(image)
                if stamp is not None:
                    lat.append(time.time() * 1000 - stamp)
            if time.monotonic() > end:
                break
    out.put(lat)


def hub_reader(stream, seconds: float, lat: list[float]) -> None:
    end = time.monotonic() + seconds
    with stream.hub.subscribe(from_latest=False) as sub:
        while time.monotonic() < end:
            frame = sub.get(1.0)
            if frame is not None and (stamp := read_stamp(np.asarray(frame.image))) is not None:
                lat.append(time.time() * 1000 - stamp)


# -- the three chains --------------------------------------------------------------------------------

def run_station(seconds: float) -> dict[str, object]:
    import uvicorn
    from fastapi import FastAPI

    settings = VideoSettings()
    port, http_port = udp_port(), tcp_port()
    with tempfile.TemporaryDirectory() as tmp:
        hub = VideoHub(settings, recordings_dir=Path(tmp))
        stream = hub.add_stream("cam", f"udp://127.0.0.1:{port}")
        hub.attach_to_incident("cam", "1")
        recorder = hub._recorders["cam"]
        app = FastAPI()
        app.include_router(video_router(get_hub=lambda: hub, authorize_view=lambda: None),
                           prefix="/api")
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=http_port,
                                               log_level="warning", lifespan="off"))
        threading.Thread(target=server.run, daemon=True).start()
        camera = start_camera(port, seconds + 30)
        try:
            assert stream.wait_for_state(StreamState.LIVE, timeout_s=20), stream.health()
            while not server.started:
                time.sleep(0.05)
            time.sleep(1.0)  # let the encoder settle
            ctx = multiprocessing.get_context("spawn")
            out = ctx.Queue()
            viewer = ctx.Process(target=mjpeg_viewer, args=(
                f"http://127.0.0.1:{http_port}/api/incidents/1/video/streams/cam/mjpeg",
                seconds, out))
            hub_lat: list[float] = []
            cpu0, t0 = time.process_time(), time.monotonic()
            viewer.start()
            hub_reader(stream, seconds, hub_lat)
            view_lat = out.get(timeout=seconds + 30)
            cpu = (time.process_time() - cpu0) / (time.monotonic() - t0)
            viewer.join(10)
            health = stream.health()
            segments = hub.detach_from_incident("cam")
        finally:
            stop(camera)
            server.should_exit = True
            hub.close()
    return {"viewer": view_lat, "hub": hub_lat, "cpu": cpu, "health": health,
            "recorded_packets": sum(s.packets for s in segments),
            "rec_dropped": recorder.dropped_packets}


def run_opencv(seconds: float) -> dict[str, object]:
    port = udp_port()
    os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] = "fflags;nobuffer|flags;low_delay"
    camera = start_camera(port, seconds + 30)
    lat: list[float] = []
    try:
        cap = cv2.VideoCapture(f"udp://127.0.0.1:{port}?overrun_nonfatal=1&fifo_size=278876",
                               cv2.CAP_FFMPEG)
        assert cap.isOpened()
        end_warm = time.monotonic() + 1.0
        while time.monotonic() < end_warm:
            cap.read()
        cpu0, t0 = time.process_time(), time.monotonic()
        while time.monotonic() - t0 < seconds:
            ok, image = cap.read()
            if ok and (stamp := read_stamp(image)) is not None:
                lat.append(time.time() * 1000 - stamp)
        cpu = (time.process_time() - cpu0) / (time.monotonic() - t0)
        cap.release()
    finally:
        stop(camera)
    return {"decode": lat, "cpu": cpu}


def run_relay(seconds: float) -> dict[str, object]:
    p1, p2 = udp_port(), udp_port()
    low = ["-fflags", "nobuffer", "-flags", "low_delay", "-probesize", "65536",
           "-analyzeduration", "500000"]
    decoder = subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", *low,
         "-i", f"udp://127.0.0.1:{p2}?overrun_nonfatal=1&fifo_size=278876",
         "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    relay = subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", *low,
         "-i", f"udp://127.0.0.1:{p1}?overrun_nonfatal=1&fifo_size=278876", "-c", "copy",
         "-f", "mpegts", "-flush_packets", "1", "-muxdelay", "0",
         f"udp://127.0.0.1:{p2}?pkt_size=1316"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    camera = start_camera(p1, seconds + 30)
    lat: list[float] = []
    size = W * H * 3
    assert decoder.stdout is not None

    def read_frame() -> bytes:
        data = bytearray()
        while len(data) < size:
            chunk = decoder.stdout.read(size - len(data))
            if not chunk:
                raise RuntimeError("relay decoder ended")
            data += chunk
        return bytes(data)

    try:
        end_warm = time.monotonic() + 1.0
        while time.monotonic() < end_warm:
            read_frame()
        cpu0 = proc_cpu_s(relay.pid) + proc_cpu_s(decoder.pid)
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:
            image = np.frombuffer(read_frame(), np.uint8).reshape(H, W, 3)
            if (stamp := read_stamp(image)) is not None:
                lat.append(time.time() * 1000 - stamp)
        cpu = (proc_cpu_s(relay.pid) + proc_cpu_s(decoder.pid) - cpu0) / (time.monotonic() - t0)
    finally:
        stop(camera)
        stop(relay)
        stop(decoder)
    return {"decode": lat, "cpu": cpu}


# -- capacity --------------------------------------------------------------------------------------------

def make_clip(path: Path, seconds: float = 6.0) -> None:
    """Render and encode a 720p30 clip of the simulated camera (libx264, same settings)."""
    cs = SimCameraSettings(width_px=W, height_px=H, fps=FPS)
    lat, lon = cs.ground_centre_lat_deg, cs.ground_centre_lon_deg
    t = [0.0]
    poses = OrbitPoseSource(centre_lat_deg=lat, centre_lon_deg=lon, clock=lambda: t[0],
                            others=[(25.0, -0.25, 2.0, Aircraft(lat, lon, 35.0, 0.45, False))])
    cam = SimCamera(poses, "udp://127.0.0.1:9", cs, ground=GroundMap.from_settings(cs))
    enc = subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt",
         "bgr24", "-s", f"{W}x{H}", "-framerate", str(FPS), "-i", "pipe:0", "-c:v", "libx264",
         "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-bf", "0", "-b:v", "2500k",
         "-pix_fmt", "yuv420p", "-f", "mpegts", str(path)], stdin=subprocess.PIPE)
    assert enc.stdin is not None
    for i in range(int(seconds * FPS)):
        t[0] = i / FPS
        enc.stdin.write(cam.render())
    enc.stdin.close()
    enc.wait()


def capacity(clip: Path, max_streams: int, window_s: float) -> list[tuple[int, float, float, bool]]:
    rows = []
    for n in [k for k in (1, 2, 4, 6, 8, 10, 12, 14, 16) if k <= max_streams]:
        ports = [udp_port() for _ in range(n)]
        with tempfile.TemporaryDirectory() as tmp:
            hub = VideoHub(VideoSettings(), recordings_dir=Path(tmp))
            streams = [hub.add_stream(f"s{i}", f"udp://127.0.0.1:{p}") for i, p in enumerate(ports)]
            senders = [subprocess.Popen(
                ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                 "-stream_loop", "-1", "-i", str(clip), "-c", "copy", "-f", "mpegts",
                 f"udp://127.0.0.1:{p}?pkt_size=1316"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in ports]
            try:
                deadline = time.monotonic() + 20
                for s in streams:
                    s.wait_for_state(StreamState.LIVE, timeout_s=max(0.1, deadline - time.monotonic()))
                time.sleep(1.5)
                f0 = [s.health().frames_decoded for s in streams]
                cpu0, t0 = time.process_time(), time.monotonic()
                time.sleep(window_s)
                dt = time.monotonic() - t0
                cpu = (time.process_time() - cpu0) / dt
                fps = [(s.health().frames_decoded - a) / dt for s, a in zip(streams, f0, strict=True)]
            finally:
                for p in senders:
                    stop(p)
                hub.close()
        ok = min(fps) >= 0.95 * FPS
        rows.append((n, min(fps), cpu, ok))
        print(f"  {n:2d} streams: slowest {min(fps):5.1f} fps, station CPU {100 * cpu:5.0f} %"
              f"  {'sustained' if ok else 'NOT sustained'}", flush=True)
        if not ok:
            break
    return rows


# -- delivery paths ---------------------------------------------------------------------------------------

def delivery_costs(clip: Path, quality: int) -> dict[str, tuple[float, float]]:
    """Per-frame work of each browser path on the same 720p30 H.264 packets: (ms per frame,
    bytes per frame). MJPEG: one JPEG encode per frame shared by every viewer. Re-encode:
    libx264 ultrafast zerolatency, what a sender that cannot pass the drone's packets through
    (e.g. a WebRTC track fed with decoded frames) spends per encoder. fMP4: remuxing the
    drone's packets into one-frame fragments for Media Source Extensions, no decode needed."""
    import io

    import av

    with av.open(str(clip)) as src:
        vstream = src.streams.video[0]
        packets, frames = [], []
        for packet in src.demux(vstream):
            if packet.size == 0:
                continue
            packets.append((bytes(packet), packet.pts, packet.dts, packet.is_keyframe))
            frames.extend(f.to_ndarray(format="bgr24") for f in packet.decode())
        extradata = vstream.codec_context.extradata
        time_base = vstream.time_base
    out: dict[str, tuple[float, float]] = {}

    t0, size = time.perf_counter(), 0
    for image in frames:
        size += len(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1])
    out["mjpeg"] = (1000 * (time.perf_counter() - t0) / len(frames), size / len(frames))

    enc = av.CodecContext.create("libx264", "w")
    enc.width, enc.height, enc.pix_fmt = W, H, "yuv420p"
    enc.time_base = Fraction(1, FPS)
    enc.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(FPS), "bf": "0",
                   "b": "2500k"}
    t0, size = time.perf_counter(), 0
    for i, image in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(image, format="bgr24").reformat(format="yuv420p")
        frame.pts = i
        size += sum(p.size for p in enc.encode(frame))
    out["reencode"] = (1000 * (time.perf_counter() - t0) / len(frames), size / len(frames))

    buf = io.BytesIO()
    t0 = time.perf_counter()
    with av.open(buf, mode="w", format="mp4", options={
            "movflags": "frag_every_frame+empty_moov+default_base_moof"}) as mux:
        stream = mux.add_stream("h264")
        stream.codec_context.width, stream.codec_context.height = W, H
        stream.codec_context.extradata = extradata
        stream.time_base = time_base
        for data, pts, dts, key in packets:
            packet = av.Packet(data)
            packet.pts, packet.dts, packet.time_base = pts, dts, time_base
            packet.is_keyframe = key
            packet.stream = stream
            mux.mux(packet)
    out["fmp4"] = (1000 * (time.perf_counter() - t0) / len(packets), buf.tell() / len(packets))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement per chain")
    parser.add_argument("--max-streams", type=int, default=14)
    args = parser.parse_args()
    print(f"video benchmark: {W}x{H} {FPS} fps H.264 (libx264 ultrafast zerolatency, GOP 30, "
          f"2.5 Mbit/s) over UDP on loopback, {os.cpu_count()} cores\n", flush=True)

    relay = run_relay(args.seconds)
    station = run_station(args.seconds)
    opencv = run_opencv(args.seconds)

    base = statistics.median(relay["decode"]) if relay["decode"] else float("nan")
    print("glass-to-glass latency (capture stamp → decoded picture)")
    print(f"  relay baseline  ffmpeg relay → ffmpeg decode      {summary(relay['decode'])}")
    print(f"  opencv ingest   cv2.VideoCapture decode           {summary(opencv['decode'])}")
    print(f"  station decode  PyAV ingest → FrameHub            {summary(station['hub'])}")
    print(f"  station viewer  … → MJPEG/HTTP → viewer decode    {summary(station['viewer'])}")
    if station["viewer"]:
        added = statistics.median(station["viewer"]) - base
        print(f"  added by the station to the viewer vs relay baseline: {added:+.1f} ms "
              f"(ratio {statistics.median(station['viewer']) / base:.2f}; target < +150 ms)")
    print("\nCPU per stream (100 % = one core)")
    print(f"  relay baseline (relay + decoding ffmpeg)            {100 * relay['cpu']:5.1f} %")
    print(f"  opencv ingest (decode only)                         {100 * opencv['cpu']:5.1f} %")
    print(f"  station (ingest+decode, recording, 2 readers, MJPEG+HTTP to one viewer) "
          f"{100 * station['cpu']:5.1f} %  (ratio {station['cpu'] / relay['cpu']:.2f})")
    h = station["health"]
    print(f"  station health: {h.fps:.1f} fps, {h.bitrate_bps / 1e6:.2f} Mbit/s, "
          f"{h.packets_corrupt} corrupt; recorded {station['recorded_packets']} packets, "
          f"{station['rec_dropped']} dropped")

    print("\ncapacity: concurrent 720p30 streams ingested and decoded by one station process")
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.ts"
        make_clip(clip)
        rows = capacity(clip, args.max_streams, window_s=5.0)
        sustained = [n for n, _, _, ok in rows if ok]
        print(f"  → sustains {max(sustained) if sustained else 0} streams at full rate "
              f"(target 10)")
        costs = delivery_costs(clip, VideoSettings().mjpeg_quality)

    print("\ndelivery path work per 720p frame, same stream (CPU % of one core at 30 fps; "
          "bandwidth per viewer)")
    notes = {"mjpeg": "JPEG encode, once per frame for all viewers (chosen)",
             "reencode": "H.264 re-encode, once per encoder (per viewer in a per-peer sender)",
             "fmp4": "remux into 1-frame fMP4 fragments (MSE), no decode"}
    for key, (ms, nbytes) in costs.items():
        print(f"  {key:8} {ms:6.2f} ms/frame  {ms * FPS / 10:5.1f} %  "
              f"{nbytes * 8 * FPS / 1e6:5.1f} Mbit/s  {notes[key]}")


if __name__ == "__main__":
    main()
