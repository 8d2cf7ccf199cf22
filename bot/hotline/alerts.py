"""Alerting on-duty staff: the ALERT lane, a case reference and the least detail.

An alert names the case ref, category, severity, whether a child is in danger now and the
reporter's kind (director / guardian / unknown) — never a child's name, never the reporter's
identity or message. Staff alerts ignore quiet hours (only reminders have them).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.hotline.rota import everyone_above
from bot.hotline.runtime import Hotline
from bot.reply_json import reply_to_json
from bot.routing import queue_for_person
from content.catalog import Text
from content.replies import Reply
from dialogs.types import Lane
from storage.models import Case
from storage.repos import cases as repo

log = logging.getLogger(__name__)

REPORTER_KINDS = frozenset({"director", "guardian", "unknown"})


def reporter_kind(case: Case) -> str:
    return case.reporter_role if case.reporter_role in REPORTER_KINDS else "other"


def tri(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def alert_reply(case: Case, reason: str) -> Reply:
    danger = tri(case.in_danger)
    key = {"created": "hotline.alert", "severity_raised": "hotline.alert"}.get(
        reason, f"hotline.alert.{reason}"
    )
    return Reply(
        key,
        {
            "ref": case.ref,
            # labels, worded in the staff member's language when the alert is sent
            "category": Text(f"case.category.{case.category}"),
            "severity": Text(f"case.severity.{case.severity}"),
            "reporter": Text(f"case.reporter.{reporter_kind(case)}"),
            "danger": Text(f"case.danger.{danger}"),
            "callback": Text(f"case.callback.{tri(case.callback_ok)}"),
        },
    )


async def alert_level(
    hl: Hotline,
    session: AsyncSession,
    case: Case,
    *,
    level: int,
    reason: str,
    now: datetime,
    dedup: str | None = None,
) -> int:
    """Alert everyone on duty at `level` now; one `alerted` event per queued alert."""
    sent = 0
    for person in await repo.on_duty(session, level, now):
        if person.id == case.suspected_guardian_id:
            continue
        outbox_id = await queue_for_person(
            session,
            person,
            alert_reply(case, reason),
            lane=Lane.ALERT,
            now=now,
            channels=hl.channels,
            dedup_key=f"case:{case.id}:{reason}:{dedup}:{person.id}" if dedup else None,
        )
        if outbox_id is None:
            continue
        repo.add_event(
            session,
            case,
            "alerted",
            at=now,
            actor="system",
            detail={"level": level, "reason": reason, "person_id": person.id},
            outbox_id=outbox_id,
        )
        sent += 1
    return sent


async def refresh_queued_alerts(session: AsyncSession, case: Case) -> int:
    """Alerts for this case not sent yet get the case's current severity and category, so a
    report that raises its own case's severity in the same moment makes one alert, not two."""
    return await repo.refresh_queued_alerts(
        session, case.id, reply_to_json(alert_reply(case, "created"))
    )


async def alert_staff(
    hl: Hotline, session: AsyncSession, case: Case, *, reason: str, now: datetime
) -> int:
    """Level 1 on duty; when nobody there can be reached, level 2 at once."""
    sent = await alert_level(hl, session, case, level=1, reason=reason, now=now)
    if sent:
        return sent
    log.warning("case %s: nobody on duty at level 1 is reachable; alerting level 2", case.ref)
    sent = await alert_level(hl, session, case, level=2, reason=reason, now=now)
    repo.add_event(
        session,
        case,
        "unstaffed",
        at=now,
        actor="system",
        detail={"level_1_reachable": 0, "level_2_alerted": sent},
    )
    if not sent:
        # nobody on any shift is reachable: every supervisor and administrator, now
        for person in await everyone_above(session):
            if person.id == case.suspected_guardian_id:
                continue
            outbox_id = await queue_for_person(
                session, person, alert_reply(case, reason), lane=Lane.ALERT, now=now,
                channels=hl.channels,
            )  # fmt: skip
            if outbox_id is not None:
                repo.add_event(
                    session, case, "alerted", at=now, actor="system",
                    detail={"level": 3, "reason": reason, "person_id": person.id},
                    outbox_id=outbox_id,
                )  # fmt: skip
                sent += 1
    if sent:
        case.escalation_level = max(case.escalation_level, 2)
    else:
        log.error("case %s: no staff, supervisor or administrator reachable", case.ref)
    return sent
