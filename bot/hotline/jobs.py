"""Scheduler jobs: the SLA watchdog, the `delivered` events, undelivered staff replies.
Plain `async def job(app)`, idempotent, safe on several processes (rows locked and skipped;
alerts deduplicated)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.hotline.alerts import alert_level
from bot.hotline.rota import coverage
from bot.hotline.runtime import hotline_of
from bot.routing import queue_for_person
from content.catalog import Text
from content.replies import Reply
from dialogs.types import Lane
from storage.models import Case, CaseEvent, OutboxMessage, Person
from storage.repos import cases as repo

if TYPE_CHECKING:
    from bot.host import Host

log = logging.getLogger(__name__)


async def sla_watchdog(app: Host) -> int:
    """Unacknowledged past the SLA: a breach, and the on-duty staff alerted again; a period
    later still unacknowledged: escalated to level 2 (then level 2 reminded each period)."""
    hl = hotline_of(app)
    now = app.clock.now()
    handled = 0
    async with app.db.transaction() as session:
        for case in await repo.due_for_sla(session, now):
            due = case.next_check_at or case.ack_due_at
            assert due is not None
            stamp = f"{int(due.timestamp())}"
            if case.escalation_level <= 1 and case.realerted_at is None:
                step, level, reason = "realert", 1, "realert"
                case.realerted_at = now
            else:
                step, level, reason = "escalate", 2, "escalation"
                case.escalation_level = 2
            repo.add_event(
                session, case, "breach", at=now, actor="system",
                detail={"due": (case.ack_due_at or due).isoformat(), "step": step, "level": level},
            )  # fmt: skip
            alerted = await alert_level(
                hl, session, case, level=level, reason=reason, now=now, dedup=stamp
            )
            if level == 2:
                repo.add_event(
                    session, case, "escalated", at=now, actor="system",
                    detail={"level": 2, "alerted": alerted},
                )  # fmt: skip
            if alerted == 0:
                log.error("case %s: SLA %s reached nobody at level %s", case.ref, step, level)
            case.next_check_at = now + hl.config.escalation_for(case.severity)  # deadline stays
            handled += 1
    if handled:
        app.dispatcher.wake()
    return handled


async def record_deliveries(app: Host) -> int:
    """A `delivered` event for each alert whose outbox row has been handed to the channel."""
    done = 0
    async with app.db.transaction() as session:
        for event, row in await repo.undelivered_alerts(session):
            case = await session.get(Case, event.case_id)
            if case is None:
                continue
            repo.add_event(
                session, case, "delivered", at=row.sent_at or app.clock.now(), actor="system",
                detail={"channel": row.channel, "person_id": event.detail.get("person_id")},
                outbox_id=row.id,
            )  # fmt: skip
            done += 1
        for event, row in await repo.undelivered_replies(session):
            case = await session.get(Case, event.case_id)
            if case is not None:
                await _reply_undelivered(app, session, case, event, row)
                done += 1
    return done


UNDELIVERED_REASONS = frozenset({"opted_out", "unreachable", "do_not_contact"})


async def _reply_undelivered(
    app: Host, session: AsyncSession, case: Case, event: CaseEvent, row: OutboxMessage
) -> None:
    """A staff reply to the reporter failed or was held back: on the timeline, and the staff
    member who sent it (else the case owner) is told, in words, why."""
    code = row.error_code if row.error_code in UNDELIVERED_REASONS else "failed"
    repo.add_event(
        session, case, "reply_undelivered", at=app.clock.now(), actor="system",
        detail={"reason": code, "error_code": row.error_code}, outbox_id=row.id,
    )  # fmt: skip
    staff_id = event.detail.get("by") or case.owner_id
    staff = await session.get(Person, staff_id) if isinstance(staff_id, int) else None
    if staff is not None:
        notice = Reply(
            "hotline.staff.reply_undelivered",
            {"ref": case.ref, "reason": Text(f"hotline.undelivered.{code}")},
        )
        await queue_for_person(
            session, staff, notice, lane=Lane.ALERT, now=app.clock.now(), channels=app.channels
        )


async def rota_check(app: Host) -> list[str]:
    """At start and hourly: warn when nobody is on duty now or in the next 24 hours."""
    async with app.db.transaction() as session:
        found = (await coverage(session, app.clock.now())).warnings
    for warning in found:
        log.warning("hotline rota: %s", warning)
    return found
