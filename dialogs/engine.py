"""One pure step of a conversation: (state, inbound, context) -> (state, replies, effects).

Order of precedence for every message:
1. a number that picks one of the last question's choices, or a button payload;
2. global words (help, cancel, stop, start, language), at any step;
3. a word that starts a flow (visit, due, urgent ...), replacing what was idle;
4. the active flow's own handling;
5. idle: the sender's menu.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from content.keywords import Keywords
from content.normalize import command_form
from content.replies import Choice, Reply
from dialogs import effects as fx
from dialogs.flow import NOT_UNDERSTOOD, Answer, Flow, not_understood
from dialogs.menu import main_menu
from dialogs.types import IDLE, Channel, Context, Inbound, Outcome, Role, State

LANG_PREFIX = "lang:"
CMD_PREFIX = "cmd:"


def resolve_answer(state: State, inbound: Inbound) -> Answer:
    text = inbound.text.strip()
    if inbound.payload:
        return Answer(text=text, payload=inbound.payload)
    form = command_form(text)
    if state.choices and form.isdigit():
        n = int(form)
        if 1 <= n <= len(state.choices):
            return Answer(text=text, payload=state.choices[n - 1])
    return Answer(text=text, payload=None)


def with_choices(state: State, replies: tuple[Reply, ...]) -> State:
    """Remember the payloads of the last question so "2" can be resolved next time."""
    for reply in reversed(replies):
        if reply.choices:
            return State(
                state.flow, state.step, state.data, tuple(c.payload for c in reply.choices)
            )
    return State(state.flow, state.step, state.data, ())


def language_prompt() -> Reply:
    return Reply(
        "language.prompt",
        choices=(
            Choice("language.name.zh_Hans", LANG_PREFIX + "zh_Hans"),
            Choice("language.name.zh_Hant", LANG_PREFIX + "zh_Hant"),
            Choice("language.name.en", LANG_PREFIX + "en"),
        ),
    )


def answered_already(outcome: Outcome) -> Outcome:
    """The outcome when a safety reply already answered the message (`Context.screened`): a
    fallback answer (`Outcome.fallback`) says nothing and asks no question; a flow that did
    not understand the text keeps its state and any question asked again, without "没看懂"."""
    if not outcome.fallback:
        if outcome.understood:
            return outcome
        kept = tuple(r for r in outcome.replies if r.key != NOT_UNDERSTOOD)
        return replace(outcome, replies=kept)
    return Outcome(
        replace(outcome.state, choices=()),
        (),
        outcome.effects,
        understood=outcome.understood,
        fallback=True,
    )


def help_reply(ctx: Context) -> Reply:
    role = ctx.person.role.value if ctx.person else "unknown"
    return Reply(f"help.{role}")


def media_only(state: State, inbound: Inbound) -> Outcome:
    """A picture or voice note without text: kept by reference on the inbound row; the sender
    is asked for words (the state is kept, so a question asked before still waits)."""
    if all(m.kind == "voice" for m in inbound.media):
        key = "media.voice_received"
    elif any(m.kind == "image" for m in inbound.media):
        key = "media.received"
    else:
        key = "media.attachment_received"  # a video, sticker or file
    return Outcome(state, (Reply(key),))


VISIT_FLOW = "visit"  # dialogs.flows.visit.NAME (the engine imports no flow)


class Engine:
    def __init__(self, keywords: Keywords, flows: Mapping[str, Flow]) -> None:
        self.keywords = keywords
        self.flows = dict(flows)

    def _allowed(self, flow: Flow, ctx: Context) -> bool:
        if flow.roles is None:
            return True
        return ctx.person is not None and ctx.person.role in flow.roles

    def step(self, state: State, inbound: Inbound, ctx: Context) -> Outcome:
        photos = self._visit_photos(state, inbound, ctx)
        if photos is not None:
            return photos  # the state as it was: a question asked before keeps its choices
        if inbound.media and not inbound.text.strip() and inbound.payload is None:
            return media_only(state, inbound)
        missing = self._photo_missing(state, inbound, ctx)
        if missing is not None:
            return missing
        outcome = self._step(state, inbound, ctx)
        if ctx.screened:
            outcome = answered_already(outcome)
        return Outcome(
            with_choices(outcome.state, outcome.replies),
            outcome.replies,
            outcome.effects,
            understood=outcome.understood,
            fallback=outcome.fallback,
        )

    def starts(self, state: State, inbound: Inbound, ctx: Context) -> str | None:
        """The flow this message starts, by the step's own routing, without running a flow:
        None for photos, a bare picture, a shared contact, a command (help, stop, cancel...),
        an answer inside the current flow, or idle text."""
        if self._visit_photos(state, inbound, ctx) is not None:
            return None
        if inbound.media and not inbound.text.strip() and inbound.payload is None:
            return None
        if inbound.contact_phone:
            return None
        answer = resolve_answer(state, inbound)
        if self._global(state, answer, inbound, ctx) is not None:
            return None
        target = self._start_target(state, answer)
        if target is None or not self._allowed(target[0], ctx):
            return None
        return target[0].name

    def timeout(self, state: State, ctx: Context) -> Outcome:
        flow = self.flows.get(state.flow or "")
        if flow is None:
            return Outcome(IDLE)
        outcome = flow.on_timeout(state, ctx)
        return Outcome(
            with_choices(outcome.state, outcome.replies), outcome.replies, outcome.effects
        )

    def _step(self, state: State, inbound: Inbound, ctx: Context) -> Outcome:
        if inbound.contact_phone:
            return Outcome(state, (), (fx.LinkContact(inbound.contact_phone),))
        answer = resolve_answer(state, inbound)
        globals_ = self._global(state, answer, inbound, ctx)
        if globals_ is not None:
            return globals_
        started = self._start_flow(state, answer, inbound, ctx)
        if started is not None:
            return started
        flow = self.flows.get(state.flow or "")
        if flow is not None:
            return flow.handle(state, answer, ctx)
        return self._idle(answer, ctx)  # a fallback: says nothing when already screened

    def _visit_photos(self, state: State, inbound: Inbound, ctx: Context) -> Outcome | None:
        """A director's photos and voice notes, alone or captioned `照片 A04`: the shell
        attaches them to the visit being reported, to the child's latest visit, or to the one
        saved a moment ago (fx.AttachVisitPhotos answers). Other media and senders: None."""
        images = tuple(m for m in inbound.media if m.kind in ("image", "voice"))
        if not images or ctx.person is None or ctx.person.role != Role.DIRECTOR:
            return None
        if inbound.payload is not None:
            return None
        code: str | None = None
        if inbound.text.split():
            code = self._caption_code(inbound.text)
            if code is None:
                return None
        in_report = code is None and state.flow == VISIT_FLOW
        return Outcome(state, (), (fx.AttachVisitPhotos(images, code, in_report),))

    def _photo_missing(self, state: State, inbound: Inbound, ctx: Context) -> Outcome | None:
        """A director's `照片 A04` with no picture in it: how to send one (never free text,
        which would join a case as a detail); the state is kept."""
        if (
            inbound.media
            or inbound.payload is not None
            or ctx.person is None
            or ctx.person.role != Role.DIRECTOR
        ):
            return None
        code = self._caption_code(inbound.text)
        if code is None:
            return None
        return Outcome(state, (Reply("visit.photo_missing", {"code": code}),))

    def _caption_code(self, text: str) -> str | None:
        """The child's code of a photo caption (`照片 A04`), else None."""
        words = text.split()
        if len(words) != 2 or not self.keywords.is_word("photo", words[0]):
            return None
        return command_form(words[1]).upper()

    def _idle(self, answer: Answer, ctx: Context) -> Outcome:
        """One coherent answer to idle text: the menu for small talk (and nothing), one line
        for a number that answers no question (a guardian's "1" after a finished reminder
        conversation), else "没看懂" and the menu."""
        menu = main_menu(ctx, self._menu_flows(ctx))
        if not (answer.text or answer.payload) or self.keywords.is_word("small_talk", answer.text):
            return Outcome(IDLE, (menu,), fallback=True)
        if answer.payload is None and command_form(answer.text).isdigit():
            return Outcome(IDLE, (Reply("idle.number_no_question"),), fallback=True)
        return replace(not_understood(IDLE, menu), fallback=True)

    def _menu_flows(self, ctx: Context) -> list[Flow]:
        return [f for f in self.flows.values() if f.menu_label_key and self._allowed(f, ctx)]

    def _global(
        self, state: State, answer: Answer, inbound: Inbound, ctx: Context
    ) -> Outcome | None:
        kw, text, payload = self.keywords, answer.text, answer.payload or ""
        opted_out = bool(ctx.extra.get("opted_out"))
        if payload.startswith(LANG_PREFIX):
            locale = payload.removeprefix(LANG_PREFIX)
            return Outcome(state, (Reply("language.set"),), (fx.SetLocale(locale),))
        if payload == CMD_PREFIX + "help":
            return Outcome(state, (help_reply(ctx),))
        if payload == CMD_PREFIX + "language" or kw.is_word("language", text):
            return Outcome(state, (language_prompt(),))
        named = kw.language_named(text)
        if named is not None and state.flow is None:
            return Outcome(state, (Reply("language.set"),), (fx.SetLocale(named),))
        if kw.is_word("stop", text) or (
            inbound.channel == Channel.SMS and kw.is_word("sms_stop_extra", text)
        ):
            return Outcome(IDLE, (Reply("stop.confirmed"),), (fx.OptOut(),))
        if kw.is_word("start", text) or (opted_out and kw.is_word("start_when_opted_out", text)):
            return Outcome(state, (Reply("start.confirmed"),), (fx.OptIn(),))
        if kw.is_word("telegram_start", text):
            return self._telegram_start(ctx)
        if kw.is_word("help", text):
            replies: tuple[Reply, ...] = (help_reply(ctx),)
            if state.flow is not None:
                replies += (Reply("help.in_flow"),)
            return Outcome(state, replies)
        if kw.is_word("cancel", text) or payload == CMD_PREFIX + "cancel":
            if state.flow is None:
                return Outcome(IDLE, (main_menu(ctx, self._menu_flows(ctx)),))
            return self._cancel(state, ctx)
        return None

    def _cancel(self, state: State, ctx: Context) -> Outcome:
        """Leave the flow. A flow that must not lose what was said (a concern) has on_cancel."""
        menu = main_menu(ctx, self._menu_flows(ctx))
        on_cancel = getattr(self.flows.get(state.flow or ""), "on_cancel", None)
        if on_cancel is None:
            return Outcome(IDLE, (Reply("cancel.done"), menu))
        kept: Outcome = on_cancel(state, ctx)
        return Outcome(IDLE, (*kept.replies, menu), kept.effects)

    def _telegram_start(self, ctx: Context) -> Outcome:
        if ctx.person is None:
            return Outcome(IDLE, (Reply("welcome.share_contact", request_contact=True),))
        return Outcome(
            IDLE,
            (
                Reply("welcome.known", {"name": ctx.person.name}),
                main_menu(ctx, self._menu_flows(ctx)),
            ),
        )

    def _start_flow(
        self, state: State, answer: Answer, inbound: Inbound, ctx: Context
    ) -> Outcome | None:
        target = self._start_target(state, answer)
        if target is None:
            return None
        flow, args = target
        if not self._allowed(flow, ctx):
            key = "flow.unknown_sender" if ctx.person is None else "flow.not_for_role"
            return Outcome(state, (Reply(key),))
        return flow.start(inbound, ctx, args)

    def _start_target(self, state: State, answer: Answer) -> tuple[Flow, str] | None:
        """The flow the answer's trigger word or button names, with its arguments."""
        name: str | None = None
        args = ""
        if answer.payload and answer.payload.startswith(CMD_PREFIX):
            name = answer.payload.removeprefix(CMD_PREFIX)
        elif answer.text:
            head, _, rest = answer.text.strip().partition(" ")
            name = self.keywords.flow_for(head)
            if name is None:
                # Chinese has no spaces: "走访A12 良好" starts with the trigger word.
                name, args = self._glued_trigger(answer.text.strip())
            else:
                args = rest.strip()
        flow = self.flows.get(name or "")
        if flow is None:
            return None
        if state.flow is not None and answer.payload is None and (args or flow.name == state.flow):
            # Inside a flow, text is an answer ("走访时孩子不在家" is a note, not a new
            # report); only another flow's whole trigger word (紧急 mid-report) starts it.
            return None
        return flow, args

    def _glued_trigger(self, text: str) -> tuple[str | None, str]:
        form = command_form(text)
        for flow, words in self.keywords.flow_words.items():
            for word in words:
                if (
                    len(word) >= 2
                    and not word.isascii()
                    and form.startswith(word)
                    and len(form) > len(word)
                ):
                    return flow, text.strip()[len(word) :].strip()
        return None, ""
