"""The host port: what a running Careline offers to the capabilities installed on it.

A capability (visits, hotline, reminders, mainland, privacy, childfile, the console ...)
depends on `Host`, never on `bot.app`: the database, the clock, the settings, the channels,
the catalog and the published-content store, effect / context-hook / pre-step-hook
registration (`host.service`), the dispatcher and the scheduler. What a capability keeps
for its handlers and jobs lives in a typed slot below (`hotline`, `reminders`,
`visit_danger_listeners`), set by its `install` -- not in `__dict__` or `setattr`.

`bot.app.Application` is a Host with the lifecycle (start, drain, stop); `build_app` is the
one place that reads settings and connects capabilities to each other. Only the wiring
(bot/app.py, bot/cli.py, bot/web/server.py) and tests import `bot.app`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.channels.polling import PollerHealth
from content.errors import SetupError
from dialogs.types import Channel

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.channels.base import ChannelAdapter
    from bot.channels.telegram import TelegramChannel
    from bot.clock import Clock
    from bot.config import Settings
    from bot.content_store import ContentStore
    from bot.effects import StepScope
    from bot.hotline.runtime import Hotline
    from bot.intake import Intake
    from bot.outbox import Dispatcher
    from bot.reminders.runtime import ReminderRuntime
    from bot.service import InboundService
    from content.catalog import Catalog
    from storage.db import Database


class NotMigrated(SetupError):
    """The database is not at this version's schema (`careline db upgrade`)."""


@dataclass(frozen=True, slots=True)
class VisitDanger:
    """Danger signs found on a saved (or corrected) visit: ids and flags, no names, no text.

    Announced by the visits capability; `build_app` connects the hotline's handler to it."""

    visit_id: int
    child_id: int
    child_code: str
    director_id: int
    visit_date: date
    flags: tuple[str, ...]  # most severe first
    severity: str  # of the most severe flag
    new: bool  # True for a new visit; False when an edit added these flags


DangerListener = Callable[["StepScope", VisitDanger], Awaitable[None]]
# What `careline` hands its commands (`args.open_host`): build the host from settings, check
# the database (NotMigrated), and stop it when the block ends. Commands never build the app.
OpenHost = Callable[["Settings"], AbstractAsyncContextManager["Host"]]


@dataclass
class Host:
    settings: Settings
    clock: Clock
    db: Database
    catalog: Catalog
    channels: dict[str, ChannelAdapter]
    service: InboundService  # .effects, .context_hooks, .pre_step_hooks, .step_hooks ...
    intake: Intake  # how webhooks hand messages to `service`: answer first when busy
    dispatcher: Dispatcher
    scheduler: AsyncIOScheduler
    content: ContentStore | None = None  # shipped texts + published overrides
    poller: PollerHealth = field(default_factory=PollerHealth)
    poll_task: asyncio.Task[None] | None = None
    poll_started_at: datetime | None = None
    # The capabilities' runtimes, each set by its install (None: not installed here).
    hotline: Hotline | None = None
    reminders: ReminderRuntime | None = None
    visit_danger_listeners: list[DangerListener] = field(default_factory=list)

    @property
    def telegram(self) -> TelegramChannel | None:
        ch = self.channels.get(Channel.TELEGRAM)
        if ch is None:
            return None
        from bot.channels.telegram import TelegramChannel

        return ch if isinstance(ch, TelegramChannel) else None

    def polling_stalled(self, after: timedelta = timedelta(minutes=2)) -> bool | None:
        """None when Telegram is not long-polling here; else whether the poller is stuck."""
        if self.poll_started_at is None:
            return None
        if self.poll_task is not None and self.poll_task.done():
            return True
        return self.poller.stalled(self.clock.now(), self.poll_started_at, after)

    @property
    def live_channels(self) -> list[str]:
        return sorted(self.channels)


def run_on_host(
    open_host: OpenHost, work: Callable[[Host], Awaitable[int]], command: str = "reminders"
) -> int:
    """A `careline` command's `work` on the host `careline` builds (`args.open_host`), on a
    checked database; bad settings, an unmigrated database or a bad input: one line, exit 2."""
    from bot.config import ConfigError, load_settings

    try:
        settings = load_settings(simulator=True)
    except ConfigError as exc:
        print(f"careline {command}: {exc}", file=sys.stderr)
        return 2

    async def run() -> int:
        try:
            async with open_host(settings) as app:
                return await work(app)
        except NotMigrated as exc:
            print(f"careline: {exc}", file=sys.stderr)
            return 2
        except (ValueError, KeyError, OSError) as exc:
            print(f"careline {command}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2

    return asyncio.run(run())
