"""Demo data for reminders: after `careline reminders plan`, 张奶奶 (+8613800000011) gets one
message with a vaccination, insurance, school registration and residence-permit item.

Everything is relative to the demo day: a baby whose 2-month doses fall due this week, a
child starting primary school this year, a residence permit whose yearly endorsement is
due in three weeks, and a demo-only calendar for the demo county's region (530100) whose
insurance deadline is today and whose school registration closes in three weeks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from content.dates import add_months
from storage.models import Area, CalendarOverride, Child, GuardianLink
from storage.repos import people

DEMO_GUARDIAN = "+8613800000011"
DEMO_REGION = "530100"


def demo_calendar(today: date) -> dict[str, object]:
    def md(day: date) -> str:
        return day.strftime("%m-%d")

    school_end = min(today + timedelta(days=21), date(today.year, 12, 31))
    return {
        "region": DEMO_REGION,
        "name": "示例县（演示日历）",
        "insurance": {
            "window_start": md(max(today - timedelta(days=60), date(today.year, 1, 1))),
            "window_end": md(today),
            "verified": False,
            "source": "demo: relative to the demo day",
        },
        "school_primary": {
            "registration_start": md(max(today - timedelta(days=30), date(today.year, 1, 1))),
            "registration_end": md(school_end),
            "verified": False,
            "source": "demo: relative to the demo day",
        },
    }


async def seed_reminder_demo(session: AsyncSession, now: datetime, today: date) -> None:
    guardian = await people.person_by_phone(session, DEMO_GUARDIAN)
    if guardian is None:
        return
    children = await people.children_of_guardian(session, guardian.id, active_only=False)
    first_link = children[0] if children else None
    if first_link is None:
        return
    area = await session.get(Area, first_link.area_id)
    assert area is not None
    session.add(
        CalendarOverride(
            region=area.region_code or DEMO_REGION,
            data=demo_calendar(today),
            updated_at=now,
            updated_by="demo",
        )
    )
    # The endorsement deadline (the day before the anniversary) is three weeks away.
    first_link.residence_permit_issued_on = add_months(today + timedelta(days=22), -12)
    babies = (
        ("A06", "张小宝", "小宝", "m", today - timedelta(days=60)),
        ("A07", "张小雨", "小雨", "f", date(today.year - 6, 1, 15)),
    )
    for code, name, display, sex, birth in babies:
        child = Child(
            code=code,
            name=name,
            display_name=display,
            sex=sex,
            birth_date=birth,
            categories=["left_behind"],
            guardianship_level="good",
            area_id=area.id,
            director_id=first_link.director_id,
            created_at=now,
            next_visit_due=today + timedelta(days=30),
        )
        session.add(child)
        await session.flush()
        session.add(
            GuardianLink(
                child_id=child.id, guardian_id=guardian.id, relation="grandparent", priority=1
            )
        )
