"""A negation reaches every term of the list it stands before; anything else keeps the hit."""

import pytest

from bot.screening.files import load_default_lexicon
from dialogs.screening import Screen

SCREEN = Screen(load_default_lexicon())


@pytest.mark.parametrize(
    ("text", "escalate"),
    [
        ("未发现打骂、虐待", False),
        ("没有发现打骂和虐待迹象", False),
        ("未见伤痕、淤青", False),
        ("no signs of abuse or neglect", False),
        ("未发现打骂，但孩子说爸爸经常打他", True),  # a new clause is not negated
        ("没有打骂，可是孩子身上有很多淤青", True),
        ("没想到孩子又被打了", True),  # not a plain negation
    ],
)
def test_negated_lists(text: str, escalate: bool) -> None:
    assert SCREEN.screen(text).escalate is escalate
