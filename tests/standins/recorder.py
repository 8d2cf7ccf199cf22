"""What every stand-in shares: thread-safe records, attempts, a script and waits."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from tests.standins.changes import ChangeSignal
from tests.standins.script import Script, Scripted


class JsonRecord(Protocol):
    def to_json(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=JsonRecord)


@dataclass(frozen=True)
class Attempt:
    """One provider API request as the stand-in answered it (accepted or not)."""

    method: str
    target: str | None
    status: int
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "target": self.target,
            "status": self.status,
            "at": self.at.isoformat(),
        }


def utc_now() -> datetime:
    return datetime.now(UTC)


class Recorder(Generic[R]):
    """Records accepted items (messages) and every attempt; safe to share across threads.

    Items are also appended as JSON lines to `record_file` when one is given.
    """

    def __init__(self, record_file: Path | None = None) -> None:
        self.script = Script()
        self.changes = ChangeSignal()
        self._lock = threading.Lock()
        self._records: list[R] = []
        self._attempts: list[Attempt] = []
        self._record_file = record_file
        self._closed = False

    # -- writing (server side) -------------------------------------------------------
    def _append(self, record: R) -> None:
        line = json.dumps(record.to_json(), ensure_ascii=False)
        with self._lock:
            self._records.append(record)
            if self._record_file is not None:
                with self._record_file.open("a", encoding="utf-8") as out:
                    out.write(line + "\n")
        self.changes.notify_all()

    def take_scripted(self, method: str, target: str | None) -> Scripted | None:
        """Consume the scripted entry for this request, if any (waiters are told)."""
        entry = self.script.take(method, target)
        if entry is not None:
            self.changes.notify_all()
        return entry

    def note_attempt(self, method: str, target: str | None, status: int) -> None:
        with self._lock:
            self._attempts.append(Attempt(method, target, status, utc_now()))
        self.changes.notify_all()

    # -- reading (test side) ---------------------------------------------------------
    def records(self) -> list[R]:
        with self._lock:
            return list(self._records)

    def count(self) -> int:
        with self._lock:
            return len(self._records)

    def attempts(self) -> list[Attempt]:
        with self._lock:
            return list(self._attempts)

    # `timeout` is the wait's own deadline, part of the stand-in API: hence noqa ASYNC109.
    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float,
    ) -> bool:
        """Await until `predicate()` holds after some change; False on timeout."""
        return await self.changes.wait_until(predicate, timeout)

    async def wait_for_count(self, n: int, timeout: float) -> list[R]:
        """Await until at least `n` items were recorded; TimeoutError says how many came."""
        if not await self.changes.wait_until(lambda: self.count() >= n, timeout):
            raise TimeoutError(f"expected {n} recorded, got {self.count()} after {timeout}s")
        return self.records()

    def wait_for_count_sync(self, n: int, timeout: float) -> list[R]:
        """Blocking twin of `wait_for_count` for code that is not async."""
        if not self.changes.wait_until_sync(lambda: self.count() >= n, timeout):
            raise TimeoutError(f"expected {n} recorded, got {self.count()} after {timeout}s")
        return self.records()

    def reset(self) -> None:
        """Forget records, attempts and the script (the record file is kept)."""
        with self._lock:
            self._records.clear()
            self._attempts.clear()
        self.script.clear()
        self.changes.notify_all()

    # -- lifecycle -------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Release every pending wait (long polls, scripted delays): the server is stopping."""
        self._closed = True
        self.changes.notify_all()

    async def pause(self, seconds: float) -> bool:
        """Server-side scripted delay; returns False when cut short by `close()`."""
        return not await self.changes.wait_until(lambda: self._closed, seconds)


def records_json(records: Sequence[JsonRecord]) -> list[dict[str, Any]]:
    return [record.to_json() for record in records]
