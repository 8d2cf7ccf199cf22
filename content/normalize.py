"""Text normalization shared by command words and the safety screen."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese (OpenCC's t2s); other scripts unchanged."""
    return str(_t2s().convert(text))


def fold(text: str) -> str:
    """NFKC (full-width to half-width), case-folded, simplified, trimmed."""
    return to_simplified(unicodedata.normalize("NFKC", text)).casefold().strip()


_EDGE_PUNCT = "。.!！?？,，;；:：~～、…'\"“”‘’()（）[]【】<>《》「」 \t\r\n"


def command_form(text: str) -> str:
    """The form in which a whole message is compared with command words.

    Folded, inner whitespace collapsed, punctuation at the edges removed:
    "  幫助！" -> "帮助", "Stop." -> "stop", "/Visit" -> "/visit".
    Remembered for the last few thousand short texts: every keyword group asks it of the
    same message (a dozen times per message).
    """
    return _remembered_form(text) if len(text) <= 256 else _command_form(text)


@lru_cache(maxsize=4096)
def _remembered_form(text: str) -> str:
    return _command_form(text)


def _command_form(text: str) -> str:
    folded = " ".join(fold(text).split())
    stripped = folded.strip(_EDGE_PUNCT)
    return stripped or folded
