"""A saved visit whose next home visit is already past due (a phone call does not stand for
a home visit) says so in words, not only as a date gone by (a new user's trial read
"下次走访：2026年11月3日" on 3 December)."""

from __future__ import annotations

from bot.app import Application
from tests.integration.hotline.helpers import DIRECTOR, say, texts

OVERDUE = "入户走访仍已逾期"


async def test_a_phone_call_after_an_overdue_home_visit_says_it_is_still_overdue(
    app: Application,
) -> None:
    await say(app, "走访 A04 差 电话 昨天 失学 备注 父亲联系不上")
    said = await texts(app, DIRECTOR)
    saved = next(i for i, t in enumerate(said) if t.startswith("已保存A04"))
    assert any(OVERDUE in t for t in said[saved:]), said


async def test_a_home_visit_on_time_has_no_such_note(app: Application) -> None:
    await say(app, "走访 A01 良好 在校 无 备注 奶奶照顾好")
    said = await texts(app, DIRECTOR)
    assert any(t.startswith("已保存A01") for t in said)
    assert not any(OVERDUE in t for t in said), said
