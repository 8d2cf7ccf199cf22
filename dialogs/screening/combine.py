"""One decision from the lexicon and the learned model: alert, review or pass.

Rules (thresholds come with the model, chosen on held-out writers for recall first):
1. The model's probability p that the message must reach a person, computed from the text's
   features, the lexicon's hits and the framing cues.
2. p >= alert -> "alert" (a person now, on the alert lane, with the category's SLA).
3. p >= review -> "review" (a case marked for review, no page, its own SLA).
4. A lexicon hit below the alert line goes to review when p >= lexicon_review: an
   administrator's term is never silent, but the model, which has read the framing (a TV
   plot, a resolved event, an adult as subject), may hold back the alert. A lexicon hit with
   a danger cue in its clause ("现在还在打") or a call for help alerts whatever p says.
5. Otherwise "pass".
Category: the model's most likely statutory category; with a lexicon hit, the most likely
one within the hit's group when the model gives it any weight, else the group's default.
Severity: the category's default, critical when the danger is immediate.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs.screening.categories import Categories
from dialogs.screening.decision import Decision
from dialogs.screening.lexicon import severity_rank
from dialogs.screening.model import Prediction, Thresholds

MIN_GROUP_WEIGHT = 0.05


def outcome_for(p: float, lexicon: Decision, thresholds: Thresholds) -> str:
    if lexicon.escalate and lexicon.immediate_danger:
        return "alert"
    if p >= thresholds.alert:
        return "alert"
    if p >= thresholds.review:
        return "review"
    if lexicon.escalate and p >= thresholds.lexicon_review:
        return "review"
    return "pass"


def choose_category(lexicon: Decision, prediction: Prediction, categories: Categories) -> str:
    group = lexicon.category if lexicon.escalate else None
    if group is not None:
        members = set(categories.in_group(group)) or {categories.fine(group) or group}
        for category, weight in prediction.categories:
            if category in members and weight >= MIN_GROUP_WEIGHT:
                return category
        return categories.fine(group) or group
    return prediction.categories[0][0] if prediction.categories else "unclassified"


def combine(
    lexicon: Decision,
    prediction: Prediction,
    thresholds: Thresholds,
    categories: Categories,
    version: str,
) -> Decision:
    p = prediction.probability
    outcome = outcome_for(p, lexicon, thresholds)
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
    category = choose_category(lexicon, prediction, categories)
    meta = categories.get(category)
    severity = meta.severity if meta else (lexicon.severity or "medium")
    if lexicon.escalate and severity_rank(lexicon.severity) > severity_rank(severity):
        severity = lexicon.severity or severity
    if lexicon.immediate_danger:
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
    )
