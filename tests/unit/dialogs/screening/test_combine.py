"""Lexicon + model -> one decision, as tables: outcomes, categories, severities."""

from __future__ import annotations

import pytest

from bot.screening.files import load_categories
from dialogs.screening.combine import choose_category, combine, has_new_term, outcome_for
from dialogs.screening.decision import NO_CONCERN, Decision, Match
from dialogs.screening.model import Prediction, Thresholds

T = Thresholds(alert=0.6, review=0.3)
CATS = load_categories()


def hit(group: str = "violence_abuse", severity: str = "high", danger: bool = False) -> Decision:
    m = Match(term="被打", category=group, severity=severity, start=0, end=2)
    return Decision(True, group, severity, (m,), (), immediate_danger=danger)


def pred(p: float, *cats: tuple[str, float]) -> Prediction:
    return Prediction(p, cats or (("physical_abuse", 1.0),))


@pytest.mark.parametrize(
    ("p", "lexicon", "new_term", "outcome"),
    [
        (0.9, NO_CONCERN, False, "alert"),
        (0.6, NO_CONCERN, False, "alert"),
        (0.59, NO_CONCERN, False, "review"),  # unsure goes to review, never to silence
        (0.3, NO_CONCERN, False, "review"),
        (0.29, NO_CONCERN, False, "pass"),
        (0.1, hit(), False, "pass"),  # the model read the framing (a TV plot ...)
        (0.4, hit(), False, "alert"),  # a lexicon term and an unsure model agree
        (0.29, hit(), False, "pass"),
        (0.01, hit(danger=True), False, "alert"),  # "现在还在打": present danger
        (0.01, hit(), True, "alert"),  # an administrator's new term acts at once
    ],
)
def test_outcome(p: float, lexicon: Decision, new_term: bool, outcome: str) -> None:
    assert outcome_for(p, lexicon, T, new_term) == outcome


def test_a_new_terms_category_is_its_groups_default_unless_the_model_ranks_the_group() -> None:
    far = (("self_harm", 0.9), ("missing", 0.05), ("poisoning", 0.03), ("bullying", 0.02))
    assert choose_category(hit(), Prediction(0.9, far), CATS, new_term=True) == "physical_abuse"


def test_new_terms_are_those_the_model_was_not_trained_with() -> None:
    assert has_new_term(hit(), frozenset({"打人"}))
    assert not has_new_term(hit(), frozenset({"被打"}))
    assert not has_new_term(hit(), None)
    assert not has_new_term(NO_CONCERN, frozenset())


@pytest.mark.parametrize(
    ("lexicon", "ranking", "category"),
    [
        # no lexicon hit: the model's first choice
        (NO_CONCERN, (("early_marriage", 0.7), ("trafficking", 0.3)), "early_marriage"),
        # a lexicon hit: the model's best choice within the hit's group, among its first three
        (hit(), (("self_harm", 0.6), ("domestic_violence", 0.3)), "domestic_violence"),
        # the group is not among the model's first three: the model's first
        (
            hit(),
            (
                ("self_harm", 0.9),
                ("missing", 0.05),
                ("poisoning", 0.03),
                ("domestic_violence", 0.02),
            ),
            "self_harm",
        ),
        (hit("child_alone_missing"), (("missing", 0.5),), "missing"),
    ],
)
def test_category(lexicon: Decision, ranking: tuple[tuple[str, float], ...], category: str) -> None:
    assert choose_category(lexicon, Prediction(0.9, ranking), CATS) == category


def test_severity_comes_from_the_category_and_danger_makes_it_critical() -> None:
    d = combine(NO_CONCERN, pred(0.9, ("child_labour", 0.9)), T, CATS, "v1")
    assert (d.outcome, d.escalate, d.category, d.severity) == (
        "alert",
        True,
        "child_labour",
        "high",
    )
    d = combine(NO_CONCERN, pred(0.9, ("poisoning", 0.9)), T, CATS, "v1")
    assert d.severity == "critical"
    d = combine(hit(danger=True), pred(0.9), T, CATS, "v1")
    assert (d.severity, d.immediate_danger) == ("critical", True)
    d = combine(hit(severity="critical"), pred(0.9), T, CATS, "v1")
    assert d.severity == "critical"  # an editor's critical term is never lowered


def test_review_and_pass_decisions_say_why() -> None:
    d = combine(NO_CONCERN, pred(0.4, ("missing", 0.8)), T, CATS, "v7")
    assert (d.outcome, d.escalate, d.category, d.score) == ("review", False, "missing", 0.4)
    assert d.reaches_person and "model v7: p=0.40 -> review" in d.why
    d = combine(hit(), pred(0.1), T, CATS, "v7")
    assert (d.outcome, d.category, d.severity, d.reaches_person) == ("pass", None, None, False)
    assert d.matches  # the lexicon's hits stay visible, for explanation
    assert d.to_json()["outcome"] == "pass" and d.to_json()["model_version"] == "v7"


def _figs(reach: float, alert: float, cats: dict[str, float] | None = None) -> dict[str, object]:
    return {
        "reports": {"n": 10, "reach": reach, "alert": alert},
        "by_category": {k: {"n": 5, "reach": v, "alert": v} for k, v in (cats or {}).items()},
    }


@pytest.mark.parametrize(
    ("old", "new", "fell"),
    [
        (None, _figs(0.9, 0.8), []),  # nothing to compare with
        (_figs(0.98, 0.9), _figs(0.98, 0.9), []),
        (_figs(0.98, 0.9), _figs(0.99, 0.95), []),
        (_figs(0.98, 0.9), _figs(0.97, 0.95), ["reach 0.980 -> 0.970"]),
        (_figs(0.98, 0.9), _figs(0.99, 0.85), ["alert 0.900 -> 0.850"]),
        (
            _figs(0.98, 0.9, {"missing": 1.0}),
            _figs(0.98, 0.9, {"missing": 0.8}),
            ["missing reach 1.000 -> 0.800"],
        ),
        (_figs(0.98, 0.9, {"begging": 1.0}), _figs(0.98, 0.9, {"missing": 0.5}), []),  # not both
        (_figs(0.98, 0.9), {}, ["the new model has no figures"]),
    ],
)
def test_recall_must_not_fall(old: object, new: object, fell: list[str]) -> None:
    from bot.screening.store import recall_held

    assert recall_held(old, new) == fell  # type: ignore[arg-type]
