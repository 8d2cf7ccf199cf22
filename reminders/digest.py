"""Compose reminders with the least personal detail (pure).

One guardian gets ONE message for everything due (all children, all kinds); a child is
named by given name or initials, never by an ID number. A director gets a "please tell
the family" variant. Texts come from the catalog (`content/tables/reminders.tsv`); the
phrases are rendered here in the recipient's locale and passed to the Reply as params.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from babel.dates import format_date

from content.catalog import Catalog
from content.locales import babel_locale
from dialogs.types import Reply
from reminders.immunization import DoseStatus
from reminders.schedule import Edition
from reminders.workdays import day_info

Kind = Literal["vaccine", "insurance", "school_primary", "school_junior_middle", "residence_permit"]
STAGE_URGENCY = {"before": 0, "due": 1, "overdue": 2}
MAX_DIGEST_LINES = 4
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


def vaccine_item(
    child_id: int, child_name: str, dose: DoseStatus, stage: str, edition: Edition
) -> DueItem:
    """A DueItem for a dose; one-dose vaccines (BCG, HepA-L) are named without a number."""
    series = sum(1 for e in edition.entries if e.vaccine == dose.vaccine)
    return DueItem(
        child_id,
        child_name,
        "vaccine",
        dose.code,
        stage,
        dose.due_date,
        dose.vaccine,
        dose.dose if series > 1 else None,
        dose.age_months,
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


def _day_note(item: DueItem, catalog: Catalog, locale: str) -> str:
    info = day_info(item.due_date)
    if info.is_workday:
        return ""
    if info.is_public_holiday:
        return catalog.text("reminder.day_note.holiday", locale)
    return catalog.text("reminder.day_note.weekend", locale)


def _age(months: int | None, catalog: Catalog, locale: str) -> str:
    if not months:
        return catalog.text("reminder.age.birth", locale)
    if months >= 24 and months % 12 == 0:
        return catalog.text("reminder.age.years", locale, {"n": months // 12})
    return catalog.text("reminder.age.months", locale, {"n": months})


def _dose_label(item: DueItem, catalog: Catalog, locale: str) -> str:
    vaccine = item.vaccine or item.item
    key = f"vaccine.{vaccine}"
    name = catalog.text(key, locale) if catalog.has(key) else vaccine
    if item.dose is None:
        return name
    return catalog.text("reminder.dose.numbered", locale, {"vaccine": name, "dose": item.dose})


def phrase(item: DueItem, catalog: Catalog, locale: str) -> str:
    """What is due, without the child's name: "应接种 百白破第2剂（4月龄）"."""
    key = f"reminder.phrase.{item.kind}.{item.stage}"
    if not catalog.has(key):
        key = f"reminder.phrase.{item.kind}"
    when = format_date(item.due_date, format="medium", locale=babel_locale(locale))
    params: dict[str, object] = {
        "date": when,
        "year": item.item,
        "day_note": _day_note(item, catalog, locale),
    }
    if item.kind == "vaccine":
        params |= {
            "dose": _dose_label(item, catalog, locale),
            "age": _age(item.age_months, catalog, locale),
        }
    return catalog.text(key, locale, params)


def _name(item: DueItem, catalog: Catalog, locale: str) -> str:
    return child_label(item.child_name) or catalog.text("reminder.child_fallback", locale)


def _ask_key(items: Sequence[DueItem]) -> str:
    if len(items) > 1:
        return "reminder.ask.digest"
    return {"vaccine": "reminder.ask.vaccine", "insurance": "reminder.ask.insurance"}.get(
        items[0].kind, "reminder.ask.other"
    )


def _lines(items: Sequence[DueItem], catalog: Catalog, locale: str, max_lines: int) -> str:
    by_child: dict[int, list[DueItem]] = {}
    for item in items:
        by_child.setdefault(item.child_id, []).append(item)
    lines: list[str] = []
    for child_items in by_child.values():
        text = "；" if locale.startswith("zh") else "; "
        joined = text.join(phrase(i, catalog, locale) for i in child_items)
        lines.append(
            catalog.text(
                "reminder.digest.line",
                locale,
                {"child": _name(child_items[0], catalog, locale), "text": joined},
            )
        )
    if len(lines) > max_lines:
        rest = sum(len(v) for v in list(by_child.values())[max_lines - 1 :])
        lines = [
            *lines[: max_lines - 1],
            catalog.text("reminder.digest.more", locale, {"count": rest}),
        ]
    return "\n".join(lines)


def compose_guardian_digest(
    items: Sequence[DueItem],
    catalog: Catalog,
    locale: str,
    max_lines: int = MAX_DIGEST_LINES,
) -> Reply | None:
    """ONE message for everything due for one guardian; None when nothing is due."""
    chosen = _most_urgent(items)
    if not chosen:
        return None
    ask = catalog.text(_ask_key(chosen), locale)
    if len(chosen) == 1:
        item = chosen[0]
        return Reply(
            "reminder.single",
            {
                "child": _name(item, catalog, locale),
                "text": phrase(item, catalog, locale),
                "ask": ask,
            },
        )
    return Reply(
        "reminder.digest", {"lines": _lines(chosen, catalog, locale, max_lines), "ask": ask}
    )


def compose_director_notice(
    items: Sequence[DueItem],
    family: str,
    catalog: Catalog,
    locale: str,
    max_lines: int = MAX_DIGEST_LINES,
) -> Reply | None:
    """ "Please tell the family": for a guardian without a phone, via the child director."""
    chosen = _most_urgent(items)
    if not chosen:
        return None
    return Reply(
        "reminder.director", {"family": family, "lines": _lines(chosen, catalog, locale, max_lines)}
    )


def digest_dedup_keys(items: Sequence[DueItem]) -> tuple[str, ...]:
    """The dedup keys a digest covers (one outbox row, one key per item and stage)."""
    return tuple(item_dedup_key(i) for i in _most_urgent(items))
