"""The hotline queue as data: cases with their area, owner and SLA state, filtered and sorted
(severity first, then the time left to acknowledge). Shared by the queue page and its JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Unpack

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Case
from storage.repos import case_queue

KNOWN_CATEGORIES = (  # the shipped lexicon's, plus the review queue's; others show their id
    "violence_abuse", "sexual_abuse", "self_harm", "accident_injury", "bullying_violence",
    "child_alone_missing", "guardian_incapacity", "trafficking_begging_labour",
    "other_serious_harm", "unclassified",
)  # fmt: skip


class QueueRow(BaseModel):
    """One case in the queue. `deadline` is the acknowledgement deadline (ISO 8601, UTC)."""

    id: int
    ref: str
    severity: str
    category: str
    status: str
    area: str
    owner: str
    mine: bool
    opened_at: str
    deadline: str | None
    acknowledged: bool
    breached: bool
    review: bool = False  # on the review lane (the screen was unsure): no page, its own SLA


class QueueOut(BaseModel):
    now: str
    count: int
    cases: list[QueueRow]


async def queue(
    session: AsyncSession,
    now: datetime,
    *,
    person_id: int | None,
    allowed_areas: set[int] | None,
    **filters: Unpack[case_queue.QueueFilters],
) -> list[QueueRow]:
    """The cases of one lane: "alert" (the urgent queue), "review" (needs review), or "all"."""
    rows = await case_queue.queue_rows(
        session, person_id=person_id, allowed_areas=allowed_areas, **filters
    )
    return [
        row_of(c, area_name or "", owner_name or "", person_id, now)
        for c, area_name, owner_name in rows
    ]


def row_of(
    c: Case, area_name: str, owner_name: str, person_id: int | None, now: datetime
) -> QueueRow:
    due = c.ack_due_at
    unacked = c.acknowledged_at is None and c.status != "closed"
    return QueueRow(
        id=c.id,
        ref=c.ref,
        severity=c.severity,
        category=c.category,
        status=c.status,
        area=area_name,
        owner=owner_name,
        mine=person_id is not None and c.owner_id == person_id,
        opened_at=c.opened_at.isoformat(),
        deadline=due.isoformat() if due is not None and unacked else None,
        acknowledged=not unacked,
        # late now, or acknowledged late: a breach stays visible
        breached=bool(due is not None and due <= (c.acknowledged_at or now)),
        review=c.needs_review,
    )
