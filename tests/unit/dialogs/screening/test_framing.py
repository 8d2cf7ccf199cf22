"""Framing cues as a table: how a message is told, and ages that make the subject a minor."""

from __future__ import annotations

import pytest

from bot.screening.files import load_framing
from dialogs.screening.framing import Framing, minor_age


@pytest.fixture(scope="module")
def framing() -> Framing:
    return load_framing()


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("电视剧里那个孩子被拐走了", {"media", "child"}),
        ("之前走丢过一次，当天就找到了", {"resolved"}),
        ("入户走访，未发现打骂", {"negation"}),
        ("鸡被黄鼠狼咬死了", {"adult_or_animal"}),
        ("打篮球摔的，膝盖破了点皮", {"explained"}),
        ("这种情况要报警吗？孩子身上老是有淤青", {"question", "child"}),
        ("我女儿才14岁", {"child", "minor"}),
        ("a 14 year old girl", {"child", "minor"}),
        ("十三岁", {"minor"}),
        ("他今年35岁", set()),
        ("電視劇", {"media"}),  # traditional characters read as simplified
    ],
)
def test_framing_kinds(framing: Framing, text: str, kinds: set[str]) -> None:
    assert kinds <= set(framing.found(text))
    if not kinds:
        assert framing.found(text) == []


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("14岁", True),
        ("17周岁", True),
        ("18岁", False),
        ("三十岁", False),
        ("十二岁", True),
        ("两岁半", True),
        ("9个月大", True),
        ("15-year-old", True),
        ("40 years old", False),
    ],
)
def test_minor_age(text: str, minor: bool) -> None:
    assert minor_age(text) is minor


def test_framing_data_must_be_lists() -> None:
    with pytest.raises(ValueError, match=r"framing\.media"):
        Framing.from_mapping({"framing": {"media": "电视剧"}})
