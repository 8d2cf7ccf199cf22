"""Safety replies and the screen's OpenCase, as a table; every key exists in every locale."""

import csv

import pytest

from content.catalog import Catalog, placeholders
from content.locales import SUPPORTED_LOCALES
from content.replies import Reply
from dialogs.effects import OpenCase
from dialogs.screening.decision import Decision
from dialogs.screening.replies import (
    hotlines_reply,
    is_safety_reply,
    open_case_effect,
    safety_replies,
)
from dialogs.types import Person, Role
from tests.support.categories import categories
from tests.support.paths import CONTENT
from tests.unit.dialogs.screening.helpers import DIRECTOR, GUARDIAN, ctx, default_screen

HOTLINE = Person(id=3, role=Role.HOTLINE, name="值班", locale="zh_Hans")
DUTY = "safety.duty.report_police"
NOW_110 = "safety.call_110_now"

REPLIES = [
    # (text, sender context, expected reply keys)
    ("今天走访了3户", ctx(DIRECTOR), []),
    # a director is a mandated reporter: told to report to 公安 (110) now, without liability
    ("他爸打孩子", ctx(DIRECTOR), ["safety.reported", DUTY, "safety.hotlines.violence_abuse"]),
    (
        "他正在打孩子",
        ctx(DIRECTOR),
        ["safety.call_110_now", "safety.reported", DUTY, "safety.hotlines.violence_abuse"],
    ),
    ("他爸打孩子", ctx(GUARDIAN), ["safety.reported", "safety.hotlines.violence_abuse"]),
    (
        "孩子掉进河里了，快来",
        ctx(GUARDIAN),
        ["safety.call_110_now", "safety.reported", "safety.hotlines.accident_injury"],
    ),
    # a critical concern (sexual abuse, self-harm, missing): "call 110 now" first, cue or not
    ("村里有人猥亵小女孩", ctx(None), [NOW_110, "safety.reported", "safety.hotlines.sexual_abuse"]),
    # first-person self-harm from someone who may be a child: warm, never the form
    ("我不想活了", ctx(None), ["safety.self_harm.support"]),
    ("我不想活了", ctx(GUARDIAN), ["safety.self_harm.support"]),
    ("不想活了", ctx(None), ["safety.self_harm.support"]),
    ("我今晚就跳河", ctx(None), ["safety.self_harm.urgent"]),
    ("我想自杀", ctx(DIRECTOR, sender_is_child=True), ["safety.self_harm.support"]),
    # self-harm reported about someone else, or by staff: the report replies
    ("孩子说想跳楼", ctx(GUARDIAN), [NOW_110, "safety.reported", "safety.hotlines.self_harm"]),
    ("不想活了", ctx(DIRECTOR), [NOW_110, "safety.reported", DUTY, "safety.hotlines.self_harm"]),
    ("不想活了", ctx(HOTLINE), [NOW_110, "safety.reported", DUTY, "safety.hotlines.self_harm"]),
]


@pytest.mark.parametrize(("text", "context", "keys"), REPLIES)
def test_safety_replies(text: str, context: object, keys: list[str]) -> None:
    decision = default_screen().screen(text)
    replies = safety_replies(decision, context, categories())  # type: ignore[arg-type]
    assert [r.key for r in replies] == keys


def test_open_case_effect() -> None:
    text = "他正在打孩子，打孩子"
    case = open_case_effect(default_screen().screen(text), text)
    assert case == OpenCase(
        "violence_abuse", "critical", text, ("打孩子",), source="screen", in_danger=True
    )
    assert open_case_effect(default_screen().screen("好的"), "好的") is None


def _table_keys() -> list[str]:
    path = CONTENT / "tables" / "safety.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        return [r[0] for r in csv.reader(fh, delimiter="\t") if r and not r[0].startswith("#")]


