"""The on-duty rota in the console (issue 10, item 9's console part): everyone on staff sees
who is on duty now and next and the gaps; administrators and supervisors put someone on duty
and end a shift (audited); hotline staff may look but not change it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from storage.db import Database
from storage.models import AuditEntry, Person, StaffShift
from tests.integration.console.staffed import SECOND, staffed
from tests.integration.hotline.helpers import NOW


async def test_administrators_manage_the_rota_in_the_console(db: Database) -> None:
    async with staffed(db) as staff:
        app = staff.app
        async with app.db.transaction() as s:
            await s.execute(update(StaffShift).values(ends_at=NOW - timedelta(minutes=1)))
            wu = (await s.execute(select(Person).where(Person.phone == SECOND))).scalar_one()
        async with staff.signed_in("root") as (client, csrf):
            empty = await client.get("/console/rota")
            assert empty.status_code == 200
            assert "现在没有人值班" in empty.text  # the warning, in words
            added = await client.post(
                "/console/rota/add",
                data={"csrf_token": csrf, "person_id": str(wu.id), "level": "1",
                      "starts": "2026-03-02 09:00", "ends": "2026-03-03 09:00"},
            )  # fmt: skip
            assert added.status_code == 200, added.text
            assert "吴热线" in added.text and "现在没有人值班" not in added.text
            async with app.db.transaction() as s:
                shift = (
                    await s.execute(
                        select(StaffShift)
                        .where(StaffShift.person_id == wu.id)
                        .order_by(StaffShift.id.desc())
                        .limit(1)
                    )
                ).scalar_one()
            ended = await client.post(f"/console/rota/{shift.id}/end", data={"csrf_token": csrf})
            assert ended.status_code == 200 and "现在没有人值班" in ended.text
        async with app.db.transaction() as s:
            actions = list(
                (
                    await s.execute(
                        select(AuditEntry.action).where(AuditEntry.action.like("rota.%"))
                    )
                ).scalars()
            )
        assert actions == ["rota.add", "rota.end"]


async def test_hotline_staff_see_the_rota_but_cannot_change_it(db: Database) -> None:
    async with staffed(db) as staff, staff.signed_in("chen") as (client, csrf):
        seen = await client.get("/console/rota")
        assert seen.status_code == 200 and "陈热线" in seen.text
        refused = await client.post(
            "/console/rota/add",
            data={"csrf_token": csrf, "person_id": "1", "level": "1", "starts": "", "ends": ""},
        )
        assert refused.status_code == 403
