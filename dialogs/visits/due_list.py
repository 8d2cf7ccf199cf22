"""Which of a director's children are due or overdue for a visit, and how to list them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from content.replies import Choice, Reply
from dialogs.types import ChildRef
from dialogs.visits.clock import VisitRules, dues
from dialogs.visits.parse import by_urgency

VISIT_CHILD = "visit:child:"
INFO_CHILD = "due:info:"
MORE = "due:more"


@dataclass(frozen=True, slots=True)
class DueEntry:
    child: ChildRef
    days_overdue: int | None  # None: never visited; negative: due in that many days
    vaccine_overdue: bool = False
    # "visit" (one clock, no region data), "home", "contact", "followup" (48 h after a
    # critical flag), "home_never" (contacted, never visited at home), "info" (update the
    # child's information, six-monthly)
    what: str = "visit"

    @property
    def is_visit(self) -> bool:
        return self.what != "info"


def _clock_entries(
    child: ChildRef, today: date, soon_days: int, rules: VisitRules
) -> tuple[DueEntry | None, DueEntry | None]:
    """The child's most pressing visit item and its information item, each if due soon."""
    assert child.clock is not None
    found = dues(child.clock, rules)
    visit: DueEntry | None = None
    what = found.what
    due = {"followup": found.followup, "contact": found.contact}.get(what, found.home)
    if found.next_visit is None:
        visit = DueEntry(child, None)
    elif due is not None and (due - today).days <= soon_days:
        if what == "home" and found.home_never:
            what = "home_never"
        visit = DueEntry(child, (today - due).days, what=what)
    info: DueEntry | None = None
    if found.info is not None and (found.info - today).days <= soon_days:
        info = DueEntry(child, (today - found.info).days, what="info")
    return visit, info


def due_entries(
    children: tuple[ChildRef, ...],
    today: date,
    soon_days: int,
    vaccine_overdue_ids: Collection[int] = (),
    *,
    rules: VisitRules,
) -> tuple[DueEntry, ...]:
    """Children never visited or due within ``soon_days``, most overdue first; follow-ups
    after a critical visit come first, information updates last."""
    entries: list[DueEntry] = []
    infos: list[DueEntry] = []
    for child in by_urgency(children):
        if child.clock is not None:
            visit, info = _clock_entries(child, today, soon_days, rules)
            if info is not None:
                infos.append(info)
            if visit is None:
                continue
            overdue = visit.days_overdue is None or visit.days_overdue > 0
            vax = overdue and child.id in vaccine_overdue_ids
            entries.append(DueEntry(child, visit.days_overdue, vax, visit.what))
            continue
        due = child.next_visit_due
        if due is not None and (due - today).days > soon_days:
            continue
        days = None if due is None else (today - due).days
        overdue = days is None or days > 0
        entries.append(DueEntry(child, days, overdue and child.id in vaccine_overdue_ids))
    entries.sort(key=lambda e: e.what != "followup")  # stable: urgency order otherwise
    infos.sort(key=lambda e: -(e.days_overdue or 0))
    return (*entries, *infos)


_LINE_KINDS = {"contact": "contact_", "followup": "followup_", "info": "info_"}


def entry_choice(entry: DueEntry) -> Choice:
    params: dict[str, object] = {"code": entry.child.code, "name": entry.child.name}
    days = entry.days_overdue
    prefix = _LINE_KINDS.get(entry.what)
    if prefix is not None:
        payload = (INFO_CHILD if entry.what == "info" else VISIT_CHILD) + str(entry.child.id)
        state = "overdue" if (days or 0) > 0 else "today" if days == 0 else "soon"
        params["days"] = abs(days or 0)
        return Choice(f"due.line.{prefix}{state}", payload, params)
    if entry.what == "home_never":
        key = "due.line.home_never"
        if entry.vaccine_overdue:
            key += "_vax"
        return Choice(key, VISIT_CHILD + str(entry.child.id), params)
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
