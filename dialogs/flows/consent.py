"""Flow "consent": guardian consent for processing a child's information (PIPL art. 31).

- A guardian who was sent a consent message answers 同意 (nothing else): consent is recorded
  for the children the message asked about (`ConsentReply`).
- A director records a guardian's consent given in person: 同意 A04 (`RecordConsent`).
One step, no state.
"""

from __future__ import annotations

from content.replies import Reply
from dialogs import effects as fx
from dialogs.flow import Answer, Flow, not_understood
from dialogs.flows.child_file import one_child
from dialogs.types import IDLE, Context, Inbound, Outcome, Role, State

NAME = "consent"


class ConsentFlow:
    name = NAME
    roles: frozenset[Role] | None = frozenset({Role.DIRECTOR, Role.GUARDIAN})
    menu_label_key: str | None = None

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        code = args.strip()
        if ctx.person is not None and ctx.person.role == Role.DIRECTOR:
            if not code:
                return Outcome(IDLE, (Reply("consent.usage_director"),))
            child_id, problem = one_child(code, ctx)
            if child_id is None:
                return Outcome(IDLE, (problem,) if problem else ())
            return Outcome(IDLE, (), (fx.RecordConsent(child_id),))
        if code:
            return Outcome(IDLE, (Reply("consent.usage_guardian"),))
        return Outcome(IDLE, (), (fx.ConsentReply(),))

    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        return not_understood()

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        return Outcome(IDLE)


FLOW: Flow = ConsentFlow()
