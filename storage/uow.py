"""The unit of work: one session in one transaction, the moment it acts at, and the
repositories it uses, by name. The shell (console routes and the like) works through it
instead of building SQL; `Work.audit` is the one way such work writes the audit log.

    async with unit_of_work(app.db, app.clock.now()) as w:
        person = await w.session.get(Person, person_id)
        counts = await w.person_data.erase(person, ERASED)
        w.audit(who.actor, "person.erase", "person", person.id, {"counts": counts})
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.repos import audit
from storage.repos.child_records import AreaRecords, ChildRecords
from storage.repos.directory import Directory
from storage.repos.person_data import PersonData
from storage.repos.roster import Roster


class Work:
    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self.session = session
        self.now = now
        self.area_records = AreaRecords(session)
        self.child_records = ChildRecords(session)
        self.directory = Directory(session)
        self.person_data = PersonData(session)
        self.roster = Roster(session)

    def audit(
        self,
        actor: str,
        action: str,
        subject_type: str,
        subject_id: str | int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """One audit entry at this unit's moment."""
        audit.record(
            self.session,
            at=self.now,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail,
        )


@asynccontextmanager
async def unit_of_work(db: Database, now: datetime) -> AsyncIterator[Work]:
    """Commit on success, roll back on any error (`Database.transaction`)."""
    async with db.transaction() as session:
        yield Work(session, now)
