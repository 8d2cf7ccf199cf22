"""Danger signs found on a director's visit open (or update) a hotline case."""

from __future__ import annotations

from bot.effects import StepScope
from bot.host import VisitDanger
from bot.hotline.cases import open_case_told
from bot.hotline.runtime import Hotline
from content.replies import Reply
from dialogs.effects import OpenCase
from dialogs.screening.replies import DUTY

# The lexicon category a visit flag belongs to; the most severe flag decides.
FLAG_CATEGORY = {
    "living_alone": "child_alone_missing",
    "no_carer": "child_alone_missing",
    "injury_signs": "violence_abuse",
    "self_harm_risk": "self_harm",
    "out_of_school": "guardian_incapacity",
    "dropout_risk": "guardian_incapacity",
    "guardianship_poor": "guardian_incapacity",
    "home_hazard": "accident_injury",
}


def case_for(danger: VisitDanger) -> OpenCase:
    top = danger.flags[0]
    return OpenCase(
        category=FLAG_CATEGORY.get(top, "other_serious_harm"),
        severity=danger.severity,
        text="visit flags: " + ", ".join(danger.flags),  # no names, no notes
        matched=danger.flags,
        source="visit",
        child_code=danger.child_code,
    )


async def open_case_from_visit(hl: Hotline, scope: StepScope, danger: VisitDanger) -> None:
    _, told = await open_case_told(hl, scope, case_for(danger))
    if told:  # the director is a mandated reporter (said once per case)
        scope.extra_replies.append(Reply(DUTY))
