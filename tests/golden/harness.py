"""Golden transcripts beyond visits: record a scripted conversation as plain JSON, compare it
with tests/golden/<area>/<name>.json, or rewrite the file under `pytest --update-goldens`.

Two runners, both on a fixed clock:
- `run_pure`: the real dialog engine (every registered flow), as tests/unit/visits does;
  replies rendered from the catalog in both styles (numbered SMS, buttons).
- `run_shell`: a real Application (SQLite, demo data, console channel) for what needs the
  shell (the safety screen, cases, staff commands, the reporter relay): each step records
  every message the dispatcher sent, to whom, and the cases with their timeline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import Application
from bot.demo import PEOPLE
from content.catalog import Catalog
from dialogs.flows.reminder_reply import waiting_for_reply
from dialogs.render import render
from dialogs.types import IDLE, Channel, ChildRef, Context, Inbound, Person, Role, State
from reminders.digest import DueItem, compose_guardian_digest
from storage.models import Case, CaseEvent, Conversation, OutboxMessage
from storage.models import Person as PersonRow
from tests.support.core import shipped_engine, shipped_workdays
from tests.unit.dialogs.visits.harness import plain, rendered

ROOT = Path(__file__).resolve().parent
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
UNKNOWN = "+8613999999999"
PURE_ADDRESS = "+8613800000000"  # the pure engine never looks at the address
PHONES = {p.key: p.phone for p in PEOPLE} | {"unknown": UNKNOWN}
WHO = {phone: key for key, phone in PHONES.items()}


def check(area: str, name: str, transcript: list[dict[str, Any]], request: Any) -> None:
    """Compare with the golden file; `--update-goldens` rewrites it first."""
    path = ROOT / area / f"{name}.json"
    text = json.dumps(transcript, ensure_ascii=False, indent=1) + "\n"
    if request.config.getoption("--update-goldens"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {area}/{path.name}: run pytest --update-goldens"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)


def orphans(area: str, names: Sequence[str]) -> set[str]:
    """Golden files of `area` that no scenario writes any more."""
    return {p.stem for p in (ROOT / area).glob("*.json")} - set(names)


# --- the pure engine ------------------------------------------------------------------------


def run_pure(
    steps: Sequence[Mapping[str, Any]],
    catalog: Catalog,
    person: Person | None,
    children: Sequence[ChildRef] = (),
) -> list[dict[str, Any]]:
    """Each step: {"text"|"payload"|"timeout"|"reminder", optional "channel", "locale",
    "extra"}. "reminder" (a list of DueItem JSON) is what the shell does when it queues a
    reminder: the rendered reminder is recorded and the conversation waits in reminder_reply."""
    engine = shipped_engine()
    state: State = IDLE
    transcript: list[dict[str, Any]] = []
    for n, step in enumerate(steps, start=1):
        channel = Channel(step.get("channel", "sms"))
        locale = step.get("locale", person.locale if person else "zh_Hans")
        extra = {**step.get("extra", {})}
        screened = bool(extra.pop("screened", False))  # what the safety pre-step sets
        ctx = Context(
            NOW, NOW.date(), locale, person, channel, tuple(children), extra, screened=screened
        )
        if "reminder" in step:
            items = [DueItem.from_json(i) for i in step["reminder"]]
            state = waiting_for_reply(IDLE, [i.to_json() for i in items]) or state
            reminder = compose_guardian_digest(items, catalog, shipped_workdays())
            assert reminder is not None
            text = render(reminder, catalog, locale, "numbered").text
            transcript.append({"in": {"reminder": text}, "state": state.to_json()})
            continue
        if step.get("timeout"):
            outcome = engine.timeout(state, ctx)
        else:
            text = step.get("text", "")
            message = Inbound(channel, PURE_ADDRESS, f"m{n}", NOW, text, step.get("payload"))
            outcome = engine.step(state, message, ctx)
        state = outcome.state
        transcript.append(
            {
                "in": {k: plain(v) for k, v in step.items()},
                "out": rendered(outcome, catalog, locale),
                "state": state.to_json(),
                "effects": plain(list(outcome.effects)),
            }
        )
    return transcript


def due_item(
    child_id: int, child_name: str, kind: str, item: str, stage: str, due: date, **more: Any
) -> dict[str, Any]:
    return DueItem(child_id, child_name, kind, item, stage, due, **more).to_json()  # type: ignore[arg-type]


# --- the shell ------------------------------------------------------------------------------


async def run_shell(app: Application, steps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each step: {"from": a demo person's key or "unknown", "text"}; records what was sent
    to whom (catalog-rendered, in the recipient's locale), the sender's dialog state and
    the cases (status, severity, category, owner, timeline)."""
    transcript: list[dict[str, Any]] = []
    seen = 0
    for n, step in enumerate(steps, start=1):
        phone = PHONES[step["from"]]
        received = app.clock.now()
        await app.service.handle(Inbound(Channel.CONSOLE, phone, f"g{n}", received, step["text"]))
        await app.dispatcher.run_until_idle()
        async with app.db.transaction() as s:
            rows = (
                await s.execute(
                    select(OutboxMessage).where(OutboxMessage.id > seen).order_by(OutboxMessage.id)
                )
            ).scalars()
            sent = []
            for row in rows:
                seen = row.id
                out = {"to": WHO.get(row.address, row.address), "lane": row.lane, "text": row.text}
                if row.status != "sent":
                    out["status"] = row.status
                sent.append(out)
            conv = (
                await s.execute(
                    select(Conversation).where(
                        Conversation.channel == Channel.CONSOLE.value, Conversation.address == phone
                    )
                )
            ).scalar_one_or_none()
            transcript.append(
                {
                    "in": dict(step),
                    "sent": sent,
                    "state": (conv.state if conv else {}) or {},
                    "cases": await _cases(s),
                }
            )
    return transcript


async def _cases(session: AsyncSession) -> list[dict[str, Any]]:
    """Every case, people by their demo key (ids depend on the order the demo is loaded)."""
    phones = {i: p for i, p in (await session.execute(select(PersonRow.id, PersonRow.phone))).all()}
    cases = (await session.execute(select(Case).order_by(Case.id))).scalars()
    out = []
    for case in cases:
        kinds = (
            await session.execute(
                select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
            )
        ).scalars()
        out.append(
            {
                "ref": case.ref,
                "status": case.status,
                "severity": case.severity,
                "category": case.category,
                "source": case.source,
                "reporter": WHO.get(case.reporter_address, case.reporter_address),
                "child": case.child_code,
                "owner": WHO.get(phones.get(case.owner_id) or "") if case.owner_id else None,
                "outcome": case.outcome,
                "events": list(kinds),
            }
        )
    return out


def demo_person(key: str, role: Role, person_id: int, area_id: int = 1) -> Person:
    """A demo person for the pure runner (the shell looks them up itself)."""
    found = next(p for p in PEOPLE if p.key == key)
    return Person(id=person_id, role=role, name=found.name, locale=found.locale, area_id=area_id)
