"""Phone numbers: parsed and formatted by `phonenumbers` (mainland China by default)."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers


@lru_cache(maxsize=4096)  # pure; every inbound SMS asks it for its sender
def to_e164(raw: str, region: str = "CN") -> str | None:
    """E.164: "+86 138 0013 8000" or "008613800138000" -> "+8613800138000"; None if invalid."""
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_valid(raw: str, region: str = "CN") -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(raw.strip(), region))
    except phonenumbers.NumberParseException:
        return False
