"""What the hotline's handlers and jobs share: settings, the time zone, the live screen."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from bot.hotline.config import HotlineConfig
from bot.hotline.lexicon import ScreenCache
from dialogs.screening.decision import Decision

if TYPE_CHECKING:
    from bot.app import Application

KEY = "hotline"


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
    # Set to screen with something other than the live lexicon (tests inject a stub here).
    screen: ScreenLike | None = None


def attach(app: Application, hotline: Hotline) -> None:
    app.__dict__[KEY] = hotline


def hotline_of(app: Application) -> Hotline:
    found = app.__dict__.get(KEY)
    if not isinstance(found, Hotline):
        raise LookupError("the hotline capability is not installed on this application")
    return found
