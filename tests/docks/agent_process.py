"""A dock agent in its own process, so a test can kill it and see the broker's last-will.

Usage: python -m tests.docks.agent_process HOST PORT PREFIX DOCK_ID  (prints "ready" when online)
"""

from __future__ import annotations

import asyncio
import sys

from docks import DockAgent, DockInfo, MqttSettings, ScaledClock, SimulatedDock


async def main(host: str, port: int, prefix: str, dock_id: str) -> None:
    clock = ScaledClock(20)
    info = DockInfo(dock_id=dock_id, lat_deg=26.42, lon_deg=111.61)
    settings = MqttSettings(hostname=host, port=port, topic_prefix=prefix, keepalive_s=2,
                            client_id=f"dock-{dock_id}")
    async with SimulatedDock(info, clock=clock) as sim, DockAgent(sim, settings):
        print("ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]))
