"""Byte links for MAVLink: UDP listen/connect, TCP client, serial; all behind one interface."""

from groundstation.mavlink.links._base import Link, ReceiveCallback, StateCallback
from groundstation.mavlink.links._endpoint import Endpoint, create_link, parse_endpoint
from groundstation.mavlink.links._serial import SerialLink
from groundstation.mavlink.links._tcp import TcpClientLink
from groundstation.mavlink.links._udp import UdpClientLink, UdpServerLink

__all__ = [
    "Endpoint",
    "Link",
    "ReceiveCallback",
    "SerialLink",
    "StateCallback",
    "TcpClientLink",
    "UdpClientLink",
    "UdpServerLink",
    "create_link",
    "parse_endpoint",
]
