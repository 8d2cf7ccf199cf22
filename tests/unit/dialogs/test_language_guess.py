"""A stranger writing English gets English; pinyin, initials, one word and Chinese do not."""

from __future__ import annotations

import pytest

from dialogs.language import guess_locale


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("my neighbour's kid is beaten badly", "en"),
        ("Hello, I need help", "en"),
        ("help me please", "en"),
        ("My child is sick, what should I do?", "en"),
        ("A girl in my class has bruises all over her arms", "en"),
        ("wo jia hai zi bei da le", None),
        ("xiaoming bei ren da le, zen me ban", None),
        ("lin ju jia de xiao hai bei da help", None),
        ("yyds nsdd xswl", None),
        ("ok", None),
        ("help", None),
        ("TD", None),
        ("1", None),
        ("邻居家的孩子被打了 help", None),
        ("我的 kid is sick", None),
        ("", None),
    ],
)
def test_guess_locale(text: str, locale: str | None) -> None:
    assert guess_locale(text) == locale
