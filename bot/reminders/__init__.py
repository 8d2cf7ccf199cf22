"""Reminders capability: the planner job, reply handlers, the director hook, `careline reminders`.

Wiring (all in `install`): the planner runs every `CARELINE_REMINDER_INTERVAL_MINUTES`
(default 15) on APScheduler as one job; guardians' reply effects get their handlers; the
directors' context gets `vaccine_overdue_child_ids`. Suppression providers (the hotline's
`suppressed_guardian_ids`) are added with `reminder_runtime(app).suppression_providers`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date
from typing import TYPE_CHECKING

from bot.reminders import handlers
from bot.reminders.config import ReminderSettings
from bot.reminders.planner import plan
from bot.reminders.runtime import ATTR, ReminderRuntime, reminder_runtime
from dialogs import effects as fx

if TYPE_CHECKING:
    from bot.app import Application

__all__ = ["install", "plan", "plan_job", "reminder_runtime"]


async def plan_job(app: Application) -> int:
    """The scheduled job: one planner run as of the local today; returns messages queued."""
    result = await plan(app)
    return result.messages + result.director_tasks


def install(app: Application) -> None:
    setattr(app, ATTR, ReminderRuntime(ReminderSettings()))
    effects = app.service.effects
    effects.register(fx.ConfirmDose, handlers.confirm_dose)
    effects.register(fx.ConfirmInsurance, handlers.confirm_insurance)
    effects.register(fx.ConfirmReminder, handlers.confirm_reminder)
    effects.register(fx.RouteToDirector, handlers.route_to_director(app))
    app.service.context_hooks.append(handlers.vaccine_overdue_hook(app))
    app.scheduler.add_job(
        plan_job,
        "interval",
        minutes=reminder_runtime(app).settings.interval_minutes,
        args=[app],
        id="reminders_plan",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rem = sub.add_parser("reminders", help="reminder planner commands")
    rem_sub = rem.add_subparsers(dest="reminders_command", required=True)
    p = rem_sub.add_parser("plan", help="queue what falls due now (JSON lines)")
    p.add_argument(
        "--dry-run", action="store_true", help="print what would be queued, queue nothing"
    )
    p.add_argument("--as-of", dest="as_of", help="plan as of this local date (YYYY-MM-DD)")
    p.set_defaults(func=cmd_plan)


def cmd_plan(args: argparse.Namespace) -> int:
    from bot.app import NotMigrated, build_app
    from bot.config import ConfigError, load_settings

    try:
        settings = load_settings(simulator=True)
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
    except (ConfigError, ValueError) as exc:
        print(f"careline reminders plan: {exc}", file=sys.stderr)
        return 2

    async def run() -> int:
        app = build_app(settings)
        try:
            await app.check_database()
            result = await plan(app, as_of=as_of, dry_run=args.dry_run)
        except NotMigrated as exc:
            print(f"careline: {exc}", file=sys.stderr)
            return 2
        finally:
            await app.stop()
        for line in result.lines:
            print(json.dumps(line, ensure_ascii=False))
        summary = {
            "as_of": result.as_of.isoformat(),
            "dry_run": args.dry_run,
            "due": result.found,
            "guardian_messages": result.messages,
            "director_tasks": result.director_tasks,
            "nobody_to_tell": result.nobody,
            "held_for_tomorrow": result.held,
        }
        print(json.dumps(summary, ensure_ascii=False))
        return 0

    return asyncio.run(run())
