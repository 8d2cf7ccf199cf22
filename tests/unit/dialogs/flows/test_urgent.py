"""The urgent-concern flow, driven through the engine as transcripts."""

import pytest

from bot.core_data import shipped_screen
from bot.screening.store import shipped_categories
from content.keywords import Keywords
from dialogs.effects import OpenCase
from dialogs.engine import Engine
from dialogs.flows.urgent import UrgentFlow
from dialogs.screening import Lexicon, Screen
from dialogs.types import IDLE, Context, Outcome, State
from tests.unit.dialogs.screening.helpers import DIRECTOR, GUARDIAN, ctx, inbound

FLOW = UrgentFlow(shipped_screen(), shipped_categories())


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(Keywords.load(), {"urgent": FLOW})


def run(engine: Engine, context: Context, *texts: str) -> tuple[State, list[Outcome]]:
    state, outcomes = IDLE, []
    for n, text in enumerate(texts, start=1):
        outcome = engine.step(state, inbound(text, n=n), context)
        outcomes.append(outcome)
        state = outcome.state
    return state, outcomes


def keys(outcome: Outcome) -> list[str]:
    return [r.key for r in outcome.replies]


def test_full_transcript_in_danger(engine: Engine) -> None:
    state, out = run(engine, ctx(DIRECTOR), "紧急", "他爸在打孩子", "A12", "3组王家", "1", "是")
    assert keys(out[0]) == ["urgent.ask_what"]
    assert keys(out[1]) == ["urgent.noted", "urgent.ask_child"]
    assert keys(out[2]) == ["urgent.ask_where"]
    assert keys(out[3]) == ["urgent.ask_danger"]
    assert out[3].state.choices == ("yes", "no", "unsure")
    assert keys(out[4]) == ["safety.call_110_now", "urgent.ask_callback"]  # 110 at once
    # the director is a mandated reporter: told to report to 公安 now
    assert keys(out[5]) == [
        "urgent.done",
        "safety.duty.report_police",
        "safety.hotlines.violence_abuse",
    ]
    assert state == IDLE
    assert out[5].effects == (
        OpenCase(
            "violence_abuse",
            "critical",
            "他爸在打孩子",
            ("打孩子",),
            "urgent_flow",
            child_code="A12",
            location="3组王家",
            in_danger=True,
            callback_ok=True,
        ),
    )


def test_unknown_sender_no_keyword_skips_and_no_danger(engine: Engine) -> None:
    _, out = run(engine, ctx(None), "sos", "隔壁那家情况不太对劲", "跳过", "skip", "否", "2")
    assert keys(out[-1]) == ["urgent.done_no_callback", "safety.hotlines.unclassified"]
    assert out[-1].effects == (
        OpenCase(
            "unclassified",
            "high",
            "隔壁那家情况不太对劲",
            (),
            "urgent_flow",
            child_code=None,
            location=None,
            in_danger=False,
            callback_ok=False,
        ),
    )


@pytest.mark.parametrize(
    ("what", "danger", "category", "severity"),
    [
        ("孩子被烫伤了", "否", "accident_injury", "medium"),  # the screen's severity
        ("孩子被烫伤了", "不确定", "accident_injury", "high"),  # unsure: never below high
        ("孩子被烫伤了", "是", "accident_injury", "critical"),
        ("孩子说想自杀", "否", "self_harm", "critical"),
        ("不知道怎么说", "否", "unclassified", "high"),
    ],
)
def test_severity(engine: Engine, what: str, danger: str, category: str, severity: str) -> None:
    _, out = run(engine, ctx(GUARDIAN), "紧急", what, "跳过", "跳过", danger, "是")
    case = out[-1].effects[0]
    assert (case.category, case.severity) == (category, severity)


def test_trigger_with_text_counts_as_what_happened(engine: Engine) -> None:
    _, out = run(engine, ctx(None), "紧急 孩子掉进河里了")
    assert keys(out[0]) == ["urgent.noted", "urgent.ask_child"]
    assert out[0].state.data["what"] == "孩子掉进河里了"


def test_child_name_resolves_to_code(engine: Engine) -> None:
    _, out = run(engine, ctx(DIRECTOR), "紧急", "孩子没人管", "王小明")
    assert out[-1].state.data["child_code"] == "A12"


