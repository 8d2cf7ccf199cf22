"""Auto-reply loops are cut: an out-of-office responder, a misconfigured gateway or another
bot answering every message must not turn one number into an endless exchange.

Two rules, applied to the replies the dialog decided for one inbound message, before they
are queued (a reply guard of `InboundService`):
- **Repeat:** the same text from the same address within `CARELINE_REPEAT_WINDOW_MINUTES`
  gets one answer. Idle free text (no flow before nor after the step: an out-of-office text, "谢谢")
  that was answered in the window gets nothing more, a safety reply or "已补充到案件" included
  (the sender has had them; the text still joins its case), but for one line: when the
  replies held back were a concern's ("safety.…"; not the review note), the repeat is
  told "您的报告已经收到…不必再发…有危险请马上拨打 110" (`safety.repeat_noted`), so a
  worried reporter who sends a concern again is not met with silence; after three such
  lines in the window, nothing more (a loop of auto-replies gains three messages). Inside
  a flow only a reply identical to one already queued for that text is dropped, so a
  repeated "1" that answers a new question gets its new question. A command word (帮助,
  待访, 取消 …) is answered each time (the cap still applies).
- **Cap:** at most `CARELINE_REPLY_CAP_PER_HOUR` replies to one address in any hour; safety
  replies (`dialogs.screening.replies.is_safety_reply`: 110, the review note, the urgent flow)
  are neither counted nor held back.

Replies to staff (hotline, supervisors, administrators) are never cut. The message itself is
always stored, screened and processed (a repeated concern still reaches its case); only the
answer is held back.

A cut is logged (ids only) and written to the audit log once per address, kind and hour
(action `reply_loop.repeat` / `reply_loop.cap`, actor `system`), where administrators see it
in the console's audit viewer; `/healthz` shows how many were cut in the last 24 hours.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import StepScope
from bot.reply_json import reply_to_json
from content.keywords import Keywords
from content.replies import Reply
from dialogs.screening.replies import is_safety_reply
from dialogs.types import Context, Inbound, Lane, Outcome, Role, State
from storage.repos import audit, conversations, outbox

if TYPE_CHECKING:
    from bot.host import Host
    from bot.service import DialogStep

log = logging.getLogger(__name__)
EXEMPT_ROLES = frozenset({Role.HOTLINE, Role.SUPERVISOR, Role.ADMIN})
# A director's guided visit reports and due lists are work, answered as often as asked: the
# hourly cap is for senders who are not on the roster's working side (repeats still count).
UNCAPPED_ROLES = frozenset({Role.DIRECTOR})
ACTION = "reply_loop"
HOUR = timedelta(hours=1)


class LoopGuard:
    def __init__(
        self,
        *,
        window: timedelta,
        cap_per_hour: int,
        is_command: Callable[[str], bool] = lambda text: False,
    ) -> None:
        self.window = window
        self.cap = cap_per_hour  # 0: no cap
        self.is_command = is_command  # 帮助 / 待访 twice is asked twice: answered twice
        self._idle_before: dict[int, bool] = {}  # inbound id -> no flow before the step

    async def around_step(
        self, scope: StepScope, state: State, ctx: Context, step: DialogStep
    ) -> Outcome:
        """A step hook: remember whether the sender was idle before this message, in the state
        the dialog steps from (the screen's: a relay is idle), since the last answer of a
        visit report ends idle and must not count as idle free text."""
        if scope.inbound_id is not None:
            self._idle_before[scope.inbound_id] = state.flow is None
        return await step(state, ctx)

    async def __call__(self, scope: StepScope, replies: list[Reply]) -> list[Reply]:
        idle_before = self._idle_before.pop(scope.inbound_id or -1, False)
        if not replies or (scope.person is not None and scope.person.role in EXEMPT_ROLES):
            return replies
        session, inbound = scope.session, scope.inbound
        seen = (
            None if self.is_command(inbound.text) else await self._answered_before(session, scope)
        )
        if seen is None:
            fresh = replies
        elif idle_before and await self._idle(session, inbound):
            fresh = []  # idle free text again ("I am away"): answered once already
        else:
            fresh = [r for r in replies if _canon(reply_to_json(r)) not in seen]
        if len(fresh) < len(replies):
            await self._record(scope, "repeat", dropped=len(replies) - len(fresh))
            fresh = _noted(replies, fresh, seen or Counter())
        capped = [r for r in fresh if not is_safety_reply(r)]
        uncapped = scope.person is not None and scope.person.role in UNCAPPED_ROLES
        if capped and self.cap > 0 and not uncapped:
            sent = scope.replies_queued
            if sent is None:  # not counted with the conversation (the retry job's path)
                sent = await self._sent_last_hour(session, inbound, scope.now)
            room = max(0, self.cap - sent)
            if room < len(capped):
                await self._record(scope, "cap", dropped=len(capped) - room)
                held = {id(r) for r in capped[room:]}
                fresh = [r for r in fresh if id(r) not in held]
        return fresh

    @staticmethod
    async def _idle(session: AsyncSession, inbound: Inbound) -> bool:
        """The conversation is in no flow after this step (its new state is saved already)."""
        state = await conversations.state_of(session, inbound.channel, inbound.address)
        return not (state or {}).get("flow")

    async def _answered_before(
        self, session: AsyncSession, scope: StepScope
    ) -> Counter[str] | None:
        """The replies queued for the same text from this address in the window; None when
        the text is not a repeat."""
        text = (scope.inbound.text or "").strip()
        if not text or scope.inbound_id is None:
            return None
        found = await outbox.replies_to_same_text(
            session,
            channel=scope.inbound.channel,
            address=scope.inbound.address,
            text=scope.inbound.text,
            since=scope.now - self.window,
            other_than=scope.inbound_id,
        )
        return Counter(_canon(m) for m in found) if found else None

    @staticmethod
    async def _sent_last_hour(session: AsyncSession, inbound: Inbound, now: datetime) -> int:
        return await outbox.replies_since(
            session,
            channel=inbound.channel,
            address=inbound.address,
            lane=Lane.REPLY,
            since=now - HOUR,
        )

    @staticmethod
    async def _record(scope: StepScope, kind: str, *, dropped: int) -> None:
        log.warning(
            "reply loop cut (%s): address %s, inbound %s, %d replies held back",
            kind,
            scope.address.id,
            scope.inbound_id,
            dropped,
        )
        subject = f"{scope.inbound.channel}:{scope.inbound.address}"[:64]
        if await audit.logged_since(scope.session, f"{ACTION}.{kind}", subject, scope.now - HOUR):
            return
        audit.record(
            scope.session,
            at=scope.now,
            actor="system",
            action=f"{ACTION}.{kind}",
            subject_type="address",
            subject_id=subject,
            detail={
                "kind": kind,
                "channel": str(scope.inbound.channel),
                "address": scope.inbound.address,
                "person_id": scope.person.id if scope.person else None,
                "inbound_id": scope.inbound_id,
            },
        )


REPEAT_NOTED = Reply("safety.repeat_noted")
REPEAT_NOTES = 3  # per text and window: a panicking sender is answered, a loop gains 3 lines
CONCERN = "safety."


def _noted(replies: list[Reply], fresh: list[Reply], seen: Counter[str]) -> list[Reply]:
    """A repeat whose concern replies ("safety.…": 110, "已收到…") were held back hears that
    its report arrived, up to `REPEAT_NOTES` times in the window. Not for the review note or
    "已补充到案件": an auto-reply the screen was unsure of stays answered once."""
    kept = {id(r) for r in fresh}
    held_safety = any(r.key.startswith(CONCERN) for r in replies if id(r) not in kept)
    if not held_safety or any(is_safety_reply(r) for r in fresh):
        return fresh
    if seen[_canon(reply_to_json(REPEAT_NOTED))] >= REPEAT_NOTES:
        return fresh  # told often enough in the window: a loop, or a sender who has it
    return [REPEAT_NOTED, *fresh]


def _canon(message: object) -> str:
    return json.dumps(message, sort_keys=True, ensure_ascii=False)


async def loops_since(session: AsyncSession, since: datetime) -> int:
    """How many loops were cut since `since` (one per address, kind and hour)."""
    return await audit.count_since(session, f"{ACTION}.", since)


def command_words(keywords: Keywords) -> Callable[[str], bool]:
    """A command word (帮助, 取消, 退订, 语言, 走访 …): never a loop on its own."""
    groups = [g for g in keywords.global_words if g not in ("small_talk", "police_reported")]

    def is_command(text: str) -> bool:
        head = text.strip().split(" ", 1)[0]
        return any(keywords.is_word(g, text) for g in groups) or keywords.flow_for(head) is not None

    return is_command


def install(app: Host) -> None:
    guard = LoopGuard(
        window=timedelta(minutes=app.settings.repeat_window_minutes),
        cap_per_hour=app.settings.reply_cap_per_hour,
        is_command=command_words(app.service.engine.keywords),
    )
    app.service.step_hooks.append(guard.around_step)  # inside the screen (installed before)
    app.service.reply_guards.append(guard)
    if guard.cap > 0:  # the cap's count, asked with the conversation: one statement less
        app.service.replies_counted = (Lane.REPLY, HOUR)
