"""Redact a message before it joins the training data: no phone numbers, no ID or account
numbers, no names of the people a case knows."""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

PHONE, NUMBER, NAME = "[电话]", "[号码]", "[姓名]"
_LONG_NUMBER = re.compile(r"\d[\d\s-]{5,}\d[xX]?")


def redact(text: str, names: Iterable[str] = ()) -> str:
    out = text
    for match in reversed(list(phonenumbers.PhoneNumberMatcher(out, "CN"))):
        out = out[: match.start] + PHONE + out[match.end :]
    out = _LONG_NUMBER.sub(NUMBER, out)
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        out = out.replace(name, NAME)
    return out
