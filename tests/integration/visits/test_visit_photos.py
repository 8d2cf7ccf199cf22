"""A director's photos on visits (SQLite and PostgreSQL): sent while reporting, just after
saving, or captioned `照片 A04`; kept by reference, counted on the child's file, dropped by
the retention sweep and with the visit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from bot.app import Application
from bot.clock import FakeClock
from bot.privacy import retention
from dialogs.types import Channel, Inbound, MediaRef
from storage.db import Database
from storage.models import Child, Visit, VisitMedia
from tests.integration.visits.talk import EAST, GUIDED, NOW, say, sent
from tests.support.apps import make_demo_app

PHOTO = MediaRef("https://api.twilio.com/x/Media/ME1", "image/jpeg", None, "image")


async def photo(app: Application, caption: str = "", pid: str | None = None) -> list[str]:
    before = len(await sent(app))
    pid = pid or f"ph{app.clock.now().timestamp()}{caption}"
    await app.service.handle(
        Inbound(Channel.CONSOLE, EAST, pid, app.clock.now(), text=caption, media=(PHOTO,))
    )
    return (await sent(app))[before:]


async def photos_by_child(app: Application) -> dict[str, int]:
    async with app.db.transaction() as s:
        rows = await s.execute(
            select(Child.code, VisitMedia.id)
            .join(Visit, Visit.id == VisitMedia.visit_id)
            .join(Child, Child.id == Visit.child_id)
        )
        out: dict[str, int] = {}
        for code, _ in rows:
            out[code] = out.get(code, 0) + 1
        return out


async def test_photo_during_the_report_is_attached_when_it_is_saved(db: Database) -> None:
    app = await make_demo_app(db.url)
    try:
        await say(app, GUIDED[0])
        await say(app, GUIDED[1])
        [pending] = await photo(app)
        assert pending.startswith("收到照片 1 张")
        for text in GUIDED[2:]:
            await say(app, text)
        assert await photos_by_child(app) == {"A02": 1}
    finally:
        await app.stop()


async def test_photo_just_after_saving_and_with_a_code(db: Database) -> None:
    clock = FakeClock(NOW)
    app = await make_demo_app(db.url, clock)
    try:
        await say(app, "走访 A04 差 电话 昨天 失学 无 备注 父亲联系不上")
        clock.advance(minutes=5)
        [attached] = await photo(app)
        assert attached.startswith("照片已附到 A04 的走访") and "共有照片 1 张" in attached
        clock.advance(hours=2)  # long after: not guessed
        [how] = await photo(app)
        assert "照片 A04" in how
        [coded] = await photo(app, "照片 a04")
        assert "共有照片 2 张" in coded
        [none] = await photo(app, "照片 B01")  # another director's child
        assert "没有代码为 B01" in none
        [no_visit] = await photo(app, "照片 A05")
        assert no_visit.startswith("A05 还没有走访记录")
        assert await photos_by_child(app) == {"A04": 2}
    finally:
        await app.stop()


async def test_the_sweep_and_the_visit_take_the_photos_with_them(db: Database) -> None:
    clock = FakeClock(NOW)
    app = await make_demo_app(db.url, clock)
    try:
        await say(app, "走访 A04 差 电话 昨天 失学 无 备注 父亲联系不上")
        await photo(app, "照片 A04")
        await photo(app, "照片 A04", pid="second")
        async with app.db.transaction() as s:
            visit_id = (await s.execute(select(VisitMedia.visit_id))).scalars().first()
            old = (await s.execute(select(VisitMedia))).scalars().first()
            assert old is not None
            old.created_at = NOW - timedelta(days=1826)
        result = await retention.sweep(app)
        assert result.counts["media"] == 1
        assert await photos_by_child(app) == {"A04": 1}
        async with app.db.transaction() as s:
            await s.execute(delete(Visit).where(Visit.id == visit_id))
        assert await photos_by_child(app) == {}
    finally:
        await app.stop()
