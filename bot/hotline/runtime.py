"""What the hotline's handlers and jobs share: settings, the time zone, the live screen."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from bot.hotline.config import HotlineConfig
from bot.hotline.live_screen import ProbeCache, ScreenCache
from dialogs.screening.decision import Decision


@runtime_checkable
class ScreenLike(Protocol):
    """Anything that screens a text: the lexicon screen, the learned screen, a test stub."""

    def screen(self, text: str) -> Decision: ...


@dataclass
class Hotline:
    config: HotlineConfig
    tz: ZoneInfo
    channels: Collection[str]
    screens: ScreenCache = field(default_factory=ScreenCache)
    probes: ProbeCache = field(default_factory=ProbeCache)
    # Set to screen with something other than the live lexicon (tests inject a stub here).
    screen: ScreenLike | None = None


class HasHotline(Protocol):
    """The host (bot.host.Host) as this module sees it: only its hotline slot. Not bot.host
    itself, which names `Hotline` for that slot (no import circle)."""

    @property
    def hotline(self) -> Hotline | None: ...


def hotline_of(app: HasHotline) -> Hotline:
    """The host's hotline runtime (`app.hotline`, set by the hotline's install)."""
    found = app.hotline
    if found is None:
        raise LookupError("the hotline capability is not installed on this application")
    return found
