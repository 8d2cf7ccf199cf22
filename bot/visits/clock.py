"""A child's visit clocks (region and risk cadence) from its stored columns, and their
refresh after a visit is saved or corrected.

`dialogs.visits.clock` decides; this module reads and writes the child's columns
(`last_home_visit_on`, `last_contact_on`, `visit_risks`, `followup_due`, `info_updated_on`,
and `next_visit_due`, the earliest of the contact, home visit and follow-up due dates, which
reports and digests query).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core_data import load_visit_rules
from dialogs.types import ChildRef
from dialogs.visits.clock import (
    VisitClock,
    VisitFact,
    VisitRules,
    dues,
    fold_visits,
)
from storage.models import Child, Visit
from storage.repos import visits as visits_repo

HISTORY = 200  # visits folded per child: the newest ones (older ones no longer matter)


def _registered_on(child: Child, tz: ZoneInfo) -> date | None:
    created = getattr(child, "created_at", None)
    return created.astimezone(tz).date() if created is not None else None


def clock_of(child: Child, region_code: str | None, tz: ZoneInfo) -> VisitClock:
    """The child's clock. A due date set with no visit counted yet (an earlier version, the
    roster, demo data) is carried over as the home visit's due date."""
    return VisitClock(
        region_code=region_code,
        is_key_child=bool(child.is_key_child),
        last_home=child.last_home_visit_on,
        last_contact=child.last_contact_on,
        level=child.guardianship_level,
        risks=tuple(str(r) for r in child.visit_risks or ()),
        followup_due=child.followup_due,
        info_updated_on=child.info_updated_on or _registered_on(child, tz),
        carried_due=carried_due(child),
    )


def carried_due(child: Child) -> date | None:
    if child.carried_visit_due is not None:
        return child.carried_visit_due
    if child.last_contact_on is None and child.last_home_visit_on is None:
        return child.next_visit_due  # no visit counted yet: the due date set before
    return None


async def region_codes(session: AsyncSession, children: Iterable[Child]) -> dict[int, str | None]:
    """Each child's area region code (GB/T 2260), one query."""
    area_ids = {c.area_id for c in children}
    if not area_ids:
        return {}
    by_area = await visits_repo.region_codes_of_areas(session, area_ids)
    return {c.id: by_area.get(c.area_id) for c in children}


async def with_clocks(
    tz: ZoneInfo, session: AsyncSession, own: Sequence[Child], refs: tuple[ChildRef, ...]
) -> tuple[ChildRef, ...]:
    """A children hook of the inbound service (installed by the visits capability): each of a
    director's children with its visit clock (cadence by region and risk)."""
    regions = await region_codes(session, own)
    by_id = {c.id: c for c in own}
    return tuple(
        replace(ref, clock=clock_of(by_id[ref.id], regions.get(ref.id), tz))
        if ref.id in by_id
        else ref
        for ref in refs
    )


def fact_of(visit: Visit) -> VisitFact:
    return VisitFact(
        visit_date=visit.visit_date,
        kind=visit.kind,
        assessment=visit.assessment,
        answers=dict(visit.checklist or {}),
        flags=tuple(str(f) for f in visit.flags or ()),
    )


async def _stored_clock(
    session: AsyncSession, child: Child, rules: VisitRules, exclude: int | None = None
) -> tuple[VisitClock, bool]:
    """The child's clock folded from its stored visits (the newest ``HISTORY``, in report order
    within a day), leaving out the visit ``exclude``; and whether any visit was folded."""
    visits = list(reversed(await visits_repo.recent_visits(session, child.id, HISTORY, exclude)))
    region = (await region_codes(session, [child])).get(child.id)
    start = VisitClock(
        region_code=region, is_key_child=bool(child.is_key_child), carried_due=carried_due(child)
    )
    return fold_visits(start, [fact_of(v) for v in visits], rules), bool(visits)


async def clock_without(
    session: AsyncSession, child: Child, visit_id: int, tz: ZoneInfo
) -> VisitClock:
    """The child's clock as it was before ``visit_id`` was counted: what a correction of that
    visit computes its next due date from (the child's own clock already counts the visit)."""
    clock, _ = await _stored_clock(session, child, load_visit_rules(), exclude=visit_id)
    return replace(clock, info_updated_on=child.info_updated_on or _registered_on(child, tz))


async def refresh_child(
    session: AsyncSession, child: Child, rules: VisitRules | None = None
) -> None:
    """Recompute the child's clocks from its visits (the newest ``HISTORY``), in report order
    within a day."""
    rules = rules or load_visit_rules()
    clock, any_visit = await _stored_clock(session, child, rules)
    if not any_visit:
        return
    child.carried_visit_due = clock.carried_due
    child.last_home_visit_on = clock.last_home
    child.last_contact_on = clock.last_contact
    child.guardianship_level = clock.level
    child.visit_risks = list(clock.risks)
    child.followup_due = clock.followup_due
    child.next_visit_due = dues(clock, rules).next_visit
