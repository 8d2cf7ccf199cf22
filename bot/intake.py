"""Answer first when busy: how a provider's webhook hands its message to the inbound path.

While this process keeps up, a webhook stores and processes its message in one transaction
before it answers (`InboundService.handle`), as always: the reply is queued by the time the
provider hears back. When it does not keep up (`defer_at` webhooks already being
processed), or while this sender's earlier messages still wait, the message is stored
alone (one insert, committed: stored before it is acknowledged), the provider is answered at
once, and the row joins this process's backlog. Workers take the backlog up one sender at a
time, in arrival order for each sender; a text the safety screen would pass on to a person
goes before the others.

Nothing stored is lost: a row still waiting when the process stops (or dies) is processed
by the retry job (bot/inbound_retry.py), which leaves alone the rows held here.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.service import Handled
from dialogs.types import Inbound

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (channel, address): one sender, whose messages keep their order
Urgency = Callable[[Inbound], bool]


class InboundPath(Protocol):
    """What the intake needs of bot/service.py's InboundService."""

    async def handle(self, inbound: Inbound) -> Handled: ...
    async def store(self, inbound: Inbound) -> Handled: ...
    async def process(self, inbound_id: int, inbound: Inbound) -> bool: ...


@dataclass
class IntakeStats:
    inline: int = 0  # stored and processed before the answer
    deferred: int = 0  # answered once stored, processed by a worker
    processed: int = 0  # deferred rows a worker processed
    failed: int = 0  # deferred rows whose processing failed (the retry job has them)


