"""The planner: what falls due becomes one message per guardian per day, queued once.

1. `finders.find_due` asks the database for the (child, kind, item, stage) due in
   [last day planned, as_of], looking back at most `catchup_days` (range queries on
   indexed dates).
2. Each goes into the `reminder_deliveries` ledger, unique on (child, kind, item, stage):
   a second run, a late run or a second machine adds nothing.
3. Pending ledger rows (locked, SKIP LOCKED on PostgreSQL) are grouped by recipient: the
   primary guardian on a reachable channel, else the next guardian, else the child's
   director ("please tell the family"). One outbox row per recipient per local day
   (dedup key `rem:digest:<person>:<day>`); rows that miss today's digest go tomorrow.
4. Quiet hours: `not_before` is the next allowed time in the recipient's area time zone.
   The guardian's conversation waits for a reply (flow `reminder_reply`) if it was idle.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.privacy.rules import NO_CONSENT, privacy_rules
from bot.reminders import finders, sources
from bot.reminders.holidays import load_imported, warn_missing
from bot.reminders.recipients import Recipient, choose_recipients
from bot.reminders.runtime import reminder_runtime
from bot.reminders.sex_unknown import sex_unknown_warning
from bot.reply_json import reply_to_json
from dialogs.flows.reminder_reply import waiting_for_reply
from dialogs.types import Lane, State
from reminders.digest import (
    CATCH_UP_PREFIX,
    DueItem,
    catch_up_item,
    catch_up_key,
    compose_director_notice,
    compose_guardian_digest,
    dedup_key,
    first_batch,
)
from reminders.immunization import plan_doses
from reminders.quiet_hours import next_allowed_send
from reminders.schedule import Edition, Schedule
from storage.models import Child, ReminderDelivery
from storage.repos import outbox
from storage.repos import reminders as repo
from storage.repos.conversations import save_state

if TYPE_CHECKING:
    from bot.host import Host

log = logging.getLogger(__name__)


@dataclass
class PlanResult:
    as_of: date
    found: int = 0
    messages: int = 0
    director_tasks: int = 0
    nobody: int = 0
    no_consent: int = 0  # rows about a child without the guardian consent the law requires
    held: int = 0  # pending rows left for a later day (today's digest already queued)
    lines: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def ledger_row(item: DueItem, now: datetime) -> dict[str, Any]:
    return {
        "child_id": item.child_id,
        "kind": item.kind,
        "item": item.item,
        "stage": item.stage,
        "due_date": item.due_date,
        "status": repo.PENDING,
        "created_at": now,
    }


def _item_of(row: ReminderDelivery, child: Child, edition: Edition) -> DueItem:
    if row.kind == "vaccine":
        entry = edition.entry(row.item)
        if entry is not None:
            series = sum(1 for e in edition.entries if e.vaccine == entry.vaccine)
            return DueItem(
                child.id,
                child.display_name,
                "vaccine",
                row.item,
                row.stage,
                row.due_date,
                entry.vaccine,
                entry.dose if series > 1 else None,
                entry.age_months(),
            )
    return DueItem(child.id, child.display_name, row.kind, row.item, row.stage, row.due_date)  # type: ignore[arg-type]


async def plan(app: Host, *, as_of: date | None = None, dry_run: bool = False) -> PlanResult:
    """One planner run; safe to repeat, to run late, and to run on several machines."""
    runtime = reminder_runtime(app)
    cfg = runtime.settings
    now = app.clock.now()
    as_of = as_of or now.astimezone(ZoneInfo(app.settings.timezone)).date()
    result = PlanResult(as_of)
    async with app.db.transaction() as session:  # imported arrangements, and what is missing
        runtime.workdays = await load_imported(session)
        result.warnings += warn_missing(runtime.workdays, as_of)
    async with app.db.transaction() as session:
        # Look back to the last day planned (a run after downtime catches up), at most
        # `catchup_days`; later runs of the same day look at that day only.
        since = as_of - timedelta(days=cfg.catchup_days)
        last = await repo.last_planned(session)
        if last is not None and since < last <= as_of:
            since = last
        schedule = await sources.current_schedule(session)
        book = await sources.current_calendars(session, runtime.workdays)
        tz = ZoneInfo(app.settings.timezone)
        registered_since = datetime.combine(since, time.min, tz)
        items = await finders.find_due(
            session, schedule, book, cfg.stages_for, since, as_of, registered_since
        )
        result.found = len(items)
        unknown = await sex_unknown_warning(session, schedule.in_force(as_of), as_of)
        result.warnings += [unknown] if unknown else []
        result.lines = [
            i.to_json() | {"dedup_key": dedup_key(i.child_id, i.kind, i.item, i.stage)}
            for i in items
        ]
        if dry_run:
            await session.rollback()
            return result
        # One order for every planner, so two at once wait on each other, never deadlock.
        ordered = sorted(items, key=lambda i: (i.child_id, i.kind, i.item, i.stage))
        await repo.add_deliveries(session, [ledger_row(i, now) for i in ordered])
        await _queue_pending(app, session, schedule, as_of, now, result)
        await repo.mark_planned(session, as_of, now)
    app.dispatcher.wake()
    return result


async def _queue_pending(
    app: Host,
    session: AsyncSession,
    schedule: Schedule,
    as_of: date,
    now: datetime,
    result: PlanResult,
) -> None:
    runtime = reminder_runtime(app)
    edition = schedule.in_force(as_of)
    rows = await repo.pending_deliveries(session, runtime.settings.batch)
    if not rows:
        return
    children = await repo.children_by_id(session, {r.child_id for r in rows})
    rows = await _drop_settled(session, rows, now)
    batches = await _catch_up_items(session, schedule, rows, children, now)
    rows = [r for r in rows if r.status == repo.PENDING]
    rule = privacy_rules().consent
    local_today = now.astimezone(ZoneInfo(app.settings.timezone)).date()
    unconsented = {
        cid
        for cid, c in children.items()
        if c.consent_at is None and rule.required(c.birth_date, local_today)
    }
    if unconsented:
        kept = []
        for row in rows:
            if row.child_id in unconsented:
                row.status, row.resolved_at = NO_CONSENT, now
                result.no_consent += 1
            else:
                kept.append(row)
        rows = kept
    recipients = await choose_recipients(
        app, session, {k: v for k, v in children.items() if k not in unconsented}, now
    )
    groups: dict[Recipient, list[ReminderDelivery]] = defaultdict(list)
    waiting: list[tuple[Recipient, list[DueItem], datetime]] = []
    with session.no_autoflush:  # ledger updates go out in one batch at commit
        for row in rows:
            recipient = recipients.get(row.child_id)
            if recipient is None:
                row.status, row.resolved_at = repo.NOBODY, now
                result.nobody += 1
                continue
            groups[recipient].append(row)
        planned = []
        for recipient, group in groups.items():
            items = [batches.get(r.id) or _item_of(r, children[r.child_id], edition) for r in group]
            planned.append((recipient, group, items, _message(app, recipient, items, now)))
        # all of the batch's messages in multi-row inserts (not one statement per recipient)
        queued = await outbox.enqueue_many(session, [m for *_, m in planned], now)
        for recipient, group, items, message in planned:
            not_before = _record(recipient, group, message, queued, result)
            if not_before is not None and not recipient.is_director:
                waiting.append((recipient, items, not_before))
    await _await_replies(session, waiting, now, runtime.settings.reply_hours)


async def _catch_up_items(
    session: AsyncSession,
    schedule: Schedule,
    rows: list[ReminderDelivery],
    children: dict[int, Child],
    now: datetime,
) -> dict[int, DueItem]:
    """Catch-up rows rebuilt from the child's plan on the row's day; a batch that changed
    since (doses recorded, record corrected) is closed: its successor has its own row."""
    catch_up = [r for r in rows if r.kind == "vaccine" and r.item.startswith(CATCH_UP_PREFIX)]
    if not catch_up:
        return {}
    doses = await repo.doses_for(session, {r.child_id for r in catch_up})
    items: dict[int, DueItem] = {}
    for row in catch_up:
        child = children[row.child_id]
        day = row.due_date
        item = None
        if child.birth_date <= day:
            plan = plan_doses(child.birth_date, child.sex, doses[child.id], day, schedule)
            batch = first_batch(plan, day)
            if batch and catch_up_key(d.code for d in batch) == row.item:
                item = catch_up_item(child.id, child.display_name, batch, plan.edition, day)
        if item is None:
            row.status, row.resolved_at = repo.RESOLVED, now
        else:
            items[row.id] = item
    return items


async def _drop_settled(
    session: AsyncSession, rows: list[ReminderDelivery], now: datetime
) -> list[ReminderDelivery]:
    """Rows whose dose was recorded or item acknowledged since they were found are closed."""
    ids = {r.child_id for r in rows}
    doses = await repo.doses_for(session, ids)
    acks = await repo.acks_for(session, ids, {r.kind for r in rows})
    keep = []
    for row in rows:
        done = (row.child_id, row.kind, row.item) in acks or (
            row.kind == "vaccine" and row.item in doses.get(row.child_id, {})
        )
        if done:
            row.status, row.resolved_at = repo.RESOLVED, now
        else:
            keep.append(row)
    return keep


def _message(
    app: Host, recipient: Recipient, items: list[DueItem], now: datetime
) -> dict[str, Any]:
    """The outbox values of one message for `recipient` (queued by `outbox.enqueue_many`)."""
    runtime = reminder_runtime(app)
    cfg = runtime.settings
    person = recipient.person
    not_before = next_allowed_send(now, recipient.timezone, cfg.quiet_start, cfg.quiet_end)
    day = not_before.astimezone(ZoneInfo(recipient.timezone)).date().isoformat()
    if recipient.is_director:
        reply = compose_director_notice(items, app.catalog, runtime.workdays)
        key = f"rem:director:{person.id}:{items[0].child_id}:{day}"
    else:
        reply = compose_guardian_digest(items, app.catalog, runtime.workdays)
        key = f"rem:digest:{person.id}:{day}"
    assert reply is not None
    # The address is the one `bot.routing.reachable_address` chose for this person just
    # now (recipients.py), so this is what `queue_for_person` does, without asking twice.
    return dict(
        channel=recipient.channel,
        address=recipient.address,
        person_id=person.id,
        message=reply_to_json(reply),
        lane=int(Lane.REMINDER),
        not_before=not_before,
        dedup_key=key,
    )


def _record(
    recipient: Recipient,
    rows: list[ReminderDelivery],
    message: dict[str, Any],
    queued: dict[str, int],
    result: PlanResult,
) -> datetime | None:
    """The ledger rows of one queued message; its `not_before`, or None if held for tomorrow."""
    outbox_id = queued.pop(message["dedup_key"], None)  # popped: a key is queued once
    if outbox_id is None:
        result.held += len(rows)  # today's message to this person is already queued
        return None
    person = recipient.person
    for row in rows:
        row.outbox_id, row.recipient_id, row.status = outbox_id, person.id, repo.QUEUED
        row.recipient_role = "director" if recipient.is_director else "guardian"
    if recipient.is_director:
        result.director_tasks += 1
    else:
        result.messages += 1
    not_before: datetime = message["not_before"]
    return not_before


async def _await_replies(
    session: AsyncSession,
    waiting: list[tuple[Recipient, list[DueItem], datetime]],
    now: datetime,
    reply_hours: int,
) -> None:
    """Put each guardian's conversation in `reminder_reply` with the items, if it was idle."""
    pairs = {(r.channel, r.address) for r, _, _ in waiting}
    conversations = await repo.lock_conversations(session, pairs, now)
    for recipient, items, not_before in waiting:
        conv = conversations[(recipient.channel, recipient.address)]
        new_state = waiting_for_reply(State.from_json(conv.state), [i.to_json() for i in items])
        if new_state is None:  # in another flow: the reminder does not interrupt it
            continue
        save_state(conv, new_state.to_json(), now, not_before + timedelta(hours=reply_hours))
