"""The mainland capability: hooks on the dispatcher and the SMS channel, jobs, routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.channels.mainland_sms import MainlandSmsChannel
from bot.channels.wecom import WeComChannel
from bot.mainland.channels import LateHook
from bot.mainland.hooks import mark_carrier_blocked, reroute, sms_after_unanswered_cards
from bot.mainland.registry import sync_statuses
from dialogs.types import Channel
from storage.models import OutboxMessage

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.host import Host


def install(app: Host) -> None:
    async def on_reroute(row: OutboxMessage) -> str | None:
        return await reroute(app.db, row, app.clock.now(), app.channels)

    app.dispatcher.on_reroute = on_reroute
    sms = app.channels.get(Channel.SMS)
    if isinstance(sms, MainlandSmsChannel) and isinstance(sms.on_blocked, LateHook):

        async def blocked(phone: str, code: str) -> None:
            await mark_carrier_blocked(app.db, phone, code, app.clock.now(), app.channels)

        sms.on_blocked.target = blocked
    if isinstance(sms, MainlandSmsChannel):
        providers = list(sms.providers)

        async def sync_job() -> None:
            await sync_statuses(app.db, providers, app.clock.now())  # type: ignore[arg-type]

        app.scheduler.add_job(
            sync_job,
            "cron",
            hour=6,
            minute=17,
            id="sms_template_sync",
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
    if Channel.WECOM in app.channels and Channel.SMS in app.channels:

        async def sla_job() -> None:
            if await sms_after_unanswered_cards(app.db, app.clock.now(), app.channels):
                app.dispatcher.wake()

        app.scheduler.add_job(
            sla_job,
            "interval",
            minutes=1,
            id="wecom_sla_sms",
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
    wecom = app.channels.get(Channel.WECOM)
    if isinstance(wecom, WeComChannel) and app.content is not None:
        wecom.catalog = app.content.current  # published edits of the card's labels too


def add_commands(subparsers: Any) -> None:
    from bot.mainland.cli import add_commands as add

    add(subparsers)


def routers(app: Host) -> list[APIRouter]:
    from bot.web.console import routes_sms_templates
    from bot.web.mainland_webhooks import sms_router, wecom_router

    return [sms_router(app), wecom_router(app), routes_sms_templates.router()]
