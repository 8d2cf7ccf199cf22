"""Compose reminders with the least personal detail (pure).

One guardian gets ONE message for everything due (all children, all kinds); a child is
named by given name or initials, never by an ID number. A director gets a "please tell
the family" variant. Texts come from the catalog (`content/tables/reminders.tsv`); the
phrases are rendered here in the recipient's locale and passed to the Reply as params.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, Literal

from content.catalog import Catalog, Joined, Text
from content.replies import Reply
from reminders.immunization import DoseStatus, Plan
from reminders.schedule import Edition
from reminders.workdays import Workdays

Kind = Literal["vaccine", "insurance", "school_primary", "school_junior_middle", "residence_permit"]
STAGE_URGENCY = {"before": 0, "due": 1, "overdue": 2, "catchup": 2, "u-before": 0, "u-due": 1}
UNVERIFIED_PREFIX = "u-"  # a stage of an unverified date: "以当地通知为准", never "已截止"
NEWBORN_ITEM = "newborn"  # insurance: enrol within the newborn period (covered from birth)
MAX_DIGEST_LINES = 4
CATCH_UP_STAGE = "catchup"
CATCH_UP_PREFIX = "catchup:"
# A catch-up reminder names every dose of its batch (a guardian's "1" records only what the
# SMS named, and the clinic needs the whole list): the largest batch planned (no record,
# born 2008-2026, as of 2026-03-02) is 8 doses, well within a long SMS (500 characters).
# A larger batch names the first MAX_CATCH_UP_DOSES; "1" records those, asks about the rest.
MAX_CATCH_UP_DOSES = 12
_ID_LIKE = re.compile(r"\d{4,}|[0-9]{6}.*[0-9xX]$")


@dataclass(frozen=True, slots=True)
class DueItem:
    """One thing due for one child, at one stage; what the planner hands to the composer."""

    child_id: int
    child_name: str  # given name ("小明") or initials ("X.M."); see `child_label`
    kind: Kind
    item: str  # dose code "DTaP2", coverage year "2026", school year, permit year
    stage: str  # "before" | "due" | "overdue" (or a configured stage name)
    due_date: date
    vaccine: str | None = None  # vaccine items: series name, for the catalog
    dose: int | None = None  # vaccine items: dose number; None for a one-dose vaccine
    age_months: int | None = None  # vaccine items: scheduled age
    doses: tuple[str, ...] = ()  # catch-up items: the codes of the batch
    dose_names: tuple[str, ...] = ()  # catch-up items: "HepB/1", "BCG/" (series/dose)
    notes: tuple[str, ...] = ()  # catch-up items: "ppd", "unverified"

    @property
    def is_catch_up(self) -> bool:
        return self.kind == "vaccine" and self.stage == CATCH_UP_STAGE

    def named_part(self) -> DueItem:
        """Catch-up: the batch reduced to the doses its message names (what "1" records)."""
        if len(self.doses) <= MAX_CATCH_UP_DOSES:
            return self
        return replace(
            self,
            doses=self.doses[:MAX_CATCH_UP_DOSES],
            dose_names=self.dose_names[:MAX_CATCH_UP_DOSES],
        )

    def unnamed_rest(self) -> DueItem | None:
        """Catch-up: the same batch reduced to the doses its message did not name, or None."""
        if len(self.doses) <= MAX_CATCH_UP_DOSES:
            return None
        return replace(
            self,
            doses=self.doses[MAX_CATCH_UP_DOSES:],
            dose_names=self.dose_names[MAX_CATCH_UP_DOSES:],
        )

    def to_json(self) -> dict[str, Any]:
        """As stored in a conversation's state and printed by `reminders plan --dry-run`."""
        return {f.name: getattr(self, f.name) for f in fields(self)} | {
            "due_date": self.due_date.isoformat(),
            "doses": list(self.doses),
            "dose_names": list(self.dose_names),
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> DueItem:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        for name in ("doses", "dose_names", "notes"):
            values[name] = tuple(str(v) for v in values.get(name) or ())
        return cls(**values | {"due_date": date.fromisoformat(str(raw["due_date"]))})


def vaccine_item(
    child_id: int, child_name: str, dose: DoseStatus, stage: str, edition: Edition
) -> DueItem:
    """A DueItem for a dose, dated by the day it may first be given; one-dose vaccines
    (BCG, HepA-L) are named without a number."""
    series = sum(1 for e in edition.entries if e.vaccine == dose.vaccine)
    return DueItem(
        child_id,
        child_name,
        "vaccine",
        dose.code,
        stage,
        dose.earliest_allowed,
        dose.vaccine,
        dose.dose if series > 1 else None,
        dose.age_months,
    )


def honest_stages(names: Iterable[str], verified: bool) -> list[str]:
    """Stages to send for a deadline: all when verified; for an unverified date only the
    reminders before and on it, worded "以当地通知为准" (stage "u-before", "u-due"), and
    nothing that says it has closed."""
    if verified:
        return list(names)
    return [UNVERIFIED_PREFIX + n for n in names if n in ("before", "due")]


def catch_up_key(codes: Iterable[str]) -> str:
    """The ledger item of a catch-up batch: the same doses give the same key (once per batch)."""
    digest = hashlib.sha1("+".join(sorted(codes)).encode(), usedforsecurity=False).hexdigest()
    return CATCH_UP_PREFIX + digest[:12]


def first_batch(plan: Plan, as_of: date) -> tuple[DoseStatus, ...]:
    """The doses that may be given at a clinic visit on `as_of` (batch 1, when it is today)."""
    first = plan.first_batch()
    if first is None or first.day != as_of:
        return ()
    return tuple(d for d in plan.doses if d.batch == first.number)


def catch_up_item(
    child_id: int, child_name: str, doses: Sequence[DoseStatus], edition: Edition, day: date
) -> DueItem:
    """One reminder for a batch of missed doses, given together at the next clinic visit."""
    names = []
    for d in doses:
        series = sum(1 for e in edition.entries if e.vaccine == d.vaccine)
        names.append(f"{d.vaccine}/{d.dose if series > 1 else ''}")
    notes = []
    if any(d.precondition == "ppd" for d in doses):
        notes.append("ppd")
    if not all(d.verified for d in doses):
        notes.append("unverified")
    codes = tuple(d.code for d in doses)
    return DueItem(
        child_id,
        child_name,
        "vaccine",
        catch_up_key(codes),
        CATCH_UP_STAGE,
        day,
        doses=codes,
        dose_names=tuple(names),
        notes=tuple(notes),
    )


def dedup_key(child_id: int, kind: str, item: str, stage: str) -> str:
    """Unique per reminder sent: "rem:42:vaccine:DTaP2:due"."""
    parts = [str(child_id), kind, item, stage]
    return "rem:" + ":".join(p.strip().replace(":", "_") for p in parts)


def item_dedup_key(item: DueItem) -> str:
    return dedup_key(item.child_id, item.kind, item.item, item.stage)


def child_label(given_name: str | None, initials: str | None = None) -> str | None:
    """The name a message may use: a given name, else initials; never anything ID-like."""
    for candidate in (given_name, initials):
        text = (candidate or "").strip()
        if text and not _ID_LIKE.search(text):
            return text
    return None


def _most_urgent(items: Iterable[DueItem]) -> list[DueItem]:
    """One item per (child, kind, item): the most urgent stage wins."""
    chosen: dict[tuple[int, str, str], DueItem] = {}
    for item in items:
        key = (item.child_id, item.kind, item.item)
        old = chosen.get(key)
        if old is None or STAGE_URGENCY.get(item.stage, 1) > STAGE_URGENCY.get(old.stage, 1):
            chosen[key] = item
    return sorted(chosen.values(), key=lambda i: (i.due_date, i.kind, i.item))


def _day_note(item: DueItem, workdays: Workdays) -> Text | str:
    """A deadline on a day off says so and names the last working day before it."""
    info = workdays.day_info(item.due_date)
    if info.is_workday:
        return ""
    day = workdays.previous_workday(item.due_date)
    last = {"last": Text("reminder.date.month_day", {"m": day.month, "d": day.day})}
    if info.is_public_holiday:
        return Text("reminder.day_note.holiday", last)
    return Text("reminder.day_note.weekend", last)


def _age(months: int | None) -> Text:
    """Ages up to 24 months in months ("18月龄"); older in years ("6岁", "13岁6个月")."""
    if not months:
        return Text("reminder.age.birth")
    if months < 24:
        return Text("reminder.age.months", {"n": months})
    if months % 12 == 0:
        return Text("reminder.age.years", {"n": months // 12})
    return Text("reminder.age.years_months", {"y": months // 12, "m": months % 12})


def _dose_label(item: DueItem, catalog: Catalog) -> Text | str:
    return _named_dose(item.vaccine or item.item, item.dose, catalog)


def _named_dose(vaccine: str, dose: int | None, catalog: Catalog) -> Text | str:
    key = f"vaccine.{vaccine}"
    name: Text | str = Text(key) if catalog.has(key) else vaccine
    if dose is None:
        return name
    return Text("reminder.dose.numbered", {"vaccine": name, "dose": dose})


def _catch_up_params(item: DueItem, catalog: Catalog) -> dict[str, object]:
    labels: list[Text | str] = []
    for spec in item.dose_names[:MAX_CATCH_UP_DOSES]:
        vaccine, _, dose = spec.partition("/")
        labels.append(_named_dose(vaccine, int(dose) if dose.isdigit() else None, catalog))
    total = len(item.dose_names)
    more: Text | str = (
        Text("reminder.catchup.more", {"count": total}) if total > MAX_CATCH_UP_DOSES else ""
    )
    notes = Joined(tuple(Text(f"reminder.catchup.note.{n}") for n in item.notes), separator="")
    return {
        "doses": Joined(tuple(labels), separator_key="reminder.dose_separator"),
        "more": more,
        "notes": notes,
    }


def phrase(item: DueItem, catalog: Catalog, workdays: Workdays) -> Text:
    """What is due, without the child's name: "应接种 百白破第2剂（4月龄）".

    Keys and parameters only: the words are chosen when the message is sent, in the
    recipient's language then (`catalog` only tells which keys exist).
    """
    key = f"reminder.phrase.{item.kind}.{item.stage}"
    if item.kind == "insurance" and item.item == NEWBORN_ITEM:
        key = f"reminder.phrase.insurance.newborn.{item.stage}"
    if not catalog.has(key):
        key = f"reminder.phrase.{item.kind}"
    params: dict[str, object] = {
        "date": item.due_date,
        "year": item.item,
        "day_note": _day_note(item, workdays),
    }
    if item.is_catch_up:
        params |= _catch_up_params(item, catalog)
    elif item.kind == "vaccine":
        params |= {"dose": _dose_label(item, catalog), "age": _age(item.age_months)}
    return Text(key, params)


def _name(item: DueItem) -> Text | str:
    return child_label(item.child_name) or Text("reminder.child_fallback")


def _ask_key(items: Sequence[DueItem]) -> str:
    if len(items) > 1:
        return "reminder.ask.digest"
    return {"vaccine": "reminder.ask.vaccine", "insurance": "reminder.ask.insurance"}.get(
        items[0].kind, "reminder.ask.other"
    )


def _lines(
    items: Sequence[DueItem], catalog: Catalog, workdays: Workdays, max_lines: int
) -> Joined:
    by_child: dict[int, list[DueItem]] = {}
    for item in items:
        by_child.setdefault(item.child_id, []).append(item)
    lines: list[Text] = []
    for child_items in by_child.values():
        joined = Joined(
            tuple(phrase(i, catalog, workdays) for i in child_items),
            separator_key="reminder.item_separator",
        )
        lines.append(Text("reminder.digest.line", {"child": _name(child_items[0]), "text": joined}))
    if len(lines) > max_lines:
        rest = sum(len(v) for v in list(by_child.values())[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], Text("reminder.digest.more", {"count": rest})]
    return Joined(tuple(lines))


def compose_guardian_digest(
    items: Sequence[DueItem],
    catalog: Catalog,
    workdays: Workdays,
    max_lines: int = MAX_DIGEST_LINES,
) -> Reply | None:
    """ONE message for everything due for one guardian; None when nothing is due."""
    chosen = _most_urgent(items)
    if not chosen:
        return None
    ask = Text(_ask_key(chosen))
    if len(chosen) == 1:
        item = chosen[0]
        return Reply(
            "reminder.single",
            {"child": _name(item), "text": phrase(item, catalog, workdays), "ask": ask},
        )
    return Reply(
        "reminder.digest", {"lines": _lines(chosen, catalog, workdays, max_lines), "ask": ask}
    )


def compose_director_notice(
    items: Sequence[DueItem],
    catalog: Catalog,
    workdays: Workdays,
    max_lines: int = MAX_DIGEST_LINES,
) -> Reply | None:
    """ "Please tell the family": for a guardian without a phone, via the child director."""
    chosen = _most_urgent(items)
    if not chosen:
        return None
    family = Text("reminder.family_of", {"child": _name(chosen[0])})
    return Reply(
        "reminder.director",
        {"family": family, "lines": _lines(chosen, catalog, workdays, max_lines)},
    )


def digest_dedup_keys(items: Sequence[DueItem]) -> tuple[str, ...]:
    """The dedup keys a digest covers (one outbox row, one key per item and stage)."""
    return tuple(item_dedup_key(i) for i in _most_urgent(items))


def item_label(item: DueItem) -> Text | Joined:
    """What an item is about, without dates or the child's name: "百白破第1剂", "2027年居民医保"."""
    if item.is_catch_up:
        labels = []
        for spec in item.dose_names:
            vaccine, _, dose = spec.partition("/")
            labels.append(_label_of(vaccine, int(dose) if dose.isdigit() else None))
        return Joined(tuple(labels), separator_key="reminder.dose_separator")
    if item.kind == "vaccine":
        return _label_of(item.vaccine or item.item, item.dose)
    if item.kind == "insurance" and item.item == NEWBORN_ITEM:
        return Text("reminder.label.insurance_newborn")
    return Text(f"reminder.label.{item.kind}", {"year": item.item})


def _label_of(vaccine: str, dose: int | None) -> Text:
    name = Text(f"vaccine.{vaccine}")
    return name if dose is None else Text("reminder.dose.numbered", {"vaccine": name, "dose": dose})


def items_by_child(items: Sequence[DueItem]) -> Joined:
    """ "小宝 百白破第1剂；小红 2027年居民医保参保": the answer to "1", the note to a director."""
    by_child: dict[int, list[DueItem]] = {}
    for item in items:
        by_child.setdefault(item.child_id, []).append(item)
    lines = tuple(
        Text(
            "reminder.reply.recorded_line",
            {
                "child": _name(group[0]),
                "items": Joined(
                    tuple(item_label(i) for i in group), separator_key="reminder.dose_separator"
                ),
            },
        )
        for group in by_child.values()
    )
    return Joined(lines, separator_key="reminder.item_separator")
