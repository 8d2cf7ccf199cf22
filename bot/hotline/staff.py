"""Staff actions on cases (effects of dialogs/flows/hotline_staff.py), in the step's
transaction. Every read of a case by staff is written to the audit log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import StepScope
from bot.hotline import operations as ops
from bot.hotline.alerts import reporter_kind, tri
from bot.hotline.runtime import Hotline
from bot.phones import to_e164
from content.catalog import Joined, Text
from content.replies import Reply
from dialogs.flows import hotline_staff as cmd
from storage.models import Case, Person
from storage.repos import audit, case_queue, people
from storage.repos import cases as repo
from storage.repos.directory import Directory


def _say(scope: StepScope, key: str, **params: Any) -> None:
    scope.extra_replies.append(Reply(key, params))


async def _case(scope: StepScope, ref: str) -> tuple[Case, Person] | None:
    person = scope.person
    if person is None or person.role not in cmd.STAFF_ROLES:
        _say(scope, "flow.not_for_role")
        return None
    case = await repo.case_by_ref(scope.session, ref)
    areas = await areas_of(scope.session, person)
    if case is None or not await in_areas(scope.session, case, areas):
        _say(scope, "hotline.staff.not_found", ref=ref)  # outside a supervisor's area
        return None
    audit.record(
        scope.session, at=scope.now, actor=scope.actor, action="case_read",
        subject_type="case", subject_id=case.id,
    )  # fmt: skip
    return case, person


def _who(scope: StepScope, person: Person) -> ops.Actor:
    return ops.Actor.of(person, scope.actor, scope.inbound_id)


def _tell(scope: StepScope, result: ops.Result) -> None:
    _say(scope, result.key, **result.params)


CaseOp = Callable[[Case, ops.Actor], Awaitable[ops.Result]]


async def _act(scope: StepScope, ref: str, op: CaseOp) -> None:
    """Find the case (audited), run the shared operation as this staff member, say the result."""
    found = await _case(scope, ref)
    if found is not None:
        case, person = found
        _tell(scope, await op(case, _who(scope, person)))


async def claim(hl: Hotline, scope: StepScope, effect: cmd.ClaimCase) -> None:
    await _act(scope, effect.ref, lambda c, who: ops.claim(scope.session, c, who, scope.now, hl))


async def note(hl: Hotline, scope: StepScope, effect: cmd.NoteCase) -> None:
    await _act(
        scope, effect.ref, lambda c, who: ops.note(scope.session, c, who, effect.text, scope.now)
    )


async def reply(hl: Hotline, scope: StepScope, effect: cmd.ReplyToReporter) -> None:
    await _act(
        scope,
        effect.ref,
        lambda c, who: ops.reply(hl, scope.session, c, who, effect.text, scope.now),
    )


async def refer(hl: Hotline, scope: StepScope, effect: cmd.ReferCase) -> None:
    await _act(
        scope, effect.ref, lambda c, who: ops.refer(scope.session, c, who, effect.agency, scope.now)
    )


async def close(hl: Hotline, scope: StepScope, effect: cmd.CloseCase) -> None:
    await _act(
        scope,
        effect.ref,
        lambda c, who: ops.close(scope.session, c, who, effect.outcome, scope.now),
    )


async def suspect(hl: Hotline, scope: StepScope, effect: cmd.SetSuspect) -> None:
    await _act(
        scope,
        effect.ref,
        lambda c, who: ops.set_suspect(
            scope.session, c, who, effect.relation, effect.reason, scope.now
        ),
    )


async def list_cases(hl: Hotline, scope: StepScope, effect: cmd.ListCases) -> None:
    if scope.person is None or scope.person.role not in cmd.STAFF_ROLES:
        _say(scope, "flow.not_for_role")
        return
    cases = await repo.active_cases(scope.session, limit=200)
    areas = await areas_of(scope.session, scope.person)
    if areas is not None:
        cases = [c for c in cases if await in_areas(scope.session, c, areas)]
    cases = cases[:20]
    audit.record(
        scope.session, at=scope.now, actor=scope.actor, action="case_list",
        subject_type="case", detail={"count": len(cases)},
    )  # fmt: skip
    lines = Joined(
        tuple(
            Text(
                "hotline.staff.list_line",
                {
                    "ref": c.ref,
                    "severity": Text(f"case.severity.{c.severity}"),
                    "category": Text(f"case.category.{c.category}"),
                    "status": Text(f"console.case_status.{c.status}"),
                    "review": Text("hotline.staff.review_mark") if c.needs_review else "",
                },
            )
            for c in cases
        )
    )
    _say(scope, "hotline.staff.list", count=len(cases), lines=lines if cases else "-")


async def show(hl: Hotline, scope: StepScope, effect: cmd.ShowCase) -> None:
    found = await _case(scope, effect.ref)
    if found is None:
        return
    case, _ = found
    events = await repo.timeline(scope.session, case.id)
    lines = Joined(
        tuple(
            Text(
                "hotline.staff.show_line",
                {
                    "at": f"{e.at.astimezone(hl.tz):%m-%d %H:%M}",
                    "kind": Text(f"console.event.{e.kind}"),
                    "text": f"：{e.detail['text']}" if "text" in e.detail else "",
                },
            )
            for e in events
        )
    )
    _say(
        scope, "hotline.staff.show", ref=case.ref,
        status=Text(f"console.case_status.{case.status}"),
        severity=Text(f"case.severity.{case.severity}"),
        category=Text(f"case.category.{case.category}"),
        reporter=Text(f"case.reporter.{reporter_kind(case)}"),
        danger=Text(f"case.danger.{tri(case.in_danger)}"),
        callback=Text(f"case.callback.{tri(case.callback_ok)}"),
        location=case.location or "—", lines=lines,
    )  # fmt: skip


async def unclaim(hl: Hotline, scope: StepScope, effect: cmd.UnclaimCase) -> None:
    await _act(scope, effect.ref, lambda c, who: ops.unclaim(scope.session, c, who, scope.now))


async def reassign(hl: Hotline, scope: StepScope, effect: cmd.ReassignCase) -> None:
    to = await staff_named(scope.session, effect.to)
    await _act(
        scope, effect.ref, lambda c, who: ops.reassign(hl, scope.session, c, who, to, scope.now)
    )


async def reopen(hl: Hotline, scope: StepScope, effect: cmd.ReopenCase) -> None:
    await _act(
        scope,
        effect.ref,
        lambda c, who: ops.reopen(scope.session, c, who, effect.reason, scope.now),
    )


async def areas_of(session: AsyncSession, person: Person) -> set[int] | None:
    """None: every area. A supervisor: their township and its villages, as in the console."""
    if person.role != "supervisor":
        return None
    if person.area_id is None:
        return set()
    return await Directory(session).areas_under(person.area_id, depth=1)


async def in_areas(session: AsyncSession, case: Case, areas: set[int] | None) -> bool:
    """The case is in one of the areas; a case with no area (an unknown reporter, no child)
    stays reachable to a supervisor, who may be the one it was escalated to."""
    if areas is None:
        return True
    found = await case_queue.area_of(session, case.id)
    return found is None or found in areas


async def staff_named(session: AsyncSession, name_or_phone: str) -> Person | None:
    """An active staff member by phone (any form) or exact name."""
    phone = to_e164(name_or_phone) or name_or_phone
    found = await people.staff_named(session, phone, name_or_phone.strip(), cmd.STAFF_ROLES)
    return found[0] if len(found) == 1 else None


Handler = Callable[[Hotline, StepScope, Any], Awaitable[None]]
HANDLERS: dict[type, Handler] = {
    cmd.ClaimCase: claim,
    cmd.NoteCase: note,
    cmd.ReplyToReporter: reply,
    cmd.ReferCase: refer,
    cmd.CloseCase: close,
    cmd.SetSuspect: suspect,
    cmd.ListCases: list_cases,
    cmd.ShowCase: show,
    cmd.UnclaimCase: unclaim,
    cmd.ReassignCase: reassign,
    cmd.ReopenCase: reopen,
}