def test_unsure_danger_says_call_110_if_in_doubt(engine: Engine) -> None:
    _, out = run(engine, ctx(None), "紧急", "孩子没人管", "跳过", "跳过", "3")
    assert keys(out[-1]) == ["urgent.if_in_doubt_110", "urgent.ask_callback"]


@pytest.mark.parametrize(("step", "answer", "count"), [("danger", "嗯嗯", 3), ("callback", "?", 2)])
def test_unclear_yes_no_asks_again(step: str, answer: str, count: int) -> None:
    from dialogs.flow import Answer

    state = State("urgent", step, {"what": "x"})
    outcome = FLOW.handle(state, Answer(answer, None), ctx(None))
    assert outcome.state.step == step
    assert outcome.replies[0].key == "choice.invalid"
    assert outcome.replies[0].params == {"count": count}


def test_empty_what_is_asked_again(engine: Engine) -> None:
    _, out = run(engine, ctx(None), "紧急", "   ")
    assert out[-1].state.step == "what"


@pytest.mark.parametrize(
    ("data", "expected_keys", "expected_case"),
    [
        ({}, [], None),
        ({"what": "  "}, [], None),
        (
            {"what": "孩子走失了", "location": "集市"},
            ["urgent.timeout_saved"],
            OpenCase(
                "child_alone_missing",
                "high",
                "孩子走失了",
                ("走失",),
                "urgent_flow",
                location="集市",
            ),
        ),
        (
            {"what": "孩子走失了", "in_danger": True},
            ["urgent.timeout_saved"],
            OpenCase(
                "child_alone_missing",
                "critical",
                "孩子走失了",
                ("走失",),
                "urgent_flow",
                in_danger=True,
            ),
        ),
    ],
)
def test_timeout_never_loses_a_concern(
    engine: Engine, data: dict[str, object], expected_keys: list[str], expected_case: object
) -> None:
    outcome = engine.timeout(State("urgent", "where", data), ctx(None))
    assert outcome.state == IDLE
    assert keys(outcome) == expected_keys
    assert outcome.effects == ((expected_case,) if expected_case else ())


def test_screen_comes_from_context(engine: Engine) -> None:
    live = Screen(
        Lexicon.from_mapping(
            {"categories": [{"id": "custom", "severity": "medium", "terms": ["怪事"]}]}
        )
    )
    _, out = run(engine, ctx(None, screen=live), "紧急", "村里有怪事", "跳过", "跳过", "否", "否")
    case = out[-1].effects[0]
    assert (case.category, case.severity, case.matched) == ("custom", "medium", ("怪事",))


def test_flow_is_open_to_anyone() -> None:
    assert FLOW.name == "urgent" and FLOW.roles is None and FLOW.menu_label_key == "menu.urgent"


def test_which_child_offers_the_senders_children_and_is_skipped_when_named(
    engine: Engine,
) -> None:
    _, out = run(engine, ctx(DIRECTOR), "紧急", "他爸在打孩子")
    ask = out[1].replies[-1]
    assert ask.key == "urgent.ask_child"
    assert [(c.payload, dict(c.params)) for c in ask.choices[:1]] == [
        ("child:A12", {"code": "A12", "name": "王小明"})
    ]
    assert out[1].state.choices[0] == "child:A12"  # "1" picks the first child
    state, out = run(engine, ctx(DIRECTOR), "紧急", "他爸在打孩子", "1")
    assert state.data["child_code"] == "A12" and keys(out[2]) == ["urgent.ask_where"]
    for named in ("紧急 王小明被他爸打了", "紧急 a12被他爸打了"):
        state, out = run(engine, ctx(DIRECTOR), named)
        assert keys(out[0]) == ["urgent.noted", "urgent.ask_where"]  # no "which child?"
        assert state.data["child_code"] == "A12"


@pytest.mark.parametrize("yes", ["可以", "行", "是的"])
def test_may_we_call_you_back_takes_the_yes_people_say(engine: Engine, yes: str) -> None:
    _, out = run(engine, ctx(None), "sos", "隔壁那家情况不太对劲", "跳过", "skip", "否", yes)
    [case] = out[-1].effects
    assert isinstance(case, OpenCase) and case.callback_ok is True
