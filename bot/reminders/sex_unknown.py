"""Children of the age for a sex-specific dose (HPV) whose sex is not recorded.

The pure plan leaves such a dose out with a warning ("sex unknown: ..."); the planner turns
that into one warning per run that names how many children and their ids (no names), so the
gap is fixed in the roster or the child's file instead of being silent.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from reminders.dates import add_age
from reminders.schedule import Edition
from storage.repos import reminders as reminders_repo

log = logging.getLogger(__name__)
SHOWN = 20  # child ids named in the warning
UPCOMING_DAYS = 30  # warn this long before a child reaches the dose's age


def birth_window(edition: Edition, as_of: date) -> tuple[date, date] | None:
    """Birth dates (inclusive) of children at an age for a sex-specific dose of ``edition``:
    old enough (within ``UPCOMING_DAYS``), not past the dose's limit nor 18, in its cohort."""
    windows: list[tuple[date, date]] = []
    for entry in edition.entries:
        if entry.sex is None:
            continue
        limit = min(entry.limit_months(edition.catch_up_until_years), 18 * 12)
        oldest = add_age(as_of, months=-limit, days=1)
        if entry.born_from is not None:
            oldest = max(oldest, entry.born_from)
        youngest = add_age(as_of, months=-entry.age_months(), days=UPCOMING_DAYS)
        if oldest <= youngest:
            windows.append((oldest, youngest))
    if not windows:
        return None
    return min(w[0] for w in windows), max(w[1] for w in windows)


async def sex_unknown_warning(session: AsyncSession, edition: Edition, as_of: date) -> str | None:
    window = birth_window(edition, as_of)
    if window is None:
        return None
    count, ids = await reminders_repo.sex_unknown_born_between(session, window[0], window[1], SHOWN)
    if not count:
        return None
    doses = sorted({e.vaccine for e in edition.entries if e.sex is not None})
    shown = ", ".join(str(i) for i in ids) + (", ..." if count > len(ids) else "")
    warning = (
        f"sex unknown for {count} children of {'/'.join(doses)} age: not planned for them; "
        f"record their sex (child ids {shown})"
    )
    log.warning("reminders: %s", warning)
    return warning
