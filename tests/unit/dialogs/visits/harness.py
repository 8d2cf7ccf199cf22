"""Run a scripted conversation through the real engine and record it as plain JSON."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from bot.core_data import load_cadence
from content.catalog import Catalog
from content.keywords import Keywords
from dialogs.engine import Engine
from dialogs.flows.due import DueFlow
from dialogs.flows.edit_visit import EditVisitFlow
from dialogs.flows.visit import VisitFlow
from dialogs.render import render
from dialogs.types import IDLE, Channel, ChildRef, Context, Inbound, Outcome, Person, Role, State

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)
DIRECTOR = Person(id=7, role=Role.DIRECTOR, name="周主任", locale="zh_Hans", area_id=3)
CHILDREN = (
    ChildRef(1, "A12", "王小明", date(2026, 2, 20)),
    ChildRef(2, "A15", "王小红", date(2026, 3, 1), is_key_child=True),
    ChildRef(3, "B3", "李娜", None),
    ChildRef(4, "C7", "张伟", date(2026, 3, 12)),
    ChildRef(5, "D2", "陈静", date(2026, 5, 1)),
    ChildRef(6, "E5", "赵强", date(2026, 3, 8)),
    ChildRef(7, "F1", "刘洋", date(2026, 1, 15)),
)


def build_engine() -> Engine:
    cadence = load_cadence()
    keywords = Keywords.load()
    visit = VisitFlow(cadence, keywords)
    flows = (visit, DueFlow(cadence, keywords, visit), EditVisitFlow(cadence, keywords))
    return Engine(keywords, {f.name: f for f in flows})


def context(
    channel: Channel = Channel.SMS,
    locale: str = "zh_Hans",
    person: Person | None = DIRECTOR,
    extra: Mapping[str, Any] | None = None,
    now: datetime = NOW,
) -> Context:
    return Context(
        now=now,
        today=now.date(),
        locale=locale,
        person=person,
        channel=channel,
        children=CHILDREN if person else (),
        extra=dict(extra or {}),
    )


def inbound(channel: Channel, n: int, text: str = "", payload: str | None = None) -> Inbound:
    return Inbound(
        channel=channel,
        address="+8613800000007",
        provider_id=f"m{n}",
        received_at=NOW,
        text=text,
        payload=payload,
    )


def plain(value: Any) -> Any:
    """Effects and params as JSON: dataclasses by type name, dates as ISO text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"type": type(value).__name__, **fields}
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def rendered(outcome: Outcome, catalog: Catalog, locale: str) -> dict[str, Any]:
    numbered = [render(r, catalog, locale, "numbered").text for r in outcome.replies]
    buttons = []
    for reply in outcome.replies:
        out = render(reply, catalog, locale, "buttons")
        buttons.append({"text": out.text, "buttons": [[b.label, b.payload] for b in out.buttons]})
    return {"numbered": numbered, "buttons": buttons}


def run_script(steps: Sequence[Mapping[str, Any]], catalog: Catalog) -> list[dict[str, Any]]:
    """Each step: {"text"|"payload"|"timeout", optional "channel", "locale", "person", "extra",
    "now"}; returns the transcript: input, replies in both styles, state and effects."""
    engine = build_engine()
    state: State = IDLE
    transcript: list[dict[str, Any]] = []
    for n, step in enumerate(steps, start=1):
        channel = Channel(step.get("channel", "sms"))
        locale = step.get("locale", "zh_Hans")
        ctx = context(
            channel, locale, step.get("person", DIRECTOR), step.get("extra"), step.get("now", NOW)
        )
        if step.get("timeout"):
            outcome = engine.timeout(state, ctx)
        else:
            outcome = engine.step(
                state, inbound(channel, n, step.get("text", ""), step.get("payload")), ctx
            )
        state = outcome.state
        record = {k: plain(v) for k, v in step.items() if k != "person"}
        if "person" in step:
            record["person"] = None if step["person"] is None else step["person"].role.value
        transcript.append(
            {
                "in": record,
                "out": rendered(outcome, catalog, locale),
                "state": state.to_json(),
                "effects": plain(list(outcome.effects)),
            }
        )
    return transcript
