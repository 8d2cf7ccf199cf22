"""What Careline holds about one roster person, read for an export and erased on request
(PIPL art. 45 and 47)."""

from __future__ import annotations

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Case,
    ChannelAddress,
    Child,
    GuardianLink,
    InboundMessage,
    OutboxMessage,
    Person,
)


def _count(result: object) -> int:
    return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0


class PersonData:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def addresses(self, person_id: int) -> list[ChannelAddress]:
        rows = await self.session.execute(
            select(ChannelAddress).where(ChannelAddress.person_id == person_id)
        )
        return list(rows.scalars())

    async def links(self, person_id: int) -> list[tuple[GuardianLink, Child]]:
        rows = await self.session.execute(
            select(GuardianLink, Child)
            .join(Child, Child.id == GuardianLink.child_id)
            .where(GuardianLink.guardian_id == person_id)
        )
        return [(link, child) for link, child in rows.all()]

    async def received(self, person_id: int) -> list[InboundMessage]:
        rows = await self.session.execute(
            select(InboundMessage)
            .where(InboundMessage.person_id == person_id)
            .order_by(InboundMessage.received_at)
        )
        return list(rows.scalars())

    async def sent(self, person_id: int) -> list[OutboxMessage]:
        rows = await self.session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.person_id == person_id)
            .order_by(OutboxMessage.created_at)
        )
        return list(rows.scalars())

    async def open_case_refs(self, person_id: int) -> list[str]:
        """Cases not closed that involve the person: reporter, suspected guardian or owner."""
        rows = await self.session.execute(
            select(Case.ref).where(
                Case.status != "closed",
                or_(
                    Case.reporter_person_id == person_id,
                    Case.suspected_guardian_id == person_id,
                    Case.owner_id == person_id,
                ),
            )
        )
        return list(rows.scalars())

    async def erase(self, person: Person, marker: str) -> dict[str, int]:
        """Erase the person's addresses, messages and guardian links, anonymise the person in
        place; the count of each erased kind."""
        session = self.session
        counts: dict[str, int] = {}
        addresses = await self.addresses(person.id)
        for a in addresses:
            a.address, a.locale = f"{marker}-{a.id}", None
            a.person_id = None
        counts["addresses"] = len(addresses)
        got = await session.execute(
            update(InboundMessage)
            .where(InboundMessage.person_id == person.id)
            .values(text="", payload=None, address=marker, person_id=None)
        )
        counts["inbound"] = _count(got)
        await session.execute(  # nothing more goes out to them
            update(OutboxMessage)
            .where(OutboxMessage.person_id == person.id, OutboxMessage.status == "queued")
            .values(status="suppressed", error_code=marker)
        )
        got = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.person_id == person.id)
            .values(text=None, message={"key": marker, "params": {}}, address=marker)
        )
        counts["outbox"] = _count(got)
        got = await session.execute(
            update(Case).where(Case.reporter_person_id == person.id).values(reporter_address=marker)
        )
        counts["closed_cases"] = _count(got)
        got = await session.execute(
            delete(GuardianLink).where(GuardianLink.guardian_id == person.id)
        )
        counts["guardian_links"] = _count(got)
        await session.execute(
            update(Child)
            .where(Child.consent_guardian_id == person.id)
            .values(consent_guardian_id=None)
        )
        person.name, person.phone, person.locale = "已删除", None, "zh_Hans"
        person.active, person.do_not_contact = False, True
        person.do_not_contact_reason = None
        return counts
