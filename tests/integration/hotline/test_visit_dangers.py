"""A director's visit that finds danger opens a hotline case (no names, the child linked)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import Application
from dialogs.types import Channel, Inbound
from storage.models import Case, Child

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("report", "category", "severity"),
    [
        ("走访 A04 差 在校", "guardian_incapacity", "medium"),  # only the visit flags it
        ("走访 A02 一般 在校 缺疫苗", None, None),
    ],
)
async def test_visit_flags_open_a_case(
    app: Application, report: str, category: str | None, severity: str | None
) -> None:
    await app.service.handle(
        Inbound(
            channel=Channel.CONSOLE,
            address="+8613800000002",
            provider_id="v1",
            received_at=NOW,
            text=report,
        )
    )
    async with app.db.transaction() as s:
        cases = (await s.execute(select(Case))).scalars().all()
        if category is None:
            assert cases == []
            return
        [case] = cases
        child = await s.get(Child, case.child_id)
    assert (case.category, case.severity, case.source) == (category, severity, "visit")
    assert child is not None and child.code == "A04"
