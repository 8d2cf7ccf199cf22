"""SMS encoding and segment counting (GSM 03.38 / UCS-2), a pure function.

Follows Twilio's segment calculator: GSM-7 160 chars (153 per part when split), extension
characters count two; anything outside GSM-7 forces UCS-2, 70 UTF-16 units (67 per part).
A character (or surrogate pair) is never split across segments.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets or UTF-16 code units
    segments: int


def encoding_of(text: str) -> str:
    return "GSM-7" if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text) else "UCS-2"


def _char_units(c: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return 2 if c in GSM7_EXTENDED else 1
    return 2 if ord(c) > 0xFFFF else 1


def count_segments(text: str) -> SegmentInfo:
    encoding = encoding_of(text)
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    units = [_char_units(c, encoding) for c in text]
    total = sum(units)
    if total <= single:
        return SegmentInfo(encoding, total, 1 if text else 0)
    segments, used = 1, 0
    for u in units:
        if used + u > multi:
            segments += 1
            used = 0
        used += u
    return SegmentInfo(encoding, total, segments)
