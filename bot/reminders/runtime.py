"""What the reminders capability keeps on the application: settings and suppression providers.

A suppression provider answers "which of these guardians must get nothing about these
children?" (e.g. the hotline's guardians named as suspect in an open case). The integrator
connects one with `reminder_runtime(app).suppression_providers.append(provider)`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reminders.config import ReminderSettings

if TYPE_CHECKING:
    from bot.app import Application

SuppressionProvider = Callable[[AsyncSession, Collection[int]], Awaitable[Collection[int]]]
ATTR = "reminders"


@dataclass
class ReminderRuntime:
    settings: ReminderSettings
    suppression_providers: list[SuppressionProvider] = field(default_factory=list)

    async def suppressed_guardians(
        self, session: AsyncSession, child_ids: Collection[int]
    ) -> set[int]:
        found: set[int] = set()
        for provider in self.suppression_providers:
            found |= set(await provider(session, child_ids))
        return found


def reminder_runtime(app: Application) -> ReminderRuntime:
    runtime = getattr(app, ATTR, None)
    if not isinstance(runtime, ReminderRuntime):
        runtime = ReminderRuntime(ReminderSettings())
        setattr(app, ATTR, runtime)
    return runtime
