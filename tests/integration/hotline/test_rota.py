"""The on-duty rota: the CLI, the warnings (/healthz, the scheduled check), and a case when
nobody at all is on duty (supervisors and administrators alerted; the reporter never told
that staff have it)."""

from __future__ import annotations

import argparse
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import update

from bot.app import Application
from bot.hotline.jobs import rota_check
from bot.hotline.rota_cli import RotaError, run_shifts
from bot.web.server import create_web_app
from storage.db import Database
from storage.models import StaffShift
from tests.integration.hotline.helpers import (
    DIRECTOR,
    HOTLINE,
    NOW,
    SUPERVISOR,
    cases,
    kinds,
    say,
    texts,
)

TZ = ZoneInfo("Asia/Shanghai")


async def _nobody_on_duty(app: Application) -> None:
    async with app.db.transaction() as s:
        await s.execute(update(StaffShift).values(ends_at=NOW - timedelta(hours=1)))


async def _healthz(app: Application) -> dict[str, object]:
    transport = httpx.ASGITransport(app=create_web_app(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


async def test_healthz_and_the_rota_check_warn_when_nobody_is_on_duty(app: Application) -> None:
    staffed = await _healthz(app)
    assert staffed["on_duty_now"] == 1 and staffed["warnings"] == []
    assert await rota_check(app) == []
    await _nobody_on_duty(app)
    body = await _healthz(app)
    assert body["on_duty_now"] == 0 and body["status"] == "ok"
    warnings = body["warnings"]
    assert isinstance(warnings, list) and "nobody is on duty (level 1) now" in warnings
    assert any("careline hotline shifts add" in w for w in warnings)  # names the fix
    assert await rota_check(app) == warnings


async def test_nobody_on_duty_alerts_supervisors_and_never_says_staff_have_it(
    app: Application,
) -> None:
    await _nobody_on_duty(app)
    await say(app, "A04的爸爸昨晚又把他打了一顿")
    [case] = await cases(app)
    assert "unstaffed" in await kinds(app, case.id)
    assert any(case.ref in t for t in await texts(app, SUPERVISOR))  # alerted anyway
    assert await texts(app, HOTLINE) == []
    director = await texts(app, DIRECTOR)
    assert any("已通知负责人" in t and "110" in t for t in director)
    assert not any("已转给值班工作人员" in t for t in director)


def _args(verb: str, **values: object) -> argparse.Namespace:
    return argparse.Namespace(shifts_command=verb, **values)


async def test_shifts_cli_adds_lists_ends_and_checks(app: Application, db: Database) -> None:
    await app.db.dispose()
    out = io.StringIO()
    assert await run_shifts(_args("check"), db.url, TZ, out) == 0  # the demo rota is staffed
    out = io.StringIO()
    assert await run_shifts(_args("list"), db.url, TZ, out) == 0
    listed = out.getvalue().splitlines()
    assert len(listed) == 2 and any("level 1" in line for line in listed)
    for line in listed:
        await run_shifts(_args("end", id=int(line.split("\t")[0])), db.url, TZ, io.StringIO())
    out = io.StringIO()
    assert await run_shifts(_args("check"), db.url, TZ, out) == 1
    assert "warning: nobody is on duty (level 1) now" in out.getvalue()
    out = io.StringIO()
    code = await run_shifts(
        _args("add", phone=HOTLINE, level=1, start=None, end=None), db.url, TZ, out
    )
    assert code == 0 and "on duty at level 1" in out.getvalue()
    assert "warning" not in out.getvalue()
    with pytest.raises(RotaError, match="add them first"):
        await run_shifts(
            _args("add", phone="+8613911112222", level=1, start=None, end=None), db.url, TZ, out
        )
    with pytest.raises(RotaError, match="only hotline staff"):
        await run_shifts(
            _args("add", phone=DIRECTOR, level=1, start=None, end=None), db.url, TZ, out
        )
    with pytest.raises(RotaError, match="YYYY-MM-DDTHH:MM"):
        await run_shifts(
            _args("add", phone=HOTLINE, level=1, start="tomorrow", end=None), db.url, TZ, out
        )


async def test_the_start_up_checks_run_even_when_the_scheduler_starts_late(db: Database) -> None:
    """The rota check and the first reminder plan are scheduled for "now" at start; on a
    loaded machine the scheduler starts seconds later, and APScheduler's default 1 s grace
    skipped them until the next hour (so `serve` never warned that nobody is on duty)."""
    from bot.app import build_app
    from tests.support.apps import make_settings

    app = build_app(make_settings(db.url))
    app.scheduler.start(paused=True)  # job defaults apply when the scheduler starts
    try:
        jobs = {job.id: job for job in app.scheduler.get_jobs()}
        assert "hotline_rota_check" in jobs
        for job in jobs.values():
            assert job.misfire_grace_time is not None and job.misfire_grace_time >= 60, job.id
    finally:
        app.scheduler.shutdown(wait=False)
