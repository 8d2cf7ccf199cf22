"""The hotline capability: screen every inbound text, open and merge cases, alert staff,
relay staff replies, and the SLA jobs. Installed from bot/capabilities.py."""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import StepScope
from bot.hotline import jobs, reporter_side
from bot.hotline.cases import open_case
from bot.hotline.config import HotlineConfig
from bot.hotline.live_screen import default_screen
from bot.hotline.runtime import Hotline, ScreenLike
from bot.hotline.staff import HANDLERS
from bot.screening.store import shipped_categories
from content.replies import Reply
from dialogs.effects import OpenCase
from dialogs.engine import answered_already
from dialogs.flows import due as due_list
from dialogs.flows import hotline_staff as staff
from dialogs.flows import urgent
from dialogs.screening import open_case_effect, safety_replies
from dialogs.screening.replies import DUTY, REVIEW_NOTED
from dialogs.types import IDLE, Context, Inbound, Outcome, State
from storage.models import Person

if TYPE_CHECKING:
    from bot.host import Host
    from bot.service import DialogStep

log = logging.getLogger(__name__)


def install(app: Host, config: HotlineConfig) -> Hotline:
    """`config` is read by `build_app`, which also connects `open_case_from_visit` (this
    capability's answer to a visit's danger signs) to the visits capability."""
    hl = Hotline(
        config=config,
        tz=ZoneInfo(app.settings.timezone),
        channels=app.channels.keys(),
    )
    app.hotline = hl

    async def live_screen(
        session: AsyncSession, person: Person | None, extra: dict[str, object]
    ) -> None:
        now = app.clock.now()
        probe = await hl.probes.get(session, now)  # one statement for both, when asked
        extra["screen"] = hl.screen or await hl.screens.get(session, now, probe.version)
        extra["hotline_name"] = hl.config.hotline_name
        # nobody on duty now: the reporter is never told that staff have it
        extra["staffed"] = probe.staffed

    async def on_open_case(scope: StepScope, effect: OpenCase) -> None:
        await open_case(hl, scope, effect)

    def urgent(inbound: Inbound) -> bool:
        """A text the screen would pass on to a person: processed before the others when
        webhooks answer first under load (bot/intake.py). The screen last used here; none
        is built for it (building one would hold up the webhook that asks)."""
        screen = hl.screen or hl.screens.current
        return screen is not None and screen.screen(inbound.text).reaches_person

    app.service.context_hooks.append(live_screen)
    app.service.step_hooks.append(partial(screen_step, app, hl))
    app.intake.urgent = urgent
    app.service.effects.register(OpenCase, on_open_case)
    for effect_type, handler in HANDLERS.items():
        app.service.effects.register(effect_type, partial(handler, hl))
    app.scheduler.add_job(
        jobs.rota_check,
        "interval",
        hours=1,
        args=[app],
        id="hotline_rota_check",
        next_run_time=app.clock.now(),
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )  # fmt: skip  (at start, then hourly: a warning when nobody is on duty)
    for job, seconds in (
        (jobs.sla_watchdog, hl.config.watchdog_seconds),
        (jobs.record_deliveries, hl.config.deliveries_seconds),
    ):
        app.scheduler.add_job(
            job, "interval", seconds=seconds, args=[app], id=f"hotline_{job.__name__}",
            coalesce=True, max_instances=1, replace_existing=True,
        )  # fmt: skip
    return hl


def add_commands(subparsers: Any) -> None:
    from bot.hotline.commands import add_commands as add

    add(subparsers)


