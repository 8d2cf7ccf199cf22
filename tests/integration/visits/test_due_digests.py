"""The due list on the seeded roster, and both weekly digests (content, time zone, dedup)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.visits.digests import digest_week, send_director_digests, send_supervisor_digests
from storage.models import Area, OutboxMessage

from .talk import EAST, SUPERVISOR, WEST, conversation, say, sent

DIRECTOR_EAST = (
    "本周走访：逾期3人，即将到期1人，其中缺疫苗0人。逾期最久（天）：A05 — · A04 30 · A02 12。"
    "发“待访”看名单。"
)
DIRECTOR_WEST = (
    "本周走访：逾期1人，即将到期0人，其中缺疫苗0人。逾期最久（天）：B01 3。发“待访”看名单。"
)
SUPERVISOR_TEXT = (
    "走访逾期：2个村共4人。按村：东村 3 · 西村 1。"
    "最久（天）：A05/东村 — · A04/东村 30 · A02/东村 12"
)


async def test_due_list_on_the_seeded_roster_most_overdue_first(app: Application) -> None:
    # the demo records no doses for these children: the reminders capability marks them
    assert await say(app, "待访") == [
        "待访4人（1/2），选一人开始走访：\n1 A05 孙晓 未走访过 缺疫苗\n"
        "2 A04 刘乐乐 逾期30天 缺疫苗\n3 A02 张小红 逾期12天 缺疫苗\n4 更多"
    ]
    assert await say(app, "更多") == ["待访4人（2/2），选一人开始走访：\n1 A03 刘安安 3天后到期"]
    assert (await say(app, "1"))[0].startswith("2/15 A03 刘安安：走访方式？")


async def test_due_list_shrinks_after_a_visit(app: Application) -> None:
    await say(app, "走访 A04 良好 在校")
    replies = await conversation(app, ["待访"])
    assert "A04" not in replies[0] and replies[0].startswith("待访3人")
    assert (await say(app, "待访", WEST))[0].startswith("待访1人（1/1）")


async def digest_rows(app: Application) -> list[tuple[str, str]]:
    async with app.db.transaction() as s:
        rows = await s.execute(
            select(OutboxMessage.dedup_key, OutboxMessage.address)
            .where(OutboxMessage.dedup_key.like("digest:%"))
            .order_by(OutboxMessage.id)
        )
        return [(row[0] or "", row[1]) for row in rows.all()]


async def test_director_digests_content_and_dedup(app: Application) -> None:
    assert await send_director_digests(app) == 2
    assert await send_director_digests(app) == 0  # same week: nothing more
    assert (await sent(app, EAST))[-1] == DIRECTOR_EAST
    assert (await sent(app, WEST))[-1] == DIRECTOR_WEST
    keys = [k for k, _ in await digest_rows(app)]
    assert all(k.startswith("digest:director:") and k.endswith(":2026-W10") for k in keys)
    app.clock.advance(days=7)  # type: ignore[attr-defined]
    assert await send_director_digests(app) == 2


async def test_supervisor_digest_counts_overdue_by_village(app: Application) -> None:
    assert await send_supervisor_digests(app) == 1
    assert await send_supervisor_digests(app) == 0
    assert await sent(app, SUPERVISOR) == [SUPERVISOR_TEXT]
    await say(app, "走访 A05 良好 在校")
    await say(app, "走访 A04 良好 在校")
    await say(app, "走访 A02 良好 在校")
    await say(app, "走访 B01 良好 在校", WEST)
    app.clock.advance(days=7)  # type: ignore[attr-defined]
    assert await send_supervisor_digests(app) == 1
    assert (await sent(app, SUPERVISOR))[-1] == (  # A03 fell due meanwhile
        "走访逾期：1个村共1人。按村：东村 1。最久（天）：A03/东村 4"
    )
    await say(app, "走访 A03 良好 在校")
    app.clock.advance(days=7)  # type: ignore[attr-defined]
    assert await send_supervisor_digests(app) == 1
    assert (await sent(app, SUPERVISOR))[-1] == "本周2个村都没有逾期走访。"


WEEKS = [
    # UTC now, area time zone, digest week due (None: before Monday 08:00 local)
    (datetime(2026, 3, 1, 23, 59, tzinfo=UTC), "Asia/Shanghai", None),  # Mon 07:59 local
    (datetime(2026, 3, 2, 0, 0, tzinfo=UTC), "Asia/Shanghai", "2026-W10"),  # Mon 08:00
    (datetime(2026, 3, 8, 15, 0, tzinfo=UTC), "Asia/Shanghai", "2026-W10"),  # Sun 23:00: late
    (datetime(2026, 3, 8, 16, 0, tzinfo=UTC), "Asia/Shanghai", None),  # next Mon 00:00
    (datetime(2026, 3, 2, 2, 0, tzinfo=UTC), "Asia/Urumqi", "2026-W10"),  # Mon 08:00 (+06)
    (datetime(2026, 3, 2, 1, 59, tzinfo=UTC), "Asia/Urumqi", None),
    (datetime(2026, 12, 28, 0, 0, tzinfo=UTC), "Asia/Shanghai", "2026-W53"),
]


@pytest.mark.parametrize(("now", "tz", "week"), WEEKS)
def test_digest_week_starts_monday_eight_local(now: datetime, tz: str, week: str | None) -> None:
    from zoneinfo import ZoneInfo

    assert digest_week(now, ZoneInfo(tz)) == week


async def test_digest_waits_for_monday_morning_in_the_areas_zone(app: Application) -> None:
    async with app.db.transaction() as s:
        west = (await s.execute(select(Area).where(Area.name == "西村"))).scalar_one()
        west.timezone = "Asia/Urumqi"
    app.clock.set(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    assert await send_director_digests(app) == 1  # east: 09:00; west: 07:00, not yet
    app.clock.set(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    assert await send_director_digests(app) == 1  # west now, east not again
    addresses = [a for _, a in await digest_rows(app)]
    assert addresses == [EAST, WEST]


async def test_a_late_run_after_downtime_sends_once_that_week(app: Application) -> None:
    app.clock.set(datetime(2026, 3, 7, 14, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    assert await send_director_digests(app) == 2  # Saturday 22:00: late, still this week
    async with app.db.transaction() as s:
        rows = (await s.execute(select(OutboxMessage.not_before))).scalars().all()
    assert rows and all(nb == datetime(2026, 3, 8, 0, 0, tzinfo=UTC) for nb in rows)  # 08:00
    assert await send_director_digests(app) == 0
