"""The staff command flow as a table: text in, effect or explanation out (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from content.catalog import Text
from content.replies import Reply
from dialogs.flow import Answer
from dialogs.flows import hotline_staff as flow
from dialogs.types import IDLE, Channel, Context, Person, Role, State

REF = "C260302-0007"
CTX = Context(
    now=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
    today=date(2026, 3, 2),
    locale="zh_Hans",
    person=Person(4, Role.HOTLINE, "陈热线", "zh_Hans"),
    channel=Channel.TELEGRAM,
)

TABLE: list[tuple[str, object]] = [
    (f"认领 {REF}", flow.ClaimCase(REF)),
    (f"认领{REF}", flow.ClaimCase(REF)),
    (f"認領 {REF.lower()}", flow.ClaimCase(REF)),
    (f"claim {REF}", flow.ClaimCase(REF)),
    (f"/CLAIM {REF}", flow.ClaimCase(REF)),
    (f"备注 {REF} 已电话联系 村委会", flow.NoteCase(REF, "已电话联系 村委会")),
    (f"note {REF} called the village", flow.NoteCase(REF, "called the village")),
    (f"回复 {REF} 孩子现在安全吗？", flow.ReplyToReporter(REF, "孩子现在安全吗？")),
    (f"reply {REF} are you safe?", flow.ReplyToReporter(REF, "are you safe?")),
    (f"转介 {REF} 公安", flow.ReferCase(REF, "police")),
    (f"转介 {REF} 民政", flow.ReferCase(REF, "civil_affairs")),
    (f"转介 {REF} 学校", flow.ReferCase(REF, "school")),
    (f"转介 {REF} 卫健", flow.ReferCase(REF, "health")),
    (f"轉介 {REF} 婦聯", flow.ReferCase(REF, "womens_federation")),
    (f"refer {REF} police", flow.ReferCase(REF, "police")),
    (f"结案 {REF} 已安置", flow.CloseCase(REF, "已安置")),
    (f"close {REF} resolved by police", flow.CloseCase(REF, "resolved by police")),
    (f"嫌疑 {REF} 父亲 孩子说是爸爸打的", flow.SetSuspect(REF, "father", "孩子说是爸爸打的")),
    (
        f"suspect {REF} none turned out a neighbour",
        flow.SetSuspect(REF, None, "turned out a neighbour"),
    ),
    (f"嫌疑 {REF} 父亲", Reply("hotline.staff.suspect_needs_reason", {"ref": REF})),
    ("案件", flow.ListCases()),
    (f"查看 {REF}", flow.ShowCase(REF)),
    ("认领", Reply("hotline.staff.bad_ref", {"verb": Text("hotline.verb.claim")})),
    ("认领 7", Reply("hotline.staff.bad_ref", {"verb": Text("hotline.verb.claim")})),
    (f"转介 {REF} 法院", Reply("hotline.staff.bad_agency")),
    (f"转介 {REF}", Reply("hotline.staff.bad_agency")),
    (f"结案 {REF}", Reply("hotline.staff.needs_text", {"verb": Text("hotline.verb.close")})),
    (f"回复 {REF}", Reply("hotline.staff.needs_text", {"verb": Text("hotline.verb.reply")})),
    (f"嫌疑 {REF} 邻居", Reply("hotline.staff.bad_relation")),
    ("你好", Reply("hotline.staff.usage")),
]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_parse(text: str, expected: object) -> None:
    assert flow.parse(text) == expected


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_handle_returns_the_effect_or_explains(text: str, expected: object) -> None:
    out = flow.FLOW.handle(State(flow.NAME, "command"), Answer(text, None), CTX)
    assert out.state == IDLE
    if isinstance(expected, Reply):
        assert (out.replies, out.effects) == ((expected,), ())
    else:
        assert (out.replies, out.effects) == ((), (expected,))


@pytest.mark.parametrize(
    ("text", "is_command"),
    [(f"认领 {REF}", True), ("案件", True), ("孩子被打了", False), ("claims adjuster", False)],
)
def test_is_staff_command(text: str, is_command: bool) -> None:
    assert flow.is_staff_command(text) is is_command


def test_only_staff_roles_may_start_it_and_relay_acknowledges() -> None:
    assert flow.FLOW.roles == frozenset({Role.HOTLINE, Role.SUPERVISOR, Role.ADMIN})
    out = flow.RELAY.handle(State(flow.RELAY_NAME, "answer"), Answer("好的", None), CTX)
    assert out == flow.RELAY.handle(State(flow.RELAY_NAME), Answer("x", None), CTX)
    assert out.replies == (Reply("hotline.relay.forwarded"),) and out.state == IDLE
