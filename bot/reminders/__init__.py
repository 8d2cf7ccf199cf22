"""Reminders capability: the planner job, reply handlers, the director hook, `careline reminders`.

Wiring (all in `install`): the planner runs every `CARELINE_REMINDER_INTERVAL_MINUTES`
(default 15) on APScheduler as one job; guardians' reply effects get their handlers; the
directors' context gets `vaccine_overdue_child_ids`. The settings are read by `build_app`;
suppression providers (the hotline's `suppressed_guardian_ids`) are connected there too, on
`app.reminders.suppression_providers`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.reminders.cli import add_commands

if TYPE_CHECKING:
    from bot.host import Host
    from bot.reminders.config import ReminderSettings
    from bot.reminders.planner import plan
    from bot.reminders.runtime import reminder_runtime


def __getattr__(name: str) -> Any:
    # `plan` and `reminder_runtime` on first use: the package is imported by every `careline`
    # command (for `add_commands`), which must start without the planner's imports.
    if name == "plan":
        from bot.reminders.planner import plan

        return plan
    if name == "reminder_runtime":
        from bot.reminders.runtime import reminder_runtime

        return reminder_runtime
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["add_commands", "install", "plan", "plan_job", "reminder_runtime"]


async def plan_job(app: Host) -> int:
    """The scheduled job: one planner run as of the local today; returns messages queued."""
    from bot.reminders.planner import plan

    result = await plan(app)
    return result.messages + result.director_tasks


# The first run waits a few seconds after start: on SQLite its transaction holds the one
# connection for a few hundred milliseconds, which the health check and the first webhooks
# would otherwise wait for.
FIRST_PLAN_AFTER = timedelta(seconds=5)


def install(app: Host, settings: ReminderSettings) -> None:
    from bot.core_data import load_workdays
    from bot.reminders import handlers
    from bot.reminders.runtime import ReminderRuntime, reminder_runtime
    from reminders import effects as fx

    app.reminders = ReminderRuntime(settings, load_workdays())
    effects = app.service.effects
    effects.register(fx.ConfirmDose, handlers.confirm_dose)
    effects.register(fx.ConfirmInsurance, handlers.confirm_insurance)
    effects.register(fx.ConfirmReminder, handlers.confirm_reminder)
    effects.register(fx.RouteToDirector, handlers.route_to_director(app))
    effects.register(fx.RouteRemindersToDirector, handlers.route_reminders_to_director(app))
    app.service.context_hooks.append(handlers.vaccine_overdue_hook(app))
    app.service.context_hooks.append(handlers.received_reminders_hook(app))
    app.scheduler.add_job(
        plan_job,
        "interval",
        minutes=reminder_runtime(app).settings.interval_minutes,
        args=[app],
        id="reminders_plan",
        # once at start too (a restart after downtime catches up), a moment after it
        next_run_time=app.clock.now() + FIRST_PLAN_AFTER,
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
