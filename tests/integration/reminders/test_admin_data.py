"""Administrators change the schedule and calendars in the database; the planner follows,
and nothing invalid is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app import Application
from bot.clock import FakeClock
from bot.reminders import admin, plan
from bot.reply_json import reply_from_json
from dialogs.render import render
from reminders.calendars import CalendarError
from reminders.schedule import ScheduleError
from storage.db import Database
from tests.integration.reminders.roster import Roster, fake, ledger, outbox_rows
from tests.support.apps import make_app
from tests.support.paths import CONTENT

SHIPPED = CONTENT / "schedules" / "immunization.toml"
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    application = make_app(db.url, FakeClock(NOW))
    async with application.db.transaction() as s:  # the tests' PostgreSQL is emptied first
        if not (await admin.export_editions(s))["editions"]:
            await admin.import_editions(s, admin.read_document(SHIPPED), NOW, "test")
    yield application
    await application.stop()


async def test_a_corrected_entry_moves_the_reminder(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        birth = date(2025, 12, 2)  # 3 months old today
        records = {"HepB1": birth, "BCG": birth, "HepB2": date(2026, 1, 2)}
        await r.child(birth, [await r.person()], records=records)
        exported = await admin.export_editions(s)
        current = next(e for e in exported["editions"] if e["id"] == "nip-2025-dtap")
        for entry in current["entries"]:
            if entry["code"] in ("IPV1", "DTaP1"):
                entry["months"] = 3  # an administrator moves the 2-month doses to 3 months
        assert await admin.import_editions(s, {"editions": [current]}, NOW, "test") == [
            "nip-2025-dtap"
        ]
    await plan(app)
    assert {(d.item, d.stage) for d in await ledger(app)} >= {("IPV1", "due"), ("DTaP1", "due")}


@pytest.mark.parametrize(
    "broken",
    [
        {"id": "x", "effective_from": "2027-01-01", "entries": [{"code": "A"}]},
        {"id": "x", "effective_from": "not a date", "entries": []},
        {
            "id": "x",
            "effective_from": "2027-01-01",
            "entries": [{"code": "A", "vaccine": "A", "dose": 1, "sex": "x"}],
        },
    ],
)
async def test_an_invalid_edition_is_refused_and_nothing_changes(
    app: Application, broken: dict[str, object]
) -> None:
    with pytest.raises((ScheduleError, ValueError)):
        async with app.db.transaction() as s:
            await admin.import_editions(s, {"editions": [broken]}, NOW, "test")
    async with app.db.transaction() as s:
        ids = [e["id"] for e in (await admin.export_editions(s))["editions"]]
    assert ids == ["nip-2021", "nip-2025-dtap", "nip-2026"]


async def test_a_calendar_override_brings_the_insurance_deadline_forward(
    app: Application,
) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup(region="530102")
        await r.child(date(2020, 6, 1), [await r.person()])
        doc = {
            "region": "530102",
            "insurance": {
                "window_start": "01-01",
                "window_end": "03-02",
                "coverage": "same_year",
                "verified": True,
                "source": "test: the city's notice",
            },
        }
        await admin.set_calendar(s, doc, NOW, "test", TODAY)
    await plan(app)
    assert [(d.kind, d.item, d.stage) for d in await ledger(app)] == [("insurance", "2026", "due")]


async def test_an_unverified_deadline_says_check_locally_and_never_closed(
    app: Application,
) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup(region="530102")
        await r.child(date(2020, 6, 1), [await r.person()])
        doc = {
            "region": "530102",
            "insurance": {"window_start": "01-01", "window_end": "03-02", "coverage": "same_year"},
        }
        await admin.set_calendar(s, doc, NOW, "test", TODAY)
    await plan(app)
    assert [(d.kind, d.item, d.stage) for d in await ledger(app)] == [
        ("insurance", "2026", "u-due")
    ]
    (row,) = await outbox_rows(app)
    text = render(reply_from_json(row.message), app.catalog, "zh_Hans", "numbered").text
    assert "以当地通知为准" in text and "截止" in text and "已截止" not in text
    for days in (7, 8, 30):  # the overdue stage never comes for an unverified date
        fake(app).set(NOW + timedelta(days=days))
        await plan(app)
    assert [d.stage for d in await ledger(app) if d.kind == "insurance"] == ["u-due"]


@pytest.mark.parametrize(
    "doc",
    [
        {"region": "53010", "insurance": {}},
        {"region": "530102", "insurance": {"window_end": "13-45"}},
        {"region": "530102", "school_primary": {"entry_age": "six"}},
    ],
)
async def test_an_invalid_calendar_is_refused(app: Application, doc: dict[str, object]) -> None:
    with pytest.raises((CalendarError, ValueError)):
        async with app.db.transaction() as s:
            await admin.set_calendar(s, doc, NOW, "test", TODAY)
    async with app.db.transaction() as s:
        assert not await admin.remove_calendar(s, "530102")
