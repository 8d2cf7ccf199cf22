"""Report figures for supervisors (their township) and administrators (everything).

Every figure is one set-based query (GROUP BY), never a loop over children: visit coverage
by village, reminders by kind and outcome, vaccination completeness by age band, cases by
category, and the time to acknowledge and to close against the SLA (per severity)."""

from __future__ import annotations

import statistics
from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from reminders.dates import add_age
from reminders.schedule import Edition
from storage.models import (
    Area,
    Case,
    Child,
    DoseGiven,
    OutboxMessage,
    ReminderDelivery,
    Visit,
)
from storage.repos.case_queue import SEVERITY_ORDER, case_area_id

AGE_BANDS = (("0-1", 0, 1), ("1-3", 1, 3), ("3-6", 3, 6), ("6-14", 6, 14), ("14-18", 14, 18))
Row = dict[str, Any]


def _in_scope(column: Any, areas: Collection[int] | None) -> Any:
    return literal(True) if areas is None else column.in_(list(areas) or [-1])


async def coverage(
    session: AsyncSession, today: date, areas: Collection[int] | None
) -> tuple[list[Row], list[Row]]:
    """Per village and per township: active children, visited within their cadence (next
    visit not yet due), overdue, never visited; and their visits, reviewed and returned by
    a supervisor."""
    visited = exists().where(Visit.child_id == Child.id)
    township = aliased(Area)
    stmt = (
        select(
            Area.code,
            Area.name,
            township.name,
            func.count(Child.id),
            func.sum(
                case(
                    (
                        and_(
                            visited,
                            or_(Child.next_visit_due.is_(None), Child.next_visit_due >= today),
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
            func.sum(case((and_(visited, Child.next_visit_due < today), 1), else_=0)),
            func.sum(case((visited, 0), else_=1)),
        )
        .join(Area, Area.id == Child.area_id)
        .outerjoin(township, township.id == Area.parent_id)
        .where(Child.active.is_(True), _in_scope(Child.area_id, areas))
        .group_by(Area.code, Area.name, township.name)
        .order_by(township.name, Area.code)
    )
    villages = [
        {"village": name, "code": code, "township": tname or "", "children": int(n),
         "within": int(ok or 0), "overdue": int(late or 0), "never": int(never or 0)}
        for code, name, tname, n, ok, late, never in (await session.execute(stmt)).all()
    ]  # fmt: skip
    reviews = (
        select(
            Area.code,
            func.count(Visit.id),
            func.sum(case((Visit.review_status == "reviewed", 1), else_=0)),
            func.sum(case((Visit.review_status == "returned", 1), else_=0)),
        )
        .join(Child, Child.id == Visit.child_id)
        .join(Area, Area.id == Child.area_id)
        .where(Child.active.is_(True), _in_scope(Child.area_id, areas))
        .group_by(Area.code)
    )
    by_code = {
        code: (int(n), int(ok or 0), int(back or 0))
        for code, n, ok, back in (await session.execute(reviews)).all()
    }
    for v in villages:
        v["visits"], v["reviewed"], v["returned"] = by_code.get(v["code"], (0, 0, 0))
    keys = ("children", "within", "overdue", "never", "visits", "reviewed", "returned")
    towns: dict[str, Row] = {}
    for v in villages:
        t = towns.setdefault(v["township"], {"township": v["township"]} | dict.fromkeys(keys, 0))
        for key in keys:
            t[key] += v[key]
    return villages, list(towns.values())


async def reminders_by_kind(session: AsyncSession, areas: Collection[int] | None) -> list[Row]:
    """Reminders per kind: sent (handed to the channel), delivered (the provider's receipt),
    failed (sending failed, or the provider reported it undelivered), waiting."""
    sent = OutboxMessage.status == "sent"
    delivered = OutboxMessage.delivery_status == "delivered"
    failed = or_(
        OutboxMessage.status == "failed",
        OutboxMessage.delivery_status.in_(("failed", "undelivered")),
    )
    stmt = (
        select(
            ReminderDelivery.kind,
            func.count(ReminderDelivery.id),
            func.sum(case((sent, 1), else_=0)),
            func.sum(case((delivered, 1), else_=0)),
            func.sum(case((failed, 1), else_=0)),
        )
        .join(Child, Child.id == ReminderDelivery.child_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == ReminderDelivery.outbox_id)
        .where(_in_scope(Child.area_id, areas))
        .group_by(ReminderDelivery.kind)
        .order_by(ReminderDelivery.kind)
    )
    return [
        {"kind": kind, "total": int(n), "sent": int(s or 0), "delivered": int(d or 0),
         "failed": int(f or 0)}
        for kind, n, s, d, f in (await session.execute(stmt)).all()
    ]  # fmt: skip


def _code_form() -> Any:
    """`normalize_code` in SQL: lower case, without spaces, dashes or underscores."""
    stripped: Any = DoseGiven.code
    for ch in (" ", "-", "_"):
        stripped = func.replace(stripped, ch, "")
    return func.lower(stripped)


def _band_of(today: date) -> Any:
    whens = [(Child.birth_date > add_age(today, years=-high), name) for name, _, high in AGE_BANDS]
    return case(*whens, else_="18+")


async def vaccination(
    session: AsyncSession, today: date, edition: Edition, areas: Collection[int] | None
) -> list[Row]:
    """Per age band: children, doses due by their age, doses recorded, and children with
    every due dose recorded (any of a dose's record codes counts; the edition in force)."""
    scope = and_(Child.active.is_(True), _in_scope(Child.area_id, areas))
    due_parts = []
    for entry in edition.entries:
        cutoff = add_age(today, years=-entry.years, months=-entry.months)
        codes = sorted(entry.record_codes())
        recorded = exists().where(DoseGiven.child_id == Child.id, _code_form().in_(codes))
        cond = [scope, Child.birth_date <= cutoff]
        if entry.sex is not None:
            cond.append(Child.sex == entry.sex)
        due_parts.append(
            select(Child.id.label("child_id"), case((recorded, 1), else_=0).label("done")).where(
                *cond
            )
        )
    if not due_parts:
        return []
    due = union_all(*due_parts).subquery()
    per_child = (
        select(
            due.c.child_id,
            func.count().label("due"),
            func.sum(due.c.done).label("done"),
        )
        .group_by(due.c.child_id)
        .subquery()
    )
    band = _band_of(today).label("band")
    stmt = (
        select(
            band,
            func.count(Child.id),
            func.coalesce(func.sum(per_child.c.due), 0),
            func.coalesce(func.sum(per_child.c.done), 0),
            func.sum(
                case(
                    (func.coalesce(per_child.c.due, 0) == func.coalesce(per_child.c.done, 0), 1),
                    else_=0,
                )
            ),
        )
        .outerjoin(per_child, per_child.c.child_id == Child.id)
        .where(scope, Child.birth_date > add_age(today, years=-18))
        .group_by(band)
    )
    found = {b: (n, d, r, c) for b, n, d, r, c in (await session.execute(stmt)).all()}
    out = []
    for name, _, _ in AGE_BANDS:
        n, d, r, c = found.get(name, (0, 0, 0, 0))
        done = int(c or 0)
        out.append(
            {"band": name, "children": int(n), "due": int(d), "recorded": int(r),
             "complete": done, "percent": round(100 * done / n) if n else 0}
        )  # fmt: skip
    return out


async def cases_by_category(session: AsyncSession, areas: Collection[int] | None) -> list[Row]:
    area = case_area_id()
    stmt = (
        select(
            Case.category,
            func.count(Case.id),
            func.sum(case((Case.status != "closed", 1), else_=0)),
            func.sum(case((Case.status == "closed", 1), else_=0)),
        )
        .where(_in_scope(area, areas))
        .group_by(Case.category)
        .order_by(func.count(Case.id).desc(), Case.category)
    )
    return [
        {"category": c, "total": int(n), "active": int(a or 0), "closed": int(z or 0)}
        for c, n, a, z in (await session.execute(stmt)).all()
    ]


def _minutes(values: list[timedelta]) -> float | None:
    return round(statistics.median(v.total_seconds() for v in values) / 60, 1) if values else None


async def sla(
    session: AsyncSession, now: datetime, areas: Collection[int] | None, sla_for: Any
) -> list[Row]:
    """Per severity: cases, acknowledged within the SLA, late (acknowledged late, or still
    unacknowledged past the deadline), median minutes to acknowledge and to close."""
    stmt = select(
        Case.severity, Case.opened_at, Case.acknowledged_at, Case.ack_due_at, Case.closed_at
    ).where(_in_scope(case_area_id(), areas))
    groups: dict[str, list[Any]] = {}
    for row in (await session.execute(stmt)).all():
        groups.setdefault(row[0], []).append(row)
    out = []
    for severity in sorted(groups, key=lambda s: SEVERITY_ORDER.get(s, 9)):
        rows = groups[severity]
        acks = [a - o for _, o, a, _, _ in rows if a is not None]
        closes = [c - o for _, o, _, _, c in rows if c is not None]
        within = sum(1 for _, _, a, d, _ in rows if a is not None and (d is None or a <= d))
        late = sum(
            1 for _, _, a, d, _ in rows
            if d is not None and ((a is not None and a > d) or (a is None and d <= now))
        )  # fmt: skip
        out.append({
            "severity": severity, "cases": len(rows), "within": within, "late": late,
            "sla_minutes": round(sla_for(severity).total_seconds() / 60),
            "ack_median": _minutes(acks), "close_median": _minutes(closes),
        })  # fmt: skip
    return out
