"""Wiring of the privacy capability: consent effect handlers, the nightly retention sweep
(03:30 in the deployment's zone; idempotent) and `careline privacy sweep`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.privacy import consent, retention
from bot.privacy.cli import add_commands as add_commands
from dialogs import effects as fx

if TYPE_CHECKING:
    from bot.host import Host


def install(app: Host) -> None:
    app.service.effects.register(fx.RecordConsent, consent.director_records)
    app.service.effects.register(fx.ConsentReply, consent.guardian_replies)
    app.scheduler.add_job(
        retention.sweep,
        "cron",
        hour=3,
        minute=30,
        timezone=app.settings.timezone,
        args=[app],
        id="privacy.retention",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
