"""The dialog engine's global behaviour, as a table: (state, input, sender) -> replies, effects."""

from datetime import UTC, date, datetime

import pytest

from content.keywords import Keywords
from dialogs import effects as fx
from dialogs.engine import Engine, answered_already
from dialogs.flow import not_understood
from dialogs.types import IDLE, Channel, Context, Inbound, Outcome, Person, Reply, Role, State

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
DIRECTOR = Person(id=1, role=Role.DIRECTOR, name="李主任", locale="zh_Hans")
GUARDIAN = Person(id=2, role=Role.GUARDIAN, name="张奶奶", locale="zh_Hans")
IN_FLOW = State(flow="nonexistent", step="x", data={"a": 1})


def ctx(
    person: Person | None = DIRECTOR, channel: Channel = Channel.SMS, **extra: object
) -> Context:
    return Context(
        now=NOW,
        today=date(2026, 3, 2),
        locale="zh_Hans",
        person=person,
        channel=channel,
        extra=extra,
    )


def inbound(
    text: str = "",
    payload: str | None = None,
    channel: Channel = Channel.SMS,
    contact: str | None = None,
) -> Inbound:
    return Inbound(
        channel=channel,
        address="+8613800000002",
        provider_id="p1",
        received_at=NOW,
        text=text,
        payload=payload,
        contact_phone=contact,
    )


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(Keywords.load(), {})


CASES = [
    # (name, state, inbound, context, expected reply keys, expected effects)
    ("help zh", IDLE, inbound("帮助"), ctx(), ["help.director"], []),
    ("help traditional", IDLE, inbound("幫助"), ctx(), ["help.director"], []),
    ("help full-width + punctuation", IDLE, inbound("ＨＥＬＰ！"), ctx(), ["help.director"], []),
    ("help guardian", IDLE, inbound("help"), ctx(GUARDIAN), ["help.guardian"], []),
    ("help unknown", IDLE, inbound("帮助"), ctx(None), ["help.unknown"], []),
    (
        "help inside a flow keeps the flow",
        IN_FLOW,
        inbound("帮助"),
        ctx(),
        ["help.director", "help.in_flow"],
        [],
    ),
    ("stop", IDLE, inbound("退订"), ctx(), ["stop.confirmed"], [fx.OptOut()]),
    ("TD", IDLE, inbound("TD"), ctx(), ["stop.confirmed"], [fx.OptOut()]),
    ("STOP inside a flow", IN_FLOW, inbound("STOP"), ctx(), ["stop.confirmed"], [fx.OptOut()]),
    (
        "cancel on sms is an opt-out (as Twilio does)",
        IDLE,
        inbound("CANCEL"),
        ctx(),
        ["stop.confirmed"],
        [fx.OptOut()],
    ),
    (
        "cancel on telegram cancels the flow",
        IN_FLOW,
        inbound("cancel", channel=Channel.TELEGRAM),
        ctx(channel=Channel.TELEGRAM),
        ["cancel.done", "menu.director"],
        [],
    ),
    ("取消 leaves the flow", IN_FLOW, inbound("取消"), ctx(), ["cancel.done", "menu.director"], []),
    ("start", IDLE, inbound("START"), ctx(), ["start.confirmed"], [fx.OptIn()]),
    (
        "yes is an opt-in only when opted out",
        IDLE,
        inbound("YES"),
        ctx(opted_out=True),
        ["start.confirmed"],
        [fx.OptIn()],
    ),
    (
        "yes otherwise is not understood",
        IDLE,
        inbound("yes"),
        ctx(),
        ["fallback.not_understood", "menu.director"],
        [],
    ),
    ("language prompt", IDLE, inbound("语言"), ctx(), ["language.prompt"], []),
    ("language by name", IDLE, inbound("English"), ctx(), ["language.set"], [fx.SetLocale("en")]),
    (
        "language by button",
        IDLE,
        inbound(payload="lang:zh_Hant"),
        ctx(),
        ["language.set"],
        [fx.SetLocale("zh_Hant")],
    ),
    (
        "/start unknown on telegram asks for the contact",
        IDLE,
        inbound("/start", channel=Channel.TELEGRAM),
        ctx(None, Channel.TELEGRAM),
        ["welcome.share_contact"],
        [],
    ),
    (
        "/start known",
        IDLE,
        inbound("/start", channel=Channel.TELEGRAM),
        ctx(DIRECTOR, Channel.TELEGRAM),
        ["welcome.known", "menu.director"],
        [],
    ),
    (
        "shared contact",
        IDLE,
        inbound(contact="+8613800000002", channel=Channel.TELEGRAM),
        ctx(None, Channel.TELEGRAM),
        [],
        [fx.LinkContact("+8613800000002")],
    ),
    (
        "gibberish idle",
        IDLE,
        inbound("asdf"),
        ctx(),
        ["fallback.not_understood", "menu.director"],
        [],
    ),
]


