"""Which of a director's children are due or overdue for a visit, and how to list them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from dialogs.types import ChildRef, Choice, Reply
from dialogs.visits.parse import by_urgency

VISIT_CHILD = "visit:child:"
MORE = "due:more"


@dataclass(frozen=True, slots=True)
class DueEntry:
    child: ChildRef
    days_overdue: int | None  # None: never visited; negative: due in that many days
    vaccine_overdue: bool = False


def due_entries(
    children: tuple[ChildRef, ...],
    today: date,
    soon_days: int,
    vaccine_overdue_ids: Collection[int] = (),
) -> tuple[DueEntry, ...]:
    """Children never visited or due within ``soon_days``, most overdue first."""
    entries: list[DueEntry] = []
    for child in by_urgency(children):
        due = child.next_visit_due
        if due is not None and (due - today).days > soon_days:
            continue
        days = None if due is None else (today - due).days
        overdue = days is None or days > 0
        entries.append(DueEntry(child, days, overdue and child.id in vaccine_overdue_ids))
    return tuple(entries)


def entry_choice(entry: DueEntry) -> Choice:
    params: dict[str, object] = {"code": entry.child.code, "name": entry.child.name}
    days = entry.days_overdue
    if days is None:
        key = "due.line.never"
    elif days > 0:
        key, params["days"] = "due.line.overdue", days
    elif days == 0:
        key = "due.line.today"
    else:
        key, params["days"] = "due.line.soon", -days
    if entry.vaccine_overdue:
        key += "_vax"
    return Choice(key, VISIT_CHILD + str(entry.child.id), params)


def pages_of(entries: tuple[DueEntry, ...], size: int) -> int:
    return max(1, -(-len(entries) // max(size, 1)))


def due_page(entries: tuple[DueEntry, ...], page: int, size: int) -> Reply:
    """One page of the due list; each child is a choice that starts its visit report."""
    if not entries:
        return Reply("due.none")
    size = max(size, 1)
    pages = pages_of(entries, size)
    page = min(max(page, 0), pages - 1)
    shown = entries[page * size : (page + 1) * size]
    choices = tuple(entry_choice(e) for e in shown)
    if page + 1 < pages:
        choices += (Choice("due.more", MORE),)
    return Reply("due.page", {"count": len(entries), "page": page + 1, "pages": pages}, choices)
