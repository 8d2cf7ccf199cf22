"""Fictional demo data: one county, a township, two villages and the people in them.

Names and phone numbers are invented. Loading is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.hotline.demo_shifts import seed_demo_shifts
from bot.reminders.demo_families import seed_reminder_demo
from storage.models import Area, Child, GuardianLink, Person
from storage.repos.roster import Roster

DEMO_COUNTY = "DEMO-530000-01"


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    role: str
    phone: str
    area: str
    locale: str = "zh_Hans"


PEOPLE = (
    DemoPerson("supervisor", "周督导", "supervisor", "+8613800000001", "township"),
    DemoPerson("director_east", "李主任", "director", "+8613800000002", "east"),
    DemoPerson("director_west", "王主任", "director", "+8613800000003", "west"),
    DemoPerson("hotline", "陈热线", "hotline", "+8613800000004", "county"),
    DemoPerson("admin", "赵管理", "admin", "+8613800000005", "county"),
    DemoPerson("guardian_zhang", "张奶奶", "guardian", "+8613800000011", "east"),
    DemoPerson("guardian_liu", "刘爸爸", "guardian", "+8613800000012", "east", "zh_Hant"),
    DemoPerson("guardian_huang", "黄妈妈", "guardian", "+8613800000013", "west"),
    DemoPerson("guardian_he", "Mr. He", "guardian", "+8613800000014", "west", "en"),
)

# code, name, display name, sex, age in days, categories, guardianship, director, area,
# guardian, next visit due (days from today; negative = overdue; None = never visited)
CHILDREN = (
    (
        "A01",
        "张小明",
        "小明",
        "m",
        8 * 365,
        ["left_behind"],
        "good",
        "director_east",
        "east",
        "guardian_zhang",
        20,
    ),
    (
        "A02",
        "张小红",
        "小红",
        "f",
        13 * 365 + 40,
        ["left_behind"],
        "average",
        "director_east",
        "east",
        "guardian_zhang",
        -12,
    ),
    (
        "A03",
        "刘安安",
        "安安",
        "f",
        200,
        ["migrant"],
        "good",
        "director_east",
        "east",
        "guardian_liu",
        3,
    ),
    (
        "A04",
        "刘乐乐",
        "乐乐",
        "m",
        5 * 365 + 300,
        ["migrant"],
        "poor",
        "director_east",
        "east",
        "guardian_liu",
        -30,
    ),
    (
        "A05",
        "孙晓",
        "晓晓",
        "m",
        11 * 365,
        ["difficulty", "key"],
        "poor",
        "director_east",
        "east",
        None,
        None,
    ),
    (
        "B01",
        "黄文",
        "文文",
        "m",
        2 * 365 + 10,
        ["left_behind"],
        "average",
        "director_west",
        "west",
        "guardian_huang",
        -3,
    ),
    (
        "B02",
        "何思",
        "思思",
        "f",
        62,
        ["migrant"],
        "good",
        "director_west",
        "west",
        "guardian_he",
        60,
    ),
    (
        "B03",
        "黄丽",
        "丽丽",
        "f",
        9 * 365,
        ["left_behind"],
        "good",
        "director_west",
        "west",
        "guardian_huang",
        45,
    ),
)

ACCOUNTS = {"admin": "admin", "hotline": "hotline", "supervisor": "supervisor"}


async def non_demo_data(session: AsyncSession) -> str | None:
    """What in this database is not demo data (None when it holds demo data or nothing):
    `--demo` must never mix fictional people into a real roster, nor open a simulator on it."""
    demo_phones = [p.phone for p in PEOPLE]
    roster = Roster(session)
    people = await roster.count_people_except(demo_phones)
    areas = await roster.count_areas_outside(DEMO_COUNTY)
    if not people and not areas:
        return None
    return f"{people} people and {areas} areas that are not demo data"


async def load_demo(session: AsyncSession, now: datetime, today: date) -> bool:
    """Insert the demo roster; False if it was already there."""
    exists = await Roster(session).area(DEMO_COUNTY)
    if exists is not None:
        return False
    county = Area(code=DEMO_COUNTY, name="示例县", level="county", region_code="530100")
    session.add(county)
    await session.flush()
    township = Area(
        code=DEMO_COUNTY + "-T1",
        name="青山镇",
        level="township",
        parent_id=county.id,
        region_code="530100",
    )
    session.add(township)
    await session.flush()
    east = Area(
        code=DEMO_COUNTY + "-T1-V1",
        name="东村",
        level="village",
        parent_id=township.id,
        region_code="530100",
    )
    west = Area(
        code=DEMO_COUNTY + "-T1-V2",
        name="西村",
        level="village",
        parent_id=township.id,
        region_code="530100",
    )
    session.add_all([east, west])
    await session.flush()
    areas = {"county": county, "township": township, "east": east, "west": west}
    people: dict[str, Person] = {}
    for p in PEOPLE:
        person = Person(
            name=p.name,
            role=p.role,
            phone=p.phone,
            locale=p.locale,
            area_id=areas[p.area].id,
            consent_at=now,
            created_at=now,
        )
        session.add(person)
        people[p.key] = person
    await session.flush()
    for code, name, display, sex, age_days, cats, level, director, area, guardian, due in CHILDREN:
        child = Child(
            code=code,
            name=name,
            display_name=display,
            sex=sex,
            birth_date=today - timedelta(days=age_days),
            categories=cats,
            guardianship_level=level,
            is_key_child="key" in cats,
            area_id=areas[area].id,
            director_id=people[director].id,
            next_visit_due=None if due is None else today + timedelta(days=due),
            created_at=now,
            consent_at=now,  # fictional: the guardian consented in person (PIPL art. 31)
            consent_method="in_person",
            consent_recorded_by="demo",
        )
        session.add(child)
        await session.flush()
        if guardian:
            session.add(
                GuardianLink(
                    child_id=child.id,
                    guardian_id=people[guardian].id,
                    relation="grandparent" if "zhang" in guardian else "parent",
                    priority=1,
                )
            )
    await seed_demo_shifts(session, now)
    await seed_reminder_demo(session, now, today)
    return True
