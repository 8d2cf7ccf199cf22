"""What to tell the sender when the screen escalates or is unsure: pure, catalog keys only.

Rules:
- Nothing when the screen passes the text.
- Review (the screen is unsure): one reply, "a person will read this; in danger call 110".
- Self-harm written by the sender about themselves, or not saying about whom
  (`Decision.about_self` is not False), from someone who is not staff (unknown sender,
  guardian channel - a child often writes from a parent's phone - or
  `ctx.extra["sender_is_child"]`): one warm, supportive reply with 12355 / 12356 (and 110
  when the danger is immediate). Never the hotline form.
- Otherwise: "马上打120" first for a first-aid category (poisoning, unconsciousness, serious
  injury); "call 110 now" first when the danger is present (a danger cue, or a critical
  concern: a missing child, trafficking, sexual abuse, self-harm ...); then "your report reached the
  on-duty staff" (naming the deployment's hotline only when `ctx.extra["hotline_name"]` is
  set); a mandated reporter (director or other staff) is told to report to 公安 now, that
  reporting carries no liability, and to answer "已报警"; then the help lines that fit the
  category (content/safety/categories.toml `hotlines`).
"""

from __future__ import annotations

from content.replies import Reply
from dialogs.effects import OpenCase
from dialogs.screening.categories import Categories
from dialogs.screening.decision import Decision
from dialogs.types import Context, Role

# Mandated reporters (强制报告): the child director and every staff role, i.e. every role but
# the guardian. (The hotline's staff roles are `dialogs.flows.hotline_staff.STAFF_ROLES`.)
MANDATED_REPORTERS = frozenset({Role.DIRECTOR, Role.SUPERVISOR, Role.HOTLINE, Role.ADMIN})
REVIEW_NOTED = "hotline.review.noted"
DUTY = "safety.duty.report_police"
PRESENT_DANGER = "present_danger"
# Replies that are about someone's safety: sent even to a sender who opted out.
SAFETY_PREFIXES = ("safety.", "urgent.", "hotline.review.", "hotline.details.")
LEGACY_HOTLINES = frozenset(
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


def is_safety_reply(reply: Reply) -> bool:
    return reply.key.startswith(SAFETY_PREFIXES)


def hotlines_reply(category: str | None, categories: Categories) -> Reply:
    """The help lines for a category (fine id or a lexicon group): 110, 120, 12338 ..."""
    fine = categories.by_id.get(category or "")
    if fine is not None:
        return Reply(f"safety.hotlines.{fine.hotlines}")
    if category in LEGACY_HOTLINES:  # a lexicon group keeps its own list (accident: 120)
        return Reply(f"safety.hotlines.{category}")
    found = categories.get(category)
    return Reply(f"safety.hotlines.{found.hotlines if found else 'default'}")


def first_replies(
    category: str | None, in_danger: bool, categories: Categories
) -> tuple[Reply, ...]:
    """What must be said first: "马上打120" for a first-aid category, else "call 110 now"
    when the danger is present (`in_danger`: a danger cue, or a critical concern; or a
    present-danger category)."""
    fine = categories.by_id.get(category or "")
    if fine is not None and fine.first_aid:
        return (Reply("safety.call_120_now"),)
    if in_danger or category == PRESENT_DANGER:
        return (Reply("safety.call_110_now"),)
    return ()


def reported_reply(ctx: Context) -> Reply:
    if ctx.extra.get("staffed") is False:  # nobody on duty: never say that staff have it
        return Reply("safety.reported.unstaffed")
    name = ctx.extra.get("hotline_name")
    if isinstance(name, str) and name:
        return Reply("safety.reported.named", {"hotline": name})
    return Reply("safety.reported")


def is_mandated(ctx: Context) -> bool:
    return ctx.person is not None and ctx.person.role in MANDATED_REPORTERS


def duty_applies(
    role: str | None, category: str | None, severity: str | None, categories: Categories
) -> bool:
    """A mandated reporter reporting a statutory situation (not a medium-severity sign)."""
    return (
        role in {r.value for r in MANDATED_REPORTERS}
        and categories.is_statutory(category)
        and severity != "medium"
    )


def duty_replies(
    ctx: Context, category: str | None, severity: str | None, categories: Categories
) -> tuple[Reply, ...]:
    role = ctx.person.role.value if ctx.person is not None else None
    return (Reply(DUTY),) if duty_applies(role, category, severity, categories) else ()


def writes_as_young_person(decision: Decision, ctx: Context) -> bool:
    """Self-harm in the first person from a sender who may be a child (see module doc)."""
    if not any(m.category == "self_harm" for m in decision.matches):
        return False
    if decision.about_self is False:
        return False
    if ctx.extra.get("sender_is_child"):
        return True
    return ctx.person is None or ctx.person.role not in MANDATED_REPORTERS  # a guardian or unknown


def safety_replies(decision: Decision, ctx: Context, categories: Categories) -> tuple[Reply, ...]:
    if decision.outcome == "review":
        return (Reply(REVIEW_NOTED),)
    if not decision.escalate:
        return ()
    if writes_as_young_person(decision, ctx):
        key = "safety.self_harm.urgent" if decision.immediate_danger else "safety.self_harm.support"
        return (Reply(key),)
    return (
        # a critical concern (a missing child, sexual abuse, self-harm: the case's SLA is
        # minutes) is a danger now, whether or not the text says "现在"
        *first_replies(
            decision.category,
            decision.immediate_danger or decision.severity == "critical",
            categories,
        ),
        reported_reply(ctx),
        *duty_replies(ctx, decision.category, decision.severity, categories),
        hotlines_reply(decision.category, categories),
    )


def open_case_effect(decision: Decision, text: str) -> OpenCase | None:
    """The `OpenCase` the shell executes for a screen hit on `text` (None: no concern).

    A review decision opens a case marked as needing review (source "review": no page)."""
    matched = tuple(dict.fromkeys(m.term for m in decision.matches))
    if decision.outcome == "review":
        return OpenCase(
            decision.category or "unclassified", "medium", text, matched, source="review"
        )
    if not decision.escalate or decision.category is None or decision.severity is None:
        return None
    return OpenCase(
        decision.category,
        decision.severity,
        text,
        matched,
        source="screen",
        in_danger=True if decision.immediate_danger else None,
    )
