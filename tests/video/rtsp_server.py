"""A minimal RTSP server for tests (FFmpeg has none): it answers OPTIONS, DESCRIBE, SETUP
(RTP interleaved over the RTSP TCP connection), PLAY and TEARDOWN for one H.264 track, and
forwards the RTP packets a simulated camera sends to a loopback UDP port to the playing client.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.infra import free_port

__all__ = ["RtspServer", "rtsp_server"]

_SDP = ("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=test camera\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
        "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n")


def _read_request(conn: socket.socket, buf: bytearray) -> tuple[str, dict[str, str]] | None:
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        buf += chunk
    head, _, rest = bytes(buf).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    body_len = int(headers.get("content-length", "0"))
    del buf[: len(head) + 4 + body_len]
    return lines[0].split(" ")[0], headers


def _serve_client(conn: socket.socket, rtp_in: socket.socket, url: str,
                  stop: threading.Event) -> None:
    buf = bytearray()
    with conn:
        while not stop.is_set():
            request = _read_request(conn, buf)
            if request is None:
                return
            method, headers = request
            reply = [f"RTSP/1.0 200 OK", f"CSeq: {headers.get('cseq', '0')}"]
            body = b""
            if method == "OPTIONS":
                reply.append("Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN")
            elif method == "DESCRIBE":
                body = _SDP.encode()
                reply += [f"Content-Base: {url}/", "Content-Type: application/sdp"]
            elif method == "SETUP":
                reply += ["Transport: RTP/AVP/TCP;unicast;interleaved=0-1", "Session: 4242"]
            elif method in ("PLAY", "TEARDOWN"):
                reply.append("Session: 4242")
            reply.append(f"Content-Length: {len(body)}")
            conn.sendall(("\r\n".join(reply) + "\r\n\r\n").encode() + body)
            if method == "PLAY":
                break
            if method == "TEARDOWN":
                return
        rtp_in.settimeout(0.5)
        while not stop.is_set():
            try:
                packet = rtp_in.recv(65536)
            except TimeoutError:
                continue
            try:
                conn.sendall(b"$\x00" + len(packet).to_bytes(2, "big") + packet)
            except OSError:
                return


class RtspServer:
    """The running server: where the station and the camera connect, and a way to drop."""

    def __init__(self, url: str, camera_output: str) -> None:
        self.url = url
        self.camera_output = camera_output
        self.clients: list[socket.socket] = []
        self.connections = 0

    def drop_clients(self) -> None:
        """Close every client connection (the drone's RTSP server went away for a moment)."""
        for conn in self.clients:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.clients.clear()


@contextmanager
def rtsp_server() -> Iterator[RtspServer]:
    """A server forwarding what a camera sends to ``camera_output`` to RTSP clients."""
    rtp_port = free_port(socket.SOCK_DGRAM)
    rtp_in = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp_in.bind(("127.0.0.1", rtp_port))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    server = RtspServer(f"rtsp://127.0.0.1:{listener.getsockname()[1]}/live",
                        f"rtp://127.0.0.1:{rtp_port}")
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            server.clients.append(conn)
            server.connections += 1
            threading.Thread(target=_serve_client, args=(conn, rtp_in, server.url, stop),
                             daemon=True).start()

    thread = threading.Thread(target=accept, name="test-rtsp", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(2)
        listener.close()
        rtp_in.close()
