"""The contract every conversation flow implements, and the answer it is given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from content.replies import Reply
from dialogs.types import IDLE, Context, Inbound, Outcome, Role, State

NOT_UNDERSTOOD = "fallback.not_understood"


@dataclass(frozen=True, slots=True)
class Answer:
    """What the sender said, resolved: a button payload or numbered choice, and the text."""

    text: str  # the raw text, stripped
    payload: str | None  # a choice's payload when the sender tapped a button or sent its number


class Flow(Protocol):
    name: str
    roles: frozenset[Role] | None  # who may start it; None: anyone, including unknown senders
    menu_label_key: str | None  # shown in the main menu when set

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        """Begin the flow; `args` is the rest of the message after the trigger word."""
        ...

    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        """Continue the flow with the sender's next answer."""
        ...

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        """The conversation went quiet for too long: close it (keeping a draft if useful)."""
        ...


def not_understood(state: State = IDLE, *more: Reply) -> Outcome:
    """The flow (or the idle dialog) did not understand the text: "没看懂", marked so that the
    shell sees it in the step's own outcome (`Outcome.understood`)."""
    return Outcome(state, (Reply(NOT_UNDERSTOOD), *more), understood=False)
