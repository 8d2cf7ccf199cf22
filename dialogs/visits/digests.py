"""Weekly digests, composed from plain data (the shell schedules and sends them).

Least personal detail: children appear by code only, never by name.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from content.replies import Reply
from dialogs.types import ChildRef
from dialogs.visits.clock import VisitRules
from dialogs.visits.due_list import due_entries

SEPARATOR = " · "


def _days_text(entries: Sequence[tuple[str, int | None]]) -> str:
    """ "A12 40 · B3 —": code and days overdue ("—" for never visited)."""
    return SEPARATOR.join(f"{code} {'—' if days is None else days}" for code, days in entries)


def director_digest(
    children: tuple[ChildRef, ...],
    today: date,
    soon_days: int = 7,
    vaccine_overdue_ids: Collection[int] = (),
    top: int = 3,
    *,
    rules: VisitRules,
) -> Reply:
    """A director's week: how many visits are overdue or due soon, and the longest overdue."""
    entries = tuple(
        e
        for e in due_entries(children, today, soon_days, vaccine_overdue_ids, rules=rules)
        if e.is_visit
    )
    overdue = [e for e in entries if e.days_overdue is None or e.days_overdue > 0]
    soon = len(entries) - len(overdue)
    if not entries:
        return Reply("digest.director.clear")
    longest = _days_text([(e.child.code, e.days_overdue) for e in overdue[:top]])
    vaccines = sum(1 for e in entries if e.vaccine_overdue)
    key = "digest.director" if overdue else "digest.director.soon_only"
    return Reply(
        key, {"overdue": len(overdue), "soon": soon, "longest": longest, "vaccines": vaccines}
    )


@dataclass(frozen=True, slots=True)
class VillageVisits:
    """One village's children (with their next visit due dates) for a supervisor's digest."""

    village: str
    children: tuple[ChildRef, ...]


def supervisor_digest(
    villages: Sequence[VillageVisits], today: date, top: int = 3, villages_shown: int = 5
) -> Reply:
    """A supervisor's week: overdue visits counted by village, and the longest overdue."""
    counts: list[tuple[str, int]] = []
    longest: list[tuple[int, str, str]] = []
    for village in villages:
        n = 0
        for child in village.children:
            due = child.next_visit_due
            days = 10**6 if due is None else (today - due).days
            if days > 0:
                n += 1
                longest.append((days, village.village, child.code))
        if n:
            counts.append((village.village, n))
    if not counts:
        return Reply("digest.supervisor.clear", {"villages": len(villages)})
    counts.sort(key=lambda vc: (-vc[1], vc[0]))
    longest.sort(key=lambda d: (-d[0], d[1], d[2]))
    by_village = SEPARATOR.join(f"{v} {n}" for v, n in counts[:villages_shown])
    if len(counts) > villages_shown:
        by_village += f"{SEPARATOR}+{len(counts) - villages_shown}"
    worst = SEPARATOR.join(f"{code}/{v} {'—' if d == 10**6 else d}" for d, v, code in longest[:top])
    return Reply(
        "digest.supervisor",
        {
            "overdue": sum(n for _, n in counts),
            "villages": len(counts),
            "by_village": by_village,
            "longest": worst,
        },
    )
