"""Executes the effects a dialog step returns, inside the step's transaction.

One handler per effect type; what a handler says to the sender goes to
`StepScope.extra_replies`, queued after the step's own replies (on a timeout too). The
capabilities register their handlers in their `install` (bot/capabilities.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from content.locales import normalize_locale
from content.replies import Reply
from dialogs import effects as fx
from dialogs.types import Channel, Inbound
from storage.models import ChannelAddress, Person
from storage.repos import audit, people
from storage.repos.people import addresses_of, person_by_phone

log = logging.getLogger(__name__)


@dataclass
class StepScope:
    """What an effect handler may touch: the open transaction and the sender."""

    session: AsyncSession
    now: datetime
    inbound: Inbound
    inbound_id: int | None
    address: ChannelAddress
    person: Person | None
    # The handlers' replies to the sender, in the order they were decided. Still a field, not
    # a return value: helpers below the handlers add to it too (the photo attacher's
    # `_attach`, also run for a visit just saved; the staff verbs' `_say`; a visit's danger
    # flags), and tests read it; returning them from every handler is left (issue 14).
    extra_replies: list[Reply] = field(default_factory=list)
    bypass_opt_out: bool = False
    # What was queued to the address on the reply guard's lane and window before this message
    # (`InboundService.replies_counted`), counted when the conversation was taken; None: not
    # counted (the guard asks)
    replies_queued: int | None = None

    @property
    def actor(self) -> str:
        return f"person:{self.person.id}" if self.person else f"{self.address.channel}:unknown"


Handler = Callable[[StepScope, Any], Awaitable[None]]


class EffectRunner:
    def __init__(self) -> None:
        self._handlers: dict[type, Handler] = {}

    def register(self, effect_type: type, handler: Handler) -> None:
        self._handlers[effect_type] = handler

    async def run(self, scope: StepScope, effects: tuple[Any, ...]) -> None:
        for effect in effects:
            handler = self._handlers.get(type(effect))
            if handler is None:
                raise LookupError(f"no handler registered for effect {type(effect).__name__}")
            await handler(scope, effect)


async def set_locale(scope: StepScope, effect: fx.SetLocale) -> None:
    locale = normalize_locale(effect.locale)
    if scope.person is not None:
        scope.person.locale = locale
    scope.address.locale = locale


async def opt_out(scope: StepScope, effect: fx.OptOut) -> None:
    people.opt_out(
        scope.session, scope.address, person=scope.person, at=scope.now, actor=scope.actor
    )
    scope.bypass_opt_out = True  # the confirmation itself is the one message still sent


async def opt_in(scope: StepScope, effect: fx.OptIn) -> None:
    scope.address.opted_out_at = None
    if scope.person is not None:
        scope.person.opted_out_at = None
    audit.record(
        scope.session,
        at=scope.now,
        actor=scope.actor,
        action="opt_in",
        subject_type="channel_address",
        subject_id=scope.address.id,
    )


async def link_contact(scope: StepScope, effect: fx.LinkContact) -> None:
    """A Telegram user shared their own phone: link the chat to the roster person."""
    if scope.address.channel != Channel.TELEGRAM:
        return
    person = await person_by_phone(scope.session, effect.phone)
    if person is None or not person.active:
        scope.extra_replies.append(Reply("contact.not_found"))
        return
    for other in await addresses_of(scope.session, person.id):
        if other.channel == Channel.TELEGRAM and other.id != scope.address.id:
            other.person_id = None  # one Telegram account per person
    scope.address.person_id = person.id
    scope.person = person
    audit.record(
        scope.session,
        at=scope.now,
        actor=f"person:{person.id}",
        action="link_telegram",
        subject_type="person",
        subject_id=person.id,
    )
    scope.extra_replies.append(Reply("contact.linked", {"name": person.name}))


def core_effects() -> EffectRunner:
    """The effects every conversation may have, whatever capability is installed."""
    runner = EffectRunner()
    runner.register(fx.SetLocale, set_locale)
    runner.register(fx.OptOut, opt_out)
    runner.register(fx.OptIn, opt_in)
    runner.register(fx.LinkContact, link_contact)
    return runner
