"""An abstract reply and its choices: the message type every layer above content shares.

The dialog core (`dialogs`) and the reminder logic (`reminders`) both build replies; neither
may import the other, so the type lives here, in the bottom layer, next to the catalog that
renders it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a question: a catalog key for its label and the payload it sends back."""

    label_key: str
    payload: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    """An abstract message: a catalog key with parameters, rendered per channel and locale."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    request_contact: bool = False  # ask Telegram to show its "share my phone" button
