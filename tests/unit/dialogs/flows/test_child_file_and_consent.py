"""Pure tables: the director's file, note and consent flows (which effect, or which reply),
and the privacy rules' validation and consent age."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from content.privacy import from_mapping, load_privacy
from dialogs import effects as fx
from dialogs.flows.child_file import ChildNoteFlow, ChildSummaryFlow
from dialogs.flows.consent import ConsentFlow
from dialogs.types import Channel, ChildRef, Context, Inbound, Person, Role

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
KIDS = (ChildRef(1, "A01", "张小明"), ChildRef(2, "A02", "张小红"), ChildRef(3, "B01", "王一"))


def ctx(role: Role = Role.DIRECTOR) -> Context:
    return Context(now=NOW, today=NOW.date(), locale="zh_Hans",
                   person=Person(9, role, "李主任", "zh_Hans"), channel=Channel.SMS,
                   children=KIDS if role == Role.DIRECTOR else ())  # fmt: skip


def inbound(text: str) -> Inbound:
    return Inbound(Channel.SMS, "+8613800000002", "p1", NOW, text)


@pytest.mark.parametrize(
    ("flow", "args", "effect", "reply"),
    [
        (ChildSummaryFlow(), "A01", fx.SendChildSummary(1), None),
        (ChildSummaryFlow(), "a02", fx.SendChildSummary(2), None),
        (ChildSummaryFlow(), "", None, "childfile.usage"),
        (ChildSummaryFlow(), "Z9", None, "childfile.unknown"),
        (ChildSummaryFlow(), "A0", None, "childfile.several"),
        (ChildNoteFlow(), "A01 送去了冬衣", fx.AddChildNote(1, "送去了冬衣"), None),
        (ChildNoteFlow(), "A01", None, "childnote.usage"),
        (ChildNoteFlow(), "A01 " + "字" * 501, None, "childnote.too_long"),
        (ChildNoteFlow(), "Z9 文本", None, "childfile.unknown"),
        (ConsentFlow(), "B01", fx.RecordConsent(3), None),
        (ConsentFlow(), "", None, "consent.usage_director"),
    ],
)
def test_director_flows(flow: Any, args: str, effect: object, reply: str | None) -> None:
    out = flow.start(inbound(args), ctx(), args)
    assert out.effects == ((effect,) if effect else ())
    assert [r.key for r in out.replies] == ([reply] if reply else [])
    assert out.state.flow is None  # one step, no state kept


@pytest.mark.parametrize(
    ("args", "effect", "reply"),
    [("", fx.ConsentReply(), None), ("了", None, "consent.usage_guardian")],
)
def test_a_guardians_consent_reply(args: str, effect: object, reply: str | None) -> None:
    out = ConsentFlow().start(inbound("同意" + args), ctx(Role.GUARDIAN), args)
    assert out.effects == ((effect,) if effect else ())
    assert [r.key for r in out.replies] == ([reply] if reply else [])


@pytest.mark.parametrize(
    ("birth", "today", "required"),
    [
        (date(2013, 3, 3), date(2027, 3, 2), True),  # 13 until tomorrow
        (date(2013, 3, 2), date(2027, 3, 2), False),  # 14 today
        (date(2012, 2, 29), date(2026, 2, 28), True),  # a leap-day birthday not yet reached
        (date(2025, 1, 1), date(2026, 3, 2), True),
    ],
)
def test_consent_age(birth: date, today: date, required: bool) -> None:
    assert load_privacy().consent.required(birth, today) is required


def _raw(**audit: object) -> dict[str, Any]:
    base = {"days": 365, "action": "delete", "rule": "r", "source": "s"}
    kinds = ("inbound", "outbox", "visits", "closed_cases", "media", "audit")
    retention = {k: dict(base) for k in kinds}
    retention["audit"] |= audit
    return {"consent": {"required_under_age": 14, "rule": "r", "source": "s"},
            "retention": retention}  # fmt: skip


@pytest.mark.parametrize(
    ("audit", "problem"),
    [({"days": 179}, "180 days"), ({"action": "shred"}, "action"), ({"days": 0}, "days")],
)
def test_privacy_rules_refuse_bad_periods(audit: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        from_mapping(_raw(**audit))


def test_a_missing_kind_is_refused() -> None:
    raw = _raw()
    del raw["retention"]["media"]
    with pytest.raises(ValueError, match=r"retention\.media"):
        from_mapping(raw)
