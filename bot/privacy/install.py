"""Wiring of the privacy capability: consent effect handlers, the nightly retention sweep
(03:30 in the deployment's zone; idempotent) and `careline privacy sweep`."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from bot.privacy import consent, retention
from dialogs import effects as fx

if TYPE_CHECKING:
    from bot.app import Application


def install(app: Application) -> None:
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


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("privacy", help="consent and retention (PIPL)")
    inner = parser.add_subparsers(dest="privacy_command", required=True)
    sweep = inner.add_parser("sweep", help="delete or anonymise what is past its retention period")
    sweep.set_defaults(func=_sweep)


def _sweep(args: argparse.Namespace) -> int:
    from bot.reminders.cli import _run

    async def work(app: Application) -> int:
        result = await retention.sweep(app)
        print(json.dumps({"counts": result.counts}, ensure_ascii=False))
        return 0

    return _run(work)
