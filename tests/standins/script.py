"""Programmable responses: a thread-safe queue of scripted failures and delays.

Each entry says what the next matching request gets instead of (or before) the normal
answer. `status=None` with a `delay_s` means "answer normally, but only after the delay",
which lets a test make a client time out while the provider still accepts the message.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Scripted:
    """One scripted response.

    status: HTTP status to answer with; None answers normally (after `delay_s`).
    body: JSON body for that status; None lets the stand-in build its generic error body.
    delay_s: seconds to wait before answering (cut short when the stand-in shuts down).
    times: how many matching requests it applies to; None = until the script is cleared.
    target: only requests to this destination (Twilio "To", Telegram chat_id); None = any.
    method: only this API method (Telegram method name, case-insensitive); None = any.
    """

    status: int | None = None
    body: Mapping[str, Any] | None = None
    delay_s: float = 0.0
    times: int | None = 1
    target: str | None = None
    method: str | None = None

    def __post_init__(self) -> None:
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"status must be an HTTP status, got {self.status}")
        if self.times is not None and self.times < 1:
            raise ValueError(f"times must be >= 1 or None, got {self.times}")
        if self.delay_s < 0:
            raise ValueError(f"delay_s must be >= 0, got {self.delay_s}")
        if self.status is None and self.delay_s == 0:
            raise ValueError("a scripted entry needs a status, a delay, or both")

    def matches(self, method: str, target: str | None) -> bool:
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.target is None or self.target == target

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "body": dict(self.body) if self.body is not None else None,
            "delay_s": self.delay_s,
            "times": self.times,
            "target": self.target,
            "method": self.method,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Scripted:
        unknown = set(data) - {"status", "body", "delay_s", "times", "target", "method"}
        if unknown:
            raise ValueError(f"unknown scripted fields: {sorted(unknown)}")
        status, body, times = data.get("status"), data.get("body"), data.get("times", 1)
        target, method = data.get("target"), data.get("method")
        if status is not None and not isinstance(status, int):
            raise ValueError("status must be an integer or null")
        if body is not None and not isinstance(body, dict):
            raise ValueError("body must be an object or null")
        if times is not None and not isinstance(times, int):
            raise ValueError("times must be an integer or null")
        return cls(
            status=status,
            body=body,
            delay_s=float(data.get("delay_s", 0.0)),
            times=times,
            target=None if target is None else str(target),
            method=None if method is None else str(method),
        )


@dataclass
class _Pending:
    entry: Scripted
    remaining: int | None = field(default=None)


class Script:
    """Scripted entries in the order they were added; the first match is consumed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Pending] = []

    def add(self, *entries: Scripted) -> None:
        with self._lock:
            self._pending.extend(_Pending(entry, entry.times) for entry in entries)

    def take(self, method: str, target: str | None) -> Scripted | None:
        """Consume one use of the first entry matching this request, if any."""
        with self._lock:
            for index, pending in enumerate(self._pending):
                if not pending.entry.matches(method, target):
                    continue
                if pending.remaining is not None:
                    pending.remaining -= 1
                    if pending.remaining == 0:
                        del self._pending[index]
                return pending.entry
        return None

    def pending(self) -> list[Scripted]:
        """What is still scripted, with `times` = the uses left."""
        with self._lock:
            return [
                Scripted(
                    status=p.entry.status,
                    body=p.entry.body,
                    delay_s=p.entry.delay_s,
                    times=p.remaining,
                    target=p.entry.target,
                    method=p.entry.method,
                )
                for p in self._pending
            ]

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
