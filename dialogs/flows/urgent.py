"""The urgent-concern flow: anyone, even an unknown sender, can report a concern.

紧急 / urgent / sos (content/keywords.toml [flows] urgent), then:
  what happened (free text; the words after the trigger count as the answer)
  -> which child (the sender's own children as choices, a typed code or name, or "skip";
     not asked when the report already names one of the sender's children)
  -> where ("skip")
  -> is the child in danger now (yes / no / not sure); "yes" -> "call 110 now" at once
  -> may we call you back (yes / no)
  -> OpenCase(source="urgent_flow"), even when no lexicon term matched.

Severity: in danger now -> critical; otherwise the screen's severity of the text when it
matches, else high ("not sure" never goes below high). The category is the screen's, or
"unclassified". On timeout, a concern whose "what happened" was given is still opened.
The screen comes from `ctx.extra["screen"]` (the shell's live lexicon), falling back to
the shipped default lexicon, built on first use.
"""

from __future__ import annotations

import re
from typing import Any

from content.normalize import command_form
from content.replies import Choice, Reply
from dialogs.effects import OpenCase
from dialogs.flow import Answer
from dialogs.screening.categories import Categories
from dialogs.screening.lexicon import severity_rank
from dialogs.screening.matcher import Screen
from dialogs.screening.replies import duty_replies, hotlines_reply
from dialogs.types import IDLE, Context, Inbound, Outcome, Role, State

NAME = "urgent"
UNCLASSIFIED = "unclassified"
YES, NO, UNSURE, SKIP = "yes", "no", "unsure", "skip"
_WORDS = {
    # "可以" / "行" answer "may we call you back" as people say it (a new user's trial)
    YES: {"是", "是的", "有", "对", "危险", "有危险", "可以", "可以的", "行", "yes", "y", "yeah"},
    NO: {"否", "不", "不是", "没有", "没", "无", "no", "n", "nope"},
    UNSURE: {
        "不确定",
        "不知道",
        "不清楚",
        "说不好",
        "unsure",
        "not sure",
        "dont know",
        "don't know",
    },
    SKIP: {"跳过", "略", "-", "skip", "不知道", "不清楚", "无", "pass"},
}
_CHOICE_LABEL = {
    YES: "urgent.choice.yes",
    NO: "urgent.choice.no",
    UNSURE: "urgent.choice.unsure",
    SKIP: "urgent.choice.skip",
}


def screen_for(ctx: Context, default: Screen) -> Screen:
    """The live screen the shell put in the context (the administrators' lexicon), else the
    one the flow was built with (the shipped lexicon, loaded by the shell)."""
    screen = ctx.extra.get("screen")
    return screen if callable(getattr(screen, "screen", None)) else default  # type: ignore[return-value]


def _choices(*payloads: str) -> tuple[Choice, ...]:
    return tuple(Choice(_CHOICE_LABEL[p], p) for p in payloads)


def _understood(answer: Answer, allowed: tuple[str, ...]) -> str | None:
    if answer.payload in allowed:
        return answer.payload
    form = command_form(answer.text)
    return next((p for p in allowed if form in _WORDS[p]), None)


CHILD_PREFIX = "child:"
MAX_CHILD_CHOICES = 8


def _ask(step: str, ctx: Context | None = None) -> Reply:
    if step == "child":
        own = tuple(
            Choice("urgent.child_option", CHILD_PREFIX + c.code, {"code": c.code, "name": c.name})
            for c in (ctx.children if ctx is not None else ())[:MAX_CHILD_CHOICES]
        )
        return Reply("urgent.ask_child", choices=(*own, *_choices(SKIP)))
    if step == "where":
        return Reply("urgent.ask_where", choices=_choices(SKIP))
    if step == "danger":
        return Reply("urgent.ask_danger", choices=_choices(YES, NO, UNSURE))
    if step == "callback":
        return Reply("urgent.ask_callback", choices=_choices(YES, NO))
    return Reply("urgent.ask_what")


def _at(step: str, data: dict[str, Any], *before: Reply, ctx: Context | None = None) -> Outcome:
    return Outcome(State(NAME, step, data), (*before, _ask(step, ctx)))


def _named_child(text: str, ctx: Context) -> str | None:
    """The code of the one child of the sender's the text names (code or name), else None."""
    folded = command_form(text)
    named = [
        c.code
        for c in ctx.children
        if re.search(rf"(?<![a-z0-9]){re.escape(command_form(c.code))}(?![0-9])", folded)
        or (len(c.name) >= 2 and c.name in text)
    ]
    return named[0] if len(set(named)) == 1 else None


