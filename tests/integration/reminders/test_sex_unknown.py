"""A child of HPV age whose sex is not recorded is a warning of the planner (issue 11 item 2),
not silence: `reminders plan` names how many and their ids, and logs it."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

from bot.app import Application
from bot.reminders import plan
from tests.integration.reminders.roster import Roster

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def test_unknown_sex_at_hpv_age_is_a_planner_warning(
    app: Application, caplog: pytest.LogCaptureFixture
) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mum = await r.person()
        unknown = await r.child(date(2012, 6, 1), [mum], sex=None)  # 13, in the HPV cohort
        await r.child(date(2012, 7, 1), [mum], sex="f")
        await r.child(date(2012, 8, 1), [mum], sex="m")
        await r.child(date(2011, 6, 1), [mum], sex=None)  # born before the cohort
        await r.child(date(2020, 6, 1), [mum], sex=None)  # far from HPV age
    with caplog.at_level(logging.WARNING):
        result = await plan(app, dry_run=True)
    [warning] = [w for w in result.warnings if w.startswith("sex unknown")]
    assert warning == (
        f"sex unknown for 1 children of HPV age: not planned for them; "
        f"record their sex (child ids {unknown.id})"
    )
    assert any("sex unknown for 1 children" in m for m in caplog.messages)


async def test_no_warning_when_every_sex_is_known(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mum = await r.person()
        await r.child(date(2012, 6, 1), [mum], sex="f")
    result = await plan(app, dry_run=True)
    assert not [w for w in result.warnings if w.startswith("sex unknown")]
