"""The guided visit report as a state machine over plain data (shared by "visit" and "edit").

State: ``step`` is the question being asked; ``data`` holds ``answers`` (question -> value,
all JSON), ``mode`` ("new" or "edit") and a few markers: ``back_to_summary`` (an answer is
being edited from the summary), ``quick`` (came from the one-SMS form: save once complete),
``pending_date`` (an old date awaiting confirmation), ``draft`` (a draft on offer).
An answer that cannot be read never changes the answers; it re-asks the same question.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from content.keywords import Keywords
from content.normalize import fold
from content.replies import Choice, Reply
from dialogs import effects as fx
from dialogs.flow import Answer
from dialogs.types import IDLE, ChildRef, Context, Outcome, State
from dialogs.visits import prompts
from dialogs.visits.cadence import Cadence
from dialogs.visits.parse import child_by_id, match_children, read_date
from dialogs.visits.questions import (
    BACK_WORDS,
    CHECKLIST_KEYS,
    CHOICE_QUESTIONS,
    NO_WORDS,
    ORDER,
    SKIP,
    SKIP_WORDS,
    YES_WORDS,
    option_for_word,
)
from dialogs.visits.report import MAX_NOTES, cadence_notes, save_visit, visit_changes

DRAFT_RESUME = "draft:resume"
DRAFT_NEW = "draft:new"


def _form(text: str) -> str:
    return "".join(fold(text).split())


class VisitDialog:
    def __init__(self, flow_name: str, cadence: Cadence, keywords: Keywords) -> None:
        self.flow_name = flow_name
        self.cadence = cadence
        self.keywords = keywords

    # --- replies and transitions ---------------------------------------------------------
    def _state(self, step: str, data: Mapping[str, Any]) -> State:
        return State(self.flow_name, step, dict(data))

    def ask(
        self, step: str, data: dict[str, Any], ctx: Context, before: tuple[Reply, ...] = ()
    ) -> Outcome:
        if step == "confirm":
            reply = prompts.summary(data["answers"], ctx, self.cadence, data.get("mode") == "edit")
        elif step == "checklist":
            reply = prompts.checklist_menu(data["answers"])
        elif step == "date_check":
            reply = prompts.date_check(date.fromisoformat(data["pending_date"]), ctx.today)
        else:
            reply = prompts.question(step, data["answers"], ctx, self.cadence)
        return Outcome(self._state(step, data), (*before, reply))

    def again(self, step: str, data: dict[str, Any], ctx: Context, count: int) -> Outcome:
        return self.ask(step, data, ctx, (Reply("choice.invalid", {"count": count}),))

    def advance(self, after: str, data: dict[str, Any], ctx: Context) -> Outcome:
        answers = data["answers"]
        if data.pop("back_to_summary", False):
            return self.ask("confirm", data, ctx)
        if data.get("quick"):
            missing = [s for s in ORDER if s != "notes" and s not in answers]
            if not missing:
                return self.save(data, ctx)
            if missing[0] == "date" and data.get("pending_date"):
                return self.ask("date_check", data, ctx)
            return self.ask(missing[0], data, ctx)
        index = ORDER.index(after) if after in ORDER else len(ORDER) - 1
        if index + 1 < len(ORDER):
            return self.ask(ORDER[index + 1], data, ctx)
        return self.ask("confirm", data, ctx)

    def back(self, step: str, data: dict[str, Any], ctx: Context) -> Outcome:
        data.pop("cands", None)
        if data.pop("back_to_summary", False):
            return self.ask("confirm", data, ctx)
        if step == "date_check":
            return self.ask("date", data, ctx)
        index = ORDER.index(step) if step in ORDER else 0
        previous = ORDER[max(index - 1, 0)]
        if previous == "child" and data.get("mode") == "edit":
            return self.ask("confirm", data, ctx)
        return self.ask(previous, data, ctx)

    def first_open(self, data: dict[str, Any], ctx: Context) -> Outcome:
        missing = [s for s in ORDER if s not in data["answers"]]
        return self.ask(missing[0] if missing else "confirm", data, ctx)

    # --- handling one answer -------------------------------------------------------------
    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        data: dict[str, Any] = dict(state.data)
        data["answers"] = dict(data.get("answers") or {})
        step = state.step or "child"
        payload, form = answer.payload or "", _form(answer.text)
        if step == "draft":
            return self._draft(data, payload, form, ctx)
        if step == "confirm":
            return self._confirm(data, payload, form, answer, ctx)
        if self._is_own_trigger(answer):
            return self.ask(step, data, ctx)
        if step == "checklist":
            return self._checklist(data, payload, form, ctx)
        if payload == prompts.BACK or form in BACK_WORDS:
            return self.back(step, data, ctx)
        if step == "child":
            return self._child(data, payload, answer.text, ctx)
        if step == "date":
            return self._date(data, payload, answer.text, ctx)
        if step == "date_check":
            return self._date_check(data, payload, form, answer.text, ctx)
        if step == "notes":
            return self._notes(data, payload, form, answer.text, ctx)
        if step in CHOICE_QUESTIONS:
            return self._choice(step, data, payload, answer.text, ctx)
        return self.first_open(data, ctx)

    def _set(self, step: str, value: Any, data: dict[str, Any], ctx: Context) -> Outcome:
        data["answers"][step] = value
        return self.advance(step, data, ctx)

    def _choice(
        self, step: str, data: dict[str, Any], payload: str, text: str, ctx: Context
    ) -> Outcome:
        question = CHOICE_QUESTIONS[step]
        values = {o.value for o in question.options}
        if payload.startswith("opt:") and payload[4:] in values:
            return self._set(step, payload[4:], data, ctx)
        if (payload == prompts.SKIP_PAYLOAD or _form(text) in SKIP_WORDS) and not question.required:
            return self._set(step, SKIP, data, ctx)
        option = option_for_word(question, text) if not payload else None
        if option is not None:
            return self._set(step, option.value, data, ctx)
        count = len(question.options) + (1 if question.required else 2)
        return self.again(step, data, ctx, count)

    def _child(self, data: dict[str, Any], payload: str, text: str, ctx: Context) -> Outcome:
        if payload.startswith(prompts.CHILD_PREFIX):
            child = child_by_id(ctx.children, payload.removeprefix(prompts.CHILD_PREFIX))
            matches: tuple[ChildRef, ...] = (child,) if child else ()
            query = text
        else:
            query = text.strip()[:20]
            matches = match_children(text, ctx.children) if text.strip() else ()
        if len(matches) == 1:
            data.pop("cands", None)
            return self._set("child", matches[0].id, data, ctx)
        if not matches:
            choices = prompts.child_choices(ctx, self.cadence)
            reply = Reply("visit.child_not_found", {"query": query}, choices)
            return Outcome(self._state("child", data), (reply,))
        data["cands"] = [c.id for c in matches]
        choices = (*prompts.child_choices(ctx, self.cadence, matches), prompts.BACK_CHOICE)
        reply = Reply("visit.q.child_which", {"query": query, "count": len(matches)}, choices)
        return Outcome(self._state("child", data), (reply,))

    def _date(self, data: dict[str, Any], payload: str, text: str, ctx: Context) -> Outcome:
        if payload in ("date:0", "date:1", "date:2"):
            return self._set(
                "date", (ctx.today - timedelta(days=int(payload[5:]))).isoformat(), data, ctx
            )
        reading = read_date(text, ctx.today, self.cadence.old_date_days)
        if reading.value is None:
            key = "visit.date_future" if reading.problem == "future" else "visit.date_unknown"
            choices = (*prompts.date_choices(), prompts.BACK_CHOICE)
            return Outcome(self._state("date", data), (Reply(key, {}, choices),))
        if (ctx.today - reading.value).days > self.cadence.old_date_days:
            data["pending_date"] = reading.value.isoformat()
            return self.ask("date_check", data, ctx)
        return self._set("date", reading.value.isoformat(), data, ctx)

    def _date_check(
        self, data: dict[str, Any], payload: str, form: str, text: str, ctx: Context
    ) -> Outcome:
        pending = data.get("pending_date")
        if pending and (payload == "yes" or form in YES_WORDS):
            data.pop("pending_date")
            return self._set("date", pending, data, ctx)
        if payload == "no" or form in NO_WORDS or not pending:
            data.pop("pending_date", None)
            return self.ask("date", data, ctx)
        if (
            not payload
            and read_date(text, ctx.today, self.cadence.old_date_days).problem != "unknown"
        ):
            return self._date(data, "", text, ctx)
        return self.again("date_check", data, ctx, 2)

    def _notes(
        self, data: dict[str, Any], payload: str, form: str, text: str, ctx: Context
    ) -> Outcome:
        if payload == prompts.SKIP_PAYLOAD or form in SKIP_WORDS:
            return self._set("notes", "", data, ctx)
        if payload or not text.strip():
            return self.again("notes", data, ctx, 2)
        return self._set("notes", text.strip()[:MAX_NOTES], data, ctx)

    def _confirm(
        self, data: dict[str, Any], payload: str, form: str, answer: Answer, ctx: Context
    ) -> Outcome:
        if payload == prompts.SAVE or (not payload and form in YES_WORDS):
            return self.save(data, ctx)
        if payload == prompts.DISCARD:
            # a new report's photos and voice notes go with it (a correction has none)
            discard = () if data.get("mode") == "edit" else (fx.DiscardVisitMedia(),)
            return Outcome(IDLE, (Reply("visit.discarded"),), discard)
        if payload == prompts.CHECKLIST_PAYLOAD:
            return self.ask("checklist", data, ctx)
        step = (
            payload.removeprefix(prompts.EDIT_PREFIX)
            if payload.startswith(prompts.EDIT_PREFIX)
            else ""
        )
        editable = step in ORDER and not (step == "child" and data.get("mode") == "edit")
        if editable:
            data["back_to_summary"] = True
            return self.ask(step, data, ctx)
        if not payload:
            for key, question in CHOICE_QUESTIONS.items():
                option = option_for_word(question, answer.text)
                if option is not None:
                    data["answers"][key] = option.value
                    return self.ask("confirm", data, ctx)
        count = len(
            prompts.summary(data["answers"], ctx, self.cadence, data.get("mode") == "edit").choices
        )
        return self.again("confirm", data, ctx, count)

    def _checklist(self, data: dict[str, Any], payload: str, form: str, ctx: Context) -> Outcome:
        if payload == prompts.BACK or form in BACK_WORDS:
            return self.ask("confirm", data, ctx)
        step = payload.removeprefix(prompts.EDIT_PREFIX)
        if payload.startswith(prompts.EDIT_PREFIX) and step in CHECKLIST_KEYS:
            data["back_to_summary"] = True
            return self.ask(step, data, ctx)
        return self.again("checklist", data, ctx, len(CHECKLIST_KEYS) + 1)

    def _is_own_trigger(self, answer: Answer) -> bool:
        """The flow's own start word inside the flow: ask the current question again."""
        return not answer.payload and self.keywords.flow_for(answer.text) in ("visit", "edit_visit")

    def _draft(self, data: dict[str, Any], payload: str, form: str, ctx: Context) -> Outcome:
        draft = dict(data.get("draft") or {})
        child_id = draft.get("child")
        drop = (fx.DropVisitDraft(int(child_id)),) if isinstance(child_id, int) else ()
        if payload == DRAFT_RESUME or (not payload and form in YES_WORDS):
            outcome = self.first_open({"answers": draft, "mode": "new"}, ctx)
            return Outcome(outcome.state, outcome.replies, drop)
        if payload == DRAFT_NEW or (not payload and form in NO_WORDS):
            outcome = self.ask("child", {"answers": {}, "mode": "new"}, ctx)
            return Outcome(outcome.state, outcome.replies, (*drop, fx.DiscardVisitMedia()))
        invalid = Reply("choice.invalid", {"count": 2})
        return Outcome(self._state("draft", data), (invalid, draft_offer(draft, ctx)))

    # --- the end ---------------------------------------------------------------------------
    def save(self, data: dict[str, Any], ctx: Context) -> Outcome:
        answers = data["answers"]
        child = child_by_id(ctx.children, answers.get("child"))
        if child is None:
            answers.pop("child", None)
            return self.ask("child", data, ctx)
        missing = [s for s in ORDER if s not in ("notes", "child") and s not in answers]
        if missing:
            return self.ask(missing[0], data, ctx)
        if data.get("mode") == "edit":
            return self._save_edit(data, child, ctx)
        effect = save_visit(answers, child, self.cadence)
        key = "visit.saved_flagged" if effect.flags else "visit.saved"
        params = {
            "code": child.code,
            "name": child.name,
            "next_due": effect.next_due,
            "hours": self.cadence.edit_window_hours,
        }
        replies = (
            Reply(key, params),
            *overdue_note(effect.next_due, ctx),
            *cadence_notes(answers, child, self.cadence.rules),
        )
        return Outcome(IDLE, replies, (effect,))

    def _save_edit(self, data: dict[str, Any], child: ChildRef, ctx: Context) -> Outcome:
        changes = visit_changes(data.get("before") or {}, data["answers"], child, self.cadence)
        if not changes:
            return Outcome(IDLE, (Reply("visit.edit_nothing"),))
        after = save_visit(data["answers"], child, self.cadence)
        params = {"code": child.code, "name": child.name, "next_due": after.next_due}
        return Outcome(
            IDLE,
            (Reply("visit.edit_saved", params), *overdue_note(after.next_due, ctx)),
            (fx.UpdateVisit(int(data["visit_id"]), changes),),
        )

    def timeout(self, state: State, ctx: Context) -> Outcome:
        data = dict(state.data)
        answers = dict(data.get("answers") or {})
        if state.step == "draft":
            return Outcome(IDLE)
        if data.get("mode") == "edit":
            return Outcome(IDLE, (Reply("visit.edit_timeout"),))
        child = child_by_id(ctx.children, answers.get("child"))
        if child is None:
            return Outcome(IDLE, (Reply("visit.timeout"),))
        reply = Reply("visit.timeout_draft", {"code": child.code, "name": child.name})
        return Outcome(IDLE, (reply,), (fx.SaveVisitDraft(child.id, answers),))


def draft_offer(draft: Mapping[str, Any], ctx: Context) -> Reply:
    child = child_by_id(ctx.children, draft.get("child"))
    params = {"code": child.code if child else "", "name": child.name if child else ""}
    choices = (Choice("visit.draft.resume", DRAFT_RESUME), Choice("visit.draft.new", DRAFT_NEW))
    return Reply("visit.draft_offer", params, choices)


def overdue_note(next_due: date, ctx: Context) -> tuple[Reply, ...]:
    """The next visit was due before today (a phone call does not stand for a home visit, and
    the last one was long ago): said in words, not only as a date already past."""
    return (Reply("visit.next_overdue", {"next_due": next_due}),) if next_due < ctx.today else ()
