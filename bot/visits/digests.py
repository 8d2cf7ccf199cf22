"""Weekly visit digests, queued by the scheduler.

Directors get their due-visit digest, supervisors the overdue summary by village of their
township (a supervisor's ``area_id`` is the township), from Monday 08:00 in the time zone of
their area. Each message carries the dedup key ``digest:<role>:<person id>:<ISO week>``, so a
job run twice, late (after downtime: it still sends once that week) or on two processes at
once queues one digest per person and week. People are read in pages by id; the dedup keys
already queued are looked up per page, so a run after the digests went out is cheap.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core_data import load_cadence
from bot.routing import queue_for_person
from bot.visits.clock import clock_of, region_codes
from content.replies import Reply
from dialogs.types import ChildRef, Lane, Role
from dialogs.visits.digests import VillageVisits, director_digest, supervisor_digest
from reminders.quiet_hours import next_allowed_send
from storage.models import Child, Person
from storage.repos import visits as repo

if TYPE_CHECKING:
    from bot.host import Host

DIGEST_TIME = time(8, 0)  # Monday, local time of the person's area
PAGE = 500

Composer = Callable[[AsyncSession, list[tuple[Person, ZoneInfo]]], Awaitable[dict[int, Reply]]]


def zone(name: str | None, default: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default)


def digest_week(now: datetime, tz: ZoneInfo) -> str | None:
    """The ISO week ("2026-W10") whose digest is due at ``now``; None before Monday 08:00."""
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    if local < datetime.combine(monday, DIGEST_TIME, tzinfo=tz):
        return None
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def child_ref(
    child: Child, *, name: bool = True, region: str | None = None, tz: ZoneInfo | None = None
) -> ChildRef:
    return ChildRef(
        id=child.id,
        code=child.code,
        name=child.display_name if name else "",
        next_visit_due=child.next_visit_due,
        is_key_child=child.is_key_child,
        clock=clock_of(child, region, tz) if tz is not None else None,
    )


async def _send(app: Host, role: Role, compose: Composer) -> int:
    now = app.clock.now()
    queued, after = 0, 0
    while True:
        async with app.db.transaction() as session:
            page = await repo.people_with_zone(session, role, after, PAGE)
            if not page:
                return queued
            after = page[-1][0].id
            due: dict[str, tuple[Person, ZoneInfo]] = {}
            for person, tz_name in page:
                tz = zone(tz_name, app.settings.timezone)
                week = digest_week(now, tz)
                if week is not None:
                    due[f"digest:{role}:{person.id}:{week}"] = (person, tz)
            done = await repo.existing_dedup_keys(session, due)
            todo = {k: v for k, v in due.items() if k not in done}
            replies = await compose(session, list(todo.values()))
            for key, (person, tz) in todo.items():
                reply = replies.get(person.id)
                if reply is None:
                    continue
                outbox_id = await queue_for_person(
                    session,
                    person,
                    reply,
                    lane=Lane.REMINDER,
                    now=now,
                    channels=app.channels,
                    not_before=next_allowed_send(now, str(tz)),
                    dedup_key=key,
                )
                queued += outbox_id is not None
        if len(page) < PAGE:
            return queued


async def send_director_digests(app: Host) -> int:
    """Queue this week's due-visit digest for every director with children; returns how many."""
    cadence = load_cadence()
    now = app.clock.now()

    async def compose(
        session: AsyncSession, people: list[tuple[Person, ZoneInfo]]
    ) -> dict[int, Reply]:
        kids = await repo.children_of_directors(session, [p.id for p, _ in people])
        regions = await region_codes(session, [c for cs in kids.values() for c in cs])
        return {
            person.id: director_digest(
                tuple(child_ref(c, region=regions.get(c.id), tz=tz) for c in kids[person.id]),
                now.astimezone(tz).date(),
                cadence.due_soon_days,
                rules=cadence.rules,
            )
            for person, tz in people
            if kids[person.id]
        }

    return await _send(app, Role.DIRECTOR, compose)


async def send_supervisor_digests(app: Host) -> int:
    """Queue this week's overdue summary by village for every supervisor with a township."""
    now = app.clock.now()

    async def compose(
        session: AsyncSession, people: list[tuple[Person, ZoneInfo]]
    ) -> dict[int, Reply]:
        replies: dict[int, Reply] = {}
        for person, tz in people:
            if person.area_id is None:
                continue
            today = now.astimezone(tz).date()
            villages, overdue = await repo.overdue_by_village(session, person.area_id, today)
            if not villages:
                continue
            replies[person.id] = supervisor_digest(
                [
                    VillageVisits(v.name, tuple(child_ref(c, name=False) for c in overdue[v.id]))
                    for v in villages
                ],
                today,
            )
        return replies

    return await _send(app, Role.SUPERVISOR, compose)
