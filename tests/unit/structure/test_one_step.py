"""The dialog steps once per message: only bot/service.py steps the engine, and the step's own
outcome says whether the text was understood (the hotline reads it; no dry run)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from dialogs.types import IDLE, State
from tests.support.core import shipped_engine
from tests.unit.dialogs.screening.helpers import DIRECTOR, GUARDIAN, ctx, inbound

ROOT = Path(__file__).resolve().parents[3]
ENGINE = shipped_engine()


def test_only_the_inbound_service_steps_the_engine() -> None:
    found = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if "engine.step(" in path.read_text("utf-8")
    ]
    assert found == ["bot/service.py"]


@pytest.mark.parametrize("person", [DIRECTOR, GUARDIAN, None])
@pytest.mark.parametrize(
    "text", ["紧急", "帮助", "取消", "走访", "你好", "1", "孩子被打了", "asdf qwer", ""]
)
@pytest.mark.parametrize("state", [IDLE, State("due", "list")])
def test_understood_is_what_the_first_reply_says(text: str, state: State, person: object) -> None:
    outcome = ENGINE.step(state, inbound(text), ctx(person))  # type: ignore[arg-type]
    said = bool(outcome.replies) and outcome.replies[0].key == "fallback.not_understood"
    assert outcome.understood is not said


@pytest.mark.parametrize("text", ["asdf qwer", "你好", "12", ""])
def test_a_screened_fallback_says_nothing_and_keeps_the_flag(text: str) -> None:
    plain = ENGINE.step(IDLE, inbound(text), ctx(DIRECTOR))
    screened = ENGINE.step(IDLE, inbound(text), replace(ctx(DIRECTOR), screened=True))
    assert plain.fallback and plain.replies
    assert screened.replies == () and screened.state == IDLE
    assert screened.understood == plain.understood
