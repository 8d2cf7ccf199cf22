"""Writing a checked roster: upserts by natural key, so the same file twice changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.web.console.roster import Known, RosterRow
from storage.models import Area, Child, GuardianLink, Person
from storage.uow import Work

EXTRA_FIELDS = {  # roster column -> Child field (bot.web.console.roster_columns)
    "categories": "categories",
    "key_child": "is_key_child",
    "do_not_contact": "do_not_contact",
    "permit_issued_on": "residence_permit_issued_on",
}


async def load_known(w: Work) -> Known:
    known = Known()
    for code, level in await w.roster.area_levels():
        known.areas[code] = level
    for phone, role, name in await w.roster.people_with_phone():
        known.people[phone] = (role, name)
    known.children = await w.roster.child_keys()
    return known


def _set(obj: object, **values: object) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


async def _person(
    w: Work, row: RosterRow, now: datetime, area_id: int | None
) -> tuple[Person, str]:
    phone, v = row.parsed["phone"], row.values
    session = w.session
    person = await w.roster.person(phone)
    values = {
        "name": v["name"],
        "role": row.kind,
        "area_id": area_id,
        "locale": row.parsed["locale"],
    }
    if person is None:
        person = Person(phone=phone, created_at=now, active=True, do_not_contact=False, **values)
        session.add(person)
        await session.flush()
        return person, "created"
    return person, "updated" if _set(person, **values) else "unchanged"


async def apply_rows(w: Work, report: list[RosterRow], now: datetime) -> Counter[str]:
    """Write the rows without problems, in file order; counts of created/updated/unchanged."""
    session = w.session
    counts: Counter[str] = Counter()
    for row in report:
        if not row.ok:
            counts["skipped"] += 1
            continue
        v = row.values
        area_id = await w.roster.area_id(v.get("area", ""))
        outcome = "unchanged"
        if row.kind == "area":
            parent = await w.roster.area_id(v["parent"]) if v.get("parent") else None
            area = await w.roster.area(v["code"])
            values: dict[str, object] = {
                "name": v["name"],
                "level": v["level"].lower(),
                "parent_id": parent,
            }
            # the region code picks the area's calendar; without one it inherits its parent's
            region = row.parsed.get("region_code")
            if region is None and parent is not None and (area is None or not area.region_code):
                region = await w.roster.region_of(parent)
            if region is not None:
                values["region_code"] = region
            if area is None:
                session.add(Area(code=v["code"], timezone="Asia/Shanghai", **values))
                outcome = "created"
            elif _set(area, **values):
                outcome = "updated"
        elif row.kind == "director":
            person, outcome = await _person(w, row, now, area_id)
            if v.get("wecom_userid", "").strip():
                from bot.mainland.links import link_wecom

                await link_wecom(
                    session, v["wecom_userid"].strip(), person, now, "roster", audited=False
                )
        elif row.kind == "child" and area_id is not None:
            director = row.parsed["director"]
            director_id = await w.roster.person_id(director) if director else None
            values = {
                "name": v["name"],
                "display_name": v.get("display_name") or v["name"][-2:],
                "sex": v.get("sex", "").lower() or None,
                "birth_date": row.parsed["birth_date"],
                "director_id": director_id,
            }
            # the extra columns only when the file has them: a file without do_not_contact
            # never clears it
            for column, field_name in EXTRA_FIELDS.items():
                if column in v:
                    values[field_name] = row.parsed[field_name]
            child = await w.roster.child(area_id, v["code"])
            if child is None:
                session.add(Child(area_id=area_id, code=v["code"], created_at=now, **values))
                outcome = "created"
            elif _set(child, **values):
                outcome = "updated"
        elif row.kind == "guardian" and area_id is not None:
            person, outcome = await _person(w, row, now, area_id)
            child_id = await w.roster.child_id(area_id, v["child"])
            link = await w.roster.guardian_link(child_id, person.id)
            relation = v.get("relation") or "other"
            if link is None:
                session.add(
                    GuardianLink(child_id=child_id, guardian_id=person.id, relation=relation)
                )
                outcome = "created" if outcome == "unchanged" else outcome
            elif _set(link, relation=relation):
                outcome = "updated" if outcome == "unchanged" else outcome
        await session.flush()
        counts[outcome] += 1
    return counts
