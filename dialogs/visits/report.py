"""From a finished set of answers to the effects the shell executes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from dialogs import effects as fx
from dialogs.types import ChildRef
from dialogs.visits.questions import CHECKLIST_KEYS, ORDER, SKIP, flags_for, valid_answer
from reminders.cadence import Cadence, next_visit_due

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
        next_due=next_visit_due(visit_date, assessment, child.is_key_child, cadence),
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
