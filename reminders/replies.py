"""A guardian's reply to a reminder, as a pure parser that returns effects (closed loop).

"1" / "已接种" / "接种了" / "打了" / "done" confirm the reminded dose(s) -> ConfirmDose
(a bare "1" confirms everything in the last reminder: ConfirmInsurance for insurance,
ConfirmReminder for school and residence-permit items);
"已参保" / "交了" stop this year's insurance reminders -> ConfirmInsurance;
"2" / "不知道" / a question / "还没打" -> RouteToDirector (a person follows up).

The words are data (``content/reply_words.toml``), read by the shell and passed in
(`ReplyWords.from_mapping`). The dialog core's flow "reminder_reply" is handed
`answer_reminder` by the shell: the reminders never import the dialog core, nor it them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from content.normalize import command_form
from content.replies import Reply
from reminders.digest import DueItem, items_by_child
from reminders.effects import (
    ConfirmDose,
    ConfirmInsurance,
    ConfirmReminder,
    RouteRemindersToDirector,
)

Intent = Literal["confirm", "route", "unknown", "nothing_pending", "not_yet"]


@dataclass(frozen=True, slots=True)
class ReminderReply:
    intent: Intent
    effects: tuple[Any, ...]
    reply: Reply
    # still to confirm: the doses of a catch-up batch its message did not name (the reply
    # names them and the flow waits for another "1")
    pending: tuple[DueItem, ...] = ()


@dataclass(frozen=True, slots=True)
class ReplyWords:
    confirm_exact: frozenset[str]
    route_exact: frozenset[str]
    dose_words: tuple[str, ...]
    insurance_words: tuple[str, ...]
    doubt_words: tuple[str, ...]
    negation_words: tuple[str, ...]
    question_marks: tuple[str, ...]

    @classmethod
    def from_mapping(cls, raw: dict[str, list[str]]) -> ReplyWords:
        def words(name: str) -> tuple[str, ...]:
            return tuple(command_form(w) for w in raw.get(name, ()))

        return cls(
            frozenset(words("confirm_exact")),
            frozenset(words("route_exact")),
            words("dose_words"),
            words("insurance_words"),
            words("doubt_words"),
            words("negation_words"),
            words("question_marks"),
        )


def _contains(text: str, words: Sequence[str]) -> bool:
    """Chinese words match anywhere; Latin words match whole words only."""
    tokens = set(text.replace("?", " ").replace(",", " ").replace(".", " ").split())
    for word in words:
        if word.isascii() and word.replace("'", "").replace(" ", "").isalpha():
            if (" " in word and word in text) or word in tokens:
                return True
        elif word in text:
            return True
    return False


def _too_early(item: DueItem, today: date) -> bool:
    """A dose is recorded only on or after the day it may first be given."""
    return item.kind == "vaccine" and item.due_date > today


def _confirm(items: Sequence[DueItem], kinds: set[str], today: date) -> tuple[Any, ...]:
    effects: list[Any] = []
    for item in items:
        if item.kind not in kinds or _too_early(item, today):
            continue
        if item.is_catch_up:  # only the doses the message named
            effects += [ConfirmDose(item.child_id, code, today) for code in item.named_part().doses]
            effects.append(ConfirmReminder(item.child_id, item.kind, item.item))
        elif item.kind == "vaccine":
            effects.append(ConfirmDose(item.child_id, item.item, today))
        elif item.kind == "insurance" and item.item.isdigit():
            effects.append(ConfirmInsurance(item.child_id, int(item.item)))
        else:
            effects.append(ConfirmReminder(item.child_id, item.kind, item.item))
    return tuple(dict.fromkeys(effects))


def _route(text: str, items: Sequence[DueItem]) -> ReminderReply:
    """ONE effect for the whole reply: the shell sends each director one message."""
    if not items:  # nothing reached her to pass on: never say "已转告" when nobody is told
        return ReminderReply("nothing_pending", (), Reply("reminder.reply.nothing_to_route"))
    frozen = tuple(tuple(sorted(i.to_json().items())) for i in items)
    return ReminderReply(
        "route", (RouteRemindersToDirector(text.strip(), frozen),), Reply("reminder.reply.routed")
    )


def _confirmed(
    effects: tuple[Any, ...],
    key: str,
    items: Sequence[DueItem] = (),
    today: date | None = None,
    kinds: Collection[str] = (),
) -> ReminderReply:
    early = [i for i in items if today is not None and _too_early(i, today)]
    if not effects and early:
        first = min(i.due_date for i in early)
        return ReminderReply("not_yet", (), Reply("reminder.reply.not_yet", {"date": first}))
    done = [
        i
        for i in items
        if (not kinds or i.kind in kinds) and not (today is not None and _too_early(i, today))
    ]
    if done and key != "reminder.reply.insurance_confirmed":
        lines = items_by_child([i.named_part() if i.is_catch_up else i for i in done])
        rest = tuple(r for i in done if i.is_catch_up and (r := i.unnamed_rest()) is not None)
        if rest:
            params = {"lines": lines, "rest": items_by_child(rest)}
            reply = Reply("reminder.reply.recorded_rest", params)
            return ReminderReply("confirm", effects, reply, rest)
        return ReminderReply("confirm", effects, Reply("reminder.reply.recorded", {"lines": lines}))
    return ReminderReply("confirm", effects, Reply(key))


def _others_still_wait(
    answer: ReminderReply,
    chosen: Sequence[DueItem],
    others: tuple[DueItem, ...],
    today: date,
) -> ReminderReply:
    """ "1 小明" when the reminder also named 小红: 小明's items are recorded and 小红's still
    wait for their own "1" (the reply says which)."""
    done = [i.named_part() if i.is_catch_up else i for i in chosen if not _too_early(i, today)]
    if not others or not done or answer.intent != "confirm":
        return answer
    rest = answer.pending + others
    params = {"lines": items_by_child(done), "rest": items_by_child(rest)}
    return ReminderReply(
        "confirm", answer.effects, Reply("reminder.reply.recorded_others", params), rest
    )


def _one_child(
    text: str, form: str, items: Sequence[DueItem], words: ReplyWords
) -> list[DueItem] | None:
    """ "1 小宝" / "小宝 1": the items of the child named; None when the reply is not that."""
    parts = form.split()
    if len(parts) != 2:
        return None
    for word, name in (parts, parts[::-1]):
        if word in words.confirm_exact:
            chosen = [i for i in items if i.child_name and command_form(i.child_name) == name]
            if chosen:
                return chosen
    return None


def parse_guardian_reply(
    text: str,
    pending_items: Sequence[DueItem],
    *,
    today: date,
    words: ReplyWords,
) -> ReminderReply:
    """Understand a reply to the reminders in `pending_items` (those last sent)."""
    form = command_form(text)
    chosen = _one_child(text, form, pending_items, words)
    if chosen is not None:
        effects = _confirm(chosen, {i.kind for i in chosen}, today)
        answer = _confirmed(effects, "reminder.reply.confirmed", chosen, today)
        others = tuple(i for i in pending_items if i not in chosen)
        return _others_still_wait(answer, chosen, others, today)
    if form in words.route_exact:
        return _route(text, pending_items)
    if form in words.confirm_exact:
        if not pending_items:
            return ReminderReply("nothing_pending", (), Reply("reminder.reply.nothing_pending"))
        kinds: set[str] = {i.kind for i in pending_items}
        effects = _confirm(pending_items, kinds, today)
        return _confirmed(effects, "reminder.reply.confirmed", pending_items, today)
    doubtful = (
        _contains(form, words.doubt_words)
        or _contains(form, words.negation_words)
        or _contains(form, words.question_marks)
    )
    if doubtful:
        return _route(text, pending_items)
    for kind, kind_words, key in (
        ("vaccine", words.dose_words, "reminder.reply.dose_confirmed"),
        ("insurance", words.insurance_words, "reminder.reply.insurance_confirmed"),
    ):
        if _contains(form, kind_words):
            effects = _confirm(pending_items, {kind}, today)
            if effects or any(_too_early(i, today) for i in pending_items):
                return _confirmed(effects, key, pending_items, today, {kind})
            return _route(text, pending_items)
    return ReminderReply("unknown", (), Reply("reminder.reply.unknown"))


def items_of(
    raw_items: Iterable[Any], received: Collection[tuple[int, str, str]] | None = None
) -> list[DueItem]:
    """The reminded items of a waiting conversation (its state's ``items``: DueItem JSON),
    each once; with the shell's `reminders_received`, only those of the last reminder
    actually sent (one still queued for the morning is not confirmed)."""
    items: list[DueItem] = []
    seen: set[tuple[int, str, str]] = set()
    for raw in raw_items or ():
        if isinstance(raw, Mapping):
            item = DueItem.from_json(raw)
            if (item.child_id, item.kind, item.item) not in seen:  # each item once
                seen.add((item.child_id, item.kind, item.item))
                items.append(item)
    if received is None:
        return items
    return [i for i in items if (i.child_id, i.kind, i.item) in received]


@dataclass(frozen=True, slots=True)
class ReminderAnswer:
    """What the flow "reminder_reply" needs of a parsed reply, in plain data."""

    intent: Intent
    effects: tuple[Any, ...]
    reply: Reply
    pending: tuple[dict[str, Any], ...] = ()  # DueItem JSON still to confirm


def answer_reminder(
    text: str,
    raw_items: Iterable[Any],
    received: Collection[tuple[int, str, str]] | None,
    *,
    today: date,
    words: ReplyWords,
) -> ReminderAnswer:
    """`parse_guardian_reply` on a waiting conversation's items, for the dialog core."""
    parsed = parse_guardian_reply(text, items_of(raw_items, received), today=today, words=words)
    pending = tuple(i.to_json() for i in parsed.pending)
    return ReminderAnswer(parsed.intent, parsed.effects, parsed.reply, pending)
