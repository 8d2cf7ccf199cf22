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
            # the child's link and name, not the bare code (a random form token can hold "Z9")
            listed = (await client.get("/console/children")).text
            assert "/console/children/Z9" not in listed and "王远" not in listed
            assert (await client.get("/console/children/Z9")).status_code == 404
        async with staff.signed_in("root") as (client, _):
            assert "/console/children/Z9" in (await client.get("/console/children")).text
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
        assert {"基本信息", "监护人", "走访记录", "提醒", "疫苗接种", "个案"} <= set(
            book.sheetnames
        )
        visits = book["走访记录"]
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


async def test_skipped_answers_names_not_ids_dnc_guardians_and_the_export_in_words(
    db: Database,
) -> None:
    """What a new user found: `skip`, `no_consent`, `(person:2)`, a do-not-contact guardian
    "reachable", a consent message silently not sent, English sheet names, IPV raw."""
    from storage.models import ChildNote, GuardianLink, Person

    async with staffed(db) as staff:
        async with db.transaction() as session:
            child = (await session.execute(select(Child).where(Child.code == "A01"))).scalar_one()
            director = await session.get(Person, child.director_id)
            assert director is not None
            child.consent_at = None
            for link in (
                await session.execute(select(GuardianLink).where(GuardianLink.child_id == child.id))
            ).scalars():
                guardian = await session.get(Person, link.guardian_id)
                assert guardian is not None
                guardian.do_not_contact = True
            session.add(
                Visit(
                    child_id=child.id, director_id=child.director_id or 0, kind="home",
                    visit_date=date(2026, 2, 20), assessment="good",
                    checklist={"living": "skip", "school": "skip"}, notes="", flags=[],
                    next_due=date(2026, 3, 20), dedup="v-a01-s", created_at=NOW, updated_at=NOW,
                )
            )  # fmt: skip
            session.add(
                ReminderDelivery(
                    child_id=child.id, recipient_role="guardian", kind="vaccine", item="IPV1",
                    stage="due", due_date=date(2026, 3, 9), status="no_consent", created_at=NOW,
                )
            )  # fmt: skip
            session.add(ChildNote(child_id=child.id, kind="log", text="入户", created_at=NOW,
                                  author=f"person:{director.id}"))  # fmt: skip
            session.add(ChildNote(child_id=child.id, kind="log", text="电话", created_at=NOW,
                                  author="user:zhou"))  # fmt: skip
        async with staff.signed_in("zhou") as (client, csrf):
            got = await client.post(
                "/console/children/A01/consent",
                data={"csrf_token": csrf, "action": "request", "area": f"{TOWNSHIP}-V1"},
            )
            assert got.status_code == 303 and "notice=guardian_dnc" in got.headers["location"]
            page = await client.get(got.headers["location"])
            shown = _visible(page.text)
            assert "监护人标记为“请勿联系”" in shown
            for code in ("skip", "no_consent", "person:", "user:", "IPV1"):
                assert code not in shown, (code, shown)
            assert "可联系" not in shown  # every guardian is do-not-contact
            for words in ("未填", "未发送：未登记监护人同意", director.name, "zhou",
                          "脊灰灭活疫苗第1剂"):  # fmt: skip
                assert words in shown, words
            # an unknown notice is not shown
            assert "未发送征求" not in _visible(
                (await client.get("/console/children/A01?notice=x")).text
            )
            xlsx = await client.get(f"/console/children/A01/export.xlsx?area={TOWNSHIP}-V1")
        book = load_workbook(BytesIO(xlsx.content))
        assert book.sheetnames[:6] == [
            "基本信息",
            "监护人",
            "走访记录",
            "工作记录",
            "提醒",
            "疫苗接种",
        ]
        cells = " ".join(
            str(cell.value) for ws in book.worksheets for row in ws.iter_rows() for cell in row
        )
        for code in ("skip", "no_consent", "person:", "user:", "IPV1", "reachable"):
            assert code not in cells, code
        assert "居住条件: 未填" in cells and "可联系" not in cells
        key = [r for r in book["基本信息"].iter_rows(values_only=True) if r[0] == "重点儿童"]
        assert key and key[0][1] in ("是", "否")
        work = {r[2]: r[3] for r in book["工作记录"].iter_rows(min_row=2, values_only=True)}
        assert work["入户"] == director.name and work["电话"] == "zhou"
        vaccines = book["疫苗接种"]
        header = [c.value for c in vaccines[1]]
        assert header[:3] == ["剂次", "接种日期", "应种日期"]
        for row in vaccines.iter_rows(min_row=2, values_only=True):
            given, due = row[1], row[2]
            assert bool(given) != bool(due), row  # a dose is given or due, never both


