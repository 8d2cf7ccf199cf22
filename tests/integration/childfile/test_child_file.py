"""The child's file: every part on one page, a supervisor's township only, cases for the roles
that see them, reads and exports audited, and an XLSX export whose cells cannot run formulas."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from storage.db import Database
from storage.models import (
    Area,
    AuditEntry,
    Case,
    Child,
    DoseGiven,
    ReminderAck,
    ReminderDelivery,
    Visit,
)
from tests.integration.console.staffed import TOWNSHIP, staffed
from tests.integration.hotline.helpers import NOW

FORMULA = '=HYPERLINK("http://evil.test","x")'


async def _file_of_a01(db: Database) -> int:
    async with db.transaction() as session:
        child = (await session.execute(select(Child).where(Child.code == "A01"))).scalar_one()
        session.add(
            Visit(
                child_id=child.id, director_id=child.director_id or 0, kind="home",
                visit_date=date(2026, 2, 20), assessment="average",
                checklist={"school": "yes", "meals": "两餐"}, notes=FORMULA, flags=["no_food"],
                next_due=date(2026, 3, 20), dedup="v-a01-1", created_at=NOW, updated_at=NOW,
            )
        )  # fmt: skip
        session.add(
            ReminderDelivery(
                child_id=child.id, recipient_role="guardian", kind="insurance", item="2027",
                stage="d7", due_date=date(2026, 3, 9), status="sent", created_at=NOW,
            )
        )  # fmt: skip
        session.add(
            ReminderAck(child_id=child.id, kind="school", item="primary", source="guardian",
                        acked_at=NOW)
        )  # fmt: skip
        session.add(
            DoseGiven(child_id=child.id, code="HepB1", given_on=child.birth_date,
                      source="import", recorded_at=NOW)
        )  # fmt: skip
        session.add(
            Case(
                ref="C260302-0042", category="violence_abuse", severity="high", status="open",
                source="staff", reporter_role="director", reporter_channel="sms",
                reporter_address="+8613800000001", child_id=child.id, opened_at=NOW,
                last_activity_at=NOW,
            )
        )  # fmt: skip
        return child.id


async def test_the_file_shows_every_part_and_the_read_is_audited(db: Database) -> None:
    async with staffed(db) as staff:
        child_id = await _file_of_a01(db)
        async with staff.signed_in("zhou") as (client, _):
            listing = await client.get("/console/children?q=A0")
            assert listing.status_code == 200 and "A01" in listing.text and "张小明" in listing.text
            page = await client.get("/console/children/A01")
            assert page.status_code == 200, page.text
            text = page.text
            for part in ("张小明", "留守儿童", "张奶奶", "2026-02-20", "两餐", "no_food",
                         "insurance", "primary", "HepB1", "C260302-0042", "导出档案"):  # fmt: skip
                assert part in text, part
            assert "补种" in text  # an eight-year-old with one dose has a catch-up plan
        async with db.transaction() as session:
            reads = (
                await session.execute(
                    select(AuditEntry).where(
                        AuditEntry.actor == "user:zhou",
                        AuditEntry.action == "read",
                        AuditEntry.subject_type == "child",
                    )
                )
            ).scalars()
            assert [r.subject_id for r in reads] == [str(child_id)]


async def test_a_supervisor_sees_only_their_township(db: Database) -> None:
    async with staffed(db) as staff:
        async with db.transaction() as session:
            other = Area(code="OTHER-T", name="别镇", level="township")
            session.add(other)
            await session.flush()
            session.add(
                Child(code="Z9", name="王远", display_name="远", birth_date=date(2020, 1, 1),
                      categories=[], area_id=other.id, created_at=NOW)
            )  # fmt: skip
        async with staff.signed_in("zhou") as (client, _):
            assert "Z9" not in (await client.get("/console/children")).text
            assert (await client.get("/console/children/Z9")).status_code == 404
        async with staff.signed_in("root") as (client, _):
            assert "Z9" in (await client.get("/console/children")).text
            assert (await client.get("/console/children/Z9?area=OTHER-T")).status_code == 200


async def test_export_is_for_supervisors_and_admins_audited_and_neutralised(db: Database) -> None:
    async with staffed(db) as staff:
        child_id = await _file_of_a01(db)
        async with staff.signed_in("chen") as (client, _):
            assert (await client.get("/console/children/A01/export.xlsx")).status_code == 403
            assert "export.xlsx" not in (await client.get("/console/children/A01")).text
        async with staff.signed_in("zhou") as (client, _):
            got = await client.get(f"/console/children/A01/export.xlsx?area={TOWNSHIP}-V1")
            assert got.status_code == 200, got.text
            assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
            assert "attachment" in got.headers["content-disposition"]
        book = load_workbook(BytesIO(got.content))
        assert {"child", "guardians", "visits", "reminders", "vaccines", "cases"} <= set(
            book.sheetnames
        )
        visits = book["visits"]
        notes = [row[4].value for row in visits.iter_rows(min_row=2)]
        assert notes == ["'" + FORMULA]
        # in the reader's words, as on the page: no stored codes
        shown = " ".join(
            str(cell.value) for ws in book.worksheets for row in ws.iter_rows() for cell in row
        )
        assert not re.search(r"\b(HepB|BCG|DTaP|MMR)\d\b", shown), shown
        assert not re.search(r"\b(grandparent|parent|overdue|upcoming|physical|phone)\b", shown)
        assert "乙肝第1剂" in shown
        assert all(
            cell.data_type != "f"
            for ws in book.worksheets
            for row in ws.iter_rows()
            for cell in row
        )
        async with db.transaction() as session:
            exports = list(
                (
                    await session.execute(select(AuditEntry).where(AuditEntry.action == "export"))
                ).scalars()
            )
        assert [(e.actor, e.subject_id, e.detail) for e in exports] == [
            ("user:zhou", str(child_id), {"format": "xlsx"})
        ]


async def test_the_catch_up_plan_comes_from_the_schedule(db: Database) -> None:
    async with staffed(db) as staff:
        async with db.transaction() as session:
            baby = (await session.execute(select(Child).where(Child.code == "A06"))).scalar_one()
            assert NOW.date() - baby.birth_date < timedelta(days=400)
        async with staff.signed_in("root") as (client, _):
            page = (await client.get("/console/children/A06")).text
            assert "HepB" in page or "BCG" in page


CODES = ("living", "poor", "parents", "care", "school", "guardianship_poor", "out_of_school",
         "guardian_incapable", "open", "catchup", "queued", "vaccine", "parent", "HepB1",
         "visit flags")  # fmt: skip


def _visible(html: str) -> str:
    """The page as read: no tags (so no attributes: codes may stay in a `title`), no scripts."""
    import re

    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


async def test_the_file_and_its_case_show_words_not_codes(db: Database) -> None:
    from sqlalchemy import update

    from storage.models import CaseEvent, GuardianLink

    async with staffed(db) as staff:
        async with db.transaction() as session:
            child = (await session.execute(select(Child).where(Child.code == "A01"))).scalar_one()
            await session.execute(
                update(GuardianLink).where(GuardianLink.child_id == child.id).values(
                    relation="parent")
            )  # fmt: skip
            session.add(
                Visit(
                    child_id=child.id, director_id=child.director_id or 0, kind="home",
                    visit_date=date(2026, 2, 20), assessment="poor",
                    checklist={"living": "poor", "care": "parents", "school": "in"},
                    notes="", flags=["guardianship_poor", "out_of_school"],
                    next_due=date(2026, 3, 20), dedup="v-a01-w", created_at=NOW, updated_at=NOW,
                )
            )  # fmt: skip
            session.add(
                ReminderDelivery(
                    child_id=child.id, recipient_role="guardian", kind="vaccine",
                    item="catchup:af6c44d1a102", stage="catchup", due_date=date(2026, 3, 9),
                    status="queued", created_at=NOW,
                )
            )  # fmt: skip
            session.add(
                DoseGiven(child_id=child.id, code="HepB1", given_on=child.birth_date,
                          source="import", recorded_at=NOW)
            )  # fmt: skip
            case = Case(
                ref="C260302-0043", category="guardian_incapable", severity="medium",
                status="open", source="visit", reporter_role="director",
                reporter_channel="sms", reporter_address="+8613800000001", child_id=child.id,
                opened_at=NOW, last_activity_at=NOW,
            )  # fmt: skip
            session.add(case)
            await session.flush()
            session.add(
                CaseEvent(
                    case_id=case.id, at=NOW, kind="created", actor="system",
                    detail={"text": "visit flags: out_of_school, guardianship_poor",
                            "matched": ["out_of_school", "guardianship_poor"]},
                )
            )  # fmt: skip
        async with staff.signed_in("zhou") as (client, _):
            page = await client.get("/console/children/A01")
            assert page.status_code == 200, page.text
            shown = _visible(page.text)
            for code in CODES:
                assert code not in shown, (code, shown)
            for words in ("居住条件", "监护差", "失学辍学", "补种", "乙肝第1剂", "父母"):
                assert words in shown, words
            assert 'title="guardianship_poor"' in page.text  # the code stays, for an admin
            case_page = await client.get("/console/cases/C260302-0043")
            assert case_page.status_code == 200, case_page.text
            shown = _visible(case_page.text)
            for code in ("guardianship_poor", "out_of_school", "visit flags"):
                assert code not in shown, (code, shown)
            assert "走访发现：失学辍学、监护差" in shown
