"""The main menu: what a sender can do from idle, by role."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from content.replies import Choice, Reply
from dialogs.types import Context

if TYPE_CHECKING:
    from dialogs.flow import Flow


# Guardians type "1" and "2" to answer reminders, and an unknown sender's "1" is as likely a
# slip: for them the menu never numbers the emergency flow (a mistyped "1" must not start
# it). Their menu text says how to ask for help instead: "紧急", or just describe it; 110.
UNNUMBERED_FLOWS: dict[str | None, frozenset[str]] = {
    "guardian": frozenset({"urgent"}),
    None: frozenset({"urgent"}),
}


def main_menu(ctx: Context, flows: Sequence[Flow]) -> Reply:
    hidden = UNNUMBERED_FLOWS.get(ctx.person.role.value if ctx.person else None, frozenset())
    choices = tuple(
        Choice(f.menu_label_key, "cmd:" + f.name)
        for f in flows
        if f.menu_label_key and f.name not in hidden
    )
    choices += (Choice("menu.help", "cmd:help"), Choice("menu.language", "cmd:language"))
    role = ctx.person.role.value if ctx.person else "unknown"
    return Reply(f"menu.{role}", {"name": ctx.person.name if ctx.person else ""}, choices)
