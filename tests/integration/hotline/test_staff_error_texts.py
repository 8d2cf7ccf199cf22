"""Staff error texts name the verb as the staff member typed it in their language (issue 10,
item 12, found in a cold demo trial): "认领 C999" is answered with "例如：认领 C…", never with
the internal verb "claim C…"."""

from __future__ import annotations

import re

import pytest

from bot.app import Application
from tests.integration.hotline.helpers import HOTLINE, say, texts


@pytest.mark.parametrize(
    ("command", "example"),
    [
        ("认领 C999", "认领 C…"),
        ("查看 C1", "查看 C…"),
        ("结案 C999 已处理", "结案 C…"),
        ("备注 C260302-0007", "备注 C… 内容"),  # a placeholder, not a case the demo has
        ("回复 C260302-0007", "回复 C… 内容"),
    ],
)
async def test_staff_errors_use_the_chinese_verb(
    app: Application, command: str, example: str
) -> None:
    await say(app, command, HOTLINE)
    answer = (await texts(app, HOTLINE))[-1]
    assert example in answer, answer
    assert not re.search(r"[A-Za-z]{3,}", answer), answer  # no claim/show/note …
