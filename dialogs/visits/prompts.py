"""The replies of a visit report: one question at a time, and the summary to confirm.

Every text is a catalog key; options are `Choice`s, so SMS shows a stable numbered menu
("1 入户走访") and Telegram shows buttons. The summary is itself a menu: each line is an
answer, and its number (or button) edits that answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from content.replies import Choice, Reply
from dialogs.types import Channel, ChildRef, Context
from dialogs.visits.cadence import Cadence
from dialogs.visits.parse import by_urgency, child_by_id
from dialogs.visits.questions import CHECKLIST_KEYS, CHOICE_QUESTIONS, ORDER, SKIP, flags_for
from dialogs.visits.report import next_due_after

BACK = "nav:back"
SKIP_PAYLOAD = "skip"
SAVE = "save"
DISCARD = "discard"
EDIT_PREFIX = "edit:"
CHILD_PREFIX = "child:"
CHECKLIST_PAYLOAD = "checklist"
NOTES_SHOWN = 10

BACK_CHOICE = Choice("visit.nav.back", BACK)
SKIP_CHOICE = Choice("visit.nav.skip", SKIP_PAYLOAD)


def child_choice(child: ChildRef) -> Choice:
    return Choice(
        "visit.child", CHILD_PREFIX + str(child.id), {"code": child.code, "name": child.name}
    )


def child_choices(
    ctx: Context, cadence: Cadence, children: tuple[ChildRef, ...] = ()
) -> tuple[Choice, ...]:
    limit = (
        cadence.child_choices_buttons
        if ctx.channel == Channel.TELEGRAM
        else cadence.child_choices_sms
    )
    pool = children or by_urgency(ctx.children)
    return tuple(child_choice(c) for c in pool[:limit])


def _progress(step: str) -> dict[str, Any]:
    return {"n": ORDER.index(step) + 1, "total": len(ORDER)}


def question(step: str, answers: Mapping[str, Any], ctx: Context, cadence: Cadence) -> Reply:
    """The prompt for ``step`` with its numbered options, "skip" and "back" where they apply."""
    child = child_by_id(ctx.children, answers.get("child"))
    params = {
        **_progress(step),
        "code": child.code if child else "",
        "name": child.name if child else "",
    }
    if step == "child":
        return Reply("visit.q.child", params, child_choices(ctx, cadence))
    if step == "date":
        return Reply("visit.q.date", params, (*date_choices(), BACK_CHOICE))
    if step == "notes":
        return Reply(
            "visit.q.notes", params, (Choice("visit.nav.no_notes", SKIP_PAYLOAD), BACK_CHOICE)
        )
    q = CHOICE_QUESTIONS[step]
    options = tuple(Choice(f"visit.opt.{step}.{o.value}", "opt:" + o.value) for o in q.options)
    extra = (BACK_CHOICE,) if q.required else (SKIP_CHOICE, BACK_CHOICE)
    return Reply(f"visit.q.{step}", params, options + extra)


def date_choices() -> tuple[Choice, ...]:
    return (
        Choice("visit.date.today", "date:0"),
        Choice("visit.date.yesterday", "date:1"),
        Choice("visit.date.before", "date:2"),
    )


def date_check(pending: date, today: date) -> Reply:
    return Reply(
        "visit.q.date_check",
        {"date": pending, "days": (today - pending).days},
        (Choice("visit.yes", "yes"), Choice("visit.no", "no")),
    )


def due_after(answers: Mapping[str, Any], child: ChildRef | None, cadence: Cadence) -> date | None:
    try:
        return next_due_after(answers, child, cadence)
    except (KeyError, ValueError):
        return None


def _findings(answers: Mapping[str, Any]) -> list[str]:
    """Checklist answers that are neither "nothing wrong", nor skipped, nor a danger sign
    (grandparents caring, an illness, a need for support): the summary counts them apart
    from the danger signs, so "0 danger signs" is not read as "nothing to note"."""
    found = []
    for key in CHECKLIST_KEYS:
        value = str(answers.get(key, SKIP))
        question = CHOICE_QUESTIONS.get(key)
        if value == SKIP or question is None:
            continue
        option = next((o for o in question.options if o.value == value), None)
        if option is not None and not option.normal and option.flag is None:
            found.append(key)
    return found


def summary_lines(answers: Mapping[str, Any], ctx: Context, editing: bool) -> tuple[Choice, ...]:
    """One choice per main answer (its payload edits it); the checklist is one line."""
    lines: list[Choice] = []
    child = child_by_id(ctx.children, answers.get("child"))
    if child is not None and not editing:
        names = {"code": child.code, "name": child.name}
        lines.append(Choice("visit.sum.child", EDIT_PREFIX + "child", names))
    for step in ("kind", "date", "assessment"):
        value = answers.get(step)
        if step == "date" and value:
            when = {"date": date.fromisoformat(str(value)).isoformat()}  # short on SMS
            lines.append(Choice("visit.sum.date", EDIT_PREFIX + step, when))
        elif step != "date":
            lines.append(Choice(option_label(step, value), EDIT_PREFIX + step))
    checklist = [str(answers.get(k, SKIP)) for k in CHECKLIST_KEYS]
    counts = {
        "concerns": len(flags_for({k: str(v) for k, v in answers.items()})),
        "findings": len(_findings(answers)),
        "skipped": checklist.count(SKIP),
    }
    lines.append(Choice("visit.sum.checklist", CHECKLIST_PAYLOAD, counts))
    notes = str(answers.get("notes") or "")
    if notes:
        shown = notes if len(notes) <= NOTES_SHOWN else notes[: NOTES_SHOWN - 1] + "…"
        lines.append(Choice("visit.sum.notes", EDIT_PREFIX + "notes", {"notes": shown}))
    else:
        lines.append(Choice("visit.sum.no_notes", EDIT_PREFIX + "notes"))
    return tuple(lines)


def option_label(step: str, value: object) -> str:
    if value in (None, SKIP):
        return f"visit.sum.skipped.{step}"
    return f"visit.opt.{step}.{value}"


def checklist_menu(answers: Mapping[str, Any]) -> Reply:
    """The checklist answers, each a choice that edits it; "back" returns to the summary."""
    choices = tuple(
        Choice(option_label(k, answers.get(k)), EDIT_PREFIX + k) for k in CHECKLIST_KEYS
    )
    return Reply("visit.checklist", {}, (*choices, BACK_CHOICE))


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def summary(
    answers: Mapping[str, Any], ctx: Context, cadence: Cadence, editing: bool = False
) -> Reply:
    child = child_by_id(ctx.children, answers.get("child"))
    params = {
        "code": child.code if child else "",
        "name": child.name if child else "",
        "next_due": _iso(due_after(answers, child, cadence)),
    }
    head = (Choice("visit.save", SAVE), Choice("visit.discard", DISCARD))
    key = "visit.edit_confirm" if editing else "visit.confirm"
    return Reply(key, params, head + summary_lines(answers, ctx, editing))
