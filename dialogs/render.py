"""Render an abstract Reply into text (and buttons) for a channel style, in a locale.

Pure: the catalog and the locale are passed in. Two styles:
- "buttons" (Telegram): the text, and one button per choice (label, payload);
- "numbered" (SMS, console): the text followed by a stable numbered menu ("1 走访").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from content.catalog import Catalog
from content.replies import Reply

Style = Literal["buttons", "numbered"]


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    buttons: tuple[Button, ...] = ()
    request_contact_label: str | None = None  # Telegram: show a "share my phone" keyboard


def render(reply: Reply, catalog: Catalog, locale: str, style: Style) -> Rendered:
    text = catalog.text(reply.key, locale, reply.params)
    buttons = tuple(
        Button(catalog.text(c.label_key, locale, c.params), c.payload) for c in reply.choices
    )
    contact = catalog.text("contact.share_button", locale) if reply.request_contact else None
    if style == "buttons" or not buttons:
        return Rendered(text, buttons, contact)
    menu = "\n".join(f"{i} {b.label}" for i, b in enumerate(buttons, start=1))
    return Rendered(f"{text}\n{menu}", buttons, contact)


def render_all(
    replies: Sequence[Reply], catalog: Catalog, locale: str, style: Style
) -> list[Rendered]:
    return [render(r, catalog, locale, style) for r in replies]
