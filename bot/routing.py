"""Messages to a person (not the sender): choose their reachable channel and queue it.

Preference: WeCom (staff linked by WeCom user id; never guardians) > Telegram (linked,
reachable, not opted out) > SMS (their phone; +86 through the mainland gateways when they are
configured) > the local console (demo and simulator only, when no provider channel is
configured).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reply_json import reply_to_json
from content.replies import Reply
from dialogs.types import Channel, Lane, Role
from storage.models import ChannelAddress, Person
from storage.repos import outbox
from storage.repos.people import add_addresses, addresses_for

PREFERENCE = (Channel.WECOM, Channel.TELEGRAM, Channel.SMS, Channel.CONSOLE)
LINKED_ONLY = (Channel.WECOM, Channel.TELEGRAM)  # addresses that exist only once linked


def _usable(row: ChannelAddress | None) -> bool:
    return row is not None and row.opted_out_at is None and row.unreachable_at is None


class AddressBook:
    """`reachable_address` for many people in a few statements: their address rows read in
    one query (`load`), each person's choice made in memory in the order asked (`address`,
    the same walk as one at a time), the rows it found missing created in one multi-row
    insert (`save`).

    A missing row is taken as it would be created (usable, its person the first who needed
    it). If another transaction created it meanwhile, `save` reads it and returns False:
    the choices are forgotten (`reset`) and made again with the row as it is.
    """

    def __init__(self, channels: Collection[str], now: datetime, *, reminder: bool = False) -> None:
        self.channels = [c for c in PREFERENCE if c in channels]
        self.now = now
        self.reminder = reminder
        self._rows: dict[tuple[str, str], ChannelAddress] = {}
        self._linked: dict[int, dict[tuple[str, str], ChannelAddress]] = {}
        self._new: dict[tuple[str, str], ChannelAddress] = {}  # to create (not in the session)
        self._chosen: dict[int, ChannelAddress | None] = {}

    def _asks(self, person: Person) -> bool:
        if person.do_not_contact or not person.active:
            return False
        return not (self.reminder and person.opted_out_at is not None)

    async def load(self, session: AsyncSession, people: Iterable[Person]) -> None:
        """Read the address rows of everyone `address` may be asked about (one query)."""
        asked = [p for p in people if self._asks(p)]
        pairs = {
            (c, p.phone) for p in asked if p.phone for c in self.channels if c not in LINKED_ONLY
        }
        for row in await addresses_for(session, {p.id for p in asked}, pairs):
            self._add(row)

    def _add(self, row: ChannelAddress) -> None:
        self._rows[(row.channel, row.address)] = row
        if row.person_id is not None:
            self._linked.setdefault(row.person_id, {})[(row.channel, row.address)] = row

    def address(self, person: Person) -> ChannelAddress | None:
        """The address to use for this person now, or None (see `reachable_address`);
        decided once per person. Before `save`, a row to be created is not yet stored."""
        if person.id not in self._chosen:
            self._chosen[person.id] = self._choose(person)
        return self._chosen[person.id]

    def _choose(self, person: Person) -> ChannelAddress | None:
        if not self._asks(person):
            return None
        linked = self._linked.get(person.id, {})
        for channel in self.channels:
            if channel in LINKED_ONLY:
                if channel == Channel.WECOM and person.role == Role.GUARDIAN:
                    continue  # guardians are reached by SMS (WeCom is for staff)
                for (ch, _), one in linked.items():
                    if ch == channel and _usable(one):
                        return one
                continue
            if not person.phone:
                continue
            pair = (channel, person.phone)
            row = linked.get(pair) or self._rows.get(pair) or self._new.get(pair)
            if row is None:  # first contact: created by `save`
                row = self._new[pair] = ChannelAddress(channel=channel, address=person.phone)
            if row.person_id is None:
                row.person_id = person.id  # so the dispatcher renders in the person's locale
            if _usable(row):
                return row
            if row.opted_out_at is not None:
                return None  # they said stop on SMS: do not fall back to the console
        return None

    async def save(self, session: AsyncSession) -> bool:
        """Create the missing rows the choices used (one multi-row insert). False when one
        was created meanwhile by another transaction: `reset` and choose again."""
        if not self._new:
            return True
        new, self._new = self._new, {}
        rows = [{"channel": c, "address": a, "person_id": r.person_id} for (c, a), r in new.items()]
        created = {(r.channel, r.address): r for r in await add_addresses(session, rows, self.now)}
        for row in created.values():
            self._add(row)
        self._chosen = {
            pid: created.get((r.channel, r.address), r) if r is not None else None
            for pid, r in self._chosen.items()
        }
        raced = set(new) - set(created)
        if not raced:
            return True
        for row in await addresses_for(session, (), raced):
            self._add(row)
        return False

    def reset(self) -> None:
        """Forget the choices (and the rows they would create); the rows read are kept."""
        self._chosen, self._new = {}, {}


async def reachable_address(
    session: AsyncSession,
    person: Person,
    channels: Collection[str],
    now: datetime,
    *,
    reminder: bool = False,
) -> ChannelAddress | None:
    """The address to use for this person now, or None if they cannot be reached.

    A reminder or digest (`reminder`) never reaches a person who said STOP on any channel."""
    book = AddressBook(channels, now, reminder=reminder)
    await book.load(session, [person])
    while True:
        book.address(person)
        if await book.save(session):
            return book.address(person)
        book.reset()


async def queue_for_person(
    session: AsyncSession,
    person: Person,
    reply: Reply,
    *,
    lane: Lane,
    now: datetime,
    channels: Collection[str],
    not_before: datetime | None = None,
    dedup_key: str | None = None,
) -> int | None:
    """Queue `reply` for `person`; None when unreachable or when `dedup_key` was queued before."""
    address = await reachable_address(
        session, person, channels, now, reminder=lane == Lane.REMINDER
    )
    if address is None:
        return None
    return await outbox.enqueue(
        session,
        channel=address.channel,
        address=address.address,
        person_id=person.id,
        message=reply_to_json(reply),
        lane=lane,
        now=now,
        not_before=not_before,
        dedup_key=dedup_key,
    )
