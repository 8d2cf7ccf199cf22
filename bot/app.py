"""The one wiring point: build every component from settings, start and stop them.

Nothing is created at import time; tests build an Application with their own clock,
database URL and stand-in provider URLs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.capabilities import install_all
from bot.channels.base import ChannelAdapter, RateLimits
from bot.channels.console import ConsoleChannel
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.content_store import ContentStore
from bot.core_data import load_core_data
from bot.effects import core_effects
from bot.host import Host, NotMigrated
from bot.hotline.config import HotlineConfig
from bot.hotline.visit_dangers import open_case_from_visit
from bot.intake import Intake
from bot.outbox import Dispatcher
from bot.reminders.config import ReminderSettings, load_reminder_settings
from bot.service import InboundService
from content.catalog import Catalog
from content.keywords import Keywords
from dialogs.registry import build_engine
from dialogs.types import Channel
from storage.db import Database
from storage.repos.cases import suppressed_guardian_ids

log = logging.getLogger(__name__)


@dataclass
class Application(Host):
    """The host plus its lifecycle: check the database, start the background work, drain."""

    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def check_database(self) -> None:
        """Refuse to run on an unmigrated database; migrate the embedded default by itself."""
        await migrated(self.db, self.settings)

    async def start_background(self, *, dispatch: bool = True, poll_telegram: bool = True) -> None:
        if dispatch:
            self.tasks.append(asyncio.create_task(self.dispatcher.run(self.stop_event)))
        tg = self.telegram
        if tg is not None:
            if self.settings.telegram_webhook_secret:
                await tg.set_webhook(
                    f"{self.settings.public_url}/webhooks/telegram",
                    self.settings.telegram_webhook_secret,
                )
            elif poll_telegram:
                from bot.web.webhooks import telegram_failure_recorder, telegram_update_handler

                handler = telegram_update_handler(self)
                self.poll_started_at = self.clock.now()
                self.poller.running = True
                self.poll_task = asyncio.create_task(
                    tg.poll(
                        handler,
                        self.stop_event,
                        health=self.poller,
                        now=self.clock.now,
                        on_failed=telegram_failure_recorder(self),
                    )
                )
        self.scheduler.add_job(
            self.service.expire_conversations,
            "interval",
            minutes=5,
            id="expire_conversations",
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
        if not self.scheduler.running:
            self.scheduler.start()

    async def stop(self) -> None:
        """Drain: stop taking work, let in-flight sends finish, close clients."""
        self.stop_event.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.poll_task is not None:
            # A long poll holds no message: every update it returned was stored already.
            self.poll_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.poll_task
        await self.intake.stop()  # rows still waiting stay stored for the retry job
        for task in self.tasks:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=20)
        for channel in self.channels.values():
            await channel.close()
        await self.db.dispose()
        log.info("stopped: dispatcher drained, clients closed")


async def migrated(
    db: Database, settings: Settings, upgrade: Callable[[], Awaitable[None]] | None = None
) -> None:
    """NotMigrated unless `db` is at the head revision; the embedded default is migrated
    (by `upgrade`, `db.upgrade` unless given)."""
    if await db.is_migrated():
        return
    if settings.is_default_database:
        log.info("creating/migrating the default SQLite database")
        await (upgrade or db.upgrade)()
        return
    raise NotMigrated(
        "the database is not migrated to this version of Careline; "
        "run `careline db upgrade` (with the same CARELINE_DATABASE_URL) and start again"
    )


async def check_database(settings: Settings) -> None:
    """`migrated` on a database of its own (before the app is built, `careline serve`). The
    embedded default is migrated by a child process: alembic's modules, once imported, would
    stay in the serving process for its whole life (~15 MiB)."""
    db = Database(settings.database_url)
    try:
        await migrated(db, settings, partial(_upgrade_in_child, settings.database_url))
    finally:
        await db.dispose()


async def _upgrade_in_child(url: str) -> None:
    code = "import sys; from storage.db import upgrade_sync; upgrade_sync(sys.argv[1])"
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", code, url)
    if await child.wait() != 0:
        raise NotMigrated(
            f"migrating the default SQLite database failed (exit {child.returncode}, above); "
            "run `careline db upgrade` to see why"
        )


def build_channels(
    settings: Settings,
    *,
    console: bool,
    db: Database | None = None,
    clock: Clock | None = None,
) -> dict[str, ChannelAdapter]:
    channels: dict[str, ChannelAdapter] = {}
    if console:
        channels[Channel.CONSOLE] = ConsoleChannel(RateLimits(settings.console_rate))
    if settings.twilio_enabled:
        assert settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from
        from bot.channels.twilio_send import TwilioChannel

        channels[Channel.SMS] = TwilioChannel(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            sender=settings.twilio_from,
            api_base=settings.twilio_api_base,
            status_callback=f"{settings.public_url}/webhooks/twilio/status"
            if settings.public_url
            else None,
            limits=RateLimits(settings.sms_rate),
            timeout=settings.send_timeout_seconds,
        )
    if settings.telegram_enabled:
        assert settings.telegram_token
        from bot.channels.telegram import TelegramChannel

        channels[Channel.TELEGRAM] = TelegramChannel(
            token=settings.telegram_token,
            api_base=settings.telegram_api_base,
            limits=RateLimits(settings.telegram_rate, settings.telegram_chat_rate),
            timeout=settings.send_timeout_seconds,
        )
    if db is not None:  # Alibaba/Tencent SMS and WeCom: bot/mainland
        from bot.mainland.channels import add_mainland_channels

        add_mainland_channels(channels, settings, db, clock or SystemClock())
    return channels


def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    console: bool = True,
    hotline_config: HotlineConfig | None = None,
    reminder_settings: ReminderSettings | None = None,
) -> Application:
    """Build the application: the ONE place that reads settings (the capabilities' too:
    `settings` holds the mainland channels' and the console's; the hotline's file and the
    reminders' environment are read here) and connects the capabilities to each other."""
    clock = clock or SystemClock()
    hotline_config = hotline_config or HotlineConfig.load()
    reminder_settings = reminder_settings or load_reminder_settings()
    db = Database(settings.database_url)
    catalog = Catalog.load()
    keywords = Keywords.load()
    channels = build_channels(settings, console=console, db=db, clock=clock)
    content = ContentStore(db, catalog, clock)
    dispatcher = Dispatcher(
        db,
        channels,
        content.current,
        clock,
        batch=settings.dispatch_batch,
        lease_seconds=settings.dispatch_lease_seconds,
        max_attempts=settings.max_attempts,
        send_timeout=settings.send_timeout_seconds,
        linger=settings.dispatch_linger_ms / 1000,
    )
    service = InboundService(
        db,
        build_engine(load_core_data(keywords)),
        core_effects(),
        clock,
        timezone=settings.timezone,
        conversation_timeout=timedelta(hours=settings.conversation_timeout_hours),
        on_commit=dispatcher.wake,
    )
    # A job scheduled "now" at start runs even when the scheduler starts a few seconds later
    # (APScheduler's default grace is 1 s: on a loaded machine the start-up rota check and
    # the first reminder plan were skipped until the next hour).
    scheduler = AsyncIOScheduler(
        timezone=settings.timezone, job_defaults={"misfire_grace_time": 300}
    )
    app = Application(
        settings=settings,
        clock=clock,
        db=db,
        catalog=catalog,
        channels=channels,
        service=service,
        intake=Intake(
            service,
            defer_at=settings.inbound_defer_at,
            workers=settings.inbound_workers or (1 if db.dialect == "sqlite" else 2),
        ),
        dispatcher=dispatcher,
        scheduler=scheduler,
        content=content,
    )
    install_all(app, hotline_config=hotline_config, reminder_settings=reminder_settings)
    _connect(app)
    return app


def _connect(app: Application) -> None:
    """What one capability offers another, connected here rather than by either of them."""
    assert app.hotline is not None and app.reminders is not None
    # A visit with danger signs opens (or joins) a hotline case, in the visit's transaction.
    app.visit_danger_listeners.append(partial(open_case_from_visit, app.hotline))
    # A guardian named as the suspect of an open hotline case gets no reminder.
    app.reminders.suppression_providers.append(suppressed_guardian_ids)


@contextlib.asynccontextmanager
async def open_host(settings: Settings) -> AsyncIterator[Application]:
    """A built application on a checked database, stopped at the end (`bot.host.OpenHost`)."""
    app = build_app(settings)
    try:
        await app.check_database()
        yield app
    finally:
        await app.stop()
