import pytest

from bot.phones import to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "+8613800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        ("+1 415 555 0100", "+14155550100"),
        ("hello", None),
        ("123", None),
    ],
)
def test_to_e164(raw: str, expected: str | None) -> None:
    assert to_e164(raw) == expected
