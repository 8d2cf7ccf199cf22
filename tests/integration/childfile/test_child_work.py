"""The work log, support and problems of a child's file (console and director's message), the
director's SMS summary (least detail), supervisor review of visits, and flags with a reason:
all audited, supervisors in their area only."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from storage.db import Database
from storage.models import AuditEntry, Child, ChildNote, OutboxMessage, Person, Visit
from tests.integration.console.staffed import TOWNSHIP, staffed
from tests.integration.hotline.helpers import NOW
from tests.integration.visits.talk import EAST, WEST, say

VILLAGE = f"{TOWNSHIP}-V1"


async def _child(db: Database, code: str = "A01") -> Child:
    async with db.transaction() as session:
        return (await session.execute(select(Child).where(Child.code == code))).scalar_one()


async def _audit(db: Database, action: str) -> list[AuditEntry]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
        return list(rows.scalars())


async def test_notes_support_and_a_solved_problem_are_in_the_file(db: Database) -> None:
    async with staffed(db) as staff:
        child = await _child(db)
        async with staff.signed_in("zhou") as (client, csrf):
            for kind, text in (("log", "电话联系了奶奶"), ("support", "送去冬衣和书包"),
                               ("problem", "家中电线老化")):  # fmt: skip
                got = await client.post(
                    "/console/children/A01/notes",
                    data={"csrf_token": csrf, "kind": kind, "text": text, "area": VILLAGE},
                )
                assert got.status_code == 303, got.text
            async with db.transaction() as session:
                problem = (
                    await session.execute(select(ChildNote).where(ChildNote.kind == "problem"))
                ).scalar_one()
            got = await client.post(
                f"/console/children/A01/notes/{problem.id}/resolve",
                data={"csrf_token": csrf, "resolution": "村委联系电工更换", "area": VILLAGE},
            )
            assert got.status_code == 303
            page = (await client.get("/console/children/A01")).text
            parts = ("工作日志", "帮扶情况", "发现的问题及解决情况", "电话联系了奶奶",
                     "送去冬衣和书包", "家中电线老化", "村委联系电工更换", "已解决")  # fmt: skip
            for part in parts:
                assert part in page, part
            book = load_workbook(
                BytesIO((await client.get("/console/children/A01/export.xlsx")).content)
            )
            work = [[c.value for c in row] for row in book["工作记录"].iter_rows(min_row=2)]
            assert {r[2] for r in work} == {"电话联系了奶奶", "送去冬衣和书包", "家中电线老化"}
            assert {r[3] for r in work} == {"zhou"}  # the account, not "user:zhou"
            assert any(r[4] == "村委联系电工更换" for r in work)
            # empty text and unknown kinds are refused
            bad = await client.post(
                "/console/children/A01/notes", data={"csrf_token": csrf, "kind": "log", "text": " "}
            )
            assert bad.status_code == 400
            bad = await client.post(
                "/console/children/A01/notes", data={"csrf_token": csrf, "kind": "x", "text": "t"}
            )
            assert bad.status_code == 400
        added = await _audit(db, "child_note.add")
        assert [(a.actor, a.subject_id, a.detail["kind"]) for a in added] == [
            ("user:zhou", str(child.id), "log"),
            ("user:zhou", str(child.id), "support"),
            ("user:zhou", str(child.id), "problem"),
        ]
        assert all("电话" not in str(a.detail) for a in added)  # no note text in the audit log
        assert [a.detail for a in await _audit(db, "child_note.resolve")] == [
            {"note_id": problem.id}
        ]
        # hotline staff read the file but do not write to it
        async with staff.signed_in("chen") as (client, csrf):
            refused = await client.post(
                "/console/children/A01/notes", data={"csrf_token": csrf, "kind": "log", "text": "x"}
            )
            assert refused.status_code == 403
            assert (
                'action="/console/children/A01/notes"'
                not in (await client.get("/console/children/A01")).text
            )


async def test_the_directors_summary_by_message_has_the_least_detail(db: Database) -> None:
    async with staffed(db) as staff:
        app = staff.app
        child = await _child(db)
        async with db.transaction() as session:
            session.add(ChildNote(child_id=child.id, kind="problem", text="家中电线老化",
                                  author="user:zhou", created_at=NOW))  # fmt: skip
        replies = await say(app, "档案 A01", EAST)
        assert len(replies) == 1, replies
        text = replies[0]
        assert text.startswith("A01档案") and "待解决问题1个" in text, text
        assert "监护人同意已登记" in text  # the demo children have consent on record
        for private in (child.name, child.display_name, "电线", "张奶奶"):
            assert private not in text, private
        reads = await _audit(db, "read")
        assert [(r.actor.startswith("person:"), r.subject_id, r.detail) for r in reads] == [
            (True, str(child.id), {"view": "sms_summary"})
        ]
        # another director's child: not found among their own children, nothing read
        other = await say(app, "档案 A01", WEST)
        assert "没有“A01”" in other[0]
        assert len(await _audit(db, "read")) == 1
        assert "档案 编号" in (await say(app, "档案", EAST))[0]
        # a work-log note by message
        saved = await say(app, "日志 A01 送去了冬衣", EAST)
        assert saved == ["已记入A01的工作日志。"]
        async with db.transaction() as session:
            notes = list(
                (await session.execute(select(ChildNote).where(ChildNote.kind == "log"))).scalars()
            )
        assert [n.text for n in notes] == ["送去了冬衣"] and notes[0].author.startswith("person:")


async def test_a_supervisor_returns_a_visit_and_the_director_gets_the_comment(db: Database) -> None:
    async with staffed(db) as staff:
        child = await _child(db)
        async with db.transaction() as session:
            visit = Visit(
                child_id=child.id, director_id=child.director_id or 0, kind="home",
                visit_date=date(2026, 2, 20), assessment="average", checklist={}, notes="",
                flags=[], next_due=date(2026, 3, 20), dedup="v-review-1", created_at=NOW,
                updated_at=NOW,
            )  # fmt: skip
            session.add(visit)
            await session.flush()
            visit_id = visit.id
        async with staff.signed_in("zhou") as (client, csrf):
            page = (await client.get("/console/children/A01")).text
            assert "未审核" in page and f"/console/visits/{visit_id}/review" in page
            no_comment = await client.post(
                f"/console/visits/{visit_id}/review",
                data={"csrf_token": csrf, "action": "returned"},
            )
            assert no_comment.status_code == 400
            got = await client.post(
                f"/console/visits/{visit_id}/review",
                data={
                    "csrf_token": csrf,
                    "action": "returned",
                    "comment": "未写明孩子的就学情况。",
                },
            )
            assert got.status_code == 303
            assert "已退回" in (await client.get("/console/children/A01")).text
        async with db.transaction() as session:
            saved = await session.get(Visit, visit_id)
            assert saved is not None
            assert (saved.review_status, saved.reviewed_by) == ("returned", "user:zhou")
            director = await session.get(Person, child.director_id)
            assert director is not None
            rows = list(
                (
                    await session.execute(
                        select(OutboxMessage).where(OutboxMessage.person_id == director.id)
                    )
                ).scalars()
            )
        assert [r.message["key"] for r in rows] == ["review.returned"]
        await staff.app.dispatcher.run_until_idle()
        async with db.transaction() as session:
            sent = (await session.get(OutboxMessage, rows[0].id)).text  # type: ignore[union-attr]
        assert sent and "A01" in sent and "未写明孩子的就学情况" in sent and child.name not in sent
        audits = await _audit(db, "visit.returned")
        assert [(a.actor, a.subject_id, a.detail["told_director"]) for a in audits] == [
            ("user:zhou", str(visit_id), True)
        ]
        # marked reviewed without a comment: recorded, nobody messaged
        async with staff.signed_in("root") as (client, csrf):
            got = await client.post(
                f"/console/visits/{visit_id}/review",
                data={"csrf_token": csrf, "action": "reviewed"},
            )
            assert got.status_code == 303
        async with db.transaction() as session:
            count = len(list((await session.execute(select(OutboxMessage.id).where(
                OutboxMessage.person_id == child.director_id))).scalars()))  # fmt: skip
        assert count == 1
        # coverage counts the reviewed visits, per village and township
        async with staff.signed_in("zhou") as (client, csrf):
            report = (await client.get("/console/api/reports")).json()
        village = next(v for v in report["villages"] if v["code"] == VILLAGE)
        assert (village["reviewed"], village["returned"]) == (1, 0)
        assert village["visits"] >= 1
        town = next(t for t in report["townships"] if t["reviewed"])
        assert town["reviewed"] == 1
        # the hotline role may not review
        async with staff.signed_in("chen") as (client, csrf):
            refused = await client.post(
                f"/console/visits/{visit_id}/review",
                data={"csrf_token": csrf, "action": "reviewed"},
            )
            assert refused.status_code == 403


async def test_flags_need_a_reason_and_are_audited_with_before_and_after(db: Database) -> None:
    async with staffed(db) as staff:
        child = await _child(db)
        async with staff.signed_in("zhou") as (client, csrf):
            form = {"csrf_token": csrf, "area": VILLAGE, "active": "on",
                    "categories": ["left_behind", "difficulty"], "key_child": "on"}  # fmt: skip
            assert (await client.post("/console/children/A01/flags", data=form)).status_code == 400
            got = await client.post(
                "/console/children/A01/flags", data={**form, "reason": "父母离婚，监护变差"}
            )
            assert got.status_code == 303
            async with db.transaction() as session:
                guardian = (
                    (await session.execute(select(Person).where(Person.role == "guardian")))
                    .scalars()
                    .first()
                )
                assert guardian is not None
            got = await client.post(
                f"/console/people/{guardian.id}/flags",
                data={
                    "csrf_token": csrf,
                    "do_not_contact": "on",
                    "active": "on",
                    "reason": "涉嫌虐待，勿联系",
                },
            )
            assert got.status_code == 303
            assert "涉嫌虐待，勿联系" in (await client.get(f"/console/people/{guardian.id}")).text
        async with db.transaction() as session:
            saved = await session.get(Child, child.id)
            person = await session.get(Person, guardian.id)
            assert saved is not None and person is not None
            assert saved.is_key_child and set(saved.categories) >= {"left_behind", "difficulty"}
            assert person.do_not_contact and person.do_not_contact_reason == "涉嫌虐待，勿联系"
        entries = await _audit(db, "flags.set")
        assert [(e.subject_type, e.detail["reason"]) for e in entries] == [
            ("child", "父母离婚，监护变差"), ("person", "涉嫌虐待，勿联系"),
        ]  # fmt: skip
        assert entries[0].detail["changes"]["key_child"] == {"before": False, "after": True}
        assert entries[1].detail["changes"] == {"do_not_contact": {"before": False, "after": True}}
