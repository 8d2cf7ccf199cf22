"""Visit reports through the real service on SQLite and PostgreSQL: guided and quick,
retries, other directors' children, drafts on timeout, edits, refusals and danger flags."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.app import Application
from bot.effects import StepScope
from bot.host import VisitDanger
from bot.visits.danger import add_danger_listener, danger_flags_of_visit
from dialogs import effects as fx
from storage.models import AuditEntry, Person, Visit, VisitDraft
from storage.repos.people import address_row
from tests.support.reads import child

from .talk import EAST, GUIDED, WEST, conversation, say

TODAY = date(2026, 3, 2)


async def visits(app: Application) -> list[Visit]:
    async with app.db.transaction() as s:
        return list((await s.execute(select(Visit).order_by(Visit.id))).scalars())


async def audit_actions(app: Application) -> list[str]:
    async with app.db.transaction() as s:
        rows = await s.execute(select(AuditEntry.action).order_by(AuditEntry.id))
        return list(rows.scalars())


async def test_a_complete_guided_report_is_stored_with_its_next_due_date(app: Application) -> None:
    replies = await conversation(app, GUIDED)
    assert replies == ["已保存A02 张小红的走访。下次走访：2026年4月2日。24小时内发“改”可修改。"]
    [visit] = await visits(app)
    a02 = await child(app, "A02")
    assert (visit.child_id, visit.kind, visit.visit_date, visit.assessment) == (
        a02.id, "home", TODAY, "average"
    )  # fmt: skip
    assert visit.next_due == date(2026, 4, 2) == a02.next_visit_due
    assert a02.guardianship_level == "average"
    assert visit.checklist["care"] == "grandparents" and visit.notes == "奶奶照顾"
    assert visit.flags == [] and "visit_saved" in await audit_actions(app)


QUICK = [
    # text, code, assessment, kind, visit date, next due, flags
    ("走访 A01 良好 在校 无", "A01", "good", "home", TODAY, date(2026, 6, 2), []),
    # a call or a meeting elsewhere is no home visit: the home visit due before stays due
    ("V A03 A phone yesterday", "A03", "average", "contact", date(2026, 3, 1),
     date(2026, 3, 5), []),
    ("走访 A04 差 他处 3.1 独居 有伤", "A04", "poor", "elsewhere", date(2026, 3, 1),
     date(2026, 1, 31), ["guardianship_poor", "living_alone", "injury_signs"]),
    ("走访 A05 良好 在校", "A05", "good", "home", TODAY, date(2026, 3, 16), []),  # key child
]  # fmt: skip


@pytest.mark.parametrize(("text", "code", "assessment", "kind", "day", "due", "flags"), QUICK)
async def test_a_quick_form_is_stored_with_the_right_next_due(
    app: Application,
    text: str,
    code: str,
    assessment: str,
    kind: str,
    day: date,
    due: date,
    flags: list[str],
) -> None:
    replies = await say(app, text)
    # a danger word in the report ("独居", "有伤") also gets the safety reply first
    assert [r for r in replies if r.startswith(f"已保存{code}")]
    if "living_alone" in flags:
        assert any("110" in r for r in replies)
        assert any("48小时内" in r for r in replies)  # a critical flag asks for a follow-up
    else:
        assert len(replies) == 1
    [visit] = await visits(app)
    stored = await child(app, code)
    assert visit.child_id == stored.id
    assert (visit.assessment, visit.kind, visit.visit_date) == (assessment, kind, day)
    assert visit.next_due == due == stored.next_visit_due
    assert sorted(visit.flags) == sorted(flags)


async def test_the_same_quick_form_retried_makes_one_visit(app: Application) -> None:
    first = await say(app, "走访 A01 良好 在校 无 备注 奶奶照顾得好")
    again = await say(app, "走访 A01 良好 在校 无 备注 奶奶照顾得好")
    assert first == again
    assert len(await visits(app)) == 1
    assert (await audit_actions(app)).count("visit_saved") == 1


async def test_another_directors_child_is_answered_like_an_unknown_code(app: Application) -> None:
    other = await say(app, "走访 B01 良好")  # B01 is 王主任's child
    unknown = await say(app, "走访 Z99 良好")
    assert [r.replace("B01", "Z99") for r in other] == unknown
    guided = await conversation(app, ["走访", "B01"])
    assert guided[0].startswith("您的名单里没有“B01”")
    assert await visits(app) == []


async def test_a_quiet_report_becomes_a_draft_and_resumes(app: Application) -> None:
    await conversation(app, ["走访", "A02", "1"])
    app.clock.advance(hours=25)  # type: ignore[attr-defined]
    assert await app.service.expire_conversations() == 1
    await app.dispatcher.run_until_idle()
    async with app.db.transaction() as s:
        [draft] = (await s.execute(select(VisitDraft))).scalars()
        assert draft.answers["kind"] == "home"
    offer = await say(app, "走访")
    assert offer[0].startswith("有A02 张小红未完成的走访草稿")
    resumed = await say(app, "1")
    assert resumed[0].startswith("3/15 哪天走访的")
    async with app.db.transaction() as s:
        assert (await s.execute(select(func.count()).select_from(VisitDraft))).scalar() == 0
    assert "visit_draft_saved" in await audit_actions(app)


async def test_edit_within_the_window_changes_the_visit_and_the_due_date(app: Application) -> None:
    await say(app, "走访 A01 良好 在校 无")
    app.clock.advance(hours=2)  # type: ignore[attr-defined]
    replies = await conversation(app, ["改", "5", "差", "1"])
    assert replies == ["已修改A01 张小明的走访。下次走访：2026年3月16日。"]
    [visit] = await visits(app)
    assert (visit.assessment, visit.next_due) == ("poor", date(2026, 3, 16))
    a01 = await child(app, "A01")
    assert (a01.next_visit_due, a01.guardianship_level) == (date(2026, 3, 16), "poor")
    assert "visit_edited" in await audit_actions(app)


async def test_edit_after_the_window_is_refused(app: Application) -> None:
    await say(app, "走访 A01 良好 在校 无")
    app.clock.advance(hours=25)  # type: ignore[attr-defined]
    assert await say(app, "改") == ["走访保存已超过24小时，不能再改，请联系督导员。"]
    assert await say(app, "改", WEST) == ["没有可修改的走访。"]


async def scope_of(app: Application, session, phone: str) -> StepScope:  # type: ignore[no-untyped-def]
    from tests.integration.visits.talk import inbound

    person = (await session.execute(select(Person).where(Person.phone == phone))).scalar_one()
    return StepScope(
        session=session,
        now=app.clock.now(),
        inbound=inbound(app, "x", phone),
        inbound_id=None,
        address=await address_row(session, "console", phone, app.clock.now()),
        person=person,
    )


async def test_defence_in_depth_refuses_other_directors_children_and_visits(
    app: Application,
) -> None:
    b01 = await child(app, "B01")
    await say(app, "走访 B01 良好 在校", WEST)
    [west_visit] = await visits(app)
    save = fx.SaveVisit(b01.id, "home", TODAY, "good", (), "", (), TODAY, "forged")
    async with app.db.transaction() as s:
        scope = await scope_of(app, s, EAST)
        await app.service.effects.run(scope, (save, fx.UpdateVisit(west_visit.id, {"kind": "x"})))
        assert [r.key for r in scope.extra_replies] == ["visit.refused", "visit.edit_refused"]
    assert [v.id for v in await visits(app)] == [west_visit.id]
    assert (await visits(app))[0].kind == "home"
    actions = await audit_actions(app)
    assert "visit_refused" in actions and "visit_edit_refused" in actions


async def test_danger_flags_are_stored_and_handed_to_the_hotline_hook(app: Application) -> None:
    seen: list[VisitDanger] = []

    async def listener(scope: StepScope, danger: VisitDanger) -> None:
        seen.append(danger)

    add_danger_listener(app, listener)
    await say(app, "走访 A04 一般 独居 在校")
    [visit] = await visits(app)
    assert danger_flags_of_visit(visit) == ("living_alone",)
    assert [(d.child_code, d.flags, d.severity, d.new) for d in seen] == [
        ("A04", ("living_alone",), "critical", True)
    ]
    app.clock.advance(hours=1)  # type: ignore[attr-defined]
    await conversation(app, ["改", "6", "4", "4", "1"])  # health -> signs of injury
    assert [d.flags for d in seen] == [("living_alone",), ("injury_signs",)]
    assert not seen[1].new
    assert (await audit_actions(app)).count("visit_danger") == 2


async def test_a_new_visit_never_moves_the_due_date_back_to_an_older_one(app: Application) -> None:
    await say(app, "走访 A01 良好 在校")
    await say(app, "走访 A01 差 2.20")  # an older visit reported later
    a01 = await child(app, "A01")
    assert a01.next_visit_due == date(2026, 6, 2) and a01.guardianship_level == "good"
    assert len(await visits(app)) == 2
