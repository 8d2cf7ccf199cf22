"""The audit viewer: administrators only, filters by actor, action, subject and day, and a
CSV export (audited itself) whose formula-looking cells are neutralised."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.web.console.auth import LANG_COOKIE
from storage.db import Database
from storage.models import AuditEntry, Child, Visit
from storage.repos import audit
from tests.integration.console.staffed import staffed
from tests.integration.hotline.helpers import NOW


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


async def test_labels_readable_detail_and_a_child_by_code(db: Database) -> None:
    async with staffed(db) as staff:
        async with db.transaction() as session:
            child = (await session.execute(select(Child).where(Child.code == "A01"))).scalar_one()
            visit = Visit(
                child_id=child.id, director_id=child.director_id or 0, kind="home",
                visit_date=date(2026, 2, 20), assessment="average", checklist={}, notes="",
                flags=[], next_due=date(2026, 3, 20), dedup="v-audit-1", created_at=NOW,
                updated_at=NOW,
            )  # fmt: skip
            session.add(visit)
            await session.flush()
            at = datetime(2026, 2, 4, 9, 0, tzinfo=UTC)
            for action, kind, sid, detail in (
                ("flags.set", "child", child.id, {"reason": "奶奶住院"}),
                ("visit.returned", "visit", visit.id, {"comment": "请补充"}),
                ("read", "child", child.id + 1000, {}),
                ("read", "visit", visit.id + 1000, {}),
            ):
                audit.record(
                    session, at=at, actor="user:zhou", action=action, subject_type=kind,
                    subject_id=sid, detail=detail,
                )  # fmt: skip
        async with staff.signed_in("root") as (client, _):
            page = (await client.get("/console/audit?child=a01")).text
            assert page.count("<tr>") == 3  # header, the child's flags, its visit's return
            assert "奶奶住院" in page and "\\u" not in page
            assert "更改标记" in page and "走访已退回" in page and "儿童" in page
            assert '<span class="muted code">flags.set</span>' in page
            by_id = (await client.get(f"/console/audit?child={child.id}")).text
            assert by_id.count("<tr>") == 3
            assert (await client.get("/console/audit?child=ZZZ")).text.count("<tr>") == 0
            client.cookies.set(LANG_COOKIE, "en")
            english = (await client.get("/console/audit?child=A01")).text
            assert "Flags changed" in english and "Visit returned" in english
