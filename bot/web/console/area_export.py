"""An area's visit records in the sections of Jilin's registration form (《吉林省流动儿童基本
情况登记表》, 吉林实施方案 附件1). The seed names the form's contents — basic information,
kindergarten/school enrolment, residence permit, health management, immunization, resident
medical insurance, disability rehabilitation, family guardianship and living conditions — but
not its columns, so the sheet groups what Careline records under those eight headings (one row
per visit record; a child never visited has one row without visit fields). Careline records no
disability-rehabilitation data: that column says so instead of staying silently empty.
Every text cell is neutralised (`child_file.neutral`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from datetime import date
from io import BytesIO
from typing import Any

from bot.reminders.sources import current_schedule
from bot.web.console.child_file import neutral
from reminders.immunization import due_doses
from storage.models import Visit
from storage.uow import Work

# (section catalog key, [(column catalog key, how the value is found)])
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("areaexp.s.basic", ("code", "name", "sex", "birth", "village", "categories", "key")),
    ("areaexp.s.school", ("school",)),
    ("areaexp.s.permit", ("permit",)),
    ("areaexp.s.health", ("health", "mental")),
    ("areaexp.s.vaccines", ("doses_recorded", "doses_due", "vaccines")),
    ("areaexp.s.insurance", ("insurance", "insurance_years")),
    ("areaexp.s.disability", ("disability",)),
    ("areaexp.s.guardianship", ("guardianship", "guardians", "care", "living", "safety", "needs")),
    ("areaexp.s.visit", ("visit_date", "visit_kind", "assessment", "review", "notes")),
)
CHECKLIST = ("school", "health", "mental", "vaccines", "insurance", "care", "living", "safety",
             "needs")  # fmt: skip


async def rows_for(
    w: Work,
    area_ids: Collection[int],
    today: date,
    label: Callable[[str, str], str],
    t: Callable[..., str],
) -> list[dict[str, Any]]:
    bulk = w.area_records
    children = await bulk.children(area_ids)
    ids = [c.id for c, _ in children]
    visits: dict[int, list[Visit]] = defaultdict(list)
    for v in await bulk.visits(ids):
        visits[v.child_id].append(v)
    doses: dict[int, dict[str, date | None]] = defaultdict(dict)
    for d in await bulk.doses(ids):
        doses[d.child_id][d.code] = d.given_on
    insured: dict[int, list[str]] = defaultdict(list)
    for a in await bulk.acks(ids, "insurance"):
        insured[a.child_id].append(a.item)
    guardians: dict[int, list[str]] = defaultdict(list)
    for link, person in await bulk.guardians(ids):
        guardians[link.child_id].append(
            f"{person.name}（{label('areaexp.relation', link.relation)}）"
        )
    schedule = await current_schedule(w.session)
    out: list[dict[str, Any]] = []
    for child, area in children:
        plan = due_doses(child.birth_date, child.sex, doses[child.id], today, schedule)
        base = {
            "code": child.code,
            "name": child.name,
            "sex": label("children.sex", child.sex) if child.sex else "",
            "birth": child.birth_date,
            "village": area.name,
            "categories": "、".join(label("children.cat", c) for c in child.categories or []),
            "key": t("areaexp.yes") if child.is_key_child else t("areaexp.no"),
            "permit": child.residence_permit_issued_on or "",
            "doses_recorded": len(doses[child.id]),
            "doses_due": sum(1 for p in plan if p.status in ("due", "overdue")),
            "insurance_years": "、".join(sorted(insured[child.id])),
            "disability": t("areaexp.not_recorded"),
            "guardianship": label("children.level", child.guardianship_level)
            if child.guardianship_level
            else "",
            "guardians": "；".join(guardians[child.id]),
        }
        records: list[Visit | None] = list(visits[child.id]) or [None]
        for visit in records:
            row = dict(base)
            if visit is not None:
                answers = visit.checklist or {}
                for key in CHECKLIST:
                    value = answers.get(key)
                    row[key] = label(f"visit.opt.{key}", str(value)) if value else ""
                row |= {
                    "visit_date": visit.visit_date,
                    "visit_kind": label("children.kind", visit.kind),
                    "assessment": label("children.level", visit.assessment),
                    "review": t("review.status." + (visit.review_status or "none")),
                    "notes": visit.notes,
                }
            out.append(row)
    return out


def workbook(rows: list[dict[str, Any]], t: Callable[..., str], title: str) -> bytes:
    from openpyxl import Workbook  # openpyxl is imported when a workbook is made (start-up, memory)
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "registration"
    sheet.append([neutral(title)])
    heads: list[str] = []
    fields: list[str] = []
    spans: list[tuple[int, int]] = []
    for section, columns in SECTIONS:
        spans.append((len(heads) + 1, len(heads) + len(columns)))
        heads.extend([t(section)] + [""] * (len(columns) - 1))
        fields.extend(t(f"areaexp.c.{c}") for c in columns)
    sheet.append(heads)
    sheet.append(fields)
    for first, last in spans:
        if last > first:
            sheet.merge_cells(start_row=2, start_column=first, end_row=2, end_column=last)
    for cell in sheet[2]:
        cell.font, cell.alignment = Font(bold=True), Alignment(horizontal="center")
    for row in rows:
        sheet.append([neutral(row.get(c, "")) for _, columns in SECTIONS for c in columns])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
