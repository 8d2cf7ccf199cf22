"""County supervisors see every township of their county; an area's visit records export in
the sections of Jilin's registration form (supervisors and administrators, in their area,
audited, formula-safe)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from bot.demo import DEMO_COUNTY
from storage.db import Database
from storage.models import Area, AuditEntry, Child, Visit
from tests.integration.console.staffed import TOWNSHIP, staffed
from tests.integration.hotline.helpers import NOW

SECTIONS = ["基本信息", "入园入学情况", "办理居住证情况", "健康管理情况",
            "国家免疫规划疫苗接种情况", "参加城乡居民医保情况", "接受残疾康复救助情况",
            "家庭监护和生活保障情况"]  # fmt: skip


async def _second_township(db: Database) -> None:
    async with db.transaction() as session:
        county = (await session.execute(select(Area).where(Area.code == DEMO_COUNTY))).scalar_one()
        town = Area(code="DEMO-T2", name="二镇", level="township", parent_id=county.id)
        session.add(town)
        await session.flush()
        village = Area(code="DEMO-T2-V1", name="二村", level="village", parent_id=town.id)
        session.add(village)
        await session.flush()
        session.add(
            Child(code="Z1", name="赵二", display_name="二", birth_date=date(2019, 5, 1),
                  categories=["migrant"], area_id=village.id, created_at=NOW)
        )  # fmt: skip


async def test_a_county_supervisor_sees_all_townships_of_the_county(db: Database) -> None:
    async with staffed(db) as staff:
        await _second_township(db)
        await staff.user("county", "supervisor", area=DEMO_COUNTY)
        async with staff.signed_in("county") as (client, _):
            listing = (await client.get("/console/children")).text
            # the children's links, not the bare codes (a random CSRF token may hold "Z1")
            assert "/console/children/Z1" in listing and "/console/children/A01" in listing
            assert (await client.get("/console/children/Z1")).status_code == 200
        async with staff.signed_in("zhou") as (client, _):  # a township supervisor
            assert "/console/children/Z1" not in (await client.get("/console/children")).text
            assert (await client.get("/console/children/Z1")).status_code == 404


async def test_the_area_export_follows_the_jilin_form(db: Database) -> None:
    async with staffed(db) as staff:
        await _second_township(db)
        async with db.transaction() as session:
            a01 = (await session.execute(select(Child).where(Child.code == "A01"))).scalar_one()
            session.add(
                Visit(
                    child_id=a01.id, director_id=a01.director_id or 0, kind="home",
                    visit_date=date(2026, 2, 20), assessment="average",
                    checklist={"school": "in", "care": "grandparents"},
                    notes="=1+1", flags=[], next_due=date(2026, 3, 20), dedup="v-exp-1",
                    created_at=NOW, updated_at=NOW, review_status="reviewed",
                )
            )  # fmt: skip
        async with staff.signed_in("zhou") as (client, _):
            assert (
                "/console/areas/registration.xlsx" in (await client.get("/console/children")).text
            )
            got = await client.get(f"/console/areas/registration.xlsx?area={TOWNSHIP}")
            assert got.status_code == 200, got.text
            assert "attachment" in got.headers["content-disposition"]
            refused = await client.get("/console/areas/registration.xlsx?area=DEMO-T2")
            assert refused.status_code == 404  # another township
        sheet = load_workbook(BytesIO(got.content))["registration"]
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        assert [h for h in rows[1] if h][: len(SECTIONS)] == SECTIONS
        fields = rows[2]
        data = [dict(zip(fields, r, strict=True)) for r in rows[3:]]
        mine = [r for r in data if r["编号"] == "A01"]
        assert len(mine) == 1 and mine[0]["走访日期"] is not None
        assert mine[0]["照料情况"] == "祖辈照护" and mine[0]["督导审核"] == "已审核"
        assert mine[0]["就学（走访所见）"] == "在校"
        assert mine[0]["备注"] == "'=1+1"  # never a formula
        assert mine[0]["残疾康复救助"] == "本系统未采集"
        assert "Z1" not in {r["编号"] for r in data}
        async with staff.signed_in("chen") as (client, _):
            hotline = await client.get(f"/console/areas/registration.xlsx?area={TOWNSHIP}")
            assert hotline.status_code == 403
        async with db.transaction() as session:
            exports = list(
                (
                    await session.execute(
                        select(AuditEntry).where(AuditEntry.subject_type == "area")
                    )
                ).scalars()
            )
        assert [(e.actor, e.detail["format"], e.detail["area"]) for e in exports] == [
            ("user:zhou", "registration_xlsx", TOWNSHIP)
        ]
        assert exports[0].detail["rows"] == len(data)
