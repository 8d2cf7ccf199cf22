"""Report figures on a seeded roster, through the JSON endpoint and the CSV export: visit
coverage by village and township, reminders by kind, vaccination completeness by age band,
cases by category, time to acknowledge / close against the SLA; a supervisor's township only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.web.console.auth import hash_password
from storage.db import Database
from storage.models import (
    Area,
    Case,
    Child,
    DoseGiven,
    OutboxMessage,
    Person,
    ReminderDelivery,
    Visit,
)
from storage.repos import console as repo
from tests.integration.console.support import PASSWORD, console, signed_in

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 on 2 March in Shanghai
H, M = timedelta(hours=1), timedelta(minutes=1)


async def _seed(db: Database) -> int:
    """Two townships (T1: villages V1, V2; T2: V3); returns T1's id."""
    async with db.transaction() as s:
        county = Area(code="C", name="县", level="county")
        s.add(county)
        await s.flush()
        t1, t2 = (
            Area(code="T1", name="一镇", level="township", parent_id=county.id),
            Area(code="T2", name="二镇", level="township", parent_id=county.id),
        )
        s.add_all([t1, t2])
        await s.flush()
        v1 = Area(code="V1", name="甲村", level="village", parent_id=t1.id)
        v2 = Area(code="V2", name="乙村", level="village", parent_id=t1.id)
        v3 = Area(code="V3", name="丙村", level="village", parent_id=t2.id)
        s.add_all([v1, v2, v3])
        await s.flush()
        director = Person(name="主任", role="director", phone="+8613800001000", created_at=NOW)
        s.add(director)
        await s.flush()

        def child(
            code: str, area: Area, born: date, due: date | None, active: bool = True
        ) -> Child:
            return Child(
                code=code, name=f"孩子{code}", display_name=code, birth_date=born, sex="f",
                area_id=area.id, director_id=director.id, next_visit_due=due, active=active,
                created_at=NOW,
            )  # fmt: skip

        a = child("a", v1, date(2026, 3, 1), date(2026, 3, 10))  # visited, within cadence
        b = child("b", v1, date(2026, 2, 20), date(2026, 2, 1))  # visited, overdue
        c = child("c", v2, date(2016, 5, 1), date(2026, 1, 1))  # never visited
        d = child("d", v3, date(2020, 1, 1), date(2026, 4, 1))  # visited, within
        e = child("e", v1, date(2025, 1, 1), None, active=False)  # left: not counted
        s.add_all([a, b, c, d, e])
        await s.flush()
        for n, kid in enumerate((a, b, d, e)):
            s.add(
                Visit(
                    child_id=kid.id, director_id=director.id, kind="home",
                    visit_date=date(2026, 1, 5), assessment="good", next_due=date(2026, 4, 5),
                    dedup=f"v{n}", created_at=NOW, updated_at=NOW,
                )
            )  # fmt: skip
        for kid, code in ((a, "HepB1"), (a, "bcg"), (b, "HepB-1")):
            s.add(
                DoseGiven(
                    child_id=kid.id, code=code, given_on=None, source="guardian", recorded_at=NOW
                )
            )
        outbox = []
        for status, receipt in (("sent", "delivered"), ("failed", None), ("sent", None)):
            row = OutboxMessage(
                channel="sms", address="+8613800001000", lane=2, message={"key": "x"},
                status=status, delivery_status=receipt, not_before=NOW, created_at=NOW,
            )  # fmt: skip
            s.add(row)
            outbox.append(row)
        await s.flush()
        deliveries: list[tuple[Child, str, OutboxMessage | None]] = [
            (a, "vaccine", outbox[0]), (b, "vaccine", outbox[1]),
            (c, "insurance", outbox[2]), (d, "insurance", None),
        ]  # fmt: skip
        for kid, kind, sent in deliveries:
            s.add(
                ReminderDelivery(
                    child_id=kid.id, kind=kind, item="i", stage="due", due_date=date(2026, 3, 2),
                    outbox_id=sent.id if sent else None, status="queued", created_at=NOW,
                )
            )  # fmt: skip

        def case(n: int, cat: str, sev: str, kid: Child, opened: timedelta, due: timedelta,
                 acked: timedelta | None, closed: timedelta | None) -> Case:  # fmt: skip
            return Case(
                ref=f"C{n}", category=cat, severity=sev, status="closed" if closed else "open",
                source="screen", reporter_role="director", reporter_channel="sms",
                reporter_address="+8613800001000", child_id=kid.id, opened_at=NOW - opened,
                last_activity_at=NOW, ack_due_at=NOW - due,
                acknowledged_at=NOW - acked if acked is not None else None,
                closed_at=NOW - closed if closed is not None else None, escalation_level=1,
            )  # fmt: skip

        s.add_all([
            case(1, "violence_abuse", "high", a, 2 * H, 1.5 * H, 2 * H - 10 * M, 1 * H),
            case(2, "violence_abuse", "critical", c, 0.5 * H, 25 * M, None, None),
            case(3, "self_harm", "medium", d, 3 * H, -21 * H, 2 * H, None),
        ])  # fmt: skip
        return t1.id


