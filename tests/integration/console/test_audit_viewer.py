"""The audit viewer: administrators only, filters by actor, action, subject and day, and a
CSV export (audited itself) whose formula-looking cells are neutralised."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import select

from storage.db import Database
from storage.models import AuditEntry
from storage.repos import audit
from tests.integration.console.staffed import staffed


async def _entries(db: Database) -> None:
    async with db.transaction() as session:
        for day, actor, action, kind, sid in (
            (1, "user:root", "read", "child", "7"),
            (2, "user:zhou", "read", "child", "8"),
            (3, "user:zhou", "export", "child", "8"),
            (3, "=cmd|' /C calc'!A0", "read", "case", "C1"),
        ):
            audit.record(
                session, at=datetime(2026, 2, day, 9, 0, tzinfo=UTC), actor=actor, action=action,
                subject_type=kind, subject_id=sid, detail={"note": "@SUM(1)"},
            )  # fmt: skip


async def test_filters_and_export(db: Database) -> None:
    async with staffed(db) as staff:
        await _entries(db)
        async with staff.signed_in("root") as (client, _):
            page = await client.get("/console/audit?actor=user:zhou")
            assert page.status_code == 200
            assert page.text.count("<tr>") == 3  # header + two rows
            only = await client.get("/console/audit?action=read&subject_type=child&subject_id=8")
            assert only.text.count("<tr>") == 2
            days = await client.get("/console/audit?since=2026-02-02&until=2026-02-02")
            assert days.text.count("<tr>") == 2 and "user:zhou" in days.text
            bad = await client.get("/console/audit?since=yesterday")
            assert bad.status_code == 400 and "年-月-日" in bad.text
            got = await client.get("/console/audit/export.csv?since=2026-02-03")
            assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(got.text.lstrip("\ufeff"))))
        assert rows[0][:3] == ["id", "at", "actor"]
        assert len(rows) == 3
        actors = {r[2] for r in rows[1:]}
        assert actors == {"user:zhou", "'=cmd|' /C calc'!A0"}
        assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
        async with db.transaction() as session:
            exports = list(
                (
                    await session.execute(
                        select(AuditEntry).where(AuditEntry.subject_type == "audit_log")
                    )
                ).scalars()
            )
        assert [(e.actor, e.action, e.detail["rows"]) for e in exports] == [
            ("user:root", "export", 2)
        ]


async def test_only_administrators(db: Database) -> None:
    async with staffed(db) as staff:
        for name in ("zhou", "chen"):
            async with staff.signed_in(name) as (client, _):
                assert (await client.get("/console/audit")).status_code == 403
                assert (await client.get("/console/audit/export.csv")).status_code == 403