def test_every_safety_key_is_in_every_locale_and_fits_sms() -> None:
    catalog = Catalog.load()
    keys = _table_keys()
    assert len(keys) > 20
    for key in keys:
        texts = [catalog.base_template(key, loc) for loc in SUPPORTED_LOCALES]
        assert all(texts), key
        assert len({frozenset(placeholders(t or "")) for t in texts}) == 1, key
        assert len(texts[0] or "") <= 134, key  # two Chinese SMS segments at most


def alert(category: str, severity: str = "high", danger: bool = False) -> Decision:
    return Decision(escalate=True, category=category, severity=severity, immediate_danger=danger)


R, C110, C120, REVIEW = (
    "safety.reported", "safety.call_110_now", "safety.call_120_now", "hotline.review.noted",
)  # fmt: skip


def h(name: str) -> str:
    return f"safety.hotlines.{name}"


NAMED = {"hotline_name": "12345 未成年人保护热线"}
FINE = [
    # (decision, sender, extra context, expected keys): the statutory categories as data
    (alert("domestic_violence"), GUARDIAN, {}, [R, h("domestic_violence")]),  # offers 12338
    (alert("poisoning", "critical"), GUARDIAN, {}, [C120, R, h("first_aid")]),
    (alert("drugged_unconscious", "critical", True), None, {}, [C120, R, h("first_aid")]),
    (alert("work_injury"), None, {}, [C120, R, h("accident_injury")]),
    (alert("present_danger", "critical"), None, {}, [C110, R, h("other_serious_harm")]),
    (alert("physical_abuse"), DIRECTOR, {}, [R, DUTY, h("physical_abuse")]),
    (alert("missing", "critical", True), DIRECTOR, {}, [C110, R, DUTY, h("child_alone_missing")]),
    # the old lexicon groups keep working as categories
    (alert("violence_abuse"), DIRECTOR, {}, [R, DUTY, h("violence_abuse")]),
    # only a deployment that names its line gets a reply naming it
    (alert("bullying"), None, NAMED, ["safety.reported.named", h("bullying_violence")]),
    # review: one reply, a person will read it
    (Decision(False, "physical_abuse", "medium", outcome="review"), GUARDIAN, {}, [REVIEW]),
    (Decision(False, None, None, outcome="review"), DIRECTOR, {}, [REVIEW]),
]


@pytest.mark.parametrize(("decision", "person", "extra", "keys"), FINE)
def test_replies_by_category(
    decision: Decision, person: Person | None, extra: dict[str, object], keys: list[str]
) -> None:
    replies = safety_replies(decision, ctx(person, **extra), categories())
    assert [r.key for r in replies] == keys
    assert all(is_safety_reply(r) for r in replies)  # sent even to a sender who opted out


def test_review_decision_opens_a_review_case() -> None:
    decision = Decision(False, None, None, outcome="review")
    case = open_case_effect(decision, "那个小女孩被一个男的带走了")
    assert case is not None and (case.source, case.category, case.severity) == (
        "review", "unclassified", "medium",
    )  # fmt: skip


def test_every_fine_category_has_hotlines_and_a_label() -> None:
    catalog = Catalog.load()
    for cid in categories().ids():
        for locale in SUPPORTED_LOCALES:
            assert catalog.has(hotlines_reply(cid, categories()).key, locale), cid
            assert catalog.has(f"case.category.{cid}", locale), cid
    assert not is_safety_reply(Reply("fallback.not_understood"))


@pytest.mark.parametrize(
    ("severity", "danger_cue", "first"),
    [
        ("critical", False, ["safety.call_110_now"]),  # a missing child, with no "现在"
        ("high", True, ["safety.call_110_now"]),
        ("high", False, []),
    ],
)
def test_a_critical_concern_says_call_110_first(
    severity: str, danger_cue: bool, first: list[str]
) -> None:
    decision = Decision(True, "missing", severity, immediate_danger=danger_cue)
    keys = [r.key for r in safety_replies(decision, ctx(GUARDIAN), categories())]
    assert keys[: len(first)] == first and keys[len(first)] == "safety.reported"
