"""What /healthz reports about Telegram long polling. Apart from bot/channels/telegram.py so
that the application can hold it without importing aiogram when Telegram is off."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class PollerHealth:
    """What /healthz reports about long polling."""

    running: bool = False
    offset: int | None = None
    last_ok_at: datetime | None = None
    last_error: str | None = None
    restarts: int = 0
    failed_updates: list[int] = field(default_factory=list)  # failures not in the table

    def stalled(self, now: datetime, started_at: datetime, after: timedelta) -> bool:
        """No completed long poll for `after` (or the task is gone)."""
        if not self.running:
            return True
        return now - (self.last_ok_at or started_at) > after
