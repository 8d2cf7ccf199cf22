"""Danger signs found on a visit, handed to the hotline (the hook point for its engineer).

A saved (or corrected) visit whose answers mean danger -- a child living alone or without a
carer, signs of injury, self-harm, out of school, ... -- is stored with those ``flags`` and
is ALSO announced here, inside the same transaction as the visit, to every listener on
``app.visit_danger_listeners`` (``bot.host.VisitDanger``: ids and flags). The visits know no
listener: ``build_app`` connects the hotline's ``open_case_from_visit`` to them.

Without a listener, each danger is still written to the audit log (action ``visit_danger``)
and logged (ids only), so nothing found on a visit is lost silently.
``danger_flags_of_visit(visit)`` gives the flags of any stored visit, most severe first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.effects import StepScope
from bot.host import DangerListener, Host, VisitDanger
from storage.models import Visit
from storage.repos import audit

log = logging.getLogger(__name__)

# Every flag the visit questions can raise (dialogs/visits/questions.py), with the severity
# the hotline is advised to give it (OpenCase severities). Unknown flags count as "medium".
FLAG_SEVERITY: dict[str, str] = {
    "living_alone": "critical",
    "no_carer": "critical",
    "injury_signs": "critical",
    "self_harm_risk": "critical",
    "out_of_school": "high",
    "guardianship_poor": "medium",
    "dropout_risk": "medium",
    "home_hazard": "medium",
}
_RANK = {"critical": 0, "high": 1, "medium": 2}


def severity_of(flag: str) -> str:
    return FLAG_SEVERITY.get(flag, "medium")


def ordered_flags(flags: Iterable[str]) -> tuple[str, ...]:
    unique = dict.fromkeys(str(f) for f in flags)
    return tuple(sorted(unique, key=lambda f: (_RANK[severity_of(f)], f)))


def danger_flags_of_visit(visit: Visit) -> tuple[str, ...]:
    """The danger flags stored on a visit, most severe first (empty when none)."""
    return ordered_flags(visit.flags or ())


def add_danger_listener(app: Host, listener: DangerListener) -> None:
    app.visit_danger_listeners.append(listener)


async def announce(
    app: Host,
    scope: StepScope,
    visit: Visit,
    child_code: str,
    flags: Iterable[str],
    *,
    new: bool,
) -> VisitDanger | None:
    """Audit the danger flags of a visit and call every listener, in the visit's transaction."""
    found = ordered_flags(flags)
    if not found:
        return None
    danger = VisitDanger(
        visit_id=visit.id,
        child_id=visit.child_id,
        child_code=child_code,
        director_id=visit.director_id,
        visit_date=visit.visit_date,
        flags=found,
        severity=severity_of(found[0]),
        new=new,
    )
    audit.record(
        scope.session,
        at=scope.now,
        actor=scope.actor,
        action="visit_danger",
        subject_type="visit",
        subject_id=visit.id,
        detail={"child_id": visit.child_id, "flags": list(found), "severity": danger.severity},
    )
    log.warning("visit %s: danger flags %s for child %s", visit.id, ",".join(found), visit.child_id)
    for listener in app.visit_danger_listeners:
        await listener(scope, danger)
    return danger