async def test_consent_names_its_guardian_and_recorder_and_dnc_people_are_never_reachable(
    db: Database,
) -> None:
    from storage.models import GuardianLink, Person

    async with staffed(db) as staff:
        async with db.transaction() as session:
            child = (await session.execute(select(Child).where(Child.code == "A01"))).scalar_one()
            child.consent_at = None
            link = (
                (
                    await session.execute(
                        select(GuardianLink).where(GuardianLink.child_id == child.id)
                    )
                )
                .scalars()
                .first()
            )
            assert link is not None
            guardian = await session.get(Person, link.guardian_id)
            assert guardian is not None
            guardian.do_not_contact = True
            gid, gname = guardian.id, guardian.name
        async with staff.signed_in("zhou") as (client, csrf):
            got = await client.post(
                "/console/children/A01/consent",
                data={"csrf_token": csrf, "action": "record", "guardian": str(gid),
                      "area": f"{TOWNSHIP}-V1"},
            )  # fmt: skip
            assert got.status_code == 303
            shown = _visible((await client.get(got.headers["location"])).text)
            assert f"监护人：{gname}" in shown and "记录人：zhou" in shown
            assert "user:zhou" not in shown
            xlsx = await client.get(f"/console/children/A01/export.xlsx?area={TOWNSHIP}-V1")
        book = load_workbook(BytesIO(xlsx.content))
        consent = [
            r[1] for r in book["基本信息"].iter_rows(values_only=True) if r[0] == "监护人同意"
        ]
        assert consent and f"监护人：{gname}" in consent[0] and "记录人：zhou" in consent[0]
        async with staff.signed_in("root") as (client, _):
            person = _visible((await client.get(f"/console/people/{gid}")).text)
            assert "请勿联系" in person and "可联系" not in person
            people = await client.get("/console/people")
            assert people.status_code == 200


async def test_a_consent_message_not_sent_says_why(db: Database) -> None:
    from sqlalchemy import delete

    from storage.models import ChannelAddress, GuardianLink, Person

    async with staffed(db) as staff:
        async with db.transaction() as session:
            a01 = (await session.execute(select(Child).where(Child.code == "A01"))).scalar_one()
            a02 = (await session.execute(select(Child).where(Child.code == "A02"))).scalar_one()
            a01.consent_at = a02.consent_at = None
            await session.execute(delete(GuardianLink).where(GuardianLink.child_id == a01.id))
            ids = list(
                (
                    await session.execute(
                        select(GuardianLink.guardian_id).where(GuardianLink.child_id == a02.id)
                    )
                ).scalars()
            )
            for guardian in (
                await session.execute(select(Person).where(Person.id.in_(ids)))
            ).scalars():
                guardian.phone = None  # no number left to try
            for address in (
                await session.execute(
                    select(ChannelAddress).where(ChannelAddress.person_id.in_(list(ids)))
                )
            ).scalars():
                address.opted_out_at = NOW
        async with staff.signed_in("zhou") as (client, csrf):
            for code, notice, words in (
                ("A01", "no_guardian", "没有登记在册的监护人"),
                ("A02", "unreachable", "没有可联系的渠道"),
            ):
                got = await client.post(
                    f"/console/children/{code}/consent",
                    data={"csrf_token": csrf, "action": "request", "area": f"{TOWNSHIP}-V1"},
                )
                assert f"notice={notice}" in got.headers["location"], got.headers["location"]
                assert words in _visible((await client.get(got.headers["location"])).text)
