"""The path of one inbound message: store it, screen, step the dialog, apply effects, save
state and queue replies, all in one transaction.

When processing fails, that transaction is rolled back and the two-step path runs: the raw
message is committed on its own first, so that it is never lost, then processed in its own
transaction (idempotent: it runs once per stored row; bot/inbound_retry.py retries a row
whose processing failed).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.effects import EffectRunner, StepScope
from bot.reply_json import reply_to_json
from content.locales import DEFAULT_LOCALE
from content.replies import Reply
from dialogs.engine import Engine
from dialogs.language import guess_locale
from dialogs.screening.replies import is_safety_reply
from dialogs.types import Channel, ChildRef, Context, Inbound, Lane, Outcome, Role, State
from dialogs.types import Person as PersonRef
from storage.db import Database
from storage.models import ChannelAddress, Child, Person
from storage.repos import arrival, outbox
from storage.repos.conversations import expired, save_state
from storage.repos.people import address_row, children_of_director, person_by_phone

log = logging.getLogger(__name__)

# Extra context for a step, added by later capabilities (visit drafts, screening ...).
ContextHook = Callable[[AsyncSession, Person | None, dict[str, object]], Awaitable[None]]
# Refines a director's children for the context (the visits capability adds each visit clock).
ChildrenHook = Callable[
    [AsyncSession, Sequence[Child], tuple[ChildRef, ...]], Awaitable[tuple[ChildRef, ...]]
]
# Runs before the step hooks on every inbound text; may queue replies/effects.
PreStepHook = Callable[[StepScope, State, Context], Awaitable[Outcome | None]]
# The dialog's one step for this message: (state, context) -> outcome. It runs once.
DialogStep = Callable[[State, Context], Awaitable[Outcome]]
# Wraps the dialog's step (the hotline's screen): chooses the state and context the dialog
# runs with, runs it (once), and adds to what it decided or replaces it, knowing from the
# outcome whether the dialog understood the text (`Outcome.understood`).
StepHook = Callable[[StepScope, State, Context, DialogStep], Awaitable[Outcome]]
# Filters the sender's replies before they are queued (bot/loops.py cuts auto-reply loops).
ReplyGuard = Callable[[StepScope, list[Reply]], Awaitable[list[Reply]]]


@dataclass(frozen=True, slots=True)
class Handled:
    inbound_id: int | None
    duplicate: bool


def person_ref(person: Person | None) -> PersonRef | None:
    if person is None:
        return None
    return PersonRef(
        id=person.id,
        role=Role(person.role),
        name=person.name,
        locale=person.locale,
        area_id=person.area_id,
    )


def _wrapped(hook: StepHook, scope: StepScope, inner: DialogStep) -> DialogStep:
    async def step(state: State, ctx: Context) -> Outcome:
        return await hook(scope, state, ctx, inner)

    return step


def _stored_fields(inbound: Inbound) -> dict[str, Any]:
    """The columns of an inbound row, as both store paths write them."""
    return {
        "channel": inbound.channel,
        "provider_id": inbound.provider_id,
        "address": inbound.address,
        "text": inbound.text,
        "payload": inbound.payload,
        "received_at": inbound.received_at,
        "media": [m.to_json() for m in inbound.media] or None,
    }


class InboundService:
    def __init__(
        self,
        db: Database,
        engine: Engine,
        effects: EffectRunner,
        clock: Clock,
        *,
        timezone: str = "Asia/Shanghai",
        conversation_timeout: timedelta = timedelta(hours=24),
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.engine = engine
        self.effects = effects
        self.clock = clock
        self.tz = ZoneInfo(timezone)
        self.timeout = conversation_timeout
        self.on_commit = on_commit or (lambda: None)
        self.context_hooks: list[ContextHook] = []
        self.children_hooks: list[ChildrenHook] = []
        self.pre_step_hooks: list[PreStepHook] = []
        self.step_hooks: list[StepHook] = []
        self.reply_guards: list[ReplyGuard] = []
        # (lane, window): a reply guard's count of what was queued to the sender's address on
        # that lane in that window, asked with the conversation (`StepScope.replies_queued`)
        self.replies_counted: tuple[int, timedelta] | None = None

    async def store(self, inbound: Inbound) -> Handled:
        """Step 1: the raw message, committed. A provider's retry is a no-op."""
        async with self.db.transaction(point=True) as session:
            inbound_id = await self._store(session, inbound)
        return Handled(inbound_id, duplicate=inbound_id is None)

    async def _store(self, session: AsyncSession, inbound: Inbound) -> int | None:
        arrived = await arrival.store_arrived(session, **_stored_fields(inbound), processed_at=None)
        return None if arrived is None else arrived.inbound_id

    async def handle(self, inbound: Inbound) -> Handled:
        """Store and process in one transaction; when that fails, store, then process (the
        two-step path). Safe to call again with the same provider id."""
        try:
            async with self.db.transaction(point=True) as session:
                now = self.clock.now()
                arrived = await arrival.store_arrived(
                    session, **_stored_fields(inbound), processed_at=now
                )
                if arrived is None:
                    return Handled(None, duplicate=True)
                inbound_id = arrived.inbound_id
                await self._process(session, inbound_id, inbound, arrived=arrived, now=now)
        except Exception as exc:
            log.warning(
                "inbound: processing in one transaction failed (%s); storing it first",
                type(exc).__name__,
            )
            return await self.handle_in_two_steps(inbound)
        self.on_commit()
        return Handled(inbound_id, duplicate=False)

    async def handle_in_two_steps(self, inbound: Inbound) -> Handled:
        """Store (committed), then process: the message is kept even if processing fails."""
        handled = await self.store(inbound)
        if handled.inbound_id is None:
            return handled
        await self.process(handled.inbound_id, inbound)
        return handled

    async def process(self, inbound_id: int, inbound: Inbound, *, notify: bool = True) -> bool:
        """Process one stored row; False when it failed (bot/inbound_retry.py tries again)."""
        try:
            async with self.db.transaction(point=True) as session:
                await self._process(session, inbound_id, inbound)
        except Exception:
            if not notify:
                log.exception("inbound %s: processing failed again", inbound_id)
                return False
            log.exception(
                "inbound %s: processing failed; the sender is told to try again", inbound_id
            )
            async with self.db.transaction() as session:
                await outbox.enqueue(
                    session,
                    channel=inbound.channel,
                    address=inbound.address,
                    message=reply_to_json(Reply("error.try_again")),
                    lane=Lane.REPLY,
                    now=self.clock.now(),
                    inbound_id=inbound_id,
                    dedup_key=f"error:{inbound_id}",
                )
            self.on_commit()
            return False
        self.on_commit()
        return True

    async def _process(
        self,
        session: AsyncSession,
        inbound_id: int,
        inbound: Inbound,
        *,
        arrived: arrival.Arrived | None = None,
        now: datetime | None = None,
    ) -> None:
        """Process one stored row. `arrived`: it was inserted in this transaction, already
        marked processed (so it is locked, unscreened, and not read back)."""
        now = now or self.clock.now()
        screened = False
        if arrived is None:
            claimed = await arrival.claim_stored(session, inbound_id, now)
            if claimed is None:
                return  # processed already
            arrived, screened = claimed.arrived, claimed.screened
        address = await arrival.touch_address(
            session,
            inbound.channel,
            inbound.address,
            now,
            link_by_phone=inbound.channel in (Channel.SMS, Channel.CONSOLE),
        )
        person = await self._linked_person(session, address)
        if person is None and address.locale is None and inbound.text:
            guessed = guess_locale(inbound.text)  # a stranger writing English
            if guessed is not None:
                address.locale = guessed
        # After the address upsert, which locks the address row on PostgreSQL: a concurrent
        # message from it has committed before this statement's snapshot, and its reply is in
        # the count (tests/integration/test_reply_cap_count.py)
        counted = self.replies_counted
        conv = await arrival.take_conversation(
            session,
            inbound.channel,
            inbound.address,
            now,
            replies=None if counted is None else arrival.RepliesAsked(counted[0], now - counted[1]),
        )
        state = State.from_json(conv.state)
        scope = StepScope(
            session=session,
            now=now,
            inbound=inbound,
            inbound_id=inbound_id,
            address=address,
            person=person,
            replies_queued=conv.replies_queued,
        )
        replies: list[Reply] = []
        effects: list[object] = []
        if conv.expires_at is not None and conv.expires_at <= now and state.flow is not None:
            ctx = await self.context(session, person, address, inbound.channel, now)
            timed_out = self.engine.timeout(state, ctx)
            replies += timed_out.replies
            effects += timed_out.effects
            state = timed_out.state
        ctx = await self.context(session, person, address, inbound.channel, now)
        for hook in self.pre_step_hooks if not screened else ():
            pre = await hook(scope, state, ctx)
            if pre is not None:
                if pre.replies:
                    ctx = replace(ctx, screened=True)
                replies += pre.replies
                effects += pre.effects
                state = pre.state
        outcome = await self.step(scope, state, ctx, hooks=not screened)
        replies += outcome.replies
        effects += outcome.effects
        await self.effects.run(scope, tuple(effects))
        replies += scope.extra_replies
        expires = now + self.timeout if outcome.state.flow is not None else None
        await arrival.save_conversation(session, conv, outcome.state.to_json(), now, expires)
        for guard in self.reply_guards:
            replies = await guard(scope, replies)
        await self.queue_replies(
            session,
            inbound.channel,
            inbound.address,
            scope.person,
            replies,
            now=now,
            inbound_id=inbound_id,
            bypass=scope.bypass_opt_out,
        )
        person_id = person.id if person else None
        if person_id != arrived.person_id:
            await arrival.set_person(session, inbound_id, person_id)  # first contact, a link

    async def step(
        self,
        scope: StepScope,
        state: State,
        ctx: Context,
        *,
        hooks: bool = True,
        dialog: DialogStep | None = None,
    ) -> Outcome:
        """The dialog's one step for this message, through the step hooks (`hooks`: False
        when the message was screened already). `dialog`: another step than the engine's
        (`screening_dialog`)."""
        run = dialog or self._once(scope.inbound)
        for hook in reversed(self.step_hooks) if hooks else ():
            run = _wrapped(hook, scope, run)
        return await run(state, ctx)

    def _once(self, inbound: Inbound) -> DialogStep:
        ran = False

        async def dialog(state: State, ctx: Context) -> Outcome:
            nonlocal ran
            if ran:
                raise RuntimeError("the dialog steps once per message")
            ran = True
            return self.engine.step(state, inbound, ctx)

        return dialog

    def screening_dialog(self, inbound: Inbound) -> DialogStep:
        """The dialog for the screen alone (bot/inbound_retry.py): it says and does nothing,
        only whether it understood the text. When it fails (the message whose processing
        keeps failing), the text counts as not understood: a concern is never dropped."""

        async def dialog(state: State, ctx: Context) -> Outcome:
            try:
                outcome = self.engine.step(state, inbound, ctx)
            except Exception:
                log.warning("the dialog failed while screening a free text; not understood")
                return Outcome(state, understood=False)
            return Outcome(outcome.state, understood=outcome.understood)

        return dialog

    async def expire_conversations(self, limit: int = 200) -> int:
        """Close conversations that went quiet past their timeout (a scheduled job).

        Each flow's `on_timeout` decides what to keep (a visit draft, an urgent concern).
        Safe on several processes: rows are locked and skipped by the others.
        """
        now = self.clock.now()
        done = 0
        async with self.db.transaction() as session:
            for conv in await expired(session, now, limit):
                address = await address_row(session, conv.channel, conv.address, now)
                person = await self._identify(session, address)
                state = State.from_json(conv.state)
                ctx = await self.context(session, person, address, conv.channel, now)
                outcome = self.engine.timeout(state, ctx)
                inbound = Inbound(
                    channel=Channel(conv.channel),
                    address=conv.address,
                    provider_id=f"timeout:{conv.id}",
                    received_at=now,
                )
                scope = StepScope(
                    session=session,
                    now=now,
                    inbound=inbound,
                    inbound_id=None,
                    address=address,
                    person=person,
                )
                await self.effects.run(scope, outcome.effects)
                save_state(conv, outcome.state.to_json(), now, None)
                await self.queue_replies(
                    session,
                    conv.channel,
                    conv.address,
                    scope.person,
                    [*outcome.replies, *scope.extra_replies],
                    now=now,
                )
                done += 1
        if done:
            self.on_commit()
        return done

    async def _linked_person(self, session: AsyncSession, address: ChannelAddress) -> Person | None:
        """`_identify` for an address from `arrival.touch_address`, which linked it by phone
        already (SMS, console): an unknown sender costs no further statement."""
        if address.channel == Channel.TELEGRAM and address.address.startswith("-"):
            return None  # a group chat is nobody's identity (bot/channels/telegram.py)
        if address.person_id is None:
            return None
        return await session.get(Person, address.person_id)

    async def _identify(self, session: AsyncSession, address: ChannelAddress) -> Person | None:
        if address.channel == Channel.TELEGRAM and address.address.startswith("-"):
            return None  # a group chat is nobody's identity (bot/channels/telegram.py)
        if address.person_id is not None:
            return await session.get(Person, address.person_id)
        if address.channel in (Channel.SMS, Channel.CONSOLE):
            person = await person_by_phone(session, address.address)
            if person is not None and person.active:
                address.person_id = person.id
                return person
        return None

    async def context(
        self,
        session: AsyncSession,
        person: Person | None,
        address: ChannelAddress,
        channel: Channel | str,
        now: datetime,
    ) -> Context:
        children: tuple[ChildRef, ...] = ()
        if person is not None and person.role == Role.DIRECTOR:
            own = await children_of_director(session, person.id)
            children = tuple(
                ChildRef(
                    id=c.id,
                    code=c.code,
                    name=c.name,
                    next_visit_due=c.next_visit_due,
                    is_key_child=c.is_key_child,
                )
                for c in own
            )
            for refine in self.children_hooks:
                children = await refine(session, own, children)
        extra: dict[str, object] = {"opted_out": address.opted_out_at is not None}
        for hook in self.context_hooks:
            await hook(session, person, extra)
        locale = (person.locale if person else None) or address.locale or DEFAULT_LOCALE
        return Context(
            now=now,
            today=now.astimezone(self.tz).date(),
            locale=locale,
            person=person_ref(person),
            channel=Channel(channel),
            children=children,
            extra=extra,
        )

    async def queue_replies(
        self,
        session: AsyncSession,
        channel: str,
        address: str,
        person: Person | None,
        replies: Sequence[Reply],
        *,
        now: datetime,
        inbound_id: int | None = None,
        bypass: bool = False,
        lane: Lane = Lane.REPLY,
    ) -> None:
        for reply in replies:
            await outbox.enqueue(
                session,
                channel=channel,
                address=address,
                person_id=person.id if person else None,
                message=reply_to_json(reply),
                lane=lane,
                now=now,
                inbound_id=inbound_id,
                bypass_opt_out=bypass or is_safety_reply(reply),  # opt-out never hides 110
            )
