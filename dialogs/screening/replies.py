"""What to tell the sender when the screen escalates: pure, catalog keys only.

Rules:
- Nothing when the screen does not escalate.
- Self-harm written by the sender about themselves, or not saying about whom
  (`Decision.about_self` is not False), from someone who is not staff (unknown sender,
  guardian channel - a child often writes from a parent's phone - or
  `ctx.extra["sender_is_child"]`): one warm, supportive reply with 12355 / 12356 (and 110
  when the danger is immediate). Never the hotline form.
- Otherwise: "call 110 now" first when the danger is immediate; then "your report reached
  the hotline"; then the hotline numbers that fit the category.
"""

from __future__ import annotations

from dialogs.effects import OpenCase
from dialogs.screening.decision import Decision
from dialogs.types import Context, Reply, Role

STAFF_ROLES = frozenset({Role.DIRECTOR, Role.SUPERVISOR, Role.HOTLINE, Role.ADMIN})
HOTLINE_CATEGORIES = frozenset(
    {
        "child_alone_missing",
        "guardian_incapacity",
        "violence_abuse",
        "sexual_abuse",
        "self_harm",
        "accident_injury",
        "trafficking_begging_labour",
        "bullying_violence",
        "other_serious_harm",
        "unclassified",
    }
)


def hotlines_reply(category: str | None) -> Reply:
    """The hotline numbers for a category (110, 12345, 12355, 12338, 12356 ...)."""
    name = category if category in HOTLINE_CATEGORIES else "default"
    return Reply(f"safety.hotlines.{name}")


def writes_as_young_person(decision: Decision, ctx: Context) -> bool:
    """Self-harm in the first person from a sender who may be a child (see module doc)."""
    if not any(m.category == "self_harm" for m in decision.matches):
        return False
    if decision.about_self is False:
        return False
    if ctx.extra.get("sender_is_child"):
        return True
    return ctx.person is None or ctx.person.role not in STAFF_ROLES


def safety_replies(decision: Decision, ctx: Context) -> tuple[Reply, ...]:
    if not decision.escalate:
        return ()
    if writes_as_young_person(decision, ctx):
        key = "safety.self_harm.urgent" if decision.immediate_danger else "safety.self_harm.support"
        return (Reply(key),)
    replies: tuple[Reply, ...] = ()
    if decision.immediate_danger:
        replies += (Reply("safety.call_110_now"),)
    return (*replies, Reply("safety.reported"), hotlines_reply(decision.category))


def open_case_effect(decision: Decision, text: str) -> OpenCase | None:
    """The `OpenCase` the shell executes for a screen hit on `text` (None: no concern)."""
    if not decision.escalate or decision.category is None or decision.severity is None:
        return None
    matched = tuple(dict.fromkeys(m.term for m in decision.matches))
    return OpenCase(
        decision.category,
        decision.severity,
        text,
        matched,
        source="screen",
        in_danger=True if decision.immediate_danger else None,
    )
