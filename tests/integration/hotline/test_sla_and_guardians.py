"""SLA watchdog (FakeClock), delivered events, guardian suppression, the DB lexicon, CLI."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from bot.app import Application
from bot.hotline.cli import run_screen
from bot.hotline.jobs import record_deliveries, sla_watchdog
from bot.hotline.runtime import hotline_of
from storage.repos import lexicon
from storage.repos.cases import suppressed_guardian_ids
from tests.integration.hotline.helpers import (
    GUARDIAN_LIU,
    HOTLINE,
    NOW,
    SUPERVISOR,
    UNKNOWN,
    cases,
    events,
    kinds,
    person_id,
    say,
    texts,
)
from tests.support.apps import fake_clock
from tests.support.categories import in_group
from tests.support.reads import child


async def test_sla_realert_then_escalation_then_claim_stops_it(app: Application) -> None:
    await say(app, "我不想活了", UNKNOWN)  # critical: 5 minutes to acknowledge
    [case] = await cases(app)
    fake_clock(app).advance(minutes=4)
    assert await sla_watchdog(app) == 0
    fake_clock(app).advance(minutes=2)
    assert await sla_watchdog(app) == 1
    assert await sla_watchdog(app) == 0  # idempotent at the same time
    assert any("再次提醒" in t for t in await texts(app, HOTLINE))
    assert not any(case.ref in t for t in await texts(app, SUPERVISOR))
    fake_clock(app).advance(minutes=5)
    assert await sla_watchdog(app) == 1
    supervisor = await texts(app, SUPERVISOR)
    assert any("升级" in t and case.ref in t for t in supervisor)
    history = await events(app, case.id)
    assert [e.kind for e in history] == [
        "created", "alerted", "breach", "alerted", "breach", "alerted", "escalated",
    ]  # fmt: skip
    assert [e.detail.get("level") for e in history if e.kind == "alerted"] == [1, 1, 2]
    await say(app, f"认领 {case.ref}", SUPERVISOR)
    fake_clock(app).advance(minutes=30)
    assert await sla_watchdog(app) == 0
    # the deadline never moved: the case that breached twice is late in the queue and report
    from bot.web.console import cases_view
    from storage.repos.reports import sla

    [case] = await cases(app)
    assert case.ack_due_at == NOW + timedelta(minutes=5)
    async with app.db.transaction() as s:
        [row] = await cases_view.queue(s, fake_clock(app).now(), person_id=None, allowed_areas=None)
        report = await sla(s, fake_clock(app).now(), None, hotline_of(app).config.sla_for)
    assert row.breached and row.acknowledged
    assert [(r["severity"], r["within"], r["late"]) for r in report] == [("critical", 0, 1)]


async def test_nobody_on_duty_goes_to_level_two_at_once(app: Application) -> None:
    async with app.db.transaction() as s:
        from sqlalchemy import update

        from storage.models import StaffShift

        await s.execute(update(StaffShift).where(StaffShift.level == 1).values(ends_at=NOW))
    await say(app, "A04被打了一顿")
    [case] = await cases(app)
    assert case.escalation_level == 2
    assert "unstaffed" in await kinds(app, case.id)
    assert any(case.ref in t for t in await texts(app, SUPERVISOR))


async def test_delivered_events_follow_the_outbox(app: Application) -> None:
    await say(app, "A04被打了一顿")
    [case] = await cases(app)
    assert await record_deliveries(app) == 0  # queued, not yet handed to the channel
    await app.dispatcher.run_until_idle()
    assert await record_deliveries(app) == 1
    assert await record_deliveries(app) == 0
    assert (await kinds(app, case.id))[-1] == "delivered"


async def test_guardian_suspected_gets_no_case_message_and_no_reminder(app: Application) -> None:
    await say(app, "A04的爸爸昨晚又把他打了一顿")
    [case] = await cases(app)
    liu = await person_id(app, GUARDIAN_LIU)
    a04, a01 = await child(app, "A04"), await child(app, "A01")
    assert case.suspected_guardian_id == liu
    async with app.db.transaction() as s:
        assert await suppressed_guardian_ids(s, [a04.id, a01.id]) == {liu}
        assert await suppressed_guardian_ids(s, [a01.id]) == set()
    await say(app, f"结案 {case.ref} 未报警 家长已配合，社工跟进", HOTLINE)
    async with app.db.transaction() as s:
        assert await suppressed_guardian_ids(s, [a04.id]) == set()


async def test_suspect_needs_a_known_child(app: Application) -> None:
    await say(app, "孩子被打了一顿", GUARDIAN_LIU)  # two children: cannot tell which
    [case] = await cases(app)
    assert case.child_id is None
    await say(app, f"嫌疑 {case.ref} 父亲 孩子说是爸爸打的", HOTLINE)
    assert "无法确定" in (await texts(app, HOTLINE))[-1]


async def test_no_case_message_goes_to_a_suspected_guardian(app: Application) -> None:
    await say(app, "A04被打了一顿", GUARDIAN_LIU)
    [case] = await cases(app)
    await say(app, f"嫌疑 {case.ref} 父亲 孩子说是爸爸打的", HOTLINE)
    before = len(await texts(app, GUARDIAN_LIU))
    await say(app, f"回复 {case.ref} 请问孩子现在在哪里？", HOTLINE)
    assert "未发送" in (await texts(app, HOTLINE))[-1]
    assert len(await texts(app, GUARDIAN_LIU)) == before
    assert "reply" not in await kinds(app, case.id)


async def test_staff_can_set_the_suspected_guardian(app: Application) -> None:
    await say(app, "A04身上都是伤")
    [case] = await cases(app)
    assert case.suspected_guardian_id is None
    await say(app, f"嫌疑 {case.ref} 父亲 孩子说是爸爸打的", HOTLINE)
    [case] = await cases(app)
    assert case.suspected_guardian_id == await person_id(app, GUARDIAN_LIU)


async def test_edited_lexicon_in_the_database_is_used(app: Application) -> None:
    await say(app, "小孩天天去那边帮人背坯子", UNKNOWN)  # the lexicon misses it
    assert (await cases(app))[0].category != "trafficking_begging_labour"
    hl = hotline_of(app)
    builds = hl.screens.builds
    async with app.db.transaction() as s:
        raw = await lexicon.mapping(s)
        assert raw is not None
        labour = next(c for c in raw["categories"] if c["id"] == "trafficking_begging_labour")
        labour["terms"] = [*labour["terms"], "背坯子"]
        await lexicon.save(s, "trafficking_begging_labour", labour, now=NOW, by="user:admin")
    fake_clock(app).advance(hours=3)
    await say(app, "那个娃又去帮人背坯子了", "+8613999999998")
    assert (await cases(app))[-1].category in in_group("trafficking_begging_labour")
    assert hl.screens.builds == builds + 1


def test_screen_command_without_database_uses_the_default(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    url = f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"
    run_screen(url, "-", io.StringIO("孩子被打了一顿\n打疫苗\n我不想活了\n"), out, err)
    lines = [__import__("json").loads(x) for x in out.getvalue().splitlines()]
    assert [x["escalate"] for x in lines] == [True, False, True]
    assert lines[0]["category"] in in_group("violence_abuse")
    assert [x["category"] for x in lines][1:] == [None, "self_harm"]
    assert [x["outcome"] for x in lines] == ["alert", "pass", "alert"]
    assert "default" in err.getvalue() and not (tmp_path / "none.db").exists()


async def test_screen_command_reads_the_database_lexicon(app: Application) -> None:
    await say(app, "你好", UNKNOWN)  # first step seeds the lexicon
    async with app.db.transaction() as s:
        raw = await lexicon.mapping(s)
        assert raw is not None
        cat = next(c for c in raw["categories"] if c["id"] == "child_alone_missing")
        cat["terms"] = [*cat["terms"], "独自看守鱼塘"]
        await lexicon.save(s, "child_alone_missing", cat, now=NOW, by="t")
    out, err = io.StringIO(), io.StringIO()
    await app.db.dispose()
    import asyncio

    await asyncio.to_thread(run_screen, app.db.url, "娃独自看守鱼塘三天了", io.StringIO(), out, err)
    assert '"category": "child_alone_missing"' in out.getvalue()
    assert err.getvalue() == ""
