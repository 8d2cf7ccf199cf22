"""Property tests: whatever a director sends, at whatever step, the dialog stays sound.

No input raises; answers already given are never lost while the report is open (and a
timeout keeps them as a draft); every reply can be sent: not empty, a prompt within 3 SMS
segments, button payloads within Telegram's 64 bytes, text within 4096 characters.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.catalog import Catalog, placeholders
from content.keywords import Keywords
from content.normalize import command_form
from content.replies import Reply
from content.segments import count_segments
from dialogs import effects as fx
from dialogs.render import render
from dialogs.types import IDLE, Channel, Outcome, State

from .harness import NOW, build_engine, context, inbound
from .scenarios import DRAFT, LAST_VISIT

WORDS = [
    "走访",
    "visit",
    "V",
    "待访",
    "due",
    "更多",
    "more",
    "改",
    "edit",
    "上一步",
    "prev",
    "跳过",
    "skip",
    "取消",
    "返回",
    "帮助",
    "help",
    "语言",
    "是",
    "否",
    "yes",
    "no",
    "无",
    "良好",
    "差",
    "一般",
    "在校",
    "独居",
    "有伤",
    "今天",
    "昨天",
    "3.5",
    "3月5日",
    "2026-01-02",
    "12.30",
    "A12",
    "a1",
    "王",
    "王小紅",
    "Ｂ３",
    "Z99",
    "走访 A12 良好 在校 无 备注 好",
    "V B3 G school",
    "走访A12 差 独居",
    "走访 王 一般",
    "走访 A12 良好 2026-01-02",
    "走访 A12 xx",
    "1",
    "2",
    "3",
    "7",
    "9",
    "16",
    "0",
    "",
    "   ",
    "备注",
    "😀" * 5,
    "x" * 600,
]
CAUGHT_KEYS = {"flow.unknown_sender", "flow.not_for_role"}

step_strategy = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(WORDS)),
    st.tuples(st.just("text"), st.text(max_size=40)),
    st.tuples(st.just("tap"), st.integers(0, 20)),
    st.tuples(
        st.just("payload"),
        st.sampled_from(
            [
                "nav:back",
                "skip",
                "save",
                "discard",
                "checklist",
                "edit:child",
                "edit:notes",
                "child:99",
                "opt:nonsense",
                "date:7",
                "due:more",
                "visit:child:99",
                "draft:resume",
                "cmd:visit",
                "cmd:due",
                "cmd:edit_visit",
            ]
        ),
    ),
    st.tuples(st.just("timeout"), st.just(0)),
)
extra_strategy = st.sampled_from(
    [
        {},
        {"visit_draft": DRAFT},
        {"visit_draft": {"child_id": 99, "answers": {"kind": "bogus"}}},
        {"last_visit": LAST_VISIT},
        {"last_visit": {**LAST_VISIT, "answers": {"assessment": "??"}}},
        {"last_visit": {"id": "x"}},
        {"vaccine_overdue_child_ids": [1, 2, 7]},
    ]
)


# Inputs that reach each step of a guided report, so that random input is tried everywhere.
GUIDED = ["走访", "A12", "1", "1", "1", *["1"] * 10]
prefix_strategy = st.one_of(
    st.builds(
        lambda k, notes: [*GUIDED, notes, "7"][:k],
        st.integers(0, len(GUIDED) + 2),
        st.sampled_from(["短", "奶奶" * 300, "x" * 500 + "😀"]),
    ),
    st.sampled_from(
        [
            ["走访", "A12", "1", "2026-01-02"],
            ["走访 王 良好"],
            ["走访 A12 良好 2026-01-02"],
            ["走访 A12 良好 无 备注 " + "长" * 400],
            ["改"],
            ["待访"],
            ["待访", "更多"],
        ]
    ),
)


def check_sendable(reply: Reply, catalog: Catalog, locale: str, channel: Channel) -> None:
    assert catalog.has(reply.key, locale), reply.key
    assert placeholders(catalog.template(reply.key, locale) or "") <= set(reply.params), reply.key
    for choice in reply.choices:
        assert catalog.has(choice.label_key, locale), choice.label_key
        assert len(choice.payload.encode("utf-8")) <= 64
    sms = render(reply, catalog, locale, "numbered")
    buttons = render(reply, catalog, locale, "buttons")
    for out in (sms, buttons):
        assert out.text.strip() and len(out.text) <= 4096
        assert all(b.label.strip() for b in out.buttons)
    if reply.choices and channel == Channel.SMS:  # a question: within three SMS segments
        assert count_segments(sms.text).segments <= 3, sms.text


KEYWORDS = Keywords.load()


def starts_a_flow(text: str, payload: str | None) -> bool:
    """A trigger word with a quick report after it replaces the open report, on purpose."""
    if payload and payload.startswith("cmd:"):
        return True
    head = text.strip().split(" ")[0] if text.strip() else ""
    form = command_form(text)
    glued = any(form.startswith(w) for ws in KEYWORDS.flow_words.values() for w in ws if len(w) > 1)
    return KEYWORDS.flow_for(head) is not None or glued


def answers_of(state: State) -> dict[str, Any]:
    return dict(state.data.get("answers") or {}) if state.flow in ("visit", "edit_visit") else {}


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    prefix=prefix_strategy,
    steps=st.lists(step_strategy, min_size=1, max_size=12),
    channel=st.sampled_from([Channel.SMS, Channel.TELEGRAM]),
    locale=st.sampled_from(["zh_Hans", "zh_Hant", "en"]),
    extra=extra_strategy,
)
def test_no_input_breaks_the_dialog(
    prefix: list[str],
    steps: list[tuple[str, Any]],
    channel: Channel,
    locale: str,
    extra: dict[str, Any],
    catalog: Catalog,
) -> None:
    engine = build_engine()
    state = IDLE
    for n, (kind, value) in enumerate([("text", p) for p in prefix] + steps):
        ctx = context(channel, locale, extra=extra, now=NOW + timedelta(minutes=n))
        before = answers_of(state)
        text, payload = "", None
        if kind == "timeout":
            outcome: Outcome = engine.timeout(state, ctx)
            if before.get("child") and state.step != "draft" and state.data.get("mode") != "edit":
                drafts = [e for e in outcome.effects if isinstance(e, fx.SaveVisitDraft)]
                assert drafts and dict(drafts[0].answers) == before
        else:
            text = value if kind == "text" else ""
            if kind == "tap":
                if not state.choices:
                    continue
                payload = state.choices[value % len(state.choices)]
            elif kind == "payload":
                payload = value
            outcome = engine.step(state, inbound(channel, n, text, payload), ctx)
        for reply in outcome.replies:
            check_sendable(reply, catalog, locale, channel)
        after = answers_of(outcome.state)
        same_flow = outcome.state.flow == state.flow and state.flow in ("visit", "edit_visit")
        if same_flow and not (kind != "timeout" and starts_a_flow(text, payload)):
            assert set(before) <= set(after), (kind, value, state.step)
        for effect in outcome.effects:
            if isinstance(effect, fx.SaveVisit):
                assert effect.visit_date <= ctx.today and effect.next_due > effect.visit_date
                assert effect.child_id in {c.id for c in ctx.children}
        state = State.from_json(outcome.state.to_json())  # the shell stores state as JSON
