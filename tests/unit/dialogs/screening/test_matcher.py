"""The screen's decisions, as tables: matching, exclusions, context, negation, severity."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.screening import Lexicon, LexiconError, Screen
from tests.unit.dialogs.screening.helpers import default_screen

# (text, escalate, category, severity)
DECISIONS = [
    # every category, simplified, traditional, English, obfuscated
    ("我不想活了", True, "self_harm", "critical"),
    ("想紫砂", True, "self_harm", "critical"),
    ("我想自.杀", True, "self_harm", "critical"),
    ("孩子說想跳樓", True, "self_harm", "critical"),
    ("I want to kill myself", True, "self_harm", "critical"),
    ("他爸又把孩子打了一顿", True, "violence_abuse", "high"),
    ("家 暴", True, "violence_abuse", "high"),
    ("鄰居一直在打孩子", True, "violence_abuse", "high"),
    ("my stepdad hits me", True, "violence_abuse", "high"),
    ("孩子说被邻居叔叔摸了私处", True, "sexual_abuse", "critical"),
    ("性 侵", True, "sexual_abuse", "critical"),
    ("孩子走失了", True, "child_alone_missing", "high"),
    ("home alone for 3 days", True, "child_alone_missing", "high"),
    ("监护人吸毒被抓了", True, "guardian_incapacity", "high"),
    ("孩子掉进河里了", True, "accident_injury", "high"),
    ("有人带着小孩在街上乞讨", True, "trafficking_begging_labour", "high"),
    ("孩子被拐卖了", True, "trafficking_begging_labour", "critical"),
    ("孩子被校园霸凌", True, "bullying_violence", "high"),
    ("救命", True, "other_serious_harm", "critical"),
    ("孩子被烫伤了", True, "accident_injury", "medium"),
    # hard negatives: the same characters in innocent use
    ("明天带孩子去打疫苗", False, None, None),
    ("他爸在外地打工", False, None, None),
    ("我等会给你打电话", False, None, None),
    ("孩子在家打扫卫生", False, None, None),
    ("今天热死了", False, None, None),
    ("哈哈笑死我了", False, None, None),
    ("孩子在学校跳绳", False, None, None),
    ("孩子发烧吃药了", False, None, None),
    ("已接种", False, None, None),
    ("今天走访了3户，情况良好", False, None, None),
    ("孩子说想死你了", False, None, None),
    ("学校开了反校园欺凌主题班会", False, None, None),
    ("We had grapes for dessert", False, None, None),
    ("The therapist said she is doing well", False, None, None),
    ("", False, None, None),
]


@pytest.mark.parametrize(("text", "escalate", "category", "severity"), DECISIONS)
def test_decisions(text: str, escalate: bool, category: str | None, severity: str | None) -> None:
    decision = default_screen().screen(text)
    assert (decision.escalate, decision.category, decision.severity) == (
        escalate,
        category,
        severity,
    ), decision.why


@pytest.mark.parametrize(
    ("text", "escalate", "why_part"),
    [
        # clear negation of a non-critical concern: not counted, and said so
        ("没有发现打骂现象，家庭关系和睦", False, "negation '没有发现' before '打骂'"),
        ("经了解，孩子没有被打", False, "not counted"),
        ("孩子没被打", False, "not counted"),
        ("he did not hit me", False, "not counted"),
        # a critical concern is never dropped by a negation
        ("没有发现性侵", True, "never dropped"),
        ("孩子说不是想自杀", True, "never dropped"),
        # a question is not a negation
        ("孩子有没有被打", True, "matched '被打'"),
        # a cue far from the term, same clause: unsure, so escalate
        ("没有想到他爸又打他", True, "unsure"),
        ("没有发现任何打骂", False, "not counted"),
        ("there were no signs of abuse", False, "not counted"),
        # words between the cue and the term that change the meaning: unsure, escalate
        ("不是第一次被打了", True, "unsure"),
        ("没想到又被打", True, "unsure"),
        ("没有一天不挨打", True, "unsure"),
        # a single-character cue counts only when it touches the term
        ("无故被打", True, "matched '被打'"),
        ("无打骂", False, "not counted"),
        # a negation in another clause does not reach the term
        ("没有，他爸打我", True, "matched '打我'"),
    ],
)
def test_negation(text: str, escalate: bool, why_part: str) -> None:
    decision = default_screen().screen(text)
    assert decision.escalate is escalate
    assert any(why_part in w for w in decision.why), decision.why


@pytest.mark.parametrize(
    ("text", "why_part"),
    [
        ("明天带孩子去打疫苗", "exclusion '打疫苗' covers '打'"),
        ("孩子说想死你了", "exclusion '想死你' covers '想死'"),
        ("今天学校组织了防溺水安全教育", "exclusion '防溺水' covers '溺水'"),
    ],
)
def test_exclusions_are_explained(text: str, why_part: str) -> None:
    decision = default_screen().screen(text)
    assert not decision.escalate
    assert why_part in decision.why


@pytest.mark.parametrize(
    ("text", "immediate", "severity"),
    [
        ("他正在打孩子，快来人", True, "critical"),
        ("neighbour is beating his son right now", True, "critical"),
        ("孩子现在一个人在家好几天了", True, "critical"),
        ("他爸打孩子", False, "high"),
        # a danger cue in another clause does not make an old event immediate
        ("上周他爸打孩子，现在好了", False, "high"),
    ],
)
def test_immediate_danger(text: str, immediate: bool, severity: str) -> None:
    decision = default_screen().screen(text)
    assert (decision.immediate_danger, decision.severity) == (immediate, severity), decision.why


@pytest.mark.parametrize(
    ("text", "about_self"),
    [
        ("我不想活了", True),
        ("I want to die", True),
        ("孩子说想自杀", False),
        ("我儿子说想跳楼", False),
        ("不想活了", None),
        ("他们都不要我，我还活着干什么", True),
        ("他爸打孩子", None),  # not self-harm
    ],
)
def test_about_self(text: str, about_self: bool | None) -> None:
    assert default_screen().screen(text).about_self is about_self


def test_context_rule_needs_a_near_word() -> None:
    screen = default_screen()
    assert screen.screen("孩子被打得头破血流").escalate
    assert not screen.screen("我去打听一下").escalate
    decision = screen.screen("打")
    assert not decision.escalate
    assert "'打' ignored: no context word near it" in decision.why


@pytest.mark.parametrize(
    ("text", "escalate"),
    [
        ("grapes", False),
        ("therapist", False),
        ("rape", True),
        ("raped", True),
        ("beating", True),
        ("heartbeat", False),
        ("killing it", False),
    ],
)
def test_english_word_boundaries(text: str, escalate: bool) -> None:
    assert default_screen().screen(text).escalate is escalate


def test_matches_point_into_the_original_text() -> None:
    text = "老师，他 正 在 打 孩 子"
    decision = default_screen().screen(text)
    spans = {text[m.start : m.end] for m in decision.matches}
    assert "打 孩 子" in spans


def test_json_shape() -> None:
    decision = default_screen().screen("家暴，他现在在打孩子")
    raw = json.loads(decision.dumps())
    assert set(raw) >= {"escalate", "category", "severity", "matches", "why"}
    assert raw["escalate"] is True and raw["severity"] == "critical"
    assert set(raw["matches"][0]) == {"term", "category", "severity", "start", "end"}
    assert raw == decision.to_json()
    none = default_screen().screen("好的")
    assert none.to_json()["category"] is None and none.to_json()["matches"] == []


CUSTOM = {
    "categories": [
        {
            "id": "a",
            "severity": "medium",
            "terms": ["foo", {"term": "巴", "severity": "critical", "near": ["哈"], "window": 1}],
            "exclusions": ["foobar"],
        },
        {"id": "b", "severity": "high", "terms": ["bar"]},
    ],
    "cues": {"negation": ["没"], "danger": ["现在"], "exclusions": ["嘻嘻巴"]},
}


@pytest.mark.parametrize(
    ("text", "category", "severity"),
    [
        ("foo", "a", "medium"),
        ("foo bar", "b", "high"),  # the most severe wins
        ("foo-bar", "b", "high"),  # the exclusion covers foo only
        ("foobar", None, None),  # bar is not a word here
        ("哈巴", "a", "critical"),
        ("巴", None, None),  # no near word
        ("嘻嘻巴哈", None, None),  # global exclusion
        ("现在 foo", "a", "critical"),
        ("没foo", None, None),
    ],
)
def test_lexicon_from_mapping(text: str, category: str | None, severity: str | None) -> None:
    decision = Screen(Lexicon.from_mapping(CUSTOM)).screen(text)
    assert (decision.category, decision.severity) == (category, severity), decision.why


@pytest.mark.parametrize(
    "raw",
    [
        {"categories": [{"id": "x", "severity": "urgent", "terms": ["a"]}]},
        {"categories": [{"id": "x", "terms": [{"term": "a", "severity": "low"}]}]},
        {"categories": [{"id": "", "terms": ["a"]}]},
        {"categories": [{"id": "x", "terms": [" - "]}]},
    ],
)
def test_malformed_lexicon_is_refused(raw: dict[str, object]) -> None:
    with pytest.raises(LexiconError):
        Lexicon.from_mapping(raw)


def test_empty_lexicon_never_escalates() -> None:
    assert not Screen(Lexicon.from_mapping({})).screen("我不想活了").escalate


def test_default_lexicon_covers_every_category() -> None:
    lexicon = default_screen().lexicon
    assert {c.id for c in lexicon.categories} == {
        "child_alone_missing",
        "guardian_incapacity",
        "violence_abuse",
        "sexual_abuse",
        "self_harm",
        "accident_injury",
        "trafficking_begging_labour",
        "bullying_violence",
        "other_serious_harm",
    }
    assert lexicon.term_count() > 400
    assert lexicon.negation and lexicon.danger and lexicon.third_person


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_screen_never_raises(text: str) -> None:
    decision = default_screen().screen(text)
    assert decision.escalate == bool(decision.matches)
    for m in decision.matches:
        assert 0 <= m.start < m.end <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="打死杀伤被我他没有不是现在 -.,，。自想活了abcdefghijklmnopqrstuvwxyz"))
def test_screen_never_raises_on_dense_text(text: str) -> None:
    decision = default_screen().screen(text)
    json.dumps(decision.to_json(), ensure_ascii=False)


def test_a_screen_that_remembers_decides_as_one_that_does_not() -> None:
    """`memo`: the decisions of short texts are kept (bounded); each is what the screen
    without a memo decides, asked once or many times, long texts included."""
    plain = default_screen()
    remembering = Screen(plain.lexicon, memo=3)
    texts = [t for t, *_ in DECISIONS[:8]] + ["1", "帮助", "1", "好的"] + ["孩子" * 40 + "被打了"]
    for text in texts * 3:
        assert remembering.screen(text) == plain.screen(text), text
    assert 0 < len(remembering._memo) <= 3
    assert all(len(t) <= 64 for t in remembering._memo)
