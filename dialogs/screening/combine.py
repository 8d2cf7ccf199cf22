"""One decision from the lexicon and the learned model: alert, review or pass.

Rules (thresholds come with the model, chosen on held-out writers for recall first):
1. The model's probability p that the message must reach a person, computed from the text's
   features, the lexicon's hits and the framing cues.
2. p >= alert -> "alert" (a person now, on the alert lane, with the category's SLA).
3. p >= review -> "review" (a case marked for review, no page, its own SLA).
4. The lexicon's hits are features of the model, which has read the framing (a TV plot, a
   resolved event, an adult as subject) and may hold back their alert; a hit with p at or
   above the review line alerts (two signals agree). Two more exceptions:
   a hit with a danger cue in its clause ("现在还在打") or a call for help alerts whatever
   p says; and a hit on a term the model was not trained with (an administrator's new
   term) decides as the lexicon alone does, so that an edit acts at once.
5. Otherwise "pass".
Category: the model's most likely statutory category; with a lexicon hit, the most likely
one within the hit's group when it is among the model's first three, else the model's first
(an administrator's new term: the group's default, since the model has not learned it).
Severity: the category's default, critical when the danger is immediate.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs.screening.categories import Categories
from dialogs.screening.decision import Decision
from dialogs.screening.lexicon import severity_rank
from dialogs.screening.model import Prediction, Thresholds

GROUP_RANK = 3


def outcome_for(p: float, lexicon: Decision, thresholds: Thresholds, new_term: bool = False) -> str:
    if lexicon.escalate and (lexicon.immediate_danger or new_term):
        return "alert"
    if p >= thresholds.alert:
        return "alert"
    if p >= thresholds.review:
        # two signals agree: a lexicon term, and a model that is at least unsure
        return "alert" if lexicon.escalate else "review"
    return "pass"


def has_new_term(lexicon: Decision, known_terms: frozenset[str] | None) -> bool:
    """A hit on a lexicon term the model was not trained with (None: all are known)."""
    if known_terms is None or not lexicon.escalate:
        return False
    return any(m.term not in known_terms for m in lexicon.matches)


def choose_category(
    lexicon: Decision, prediction: Prediction, categories: Categories, new_term: bool = False
) -> str:
    ranked = [c for c, _ in prediction.categories]
    group = lexicon.category if lexicon.escalate else None
    if group is not None:
        members = set(categories.in_group(group)) or {categories.fine(group) or group}
        for category in ranked[:GROUP_RANK]:
            if category in members:
                return category
        if new_term or not ranked:
            return categories.fine(group) or group
    return ranked[0] if ranked else "unclassified"


def combine(
    lexicon: Decision,
    prediction: Prediction,
    thresholds: Thresholds,
    categories: Categories,
    version: str,
    known_terms: frozenset[str] | None = None,
    present: bool = False,
) -> Decision:
    """`present`: the framing says the danger is happening now ("现在还在打", "还没找到",
    "right now"); with an alert, the decision is immediate and critical."""
    p = prediction.probability
    new_term = has_new_term(lexicon, known_terms)
    outcome = outcome_for(p, lexicon, thresholds, new_term)
    why = (*lexicon.why, f"model {version}: p={p:.2f} -> {outcome}")
    if outcome == "pass":
        return Decision(
            escalate=False,
            category=None,
            severity=None,
            matches=lexicon.matches,
            why=why,
            outcome="pass",
            score=p,
            model_version=version,
        )
    category = choose_category(lexicon, prediction, categories, new_term)
    meta = categories.get(category)
    severity = meta.severity if meta else (lexicon.severity or "medium")
    if lexicon.escalate and severity_rank(lexicon.severity) > severity_rank(severity):
        severity = lexicon.severity or severity
    immediate = lexicon.immediate_danger or (present and outcome == "alert")
    if immediate:
        severity = "critical"
    about_self = lexicon.about_self if category == "self_harm" else None
    return replace(
        lexicon,
        escalate=outcome == "alert",
        category=category,
        severity=severity,
        why=why,
        about_self=about_self,
        outcome=outcome,
        score=p,
        model_version=version,
        immediate_danger=immediate,
    )
