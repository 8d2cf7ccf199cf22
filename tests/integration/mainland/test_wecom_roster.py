"""The roster column `wecom_userid` links a director's WeCom account; bad ids are refused."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.web.console.roster import COLUMNS, EXAMPLE, Known, check_rows
from bot.web.console.roster_apply import apply_rows
from storage.db import Database, upgrade_sync
from storage.models import ChannelAddress, Person
from storage.uow import unit_of_work

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def test_roster_links_the_directors_wecom_user_id(db: Database) -> None:
    import asyncio

    await asyncio.to_thread(upgrade_sync, db.url)
    rows = [dict(zip(COLUMNS, r, strict=True)) for r in EXAMPLE]
    report = check_rows(rows, Known(), NOW.date())
    assert all(r.ok for r in report), [r.problems for r in report]
    async with unit_of_work(db, NOW) as w:
        await apply_rows(w, report, NOW)
    async with unit_of_work(db, NOW) as w:
        again = check_rows(rows, Known(), NOW.date())
        await apply_rows(w, again, NOW)  # idempotent
    async with db.transaction() as s:
        [(address, name)] = (
            await s.execute(
                select(ChannelAddress.address, Person.name)
                .join(Person, Person.id == ChannelAddress.person_id)
                .where(ChannelAddress.channel == "wecom")
            )
        ).all()
    assert (address, name) == ("sunzhuren", "孙主任")

    bad = [dict(r) for r in rows]
    bad[3]["wecom_userid"] = "有 空格"
    bad[5]["wecom_userid"] = "zhangnainai"  # a guardian: WeCom is for staff
    problems = [p[0] for r in check_rows(bad, Known(), NOW.date()) for p in r.problems]
    assert problems.count("console.roster.err.wecom") == 2


async def test_the_demo_ships_a_registry_covering_every_key(tmp_path: object) -> None:
    from pathlib import Path

    from bot.cli import _load_demo
    from bot.config import load_settings
    from content.catalog import Catalog
    from storage.repos import mainland as repo

    url = f"sqlite+aiosqlite:///{Path(str(tmp_path)) / 'demo.db'}"
    import asyncio

    await asyncio.to_thread(upgrade_sync, url)
    assert await _load_demo(load_settings(_env_file=None, database_url=url))
    db = Database(url)
    try:
        async with db.transaction() as s:
            rows = await repo.all_templates(s)
            linked = (
                await s.execute(
                    select(ChannelAddress.address).where(ChannelAddress.channel == "wecom")
                )
            ).scalars()
            assert set(linked) >= {"lizhuren", "chenrexian"}
        keys = {r.key for r in rows if r.status == "approved"}
        assert keys == Catalog.load().all_keys()
        assert {r.provider for r in rows} == {"aliyun", "tencent"}
    finally:
        await db.dispose()