async def screen_step(
    app: Host, hl: Hotline, scope: StepScope, state: State, ctx: Context, step: DialogStep
) -> Outcome:
    """Wraps the dialog's one step on every inbound text; whatever the sender was doing goes on.

    Commands and flows always work. Idle free text that the dialog did not understand (its
    outcome says so) goes to the sender's case when there is one (the relay window after a
    staff reply, or the merge window after their report): relayed to the owner,
    acknowledged once, and the dialog's "没看懂" is not said."""
    text = scope.inbound.text.strip()
    if not text:
        return await step(state, ctx)
    person = scope.person
    if (
        person is not None
        and person.role in staff.STAFF_ROLES
        and staff.is_staff_command(text)
        and state.flow in (None, staff.NAME)
    ):
        return await step(State(staff.NAME, "command"), ctx)  # the staff flow handles it
    if (
        person is not None
        and person.role in staff.STAFF_ROLES
        and app.service.engine.keywords.is_word("help", text)
    ):
        verbs = (Reply("hotline.staff.verbs"),)  # every verb, with an example
        return joined(Outcome(state, verbs), await step(state, replace(ctx, screened=True)))
    recorded = await reporter_side.police_reported(app, scope)
    if recorded is not None:  # "已报警": on the reporter's case; a question asked still waits
        paused = (Reply(FLOW_PAUSED),) if state.flow not in UNPAUSED_FLOWS else ()
        return Outcome(IDLE if state.flow == staff.RELAY_NAME else state, (recorded, *paused))
    decision = screen_of(ctx).screen(text)
    effect = open_case_effect(decision, text)
    code = child_in_conversation(state, ctx)
    if effect is not None and code is not None:
        effect = replace(effect, child_code=code)
    replies = safety_replies(decision, ctx, shipped_categories())
    if DUTY in (r.key for r in replies) and _in_urgent_flow(app, scope, state, ctx):
        replies = tuple(r for r in replies if r.key != DUTY)  # the flow says it once, at its end
    next_state = IDLE if state.flow == staff.RELAY_NAME else state
    said = replace(ctx, screened=True) if replies else ctx
    outcome = await step(next_state, said)  # the dialog's one run
    if scope.inbound.payload:
        return joined(Outcome(next_state, replies, (effect,) if effect else ()), outcome)
    unclear = reporter_side.not_understood(app, scope, outcome)
    if state.flow in (None, staff.RELAY_NAME) or unclear:
        handled = await reporter_side.idle_text(
            app, hl, scope, decision, effect, replies, understood=not unclear
        )
        if handled is not None and state.flow in LEAVABLE_FLOWS:
            # a list to pick from did not understand it: the text joins the case, the list ends
            return Outcome(IDLE, handled.replies, handled.effects)
        if handled is not None:
            # idle, in a relay, or inside a report (a visit, an edit: the flow goes on)
            return joined(handled, answered_already(outcome))
    if effect is None and _needs_review(app, scope, state, unclear):
        effect = OpenCase("unclassified", "medium", text, (), source="review")
        replies = (Reply(REVIEW_NOTED),)
    if replies and unclear and state.flow in LEAVABLE_FLOWS:
        # a list to pick from did not understand a concern: the safety reply answers, the list ends
        return Outcome(IDLE, replies, (effect,) if effect else ())
    if replies and not said.screened:
        outcome = answered_already(outcome)  # the review's reply answered it
    if replies and state.flow not in UNPAUSED_FLOWS and _same_step(state, outcome.state):
        # a flow's question got a concern instead of its answer: the safety replies, then
        # that the question still waits (not the flow's "没看懂日期" beside them)
        outcome = replace(outcome, replies=(Reply(FLOW_PAUSED),))
    return joined(Outcome(next_state, replies, (effect,) if effect else ()), outcome)


def _same_step(before: State, after: State) -> bool:
    """The flow did not move: the text was not an answer to its question."""
    return (before.flow, before.step, before.data) == (after.flow, after.step, after.data)


def joined(first: Outcome, dialog: Outcome) -> Outcome:
    """What the screen decided, then the dialog's step (whose state is kept)."""
    return Outcome(
        dialog.state,
        (*first.replies, *dialog.replies),
        (*first.effects, *dialog.effects),
        understood=dialog.understood,
        fallback=dialog.fallback,
    )


def _in_urgent_flow(app: Host, scope: StepScope, state: State, ctx: Context) -> bool:
    """The message is (or starts) an urgent-flow report, whose last reply tells the duty:
    the engine's routing says so (no flow runs twice)."""
    return urgent.NAME in (state.flow, app.service.engine.starts(state, scope.inbound, ctx))


# Flows with nothing to lose (a list to pick from): free text that joins a case leaves them
# (as it does idle and in a relay).
LEAVABLE_FLOWS = frozenset({due_list.NAME})
# Where a concern is no interruption (idle, a relay, the staff's verbs, the urgent report
# itself): no "the question still waits" after the safety replies
UNPAUSED_FLOWS = frozenset({None, staff.NAME, staff.RELAY_NAME, urgent.NAME})
FLOW_PAUSED = "safety.flow_paused"


def screen_of(ctx: Context) -> ScreenLike:
    """The live screen from the context (or an injected one), else the shipped default."""
    found = ctx.extra.get("screen")
    # what isinstance(found, ScreenLike) asks, without walking the protocol every message
    return cast(ScreenLike, found) if callable(getattr(found, "screen", None)) else default_screen()


def child_in_conversation(state: State, ctx: Context) -> str | None:
    """The child a director's current flow is about (a visit report, an urgent report)."""
    data = state.data
    answers = data.get("answers")
    child_id = answers.get("child") if isinstance(answers, dict) else None
    for child in ctx.children:
        if child.id == child_id or child.code == data.get("child_code"):
            return child.code
    return None


def _needs_review(app: Host, scope: StepScope, state: State, unclear: bool) -> bool:
    """Free text from an unknown sender that is not a command and matched nothing: a
    person reads it (a case on the review lane) — the lexicon is never complete."""
    if scope.person is not None or state.flow is not None or scope.inbound.payload:
        return False
    if app.service.engine.keywords.is_word("small_talk", scope.inbound.text):
        return False  # "你好", "在吗": answered by the menu, not worth a case on its own
    return unclear
