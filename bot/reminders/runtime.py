"""What the reminders capability keeps on the application: settings and suppression providers.

A suppression provider answers "which of these guardians must get nothing about these
children?" (e.g. the hotline's guardians named as suspect in an open case). `build_app`
connects one with `app.reminders.suppression_providers.append(provider)`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reminders.config import ReminderSettings
from reminders.workdays import Workdays

SuppressionProvider = Callable[[AsyncSession, Collection[int]], Awaitable[Collection[int]]]


@dataclass
class ReminderRuntime:
    settings: ReminderSettings
    workdays: Workdays  # shipped and imported holiday arrangements, refreshed by the planner
    suppression_providers: list[SuppressionProvider] = field(default_factory=list)

    async def suppressed_guardians(
        self, session: AsyncSession, child_ids: Collection[int]
    ) -> set[int]:
        found: set[int] = set()
        for provider in self.suppression_providers:
            found |= set(await provider(session, child_ids))
        return found


class HasReminders(Protocol):
    """The host (bot.host.Host) as this module sees it: only its reminders slot. Not bot.host
    itself, which names `ReminderRuntime` for that slot (no import circle)."""

    @property
    def reminders(self) -> ReminderRuntime | None: ...


def reminder_runtime(app: HasReminders) -> ReminderRuntime:
    """The host's reminders runtime (`app.reminders`, set by the reminders' install)."""
    runtime = app.reminders
    if runtime is None:
        raise LookupError("the reminders capability is not installed on this application")
    return runtime
