"""Roster import: the dry run row by row, then an idempotent import (CSV and XLSX)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.web.console.roster import COLUMNS, EXAMPLE, Known, check_rows, parse_date
from storage.db import Database
from storage.models import Area, AuditEntry, Child, GuardianLink, Person
from tests.integration.console.support import console

TODAY = date(2026, 3, 2)


def _rows(*rows: tuple[str, ...]) -> list[dict[str, str]]:
    return [dict(zip(COLUMNS, row, strict=False)) for row in rows]


def _with(base: tuple[str, ...], **changes: str) -> tuple[str, ...]:
    values = dict(zip(COLUMNS, base, strict=True))
    values.update(changes)
    return tuple(values[c] for c in COLUMNS)


AREA, TOWN, VILLAGE, DIRECTOR_1, CHILD_1, GUARDIAN_1 = EXAMPLE
# the same kinds of row with other natural keys (so they are not duplicates of the example)
DIRECTOR = _with(DIRECTOR_1, phone="13800000109")
CHILD = _with(CHILD_1, code="A09")
GUARDIAN = _with(GUARDIAN_1, phone="13800000119")


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        (_with(DIRECTOR, phone="12345"), "console.roster.err.phone"),
        (_with(CHILD, birth_date="03/04/2025"), "console.roster.err.date_ambiguous"),
        (_with(CHILD, birth_date="2025-02-30"), "console.roster.err.date_bad"),
        (_with(CHILD, birth_date="2027-01-01"), "console.roster.err.date_future"),
        (_with(CHILD, area="V99"), "console.roster.err.village"),
        (_with(DIRECTOR, area="V99"), "console.roster.err.area"),
        (_with(DIRECTOR_1, name="另一个李主任"), "console.roster.err.duplicate"),
        (_with(CHILD_1, name="张小明二"), "console.roster.err.duplicate"),
        (_with(CHILD, director_phone="13900000000"), "console.roster.err.director"),
        (_with(GUARDIAN, child="Z99"), "console.roster.err.child"),
        (_with(AREA, kind="school"), "console.roster.err.kind"),
        (_with(CHILD, sex="x"), "console.roster.err.sex"),
        (_with(AREA, code="C09", region_code="5301"), "console.roster.err.region"),
        (_with(CHILD, categories="留守、贫困"), "console.roster.err.category"),
        (_with(CHILD, key_child="maybe"), "console.roster.err.yes_no"),
        (_with(CHILD, do_not_contact="不要"), "console.roster.err.yes_no"),
        (_with(CHILD, permit_issued_on="2025-13-01"), "console.roster.err.date_bad"),
        (_with(CHILD, permit_issued_on="2027-01-01"), "console.roster.err.permit_future"),
    ],
)
def test_dry_run_names_the_problem_of_each_row(bad_row: tuple[str, ...], problem: str) -> None:
    report = check_rows(_rows(*EXAMPLE, bad_row), Known(), TODAY)
    assert [r.ok for r in report] == [True] * len(EXAMPLE) + [False]
    assert [p[0] for p in report[-1].problems] == [problem]
    assert report[-1].number == len(EXAMPLE) + 2  # spreadsheet row numbers: header is row 1


def test_a_phone_known_with_another_role_is_a_duplicate_person() -> None:
    known = Known(areas={"V01": "village"}, people={"+8613800000102": ("guardian", "张")})
    report = check_rows(_rows(DIRECTOR_1), known, TODAY)
    assert report[0].problems[0][0] == "console.roster.err.other_role"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2018-05-04", date(2018, 5, 4)), ("2018/5/4", date(2018, 5, 4)),
     ("2018年5月4日", date(2018, 5, 4)), ("25/04/2025", date(2025, 4, 25)),
     ("04/04/2025", date(2025, 4, 4)), ("03/04/2025", None), ("soon", None)],
)  # fmt: skip
def test_dates(raw: str, expected: date | None) -> None:
    assert parse_date(raw)[0] == expected


def _csv(rows: list[tuple[str, ...]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([COLUMNS, *rows])
    return buffer.getvalue().encode("utf-8")


def _xlsx(rows: list[tuple[str, ...]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [COLUMNS, *rows]:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "encode"), [("roster.csv", _csv), ("roster.xlsx", _xlsx)])
async def test_import_skips_the_bad_row_and_is_idempotent(db: Database, name: str, encode) -> None:  # type: ignore[no-untyped-def]
    bad = _with(CHILD, name="王小花", birth_date="03/04/2025")
    data = encode([*EXAMPLE, bad])
    async with console(db) as c, c.signed_in_as("ada", "admin") as (client, csrf):
        dry = await client.post(
            "/console/roster/check",
            data={"csrf_token": csrf},
            files={"file": (name, data, "application/octet-stream")},
        )
        assert dry.status_code == 200 and "03/04/2025" in dry.text
        async with db.transaction() as session:
            assert (await session.execute(select(func.count(Area.id)))).scalar() == 0
        payload = dry.text.split('name="payload" value="')[1].split('"')[0]
        form = {"csrf_token": csrf, "payload": payload, "filename": name}
        first = await client.post("/console/roster/import", data=form)
        assert "新建 6" in first.text and "跳过 1" in first.text
        second = await client.post("/console/roster/import", data=form)
        assert "新建 0" in second.text and "未变 6" in second.text
    async with db.transaction() as session:
        counts = [
            (await session.execute(select(func.count(model.id)))).scalar()
            for model in (Area, Person, Child, GuardianLink)
        ]
        child = (await session.execute(select(Child))).scalar_one()
        audits = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert counts == [3, 2, 1, 1]
    assert (child.code, child.birth_date, child.display_name) == ("A01", date(2018, 5, 4), "小明")
    # the reminder and visit columns: categories, key child, permit date, do-not-contact
    assert child.categories == ["left_behind", "difficulty"] and child.is_key_child
    assert child.residence_permit_issued_on == date(2025, 9, 1) and not child.do_not_contact
    async with db.transaction() as session:
        regions = dict((await session.execute(select(Area.code, Area.region_code))).all())
    assert regions == {"C01": "530102", "T01": "530102", "V01": "530102"}  # inherited
    assert audits == ["roster_import", "roster_import"]


async def test_an_unreadable_file_is_reported_not_raised(db: Database) -> None:
    async with console(db) as c, c.signed_in_as("ada", "admin") as (client, csrf):
        response = await client.post(
            "/console/roster/check",
            data={"csrf_token": csrf},
            files={"file": ("roster.xlsx", b"not a workbook", "application/octet-stream")},
        )
        assert response.status_code == 400 and ".xlsx" in response.text


def test_category_names_and_yes_no() -> None:
    from bot.web.console.roster_columns import categories, yes_no

    assert categories("流动 孤儿,事实无人抚养") == (
        ["migrant", "orphan", "de_facto_unsupported"],
        None,
    )
    assert categories("left_behind；留守") == (["left_behind"], None)
    assert yes_no("是", "key_child") == (True, None) and yes_no("", "key_child") == (False, None)