@pytest.mark.parametrize(
    ("name", "state", "msg", "context", "keys", "effects"), CASES, ids=[c[0] for c in CASES]
)
def test_global_words(
    engine: Engine,
    name: str,
    state: State,
    msg: Inbound,
    context: Context,
    keys: list[str],
    effects: list[object],
) -> None:
    outcome = engine.step(state, msg, context)
    assert [r.key for r in outcome.replies] == keys
    assert list(outcome.effects) == effects


def test_numbered_answer_resolves_to_the_last_choices(engine: Engine) -> None:
    first = engine.step(IDLE, inbound("语言"), ctx())
    assert first.state.choices == ("lang:zh_Hans", "lang:zh_Hant", "lang:en")
    second = engine.step(first.state, inbound("３"), ctx())  # full-width digit
    assert list(second.effects) == [fx.SetLocale("en")]


def test_menu_offers_help_and_language(engine: Engine) -> None:
    out = engine.step(IDLE, inbound("?"), ctx())
    assert out.replies[0].key == "help.director"
    menu = engine.step(IDLE, inbound("取消"), ctx())
    assert [c.payload for c in menu.replies[0].choices] == ["cmd:help", "cmd:language"]


ASKED = State(flow="visit", step="mode")


@pytest.mark.parametrize(
    ("outcome", "keys", "state"),
    [
        # understood: unchanged
        (Outcome(ASKED, (Reply("visit.mode"),)), ["visit.mode"], ASKED),
        # a fallback (the idle menu): nothing said, no question asked
        (Outcome(IDLE, (Reply("idle.menu"),), fallback=True), [], IDLE),
        # a flow's "没看懂": dropped; its question asked again and its state stay
        (not_understood(ASKED, Reply("visit.mode")), ["visit.mode"], ASKED),
        (not_understood(), [], IDLE),
    ],
)
def test_a_safety_reply_given_replaces_what_only_answers_unusable_text(
    outcome: Outcome, keys: list[str], state: State
) -> None:
    after = answered_already(outcome)
    assert [r.key for r in after.replies] == keys
    assert after.state.flow == state.flow and after.state.step == state.step


@pytest.mark.parametrize(
    ("text", "person", "keys"),
    [
        ("照片 A04", DIRECTOR, ["visit.photo_missing"]),  # no picture in it: how to send one
        ("相片 a04", DIRECTOR, ["visit.photo_missing"]),
        ("照片", DIRECTOR, None),  # no code: not this
        ("照片 A04 很好", DIRECTOR, None),
        ("照片 A04", GUARDIAN, None),  # a director's caption only
    ],
)
def test_a_photo_caption_without_a_photo(
    engine: Engine, text: str, person: Person, keys: list[str] | None
) -> None:
    out = engine.step(IN_FLOW, inbound(text), ctx(person))
    if keys is None:
        assert "visit.photo_missing" not in [r.key for r in out.replies]
    else:
        assert [r.key for r in out.replies] == keys and out.state.flow == IN_FLOW.flow
        assert out.replies[0].params == {"code": "A04"}
