"""Every stored inbound message is processed: a scheduled job takes up rows whose processing
failed (the provider's own retry is a duplicate and changes nothing) and tries again with
backoff. When a retry fails, the safety screen runs on its own first, so a danger report
reaches the hotline even when the dialog keeps failing. After the last attempt the row is
marked failed and administrators are alerted; nothing stored is left unscreened.

Safe on several processes: rows are claimed `FOR UPDATE SKIP LOCKED` (PostgreSQL) and the
processing itself locks the row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.effects import StepScope
from bot.reply_json import reply_to_json
from content.replies import Reply
from dialogs.types import Channel, Inbound, Lane, MediaRef, Role, State
from storage.models import InboundMessage
from storage.repos import audit, outbox, people
from storage.repos import inbound as inbound_repo
from storage.repos.conversations import take_conversation
from storage.repos.people import address_row, addresses_of

if TYPE_CHECKING:
    from bot.host import Host

log = logging.getLogger(__name__)

GRACE = timedelta(minutes=1)  # a younger row may still be in its first processing
MAX_ATTEMPTS = 6  # retries after the first failure: 1, 2, 4, 8, 16 minutes, then give up
ALERT_KEY = "reliability.inbound_failed"


def backoff(attempt: int) -> timedelta:
    return timedelta(minutes=min(60, 2 ** max(0, attempt - 1)))


@dataclass
class RetryStats:
    processed: int = 0
    screened: int = 0
    failed: int = 0
    given_up: int = 0


def _inbound(row: InboundMessage) -> Inbound:
    return Inbound(
        channel=Channel(row.channel),
        address=row.address,
        provider_id=row.provider_id,
        received_at=row.received_at,
        text=row.text,
        payload=row.payload,
        media=tuple(MediaRef.from_json(m) for m in row.media or ()),
    )


class InboundRetry:
    def __init__(self, app: Host, *, batch: int = 50) -> None:
        self.app = app
        self.batch = batch

    async def run_once(self) -> RetryStats:
        app = self.app
        now = app.clock.now()
        async with app.db.transaction() as session:
            rows = await inbound_repo.due_for_retry(session, now, GRACE, self.batch)
            claimed = []
            for row in rows:
                if app.intake.holds(row.id):
                    continue  # answered while busy; this process's worker has it in hand
                row.attempts += 1
                row.retry_at = now + backoff(row.attempts)
                claimed.append((row.id, row.attempts, row.screened_at is not None, _inbound(row)))
        stats = RetryStats()
        for inbound_id, attempts, screened, inbound in claimed:
            if await app.service.process(inbound_id, inbound, notify=False):
                stats.processed += 1
                log.info("inbound %s: processed on retry %s", inbound_id, attempts)
                continue
            stats.failed += 1
            if not screened and await self.screen_only(inbound_id, inbound):
                stats.screened += 1
            if attempts >= MAX_ATTEMPTS:
                await self.give_up(inbound_id)
                stats.given_up += 1
        return stats

    async def screen_only(self, inbound_id: int, inbound: Inbound) -> bool:
        """The safety screen alone, in its own transaction (the dialog keeps failing)."""
        service = self.app.service
        try:
            async with self.app.db.transaction() as session:
                row = await session.get(InboundMessage, inbound_id, with_for_update=True)
                if row is None or row.processed_at is not None or row.screened_at is not None:
                    return False
                now = self.app.clock.now()
                address = await address_row(session, inbound.channel, inbound.address, now)
                person = await service._identify(session, address)
                conv = await take_conversation(session, inbound.channel, inbound.address, now)
                state = State.from_json(conv.state)
                ctx = await service.context(session, person, address, inbound.channel, now)
                scope = StepScope(
                    session=session,
                    now=now,
                    inbound=inbound,
                    inbound_id=inbound_id,
                    address=address,
                    person=person,
                )
                replies: list[Reply] = []
                effects: list[object] = []
                for hook in service.pre_step_hooks:
                    pre = await hook(scope, state, ctx)
                    if pre is not None:
                        replies += pre.replies
                        effects += pre.effects
                        state = pre.state
                dialog = service.screening_dialog(inbound)
                screen = await service.step(scope, state, ctx, dialog=dialog)
                replies += screen.replies
                effects += screen.effects
                await service.effects.run(scope, tuple(effects))
                await service.queue_replies(
                    session,
                    inbound.channel,
                    inbound.address,
                    scope.person,
                    [*replies, *scope.extra_replies],
                    now=now,
                    inbound_id=inbound_id,
                    bypass=scope.bypass_opt_out,
                )
                row.screened_at = now
        except Exception:
            log.exception("inbound %s: the screen alone failed too", inbound_id)
            return False
        service.on_commit()
        log.warning("inbound %s: screened on its own; the dialog is retried", inbound_id)
        return True

    async def give_up(self, inbound_id: int) -> None:
        """Mark the row failed and alert every administrator on each of their channels."""
        app = self.app
        now = app.clock.now()
        async with app.db.transaction() as session:
            row = await session.get(InboundMessage, inbound_id, with_for_update=True)
            if row is None or row.processed_at is not None:
                return
            row.failed_at = now
            audit.record(
                session,
                at=now,
                actor="system:inbound_retry",
                action="inbound_failed",
                subject_type="inbound_message",
                subject_id=inbound_id,
                detail={"attempts": row.attempts, "screened": row.screened_at is not None},
            )
            admins = await people.active_in_roles(session, [Role.ADMIN])
            alerted = 0
            for admin in admins:
                for addr in await addresses_of(session, admin.id):
                    if addr.channel not in app.channels:
                        continue
                    await outbox.enqueue(
                        session,
                        channel=addr.channel,
                        address=addr.address,
                        person_id=admin.id,
                        message=reply_to_json(Reply(ALERT_KEY, {"id": inbound_id})),
                        lane=Lane.ALERT,
                        now=now,
                        dedup_key=f"inbound-failed:{inbound_id}:{addr.id}",
                        bypass_opt_out=True,
                    )
                    alerted += 1
        app.dispatcher.wake()
        log.error(
            "inbound %s: gave up after %s attempts; %s administrator address(es) alerted",
            inbound_id,
            MAX_ATTEMPTS,
            alerted,
        )


def install(app: Host) -> None:
    retry = InboundRetry(app)
    app.scheduler.add_job(
        retry.run_once,
        "interval",
        seconds=30,
        id="inbound_retry",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
