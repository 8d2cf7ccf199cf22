"""When `careline serve` may offer the simulator (which lets anyone speak as anyone) and load
demo data: only on loopback, never beside a live provider channel unless forced, and never
into a database that holds real people."""

from __future__ import annotations

import ipaddress

from bot.config import Settings


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def simulator_problem(settings: Settings) -> str | None:
    """Why the simulator must not start with these settings (None: it may)."""
    if not settings.simulator:
        return None
    if not is_loopback(settings.host):
        return (
            f"the simulator lets anyone speak as anyone, so it listens on loopback only; "
            f"CARELINE_HOST is {settings.host!r}: use 127.0.0.1, or turn the simulator off "
            "(no --demo, CARELINE_SIMULATOR unset)"
        )
    live = [
        name
        for name, on in (("SMS", settings.twilio_enabled), ("Telegram", settings.telegram_enabled))
        if on
    ]
    if live and not settings.simulator_force:
        return (
            f"the simulator is on while {' and '.join(live)} is live (real people could be "
            "impersonated); turn it off, or set CARELINE_SIMULATOR_FORCE=1 for a test system"
        )
    return None
