"""A supervisor's filters list only their area's categories (they listed every category)."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.models import Area, Case, Person
from tests.integration.console.staffed import TOWNSHIP, staffed
from tests.integration.hotline.helpers import NOW


async def test_supervisor_sees_only_their_townships_categories(db: Database) -> None:
    async with staffed(db) as staff:
        async with staff.app.db.transaction() as s:
            far = Area(code="FAR-T9", name="远镇", level="township")
            s.add(far)
            await s.flush()
            here = (await s.execute(select(Area).where(Area.code == TOWNSHIP))).scalar_one()
            there_reporter = Person(name="远主任", role="director", phone="+8613800009991",
                                    area_id=far.id, created_at=NOW)  # fmt: skip
            here_reporter = Person(name="近主任", role="director", phone="+8613800009992",
                                   area_id=here.id, created_at=NOW)  # fmt: skip
            s.add_all([there_reporter, here_reporter])
            await s.flush()
            for ref, category, reporter in (
                ("C-FAR-1", "trafficking_begging_labour", there_reporter),
                ("C-NEAR-1", "self_harm", here_reporter),
            ):
                s.add(
                    Case(
                        ref=ref, category=category, severity="high", status="open",
                        source="screen", reporter_person_id=reporter.id,
                        reporter_role="director", reporter_channel="sms",
                        reporter_address=reporter.phone or "", opened_at=NOW,
                        last_activity_at=NOW,
                    )
                )  # fmt: skip
        async with staff.signed_in("zhou") as (client, _):
            supervisor = (await client.get("/console/cases")).text
        async with staff.signed_in("root") as (client, _):
            admin = (await client.get("/console/cases")).text
    assert 'value="self_harm"' in supervisor
    assert 'value="trafficking_begging_labour"' not in supervisor
    assert 'value="trafficking_begging_labour"' in admin