def _after_what(data: dict[str, Any], ctx: Context) -> Outcome:
    """Ask which child, unless the report already named one of the sender's children."""
    code = _named_child(str(data.get("what", "")), ctx)
    if code is not None:
        data["child_code"] = code
        return _at("where", data, Reply("urgent.noted"))
    return _at("child", data, Reply("urgent.noted"), ctx=ctx)


def _child_code(text: str, ctx: Context) -> str:
    """A roster child's code when the answer names one of the sender's children, else the text."""
    form = command_form(text)
    for child in ctx.children:
        if form in (command_form(child.code), command_form(child.name)):
            return child.code
    return text.strip()


def build_case(data: dict[str, Any], ctx: Context, screen: Screen) -> OpenCase:
    text = str(data.get("what", ""))
    decision = screen_for(ctx, screen).screen(text)
    in_danger: bool | None = data.get("in_danger")
    severity = decision.severity if decision.escalate and decision.severity else "high"
    if in_danger:
        severity = "critical"
    elif data.get("danger_unsure") and severity_rank(severity) < severity_rank("high"):
        severity = "high"
    return OpenCase(
        category=decision.category or UNCLASSIFIED,
        severity=severity,
        text=text,
        matched=tuple(dict.fromkeys(m.term for m in decision.matches)),
        source="urgent_flow",
        child_code=data.get("child_code"),
        location=data.get("location"),
        in_danger=in_danger,
        callback_ok=data.get("callback_ok"),
    )


class UrgentFlow:
    name = NAME
    roles: frozenset[Role] | None = None
    menu_label_key: str | None = "menu.urgent"

    def __init__(self, screen: Screen, categories: Categories) -> None:
        self.screen = screen
        self.categories = categories

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        if args.strip():
            return _after_what({"what": args.strip()}, ctx)
        return _at("what", {})

    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        data = dict(state.data)
        step = state.step or "what"
        if step == "what":
            if not answer.text.strip():
                return _at("what", data)
            data["what"] = answer.text.strip()
            return _after_what(data, ctx)
        if step == "child":
            if answer.payload and answer.payload.startswith(CHILD_PREFIX):
                data["child_code"] = answer.payload.removeprefix(CHILD_PREFIX)
            elif _understood(answer, (SKIP,)) is None and answer.text.strip():
                data["child_code"] = _child_code(answer.text, ctx)
            return _at("where", data)
        if step == "where":
            if _understood(answer, (SKIP,)) is None and answer.text.strip():
                data["location"] = answer.text.strip()
            return _at("danger", data)
        if step == "danger":
            return self._danger(data, answer)
        if step == "callback":
            picked = _understood(answer, (YES, NO))
            if picked is None:
                return _at("callback", data, Reply("choice.invalid", {"count": 2}))
            data["callback_ok"] = picked == YES
            return self._finish(data, ctx)
        return _at("what", {})

    def _danger(self, data: dict[str, Any], answer: Answer) -> Outcome:
        picked = _understood(answer, (YES, NO, UNSURE))
        if picked is None:
            return _at("danger", data, Reply("choice.invalid", {"count": 3}))
        if picked == YES:
            data["in_danger"] = True
            return _at("callback", data, Reply("safety.call_110_now"))
        if picked == UNSURE:
            data["danger_unsure"] = True
            return _at("callback", data, Reply("urgent.if_in_doubt_110"))
        data["in_danger"] = False
        return _at("callback", data)

    def _finish(self, data: dict[str, Any], ctx: Context) -> Outcome:
        case = build_case(data, ctx, self.screen)
        key = "urgent.done" if data.get("callback_ok") else "urgent.done_no_callback"
        if ctx.extra.get("staffed") is False:
            key = "urgent.done_unstaffed"  # never "staff have it" when nobody is on duty
        duty = duty_replies(ctx, case.category, case.severity, self.categories)
        return Outcome(
            IDLE, (Reply(key), *duty, hotlines_reply(case.category, self.categories)), (case,)
        )

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        data = dict(state.data)
        if not str(data.get("what", "")).strip():
            return Outcome(IDLE)
        case = build_case(data, ctx, self.screen)
        duty = duty_replies(ctx, case.category, case.severity, self.categories)
        return Outcome(IDLE, (Reply("urgent.timeout_saved"), *duty), (case,))

    def on_cancel(self, state: State, ctx: Context) -> Outcome:
        """Cancelling never drops a concern already described: it goes to the hotline."""
        if not str(dict(state.data).get("what", "")).strip():
            return Outcome(IDLE, (Reply("cancel.done"),))
        return self.on_timeout(state, ctx)
