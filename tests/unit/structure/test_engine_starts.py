"""`Engine.starts` routes like `Engine.step` without running a flow: the hotline pre-step
asks it whether a message starts the urgent flow (no second run of the dialog)."""

from __future__ import annotations

import pytest

from dialogs.types import IDLE, State
from tests.support.core import shipped_engine
from tests.unit.dialogs.screening.helpers import DIRECTOR, GUARDIAN, ctx, inbound

ENGINE = shipped_engine()
TEXTS = [
    "紧急",
    "紧急 孩子被打了",
    "urgent",
    "帮助",
    "取消",
    "走访",
    "待访",
    "你好",
    "1",
    "孩子被打了",
    "",
]
STATES = [
    IDLE,
    State("visit", "kind", {"answers": {"child": 7}, "mode": "new"}),
    State("due", "list"),
]


@pytest.mark.parametrize("person", [DIRECTOR, GUARDIAN, None])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("text", TEXTS)
def test_starts_names_the_flow_the_step_enters(text: str, state: State, person: object) -> None:
    context = ctx(person)  # type: ignore[arg-type]
    message = inbound(text)
    after = ENGINE.step(state, message, context).state
    started = ENGINE.starts(state, message, context)
    if started is not None:
        assert after.flow == started
    if state.flow is None and after.flow is not None:
        assert started == after.flow  # from idle, only the engine enters a flow
    if after.flow == "urgent" and state.flow != "urgent":
        assert started == "urgent"  # no flow hands over to the urgent one: the engine starts it


def test_a_button_starts_its_flow() -> None:
    assert ENGINE.starts(IDLE, inbound(payload="cmd:urgent"), ctx(GUARDIAN)) == "urgent"