class Intake:
    def __init__(
        self,
        service: InboundPath,
        *,
        defer_at: int = 4,
        workers: int = 1,
        urgent: Urgency | None = None,
        patience: float = 0.05,
    ) -> None:
        """`defer_at`: answer first once this many webhooks are being processed (0: never,
        always process before answering). `workers`: deferred rows processed at once.
        `patience`: seconds a worker waits, while webhooks are being stored, before it takes
        a row that does not look urgent (answering comes first in a burst)."""
        self.service = service
        self.defer_at = defer_at
        self.workers = max(1, workers)
        self.urgent = urgent
        self.patience = patience
        self.stats = IntakeStats()
        self._rows: dict[Key, list[tuple[int, Inbound, bool]]] = {}  # by id; urgent or not
        self._ready: deque[Key] = deque()  # senders with rows waiting, none being processed
        self._taken: set[Key] = set()  # senders a worker is processing
        self._held: set[int] = set()  # inbound ids waiting or being processed here
        self._inline: Counter[Key] = Counter()
        self._storing: Counter[Key] = Counter()  # deferred webhooks whose insert is under way
        self._inline_total = 0
        self._wake = asyncio.Event()
        self._quiet = asyncio.Event()  # set when no deferred webhook is being stored
        self._empty: asyncio.Event | None = None  # made on the loop that waits for it
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    @property
    def backlog(self) -> int:
        """Rows stored and answered but not yet processed by this process."""
        return len(self._held)

    def holds(self, inbound_id: int) -> bool:
        return inbound_id in self._held

    async def drained(self) -> None:
        """Return once no row is waiting or being processed here (tests, benchmarks)."""
        while self._held:
            if self._empty is None:
                self._empty = asyncio.Event()
            await self._empty.wait()

    def busy(self, key: Key | None = None) -> bool:
        """Answer first? Once `defer_at` webhooks are being processed, and for a sender whose
        earlier messages are still waiting here (they go first: each sender keeps its order).
        Rows waiting do not make a new sender's message wait: processed before the answer it
        costs one transaction, where answering first costs two, and a process that answered
        everything first while any row waited would stay behind once it fell behind."""
        if not self.defer_at:
            return False
        if self._stopping or self._inline_total >= self.defer_at:
            return True
        return key is not None and (key in self._rows or key in self._taken or key in self._storing)

    async def accept(self, inbound: Inbound) -> Handled:
        """Store the message, and process it now or (when busy) right after the answer.
        Safe to call again with the same provider id (a provider's retry changes nothing)."""
        key = (str(inbound.channel), inbound.address)
        if self.busy(key):
            return await self._defer(key, inbound)
        self._inline[key] += 1
        self._inline_total += 1
        try:
            handled = await self.service.handle(inbound)
        finally:
            self._inline_total -= 1
            self._inline[key] -= 1
            if not self._inline[key]:
                del self._inline[key]
            if self._held:
                self._wake.set()  # a waiting row of this sender may go now
        self.stats.inline += 1
        return handled

    async def _defer(self, key: Key, inbound: Inbound) -> Handled:
        self._storing[key] += 1
        try:
            handled = await self.service.store(inbound)
        finally:
            self._storing[key] -= 1
            if not self._storing[key]:
                del self._storing[key]
                if not self._storing:
                    self._quiet.set()
            if self._held:
                self._wake.set()  # this sender's held rows may go now
        if handled.inbound_id is None:
            return handled  # a retry of a stored message: it was or will be processed
        self.stats.deferred += 1
        if self._stopping:
            return handled  # stored; the retry job processes it
        self._hold(key, handled.inbound_id, inbound)
        return handled

    def _hold(self, key: Key, inbound_id: int, inbound: Inbound) -> None:
        urgent = self._is_urgent(inbound)
        rows = self._rows.get(key)
        if rows is None:
            rows = self._rows[key] = []
            if key not in self._taken:
                self._queue(key, urgent)
        elif key not in self._taken and urgent:
            with contextlib.suppress(ValueError):
                self._ready.remove(key)
            self._queue(key, urgent)
        bisect.insort(rows, (inbound_id, inbound, urgent), key=lambda r: r[0])
        self._held.add(inbound_id)
        self._start_workers()
        self._wake.set()

    def _queue(self, key: Key, urgent: bool) -> None:
        """A sender with rows waiting: first when one of them looks urgent, else last."""
        if urgent:
            self._ready.appendleft(key)
        else:
            self._ready.append(key)

    def _is_urgent(self, inbound: Inbound) -> bool:
        if self.urgent is None or not inbound.text:
            return False
        try:
            return self.urgent(inbound)
        except Exception:  # the order of the backlog must never fail a webhook
            log.exception("intake: the urgency check failed; the row keeps its place")
            return False

    def _start_workers(self) -> None:
        self._tasks = [t for t in self._tasks if not t.done()]
        if not self._tasks:  # (again) on this event loop
            self._wake = asyncio.Event()
            self._wake.set()
            self._quiet = asyncio.Event()
        while len(self._tasks) < self.workers and not self._stopping:
            self._tasks.append(asyncio.create_task(self._work(), name="careline-intake"))

    def _next(self) -> Key | None:
        """The first ready sender with no webhook of theirs still under way (processed inline,
        or being stored: its row may come before the held ones)."""
        for _ in range(len(self._ready)):
            key = self._ready.popleft()
            if key in self._inline or key in self._storing:
                self._ready.append(key)
                continue
            return key
        return None

    def _head_is_urgent(self) -> bool:
        return any(u for *_, u in self._rows.get(self._ready[0], ()))

    async def _answers_first(self) -> None:
        """In a burst (webhooks being stored), wait up to `patience` for a quiet moment
        before taking a row that does not look urgent: the provider's answer comes first,
        and the row is stored already."""
        if not self._ready or not self._storing or self.patience <= 0 or self._head_is_urgent():
            return  # (nothing ready: the worker waits for a row instead)
        self._quiet.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), self.patience)

    async def _work(self) -> None:
        while not self._stopping:
            await self._answers_first()
            if self._stopping:
                break
            key = self._next()
            if key is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            rows = self._rows[key]
            inbound_id, inbound, _ = rows.pop(0)
            self._taken.add(key)
            try:
                ok = await self.service.process(inbound_id, inbound)
            except Exception:  # the database is gone: the row stays for the retry job
                log.exception("intake: inbound %s could not be processed now", inbound_id)
                ok = False
            finally:
                self._taken.discard(key)
                self._held.discard(inbound_id)
                if not self._held and self._empty is not None:
                    self._empty.set()
                    self._empty = None
                if rows:  # the sender's next row: after the others, unless one looks urgent
                    self._queue(key, any(urgent for _, _, urgent in rows))
                else:
                    self._rows.pop(key, None)  # (gone already if `stop` cleared it)
            if ok:
                self.stats.processed += 1
            else:
                self.stats.failed += 1
            await asyncio.sleep(0)  # let the webhooks waiting to be answered run first

    async def stop(self, grace: float = 20.0) -> None:
        """Stop taking rows: the one being processed finishes, the rest stay stored for the
        retry job. Webhooks that arrive meanwhile are only stored."""
        self._stopping = True
        self._wake.set()
        tasks, self._tasks = self._tasks, []
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)  # their `finally` ran
        self._held.clear()
        self._rows.clear()
        self._ready.clear()
        if self._empty is not None:
            self._empty.set()
            self._empty = None
        self._stopping = False