def _pick(rows: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    return [tuple(r[k] for k in keys) for r in rows]


async def test_report_numbers_for_an_administrator_and_a_supervisor(db: Database) -> None:
    t1 = await _seed(db)
    async with console(db) as c:
        c.clock.set(NOW)
        await c.add_user("root", "admin")
        async with c.app.db.transaction() as s:
            await repo.create_user(
                s, username="zhou", password_hash=hash_password(PASSWORD), role="supervisor",
                now=NOW, area_id=t1,
            )  # fmt: skip
        async with c.client() as client:
            await signed_in(client, "root")
            every = (await client.get("/console/api/reports")).json()
            exported = (await client.get("/console/reports/villages.csv")).text
        async with c.client() as client:
            await signed_in(client, "zhou")
            mine = (await client.get("/console/api/reports")).json()

    cov = ("village", "children", "within", "overdue", "never")
    assert _pick(every["villages"], *cov) == [
        ("甲村", 2, 1, 1, 0), ("乙村", 1, 0, 0, 1), ("丙村", 1, 1, 0, 0),
    ]  # fmt: skip
    assert _pick(every["townships"], "township", "children", "within", "overdue", "never") == [
        ("一镇", 3, 1, 1, 1), ("二镇", 1, 1, 0, 0),
    ]  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert [(r["village"], r["never"]) for r in rows] == [
        ("甲村", "0"),
        ("乙村", "1"),
        ("丙村", "0"),
    ]
    rem = ("kind", "total", "sent", "delivered", "failed")
    assert _pick(every["reminders"], *rem) == [("insurance", 2, 1, 0, 0), ("vaccine", 2, 1, 1, 1)]
    vac = {r["band"]: (r["children"], r["complete"], r["percent"]) for r in every["vaccination"]}
    assert vac["0-1"] == (2, 1, 50)  # a has HepB1 and BCG; b lacks BCG
    assert vac["6-14"] == (2, 0, 0) and vac["1-3"] == (0, 0, 0)
    assert _pick(every["cases"], "category", "total", "active", "closed") == [
        ("violence_abuse", 2, 1, 1), ("self_harm", 1, 1, 0),
    ]  # fmt: skip
    sla = ("severity", "cases", "within", "late", "ack_median", "close_median")
    assert _pick(every["sla"], *sla) == [
        ("critical", 1, 0, 1, None, None),
        ("high", 1, 1, 0, 10.0, 60.0),
        ("medium", 1, 1, 0, 60.0, None),
    ]

    assert _pick(mine["villages"], *cov) == [("甲村", 2, 1, 1, 0), ("乙村", 1, 0, 0, 1)]
    assert _pick(mine["reminders"], *rem) == [("insurance", 1, 1, 0, 0), ("vaccine", 2, 1, 1, 1)]
    assert _pick(mine["cases"], "category", "total", "active", "closed") == [
        ("violence_abuse", 2, 1, 1)
    ]
    assert {r["band"]: r["children"] for r in mine["vaccination"]}["6-14"] == 1
