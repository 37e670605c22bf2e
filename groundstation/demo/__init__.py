"""``groundstation demo``: the whole station on embedded defaults around Yongzhou."""

from groundstation.demo._compose import DemoConfig, announce_users, demo_extension
from groundstation.demo._seed import DemoUser, seed_demo

__all__ = ["DemoConfig", "DemoUser", "announce_users", "demo_extension", "seed_demo"]
