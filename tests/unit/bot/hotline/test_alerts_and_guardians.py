"""Alert wording carries the least detail; which family words name which guardian."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.hotline.alerts import alert_reply
from bot.hotline.guardians import relations_named
from content.catalog import Catalog, Text
from storage.models import Case

CATALOG = Catalog.load()

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def case(**values: object) -> Case:
    base: dict[str, object] = dict(
        ref="C260302-0007", category="violence_abuse", severity="high", source="screen",
        reporter_role="director", reporter_channel="sms", reporter_address="+8613800000002",
        child_code="A04", in_danger=None, opened_at=NOW, last_activity_at=NOW,
    )  # fmt: skip
    base.update(values)
    return Case(**base)


@pytest.mark.parametrize(
    ("values", "reason", "key", "reporter", "danger"),
    [
        ({}, "created", "hotline.alert", "director", "unknown"),
        ({"in_danger": True}, "severity_raised", "hotline.alert", "director", "yes"),
        ({"reporter_role": "unknown", "in_danger": False}, "realert", "hotline.alert.realert",
         "unknown", "no"),
        ({"reporter_role": "admin"}, "escalation", "hotline.alert.escalation", "other", "unknown"),
    ],
)  # fmt: skip
def test_alert_has_ref_category_severity_and_nothing_personal(
    values: dict[str, object], reason: str, key: str, reporter: str, danger: str
) -> None:
    reply = alert_reply(case(**values), reason)
    assert reply.key == key
    assert dict(reply.params) == {
        "ref": "C260302-0007", "category": Text("case.category.violence_abuse"),
        "severity": Text("case.severity.high"), "reporter": Text(f"case.reporter.{reporter}"),
        "danger": Text(f"case.danger.{danger}"), "callback": Text("case.callback.unknown"),
    }  # fmt: skip
    text = CATALOG.text(reply.key, "zh_Hans", reply.params)
    assert "暴力伤害/虐待" in text and "A04" not in text and "+86" not in text


@pytest.mark.parametrize(
    ("text", "relations"),
    [
        ("A04的爸爸昨晚又打他", {"father"}),
        ("他後媽把他關起來", {"mother"}),
        ("奶奶和爷爷都不管", {"grandparent"}),
        ("her stepfather hits her", {"father"}),
        ("邻居家的大人打孩子", set()),
        ("his grandmother locks him out", {"grandparent"}),
    ],
)
def test_relations_named(text: str, relations: set[str]) -> None:
    assert relations_named(text) == relations
