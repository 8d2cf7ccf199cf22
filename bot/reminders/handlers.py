"""Effect handlers for guardians' replies, and the directors' vaccine context hook.

Every handler checks that the sender is a guardian of the child named in the effect
(the items come from the server-side conversation state, but a link may have changed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import StepScope
from bot.reminders import sources
from bot.routing import queue_for_person
from content.replies import Reply
from dialogs.types import Lane, Role
from reminders import effects as fx
from reminders.digest import DueItem, items_by_child
from reminders.immunization import due_doses
from storage.models import Person
from storage.repos import audit
from storage.repos import reminders as repo
from storage.repos.people import children_of_director

if TYPE_CHECKING:
    from bot.host import Host

Handler = Callable[[StepScope, Any], Awaitable[None]]
ROUTED_TEXT_MAX = 120


async def _linked(scope: StepScope, child_id: int | None) -> bool:
    return (
        scope.person is not None
        and child_id is not None
        and await repo.is_guardian_of(scope.session, scope.person.id, child_id)
    )


def _audit(scope: StepScope, action: str, child_id: int, detail: dict[str, Any]) -> None:
    audit.record(
        scope.session,
        at=scope.now,
        actor=scope.actor,
        action=action,
        subject_type="child",
        subject_id=child_id,
        detail=detail,
    )


async def confirm_dose(scope: StepScope, effect: fx.ConfirmDose) -> None:
    if not await _linked(scope, effect.child_id):
        return
    await repo.record_dose(
        scope.session, effect.child_id, effect.code, effect.given_on, "guardian", scope.now
    )
    cancelled = await repo.resolve_item(
        scope.session, effect.child_id, "vaccine", [effect.code], scope.now
    )
    _audit(scope, "dose_recorded", effect.child_id, {"code": effect.code, "cancelled": cancelled})


async def confirm_insurance(scope: StepScope, effect: fx.ConfirmInsurance) -> None:
    if not await _linked(scope, effect.child_id):
        return
    year = str(effect.year)
    await repo.record_ack(scope.session, effect.child_id, "insurance", year, "guardian", scope.now)
    await repo.resolve_item(scope.session, effect.child_id, "insurance", [year], scope.now)
    _audit(scope, "insurance_confirmed", effect.child_id, {"year": year})


async def confirm_reminder(scope: StepScope, effect: fx.ConfirmReminder) -> None:
    if not await _linked(scope, effect.child_id):
        return
    await repo.record_ack(
        scope.session, effect.child_id, effect.kind, effect.item, "guardian", scope.now
    )
    await repo.resolve_item(scope.session, effect.child_id, effect.kind, [effect.item], scope.now)
    _audit(scope, "reminder_confirmed", effect.child_id, {"kind": effect.kind})


def route_to_director(app: Host) -> Handler:
    async def handle(scope: StepScope, effect: fx.RouteToDirector) -> None:
        """Queue the question for the child's director: the child's given name and the text."""
        if not await _linked(scope, effect.child_id):
            return
        assert effect.child_id is not None
        child = (await repo.children_by_id(scope.session, [effect.child_id]))[effect.child_id]
        director = await scope.session.get(Person, child.director_id) if child.director_id else None
        if director is None:
            return
        reply = Reply(
            "reminder.route.director",
            {"child": child.display_name, "text": effect.text[:ROUTED_TEXT_MAX]},
        )
        key = f"rem:route:{scope.inbound_id}:{child.id}" if scope.inbound_id else None
        await queue_for_person(
            scope.session,
            director,
            reply,
            lane=Lane.REPLY,
            now=scope.now,
            channels=app.channels,
            dedup_key=key,
        )
        _audit(scope, "reminder_routed", child.id, {"director": director.id})

    return handle


def route_reminders_to_director(app: Host) -> Handler:
    async def handle(scope: StepScope, effect: fx.RouteRemindersToDirector) -> None:
        """ONE message per director: the guardian, her number, the children and the items
        (only children she is a guardian of; least detail: given names, no dates)."""
        person = scope.person
        if person is None:
            return
        items = [DueItem.from_json(dict(pairs)) for pairs in effect.items]
        ids = {i.child_id for i in items}
        children = await repo.children_by_id(scope.session, ids)
        linked = {c for c in ids if await repo.is_guardian_of(scope.session, person.id, c)}
        by_director: dict[int, list[DueItem]] = {}
        for item in items:
            child = children.get(item.child_id)
            if child is None or item.child_id not in linked or child.director_id is None:
                continue
            by_director.setdefault(child.director_id, []).append(item)
        for director_id, group in by_director.items():
            director = await scope.session.get(Person, director_id)
            if director is None:
                continue
            reply = Reply(
                "reminder.route.guardian",
                {
                    "guardian": person.name,
                    "phone": person.phone or "",
                    "lines": items_by_child(group),
                    "text": effect.text[:ROUTED_TEXT_MAX],
                },
            )
            key = f"rem:route:{scope.inbound_id}:d{director_id}" if scope.inbound_id else None
            await queue_for_person(
                scope.session,
                director,
                reply,
                lane=Lane.REPLY,
                now=scope.now,
                channels=app.channels,
                dedup_key=key,
            )
            for child_id in dict.fromkeys(i.child_id for i in group):
                _audit(scope, "reminder_routed", child_id, {"director": director_id})

    return handle


def vaccine_overdue_hook(
    app: Host,
) -> Callable[[AsyncSession, Person | None, dict[str, object]], Awaitable[None]]:
    tz = ZoneInfo(app.settings.timezone)

    async def hook(session: AsyncSession, person: Person | None, extra: dict[str, object]) -> None:
        """A director's children with overdue doses (doses_given + the schedule in force)."""
        if person is None or person.role != Role.DIRECTOR:
            return
        today = app.clock.now().astimezone(tz).date()
        children = await children_of_director(session, person.id)
        doses = await repo.doses_for(session, [c.id for c in children])
        schedule = await sources.current_schedule(session)
        extra["vaccine_overdue_child_ids"] = frozenset(
            c.id
            for c in children
            if any(
                d.status == "overdue"
                for d in due_doses(c.birth_date, c.sex, doses[c.id], today, schedule)
            )
        )

    return hook


def received_reminders_hook(
    app: Host,
) -> Callable[[AsyncSession, Person | None, dict[str, object]], Awaitable[None]]:
    async def hook(session: AsyncSession, person: Person | None, extra: dict[str, object]) -> None:
        """A guardian's "1" confirms only what the last reminder actually sent listed."""
        if person is None or person.role != Role.GUARDIAN:
            return
        extra["reminders_received"] = (
            await repo.last_sent_reminder_items(session, person.id) or frozenset()
        )

    return hook
