"""The dispatcher: claims due outbox rows, renders them in the recipient's current language,
sends them at each channel's rate, and records what happened.

Priority lanes (alerts, then replies, then reminders) are the claim order. Sends to one
address keep their order; different addresses go concurrently, up to `concurrency` provider
calls at once. Outcomes are recorded in batches (a group commit: those that finish while one
transaction is being written go in the next), and a send counts as done only once its
outcome is committed, so a crash can resend at most the messages in flight. A send's slot is
freed when the provider answers, not when its outcome is committed; the next batch is
claimed as soon as every row of the one before has had its turn at a slot, so the slots do
not wait for a claim or for the slowest send of a batch.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from bot.channels.base import (
    ChannelAdapter,
    MergingChannelAdapter,
    SendError,
    SendFailure,
    SendResult,
    TemplateChannelAdapter,
    TemplateMessage,
)
from bot.clock import Clock
from bot.ratelimit import AddressSpacing, TokenBucket
from bot.reply_json import reply_from_json
from content.catalog import Catalog
from content.locales import DEFAULT_LOCALE
from dialogs.render import render
from dialogs.types import Lane
from storage.db import Database
from storage.models import ChannelAddress, OutboxMessage, Person
from storage.repos import outbox as repo
from storage.repos.people import address_row, recipient_rows

log = logging.getLogger(__name__)


@dataclass
class DispatchStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    suppressed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.suppressed

    def add(self, other: DispatchStats) -> None:
        for name in ("sent", "retried", "failed", "suppressed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


Recipient = tuple[ChannelAddress | None, Person | None]
Key = tuple[str, str]  # (channel, address)


@dataclass
class _Batch:
    """One claim's rows on their way. `begun` is set once every row has had its turn at a
    send slot (or was settled without one): the moment to claim the next batch."""

    rows: list[OutboxMessage]
    recipients: dict[Key, Recipient]
    sem: asyncio.Semaphore
    alerts_only: bool
    stats: DispatchStats = field(default_factory=DispatchStats)
    begun: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: int = 0

    def __post_init__(self) -> None:
        self.waiting = len(self.rows)
        if not self.rows:
            self.begun.set()

    def started(self, rows: int = 1) -> None:
        self.waiting -= rows
        if self.waiting <= 0:
            self.begun.set()


class Dispatcher:
    def __init__(
        self,
        db: Database,
        channels: Mapping[str, ChannelAdapter],
        catalog: Callable[[], Catalog],
        clock: Clock,
        *,
        batch: int = 50,
        lease_seconds: int = 60,
        max_attempts: int = 8,
        concurrency: int = 16,
        worker_id: str | None = None,
        send_timeout: float = 15.0,
        linger: float = 0.0,
    ) -> None:
        """`linger`: seconds the main loop waits before claiming ahead of a batch still in
        flight when its last claim found fewer rows than `batch` (replies arrive one by one:
        without it, each claim takes a row or two, and the claim costs more than the send).
        Never before the first claim after a quiet spell, never on the alert loop."""
        self.db = db
        self.linger = linger
        self.channels = dict(channels)
        self._kinds: dict[str, tuple[ChannelAdapter, bool, bool]] = {}
        self.catalog = catalog
        self.clock = clock
        self.batch = batch
        self.lease = timedelta(seconds=lease_seconds)
        self.send_timeout = send_timeout
        self._held: set[int] = set()  # claimed by this dispatcher and not yet finished
        self.max_attempts = max_attempts
        self.worker = worker_id or f"dispatch-{uuid.uuid4().hex[:10]}"
        self.buckets = {
            name: TokenBucket(ch.limits.per_second, clock) for name, ch in channels.items()
        }
        self.spacing = {
            name: AddressSpacing(ch.limits.per_address_per_second) for name, ch in channels.items()
        }
        self._outcomes: list[tuple[int, dict[str, object], asyncio.Future[None]]] = []
        self._recording: asyncio.Task[None] | None = None
        self._sem = asyncio.Semaphore(concurrency)
        self._alert_sem = asyncio.Semaphore(concurrency)
        # The last group of rows to each address still on its way, per loop (main, alerts):
        # a group of the next batch waits for it, so sends to one address keep their order.
        self._tails: dict[bool, dict[Key, asyncio.Future[str | None]]] = {False: {}, True: {}}
        self._wake = asyncio.Event()
        self._alert_wake = asyncio.Event()
        # Offers a row that its channel cannot carry (SendFailure.REROUTE) to the person's next
        # channel; returns that channel's name, or None when the row is held.
        self.on_reroute: Callable[[OutboxMessage], Awaitable[str | None]] | None = None

    def wake(self) -> None:
        self._wake.set()
        self._alert_wake.set()

    async def run_once(self, *, alerts_only: bool = False) -> DispatchStats:
        """Claim one batch and send it. Returns what happened.

        `alerts_only`: the staff-alert lane alone, so an alert never waits behind a batch of
        reminders in flight (`run` keeps one such loop beside the main one).
        """
        batch = await self._claim(alerts_only)
        await self._send_batch(batch)
        return batch.stats

    async def run_until_idle(self, max_rounds: int = 10_000) -> DispatchStats:
        return await self._pipeline(alerts_only=False, max_batches=max_rounds)

    async def _claim(self, alerts_only: bool, lanes: Sequence[int] | None = None) -> _Batch:
        now = self.clock.now()
        async with self.db.transaction(point=True) as session:
            if not alerts_only:
                await repo.requeue_expired_leases(session, now)
            rows = await repo.claim(
                session,
                worker=self.worker,
                now=now,
                limit=self.batch,
                lease=self.lease,
                channels=list(self.channels),
                lanes=[Lane.ALERT] if alerts_only else lanes,
            )
            recipients = await recipient_rows(session, {(r.channel, r.address) for r in rows})
        self._held.update(r.id for r in rows)
        sem = self._alert_sem if alerts_only else self._sem
        return _Batch(rows, recipients, sem, alerts_only)

    async def _send_batch(self, batch: _Batch) -> DispatchStats:
        groups: dict[Key, list[OutboxMessage]] = defaultdict(list)
        for row in batch.rows:
            groups[(row.channel, row.address)].append(row)
        try:
            await asyncio.gather(*(self._send_group(k, g, batch) for k, g in groups.items()))
        finally:  # whatever happened, stop renewing: an unfinished row's lease runs out
            self._held.difference_update(r.id for r in batch.rows)
        return batch.stats

    async def _pipeline(
        self,
        *,
        alerts_only: bool,
        max_batches: int,
        stop: asyncio.Event | None = None,
        ahead_lanes: Sequence[int] | None = None,
    ) -> DispatchStats:
        """Claim and send batches until a claim finds nothing with nothing in flight (or
        `stop`, or `max_batches`). The next batch is claimed once every row of the one in
        flight has had its turn at a slot; such a claim ahead takes only `ahead_lanes` when
        given (the main loop leaves alerts to the alert loop, which never waits)."""
        total = DispatchStats()
        running: set[asyncio.Task[DispatchStats]] = set()
        lingering = False
        try:
            for _ in range(max_batches):
                if stop is not None and stop.is_set():
                    break
                if running and lingering:
                    await asyncio.sleep(self.linger)  # let replies gather (see __init__)
                batch = await self._claim(alerts_only, ahead_lanes if running else None)
                lingering = self.linger > 0 and not alerts_only and len(batch.rows) < self.batch
                if not batch.rows:
                    if not running:
                        break
                    # Look again once those in flight are done: what they requeue may be due.
                    await _drain(running, total)
                    continue
                task = asyncio.create_task(self._send_batch(batch))
                running.add(task)
                begun = asyncio.ensure_future(batch.begun.wait())
                try:
                    await asyncio.wait([task, begun], return_when=asyncio.FIRST_COMPLETED)
                finally:
                    begun.cancel()
                _collect(running, total)
            await _drain(running, total)
        finally:
            if running:  # an error: let the rest finish (their outcomes are recorded)
                await asyncio.gather(*running, return_exceptions=True)
        return total

    async def run(self, stop: asyncio.Event, idle_poll: float = 1.0) -> None:
        renewing = asyncio.create_task(self._renew_loop(stop))
        try:
            await asyncio.gather(
                self._loop(stop, self._wake, idle_poll, alerts_only=False),
                self._loop(stop, self._alert_wake, idle_poll, alerts_only=True),
            )
        finally:
            renewing.cancel()

    async def renew_leases(self) -> int:
        """Push the lease of every row still held forward by a whole lease."""
        held = list(self._held)
        if not held:
            return 0
        async with self.db.transaction(point=True) as session:
            return await repo.renew_leases(
                session, held, self.worker, self.clock.now() + self.lease
            )

    async def _renew_loop(self, stop: asyncio.Event) -> None:
        """While sends are in flight, renew their leases three times per lease (real time:
        the lease protects against other processes, which see wall-clock time)."""
        interval = max(0.2, self.lease.total_seconds() / 3)
        while not stop.is_set():
            await _wait_any(stop, asyncio.Event(), interval)
            try:
                await self.renew_leases()
            except Exception:
                log.exception("dispatcher: renewing leases failed; retrying")

    async def _loop(
        self, stop: asyncio.Event, wake: asyncio.Event, idle_poll: float, *, alerts_only: bool
    ) -> None:
        ahead = None if alerts_only else [Lane.REPLY, Lane.REMINDER]
        while not stop.is_set():
            try:
                stats = await self._pipeline(
                    alerts_only=alerts_only, max_batches=1_000, stop=stop, ahead_lanes=ahead
                )
            except Exception:
                log.exception("dispatcher: batch failed; retrying")
                stats = DispatchStats()
                await _wait_any(stop, wake, 5.0)
            if stats.handled == 0:
                wake.clear()
                await _wait_any(stop, wake, idle_poll)

    async def _send_group(self, key: Key, rows: list[OutboxMessage], batch: _Batch) -> None:
        """The rows to one address, in order, after those of an earlier batch still on
        their way; an address found opted out or unreachable gets no more of them."""
        tails = self._tails[batch.alerts_only]
        before = tails.get(key)
        mine: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        tails[key] = mine
        blocked: str | None = None
        try:
            recipient = batch.recipients[key]
            if before is not None and await asyncio.shield(before) is not None:
                # The earlier group stopped the address after this batch read it: read again,
                # as a batch claimed after it would have.
                async with self.db.transaction() as session:
                    recipient = (await recipient_rows(session, {key}))[key]
            for chunk in self._batches(rows):
                if blocked is not None:
                    batch.started(len(chunk))
                    for row in chunk:
                        await self._finish(
                            row, batch.stats, "suppressed", status=repo.SUPPRESSED,
                            error_code=blocked,
                        )  # fmt: skip
                    continue
                if len(chunk) == 1:
                    blocked = await self._send_one(chunk[0], recipient, batch)
                else:
                    blocked = await self._send_merged(chunk, recipient, batch)
        finally:
            if not mine.done():
                mine.set_result(blocked)
            if tails.get(key) is mine:
                del tails[key]

    def _kind(self, channel: ChannelAdapter) -> tuple[bool, bool]:
        """Whether `channel` sends templates, and whether it merges: asked once per channel
        object (an isinstance of a runtime-checkable protocol walks all its members)."""
        key = str(channel.name)
        known = self._kinds.get(key)
        if known is None or known[0] is not channel:
            template = isinstance(channel, TemplateChannelAdapter)
            known = (channel, template, template and isinstance(channel, MergingChannelAdapter))
            self._kinds[key] = known
        return known[1], known[2]

    def _batches(self, rows: list[OutboxMessage]) -> list[list[OutboxMessage]]:
        """Rows to one address in sending order; on a merging channel (WeCom), the mergeable
        ones (hotline alerts) claimed together go as one message of up to `max_merge`."""
        if not rows:
            return []
        found = self.channels[rows[0].channel]
        if len(rows) < 2 or not self._kind(found)[1]:
            return [[row] for row in rows]
        channel = cast(MergingChannelAdapter, found)
        merged: list[OutboxMessage] = []
        single: list[list[OutboxMessage]] = []
        for row in rows:
            reply = reply_from_json(row.message)
            if channel.mergeable(reply.key, reply.params):
                merged.append(row)
            else:
                single.append([row])
        size = max(1, channel.max_merge)
        chunks = [merged[i : i + size] for i in range(0, len(merged), size)]
        return chunks + single  # alerts first: they are the first lane anyway

    async def _send_one(
        self, row: OutboxMessage, recipient: Recipient, batch: _Batch
    ) -> str | None:
        """Send one row; returns "opted_out"/"unreachable" when the address must get no more."""
        stats = batch.stats
        address, person = recipient
        if _opted_out(row, address, person):
            batch.started()
            await self._finish(
                row, stats, "suppressed", status=repo.SUPPRESSED, error_code="opted_out"
            )
            return None
        if address is not None and address.unreachable_at is not None:
            batch.started()
            await self._finish(
                row, stats, "suppressed", status=repo.SUPPRESSED, error_code="unreachable"
            )
            return None
        channel = self.channels[row.channel]
        locale = (person.locale if person else None) or (address.locale if address else None)
        reply = reply_from_json(row.message)
        rendered = render(reply, self.catalog(), locale or DEFAULT_LOCALE, channel.style)

        def sending() -> Awaitable[SendResult]:
            if self._kind(channel)[0]:
                templated = cast(TemplateChannelAdapter, channel)
                params = self.catalog().param_texts(reply.params, locale or DEFAULT_LOCALE)
                return templated.send_template(
                    row.address,
                    TemplateMessage(
                        reply.key, params, rendered.text, locale or DEFAULT_LOCALE, str(row.id)
                    ),
                )
            return channel.send(row.address, rendered)

        async with _Slot(batch):
            await self._pace(row.channel, row.address)
            outcome = await self._attempt(sending, row.channel)
        if isinstance(outcome, SendError):
            await self._failed(row, outcome, rendered.text, stats)
            return _address_stop(outcome)
        await self._sent(row, outcome, rendered.text, stats)
        return None

    async def _attempt(
        self, sending: Callable[[], Awaitable[SendResult]], channel: str, merged: bool = False
    ) -> SendResult | SendError:
        """One call to the provider under the send timeout; a failure comes back as the
        SendError to record (a timeout or an adapter bug as a retryable one)."""
        try:
            return await asyncio.wait_for(sending(), timeout=self.send_timeout)
        except TimeoutError:
            # The provider may have taken it: retried later, recorded as possibly sent.
            return SendError.uncertain(f"timeout after {self.send_timeout:g}s", "timeout")
        except SendError as err:
            return err
        except Exception as exc:  # an adapter bug must not kill the dispatcher
            log.exception("dispatcher: %s adapter raised%s", channel, " (merged)" if merged else "")
            return SendError(
                f"adapter error: {type(exc).__name__}", SendFailure.RETRY, code="adapter"
            )

    async def _sent(
        self, row: OutboxMessage, result: SendResult, text: str, stats: DispatchStats
    ) -> None:
        """Record a row as sent: the provider's id, the template version, the text as sent."""
        await self._finish(
            row,
            stats,
            "sent",
            status=repo.SENT,
            provider_id=result.provider_id,
            template_version_id=result.template_version_id,
            text=text,
            sent_at=self.clock.now(),
            last_error=None,
            error_code=None,
        )

    async def _pace(self, channel: str, address: str) -> None:
        """Wait for the address's next slot and the channel's bucket."""
        spacing = self.spacing[channel]
        wait = spacing.reserve(address, self.clock.now())
        if wait > 0:
            await self.clock.sleep(wait)
        await self.buckets[channel].acquire()
        spacing.mark(address, self.clock.now())

    async def _send_merged(
        self, rows: Sequence[OutboxMessage], recipient: Recipient, batch: _Batch
    ) -> str | None:
        """Several rows to one address as one message (`MergingChannelAdapter.send_merged`);
        each row keeps its own outcome, with the one message's provider id."""
        stats = batch.stats
        address, person = recipient
        live: list[OutboxMessage] = []
        for row in rows:
            if address is not None and address.unreachable_at is not None:
                batch.started()
                await self._finish(
                    row, stats, "suppressed", status=repo.SUPPRESSED, error_code="unreachable"
                )
            elif (
                address is not None and address.opted_out_at is not None and not row.bypass_opt_out
            ):
                batch.started()
                await self._finish(
                    row, stats, "suppressed", status=repo.SUPPRESSED, error_code="opted_out"
                )
            else:
                live.append(row)
        if len(live) <= 1:
            return await self._send_one(live[0], recipient, batch) if live else None
        channel = self.channels[live[0].channel]
        assert isinstance(channel, MergingChannelAdapter)
        locale = (person.locale if person else None) or (address.locale if address else None)
        locale = locale or DEFAULT_LOCALE
        catalog = self.catalog()
        messages: list[TemplateMessage] = []
        for row in live:
            reply = reply_from_json(row.message)
            text = render(reply, catalog, locale, channel.style).text
            params = catalog.param_texts(reply.params, locale)
            messages.append(TemplateMessage(reply.key, params, text, locale, str(row.id)))
        async with _Slot(batch, len(live)):
            await self._pace(live[0].channel, live[0].address)
            outcome = await self._attempt(
                lambda: channel.send_merged(live[0].address, messages),
                live[0].channel,
                merged=True,
            )
        if isinstance(outcome, SendError):
            for row, message in zip(live, messages, strict=True):
                await self._failed(row, outcome, message.text, stats)
            return _address_stop(outcome)
        log.info("outbox %s: %d messages to one address sent as one", live[0].channel, len(live))
        for row, message in zip(live, messages, strict=True):
            await self._sent(row, outcome, message.text, stats)
        return None

    async def _failed(
        self, row: OutboxMessage, err: SendError, text: str, stats: DispatchStats
    ) -> None:
        """Record a failed attempt by its kind (docs/errors.md); a failure that may have
        reached the provider marks the row `may_have_sent` (kept once set)."""
        now = self.clock.now()
        seen: dict[str, object] = {"may_have_sent": True} if err.may_have_sent else {}
        if err.kind is SendFailure.DEFER:
            assert err.defer_until is not None
            log.info("outbox %s: deferred to %s (%s)", row.id, err.defer_until, err.code)
            await self._requeue(
                row, stats, err, err.defer_until, attempts=max(0, row.attempts - 1), **seen
            )
            return
        if err.kind is SendFailure.REROUTE:
            where = await self.on_reroute(row) if self.on_reroute is not None else None
            why = f"{err}; " + (f"sent via {where}" if where else "held")
            await self._give_up(row, stats, err, text, why, **seen)
            return
        if err.retry_after:
            self.buckets[row.channel].pause(err.retry_after)
        if err.kind is SendFailure.RETRY and row.attempts < self.max_attempts:
            backoff = err.retry_after or min(3600.0, 5.0 * 2 ** max(0, row.attempts - 1))
            log.info("outbox %s: retry in %.0fs (%s)", row.id, backoff, err.code)
            await self._requeue(row, stats, err, now + timedelta(seconds=backoff), **seen)
            return
        log.warning("outbox %s: failed (%s, %s)", row.id, err.kind, err.code)
        await self._give_up(row, stats, err, text, str(err), **seen)
        if err.kind in (SendFailure.OPTED_OUT, SendFailure.UNREACHABLE):
            async with self.db.transaction() as session:
                addr = await address_row(session, row.channel, row.address, now)
                if err.kind is SendFailure.OPTED_OUT:
                    addr.opted_out_at = addr.opted_out_at or now
                else:
                    addr.unreachable_at = now
                    addr.unreachable_reason = f"{err.code}: {err}"[:200]

    async def _requeue(
        self,
        row: OutboxMessage,
        stats: DispatchStats,
        err: SendError,
        not_before: datetime,
        **values: object,
    ) -> None:
        """Back in the queue until `not_before`, with the error kept."""
        await self._finish(
            row,
            stats,
            "retried",
            status=repo.QUEUED,
            last_error=str(err),
            error_code=err.code,
            not_before=not_before,
            **values,
        )

    async def _give_up(
        self,
        row: OutboxMessage,
        stats: DispatchStats,
        err: SendError,
        text: str,
        last_error: str,
        **values: object,
    ) -> None:
        """Failed for good, with the text as it would have been sent."""
        await self._finish(
            row,
            stats,
            "failed",
            status=repo.FAILED,
            last_error=last_error,
            error_code=err.code,
            text=text,
            **values,
        )

    async def _finish(
        self, row: OutboxMessage, stats: DispatchStats, outcome: str, **values: object
    ) -> None:
        """Record a row's outcome; returns once it is committed (with others finished meanwhile)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outcomes.append((row.id, values, done))
        if self._recording is None or self._recording.done():
            self._recording = asyncio.create_task(self._record_outcomes())
        await asyncio.shield(done)
        self._held.discard(row.id)
        setattr(stats, outcome, getattr(stats, outcome) + 1)

    async def _record_outcomes(self) -> None:
        """Write waiting outcomes, a batch per transaction, until none wait."""
        while self._outcomes:
            batch, self._outcomes = self._outcomes, []
            try:
                async with self.db.transaction(point=True) as session:
                    await repo.finish_many(session, self.worker, [(i, v) for i, v, _ in batch])
            except Exception as exc:
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, _, done in batch:
                if not done.done():
                    done.set_result(None)


class _Slot:
    """One provider call's turn among the batch's `concurrency` (the rows it carries have
    had their turn once it is entered)."""

    def __init__(self, batch: _Batch, rows: int = 1) -> None:
        self.batch, self.rows = batch, rows

    async def __aenter__(self) -> None:
        await self.batch.sem.acquire()
        self.batch.started(self.rows)

    async def __aexit__(self, *_exc: object) -> None:
        self.batch.sem.release()


def _collect(running: set[asyncio.Task[DispatchStats]], total: DispatchStats) -> None:
    """Take the finished batches out of `running` and add their stats; a batch that failed
    raises its error."""
    for task in [t for t in running if t.done()]:
        running.discard(task)
        total.add(task.result())


async def _drain(running: set[asyncio.Task[DispatchStats]], total: DispatchStats) -> None:
    """Wait for every batch in flight, then `_collect` them."""
    if running:
        await asyncio.wait(running)
    _collect(running, total)


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()


def _address_stop(err: SendError) -> str | None:
    """The address's stop ("opted_out"/"unreachable") that holds back the rest of the batch."""
    if err.kind is SendFailure.OPTED_OUT:
        return "opted_out"
    return "unreachable" if err.kind is SendFailure.UNREACHABLE else None


def _opted_out(row: OutboxMessage, address: ChannelAddress | None, person: Person | None) -> bool:
    """STOP holds back what the person did not ask for: reminders and digests (lane 2) after
    STOP on this address or by the person on any channel; other unsolicited messages to an
    opted-out address. Never a safety reply, an answer to what they wrote (a conversation
    they start) or a staff alert."""
    if row.bypass_opt_out or row.lane == Lane.ALERT:
        return False
    if row.lane == Lane.REPLY and row.inbound_id is not None:
        return False  # the answer to their own message
    if address is not None and address.opted_out_at is not None:
        return True
    return row.lane == Lane.REMINDER and person is not None and person.opted_out_at is not None
