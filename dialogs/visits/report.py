"""From a finished set of answers to the effects the shell executes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from content.replies import Reply
from dialogs import effects as fx
from dialogs.types import ChildRef
from dialogs.visits.cadence import Cadence, next_visit_due
from dialogs.visits.clock import Dues, VisitFact, VisitRules, after_visit, dues
from dialogs.visits.questions import CHECKLIST_KEYS, ORDER, SKIP, flags_for, valid_answer

MAX_NOTES = 500


def clean_answers(
    raw: Mapping[str, Any], children: tuple[ChildRef, ...], today: date
) -> dict[str, Any]:
    """Keep only answers this version understands (drafts and saved visits are old data)."""
    clean: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "child" and any(c.id == value for c in children):
            clean[key] = value
        elif key == "date" and isinstance(value, str):
            try:
                if date.fromisoformat(value) <= today:
                    clean[key] = value
            except ValueError:
                continue
        elif key == "notes" and isinstance(value, str):
            clean[key] = value[:MAX_NOTES]
        elif valid_answer(key, value):
            clean[key] = value
    return clean


def complete(answers: Mapping[str, Any]) -> bool:
    return all(step in answers for step in ORDER if step != "notes")


def dedup_key(child_id: int, answers: Mapping[str, Any]) -> str:
    """A stable hash of what was reported: the same report sent twice has the same key."""
    canonical = {k: answers.get(k) for k in ORDER if k != "child"}
    raw = json.dumps([child_id, canonical], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def checklist_of(answers: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((key, str(answers.get(key, SKIP))) for key in CHECKLIST_KEYS)


def visit_fact(answers: Mapping[str, Any]) -> VisitFact:
    return VisitFact(
        visit_date=date.fromisoformat(str(answers["date"])),
        kind=str(answers["kind"]),
        assessment=str(answers["assessment"]),
        answers={k: v for k, v in answers.items() if k in CHECKLIST_KEYS},
        flags=flags_for({k: str(v) for k, v in answers.items()}),
    )


def dues_after(
    answers: Mapping[str, Any], child: ChildRef | None, rules: VisitRules
) -> Dues | None:
    """What falls due once this visit is counted, by the child's region and risks; None when
    the child's visit history is not known (then the guardianship intervals apply)."""
    if child is None or child.clock is None:
        return None
    return dues(after_visit(child.clock, visit_fact(answers), rules), rules)


def cadence_notes(
    answers: Mapping[str, Any], child: ChildRef, rules: VisitRules
) -> tuple[Reply, ...]:
    """After a saved visit: the follow-up a critical flag asks for, the two clocks where the
    region counts contacts apart, a home visit still missing after a call."""
    found = dues_after(answers, child, rules)
    if found is None:
        return ()
    names = {"code": child.code, "name": child.name}
    notes: list[Reply] = []
    if found.followup is not None:
        hours = rules.followup_hours
        notes.append(
            Reply("visit.followup_asked", {**names, "due": found.followup, "hours": hours})
        )
    fact = visit_fact(answers)
    home_due = found.home_never or (found.home is not None and found.home <= fact.visit_date)
    if fact.kind not in rules.home_kinds and home_due:
        notes.append(Reply("visit.home_needed", names))
    elif found.contact is not None and found.home is not None:
        notes.append(Reply("visit.next_split", {"contact": found.contact, "home": found.home}))
    if found.key_cadence and child.clock is not None and not child.clock.is_key_child:
        notes.append(Reply("visit.risk_cadence", names))
    return tuple(notes)


def next_due_after(answers: Mapping[str, Any], child: ChildRef | None, cadence: Cadence) -> date:
    """The next contact or visit due after this visit (raises on incomplete answers)."""
    visit_date = date.fromisoformat(str(answers["date"]))
    found = dues_after(answers, child, cadence.rules)
    if found is not None and found.next_visit is not None:
        return found.next_visit
    key_child = bool(child and child.is_key_child)
    return next_visit_due(visit_date, str(answers["assessment"]), key_child, cadence)


def save_visit(answers: Mapping[str, Any], child: ChildRef, cadence: Cadence) -> fx.SaveVisit:
    visit_date = date.fromisoformat(str(answers["date"]))
    assessment = str(answers["assessment"])
    return fx.SaveVisit(
        child_id=child.id,
        kind=str(answers["kind"]),
        visit_date=visit_date,
        assessment=assessment,
        checklist=checklist_of(answers),
        notes=str(answers.get("notes") or ""),
        flags=flags_for({k: str(v) for k, v in answers.items()}),
        next_due=next_due_after(answers, child, cadence),
        dedup=dedup_key(child.id, answers),
    )


def visit_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], child: ChildRef, cadence: Cadence
) -> dict[str, str | tuple[str, ...]]:
    """What an edit changed, with next_due and flags recomputed when they change."""
    changes: dict[str, str | tuple[str, ...]] = {
        k: str(after.get(k, ""))
        for k in ORDER
        if k != "child" and str(after.get(k, "")) != str(before.get(k, ""))
    }
    if not changes:
        return {}
    old, new = save_visit_or_none(before, child, cadence), save_visit(after, child, cadence)
    if old is None or old.next_due != new.next_due:
        changes["next_due"] = new.next_due.isoformat()
    if old is None or old.flags != new.flags:
        changes["flags"] = new.flags
    return changes


def save_visit_or_none(
    answers: Mapping[str, Any], child: ChildRef, cadence: Cadence
) -> fx.SaveVisit | None:
    try:
        return save_visit(answers, child, cadence)
    except (KeyError, ValueError):
        return None
