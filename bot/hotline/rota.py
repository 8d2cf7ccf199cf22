"""The on-duty rota: who is on duty at each level, and where it has holes.

Level 1 is the hotline staff on duty, level 2 the duty manager / supervisor. A case alerts
level 1; when nobody there is reachable, level 2; when nobody there either, every active
supervisor and administrator. `coverage` says what `careline serve` (a scheduled check),
`/healthz` and `careline hotline shifts check` warn about: nobody on duty now, or a gap in
the next 24 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, StaffShift
from storage.repos import cases as cases_repo

LOOKAHEAD = timedelta(hours=24)


@dataclass(frozen=True)
class Coverage:
    on_duty_now: int  # level 1
    gaps: tuple[tuple[datetime, datetime], ...]  # level 1, within the next 24 h

    @property
    def warnings(self) -> list[str]:
        found: list[str] = []
        if self.on_duty_now == 0:
            found.append("nobody is on duty (level 1) now")
        for start, end in self.gaps:
            found.append(
                f"nobody is on duty (level 1) from {start.isoformat()} to {end.isoformat()}"
            )
        if found:
            found.append(
                "set the rota: careline hotline shifts add --phone <phone> --from ... --to ..."
            )
        return found


async def shifts(
    session: AsyncSession, since: datetime, *, level: int | None = None
) -> list[tuple[StaffShift, Person]]:
    """Shifts still running or to come after `since`, earliest first."""
    return await cases_repo.shifts_after(session, since, level)


def _aware(at: datetime, like: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=like.tzinfo)


async def coverage(session: AsyncSession, now: datetime) -> Coverage:
    end = now + LOOKAHEAD
    spans = sorted(
        (_aware(s.starts_at, now), _aware(s.ends_at, now) if s.ends_at else end)
        for s, p in await shifts(session, now, level=1)
        if p.active
    )
    gaps: list[tuple[datetime, datetime]] = []
    cursor = now
    on_now = 0
    for start, stop in spans:
        if start <= now < stop:
            on_now += 1
        if start > cursor and start < end:
            gaps.append((cursor, start))
        cursor = max(cursor, stop)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return Coverage(on_duty_now=on_now, gaps=tuple(gaps))


async def everyone_above(session: AsyncSession) -> list[Person]:
    """The last resort when no shift is reachable: every active supervisor and administrator."""
    return await cases_repo.everyone_above(session)
