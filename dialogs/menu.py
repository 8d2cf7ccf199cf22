"""The main menu: what a sender can do from idle, by role."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dialogs.types import Choice, Context, Reply

if TYPE_CHECKING:
    from dialogs.flow import Flow


def main_menu(ctx: Context, flows: Sequence[Flow]) -> Reply:
    choices = tuple(Choice(f.menu_label_key, "cmd:" + f.name) for f in flows if f.menu_label_key)
    choices += (Choice("menu.help", "cmd:help"), Choice("menu.language", "cmd:language"))
    role = ctx.person.role.value if ctx.person else "unknown"
    return Reply(f"menu.{role}", {"name": ctx.person.name if ctx.person else ""}, choices)
