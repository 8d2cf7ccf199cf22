"""The console's case actions and the message commands share `bot.hotline.operations`:
the same owner rule, timeline events, acknowledgement and reply path to the reporter."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import AuditEntry, CaseEvent
from tests.integration.console.staffed import staffed
from tests.integration.hotline.helpers import (
    DIRECTOR,
    HOTLINE,
    NOW,
    SECOND,
    cases,
    events,
    kinds,
    open_case,
    outbox_rows,
    say,
    texts,
)


async def test_a_claim_by_message_holds_against_the_console(db: Database) -> None:
    async with staffed(db) as staff:
        ref = await open_case(staff.app)
        await say(staff.app, f"认领 {ref}", HOTLINE)
        async with staff.signed_in("wu") as (client, csrf):
            response = await client.post(f"/console/cases/{ref}/claim", data={"csrf_token": csrf})
            assert response.status_code == 409
            assert f"案件 {ref} 已由 陈热线 认领。" in response.text
            note = await client.post(
                f"/console/cases/{ref}/close", data={"csrf_token": csrf, "text": "done"}
            )
            assert note.status_code == 409  # not the owner: may not close
        [case] = await cases(staff.app)
        assert case.status == "claimed"
        assert await kinds(staff.app, case.id) == [
            "created", "duty_told", "alerted", "alerted", "claimed",
        ]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "text", "status", "event", "detail"),
    [
        ("note", "打过电话，家里没人", "claimed", "note", {"text": "打过电话，家里没人"}),
        ("refer", "police", "referred", "referral", {"agency": "police"}),
        ("close", "已由派出所处理", "closed", "closed", {"outcome": "已由派出所处理"}),
    ],
)
async def test_console_actions_write_what_the_commands_write(
    db: Database, action: str, text: str, status: str, event: str, detail: dict[str, str]
) -> None:
    async with staffed(db) as staff:
        ref = await open_case(staff.app)
        async with staff.signed_in("chen") as (client, csrf):
            form = {"csrf_token": csrf, "text": text}
            if action == "close":  # a statutory case: without a police referral, a reason
                form["no_police_reason"] = "派出所已到场处理，由村委跟进"
            response = await client.post(f"/console/cases/{ref}/{action}", data=form)
            assert response.status_code == 200, response.text
        [case] = await cases(staff.app)
        assert case.status == status and case.acknowledged_at == NOW
        assert case.owner_id is not None  # the first to act holds the case
        last = (await events(staff.app, case.id))[-1]
        assert (last.kind, last.actor, last.detail) == (event, "user:chen", detail)


async def test_a_console_reply_reaches_the_reporter_and_their_answer_comes_back(
    db: Database,
) -> None:
    async with staffed(db) as staff:
        ref = await open_case(staff.app)
        async with staff.signed_in("chen") as (client, csrf):
            response = await client.post(
                f"/console/cases/{ref}/reply",
                data={"csrf_token": csrf, "text": "请问孩子现在安全吗？"},
            )
            assert "已交给发送队列，发给案件" in response.text  # queued, not "sent"
        sent = await texts(staff.app, DIRECTOR)
        assert any(f"热线工作人员（案件 {ref}）：请问孩子现在安全吗？" in t for t in sent)
        await say(staff.app, "现在安全了，在奶奶家")
        [case] = await cases(staff.app)
        assert (await kinds(staff.app, case.id))[-2:] == ["reply", "reporter_message"]
        forwarded = await texts(staff.app, HOTLINE)
        assert any("现在安全了，在奶奶家" in t for t in forwarded)
        assert not any("现在安全了" in (r.text or "") for r in await outbox_rows(staff.app, SECOND))


async def test_an_unlinked_console_account_cannot_act(db: Database) -> None:
    async with staffed(db) as staff:
        ref = await open_case(staff.app)
        async with staff.signed_in("nobody") as (client, csrf):
            page = await client.get(f"/console/cases/{ref}")
            assert 'id="unlinked"' in page.text and "/claim" not in page.text
            response = await client.post(f"/console/cases/{ref}/claim", data={"csrf_token": csrf})
            assert response.status_code == 409 and "没有关联名册中的人员" in response.text
        [case] = await cases(staff.app)
        assert case.owner_id is None and case.acknowledged_at is None


async def test_every_case_read_is_audited_and_the_reporter_hidden_from_supervisors(
    db: Database,
) -> None:
    async with staffed(db) as staff:
        ref = await open_case(staff.app)
        async with staff.signed_in("root") as (client, _):
            admin_view = await client.get(f"/console/cases/{ref}")
        async with staff.signed_in("zhou") as (client, _):
            supervisor_view = await client.get(f"/console/cases/{ref}")
        assert DIRECTOR in admin_view.text
        assert supervisor_view.status_code == 200 and DIRECTOR not in supervisor_view.text
        async with staff.app.db.transaction() as session:
            reads = (
                await session.execute(
                    select(AuditEntry.actor).where(
                        AuditEntry.subject_type == "case", AuditEntry.action == "read"
                    )
                )
            ).scalars()
            assert sorted(reads) == ["user:root", "user:zhou"]
            assert (await session.execute(select(CaseEvent))).scalars().first() is not None


async def test_the_queue_sorts_by_severity_then_deadline_and_filters_mine(db: Database) -> None:
    async with staffed(db) as staff:
        high = await open_case(staff.app)
        await say(staff.app, "他爸爸正在打他，快来救命", "+8613800000003")
        async with staff.signed_in("chen") as (client, csrf):
            data = (await client.get("/console/api/cases")).json()
            assert data["cases"][0]["severity"] == "critical"
            assert {c["ref"] for c in data["cases"]} >= {high}
            await client.post(f"/console/cases/{high}/claim", data={"csrf_token": csrf})
            mine = (await client.get("/console/api/cases?mine=1")).json()
            assert [c["ref"] for c in mine["cases"]] == [high] and mine["cases"][0]["mine"]
            staff.console.clock.advance(minutes=10)
            late = (await client.get("/console/api/cases")).json()["cases"]
            assert late[0]["breached"] and late[0]["deadline"]
            assert not any(c["breached"] for c in late if c["ref"] == high)
            page = (await client.get("/console/cases")).text
            assert page.count('class="breached"') == 1 and "⚠ 已超时" in page  # without JS too


async def test_console_refuses_to_close_a_statutory_case_without_police_or_reason(
    db: Database,
) -> None:
    async with staffed(db) as staff:
        ref = await open_case(staff.app)
        async with staff.signed_in("chen") as (client, csrf):
            page = await client.get(f"/console/cases/{ref}")
            assert "未报警的理由" in page.text and 'id="police-state"' in page.text
            refused = await client.post(
                f"/console/cases/{ref}/close", data={"csrf_token": csrf, "text": "已处理"}
            )
            assert refused.status_code == 409 and "转介" in refused.text
            await client.post(
                f"/console/cases/{ref}/refer", data={"csrf_token": csrf, "text": "police"}
            )
            closed = await client.post(
                f"/console/cases/{ref}/close", data={"csrf_token": csrf, "text": "已处理"}
            )
            assert closed.status_code == 200, closed.text
        [case] = await cases(staff.app)
        assert case.status == "closed"


async def test_queue_page_shows_review_cases_apart(db: Database) -> None:
    async with staffed(db) as staff:
        await say(staff.app, "请问你们这里是做什么的", "+8613999999999")  # a review case
        [review] = await cases(staff.app)
        ref = await open_case(staff.app)
        async with staff.signed_in("chen") as (client, _):
            page = (await client.get("/console/cases")).text
            api = (await client.get("/console/api/cases")).json()
            lane = (await client.get("/console/api/cases?lane=review")).json()
            case_page = (await client.get(f"/console/cases/{review.ref}")).text
        main, _, apart = page.partition('id="review-queue"')
        assert ref in main and review.ref not in main and review.ref in apart
        assert [c["ref"] for c in api["cases"]] == [ref]
        assert [(c["ref"], c["review"]) for c in lane["cases"]] == [(review.ref, True)]
        assert 'id="needs-review"' in case_page
        assert 'id="case-danger"' in case_page and 'id="case-callback"' in case_page


async def test_console_sets_the_suspect_with_a_reason(db: Database) -> None:
    async with staffed(db) as staff:
        ref = await open_case(staff.app)
        async with staff.signed_in("chen") as (client, csrf):
            refused = await client.post(
                f"/console/cases/{ref}/suspect", data={"csrf_token": csrf, "text": "father"}
            )
            assert refused.status_code == 409
            done = await client.post(
                f"/console/cases/{ref}/suspect",
                data={"csrf_token": csrf, "text": "father", "reason": "孩子说是爸爸打的"},
            )
            assert done.status_code == 200, done.text
        [case] = await cases(staff.app)
        assert case.suspected_guardian_id is not None
        last = (await events(staff.app, case.id))[-1]
        assert last.kind == "guardian_suspected" and last.detail["reason"] == "孩子说是爸爸打的"
