"""Endpoint strings (``udpin:HOST:PORT`` …) parsed and turned into links."""

from __future__ import annotations

from dataclasses import dataclass

from groundstation._exceptions import LinkError
from groundstation.config import MavlinkSettings
from groundstation.mavlink.links._base import Link
from groundstation.mavlink.links._serial import SerialLink
from groundstation.mavlink.links._tcp import TcpClientLink
from groundstation.mavlink.links._udp import UdpClientLink, UdpServerLink

__all__ = ["Endpoint", "create_link", "parse_endpoint"]

KINDS = ("udpin", "udpout", "tcp", "serial")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A parsed endpoint: kind plus host/port (network) or device/baud (serial)."""

    text: str
    kind: str
    host: str = ""
    port: int = 0
    device: str = ""
    baud: int = 0


def _number(text: str, what: str, endpoint: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise LinkError(f"endpoint {endpoint!r}: {what} {text!r} is not a number") from None
    if not low <= value <= high:
        raise LinkError(f"endpoint {endpoint!r}: {what} {value} out of range {low}..{high}")
    return value


def parse_endpoint(text: str) -> Endpoint:
    """Parse ``udpin:HOST:PORT``, ``udpout:HOST:PORT``, ``tcp:HOST:PORT``, ``serial:DEVICE:BAUD``."""
    kind, sep, rest = text.strip().partition(":")
    if not sep or kind not in KINDS:
        raise LinkError(f"endpoint {text!r}: expected one of {', '.join(KINDS)} followed by ':'")
    first, sep, last = rest.rpartition(":")
    if not sep or not first:
        raise LinkError(
            f"endpoint {text!r}: expected {kind}:{'DEVICE:BAUD' if kind == 'serial' else 'HOST:PORT'}"
        )
    if kind == "serial":
        return Endpoint(text, kind, device=first, baud=_number(last, "baud", text, 50, 20_000_000))
    return Endpoint(text, kind, host=first, port=_number(last, "port", text, 0, 65535))


def create_link(endpoint: Endpoint, settings: MavlinkSettings) -> Link:
    """Build the (unopened) link for an endpoint."""
    if endpoint.kind == "udpin":
        return UdpServerLink(endpoint.text, endpoint.host, endpoint.port)
    if endpoint.kind == "udpout":
        return UdpClientLink(endpoint.text, endpoint.host, endpoint.port)
    if endpoint.kind == "tcp":
        return TcpClientLink(
            endpoint.text,
            endpoint.host,
            endpoint.port,
            reconnect_interval_s=settings.tcp_reconnect_interval_s,
        )
    return SerialLink(
        endpoint.text,
        endpoint.device,
        endpoint.baud,
        reopen_interval_s=settings.serial_reopen_interval_s,
    )
