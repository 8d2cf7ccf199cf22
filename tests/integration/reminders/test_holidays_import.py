"""Each year's holiday arrangement as editable data (issue 11 item 6): `careline reminders
holidays import FILE`, the console's upload, and the warning in the log, /healthz, the planner
and the console while next year's is missing. The 2027 arrangement here is fictional."""

from __future__ import annotations

import asyncio
import html
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.app import Application
from bot.cli import main
from bot.reminders import holidays, plan
from bot.reminders.holidays import import_holidays, load_imported
from bot.reminders.runtime import reminder_runtime
from bot.web.server import create_web_app
from storage.db import Database, upgrade_sync
from storage.models import AuditEntry, HolidayArrangement
from tests.integration.console.staffed import staffed
from tests.support.databases import sqlite_url

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
TOML = """
[[years]]
year = 2027
days_off = [2027-10-04, 2027-10-05, 2027-10-06, 2027-10-07]
workdays = [2027-09-26, 2027-10-09]
source = "test: a fictional arrangement"
verified = false
"""
DOC = {
    "years": [
        {
            "year": 2027,
            "days_off": ["2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07"],
            "workdays": ["2027-09-26", "2027-10-09"],
            "source": "test: a fictional arrangement",
        }
    ]
}
MISSING = "holiday arrangement 2027 missing"


async def _healthz(app: Application) -> dict[str, object]:
    transport = httpx.ASGITransport(app=create_web_app(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/healthz")
    body: dict[str, object] = response.json()
    return body


async def test_warning_in_healthz_planner_log_and_console_until_imported(
    db: Database, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(holidays, "_logged", set())  # this test is the process's start
    async with staffed(db) as staff:
        app = staff.app
        app.clock.set(NOW)  # type: ignore[attr-defined]
        with caplog.at_level(logging.WARNING):
            body = await _healthz(app)
            assert body["holiday_warnings"] == [MISSING] and body["status"] == "ok"
            result = await plan(app, dry_run=True)
            assert (await _healthz(app))["holiday_warnings"] == [MISSING]
        assert MISSING in result.warnings
        logged = [m for m in caplog.messages if MISSING in m]
        assert len(logged) == 1 and "holidays import" in logged[0]  # once per process
        async with staff.signed_in("root") as (client, csrf):
            page = html.unescape((await client.get("/console/reminders")).text)
            assert "缺少2027年的节假日安排" in page
            response = await client.post(
                "/console/reminders/upload",
                data={"csrf_token": csrf, "kind": "holidays"},
                files={"file": ("2027.toml", TOML.encode(), "application/toml")},
            )
            page = html.unescape(response.text)
            assert response.status_code == 200 and "已检查并保存：2027" in page
            assert "缺少2027年的节假日安排" not in page
            assert "2027-10-09" in page and "test: a fictional arrangement" in page
        assert (await _healthz(app))["holiday_warnings"] == []
        assert MISSING not in (await plan(app, dry_run=True)).warnings
        assert not reminder_runtime(app).workdays.is_workday(datetime(2027, 10, 5).date())
        async with app.db.transaction() as session:
            [row] = (await session.execute(select(HolidayArrangement))).scalars()
            assert (row.year, row.updated_by) == (2027, "user:root")
            actions = list((await session.execute(select(AuditEntry.action))).scalars())
        assert "holidays_imported" in actions


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("years = [", "TOML"),
        ('name = "x"', "no [[years]]"),
        ("[[years]]\nyear = 2027\ndays_off = [2027-10-04]", "'source' is needed"),
        ('[[years]]\nyear = 2027\ndays_off = [2028-10-04]\nsource = "x"', "not in that year"),
        ('[[years]]\nyear = 2027\ndays_off = [2027-10-04]\nworkdays = [2027-10-04]\nsource = "x"',
         "both a day off and a working day"),
    ],
)  # fmt: skip
async def test_a_bad_arrangement_is_refused_and_nothing_stored(
    db: Database, text: str, problem: str
) -> None:
    async with staffed(db) as staff:
        async with staff.signed_in("root") as (client, csrf):
            response = await client.post(
                "/console/reminders/upload",
                data={"csrf_token": csrf, "kind": "holidays", "text": text},
            )
            assert response.status_code == 422 and problem in html.unescape(response.text)
        async with staff.app.db.transaction() as session:
            assert list((await session.execute(select(HolidayArrangement))).scalars()) == []


async def test_importing_a_year_again_replaces_it(db: Database) -> None:
    async with staffed(db) as staff, staff.app.db.transaction() as session:
        assert await import_holidays(session, DOC, NOW, "cli") == [2027]
        changed = {"years": [{**DOC["years"][0], "workdays": ["2027-10-09"]}]}
        assert await import_holidays(session, changed, NOW, "cli") == [2027]
        [row] = (await session.execute(select(HolidayArrangement))).scalars()
        assert row.data["workdays"] == ["2027-10-09"]
        known = await load_imported(session)
    assert not known.is_workday(datetime(2027, 9, 26).date())  # that Sunday is off again


def test_the_command_imports_and_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(tmp_path)
    upgrade_sync(url)
    monkeypatch.setenv("CARELINE_DATABASE_URL", url)
    file = tmp_path / "2027.toml"
    file.write_text(TOML, encoding="utf-8")
    assert main(["reminders", "holidays", "list"]) == 0
    out, err = capsys.readouterr()
    years = {row["year"]: row for row in map(json.loads, out.splitlines())}
    if years[2027]["source"] == "missing":  # the real clock: next year's may be missing
        assert MISSING in err
    assert main(["reminders", "holidays", "import", str(file)]) == 0
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0] == {"imported": [2027]}
    row = next(r for r in lines[1:] if r["year"] == 2027)
    assert row["source"] == "imported" and row["workdays"] == ["2027-09-26", "2027-10-09"]
    assert row["cited"] == "test: a fictional arrangement"
    bad = tmp_path / "bad.toml"
    bad.write_text("[[years]]\nyear = 2027\ndays_off = [2027-10-04]\n", encoding="utf-8")
    assert main(["reminders", "holidays", "import", str(bad)]) == 2
    assert "'source' is needed" in capsys.readouterr().err
    asyncio.run(Database(url).dispose())
