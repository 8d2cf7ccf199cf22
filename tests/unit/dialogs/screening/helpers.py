"""Shared fixtures for the screening tests: a fixed context and the default screen."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from bot.screening.files import load_default_lexicon
from dialogs.screening import Screen
from dialogs.types import Channel, ChildRef, Context, Inbound, Person, Role

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
DIRECTOR = Person(id=1, role=Role.DIRECTOR, name="李主任", locale="zh_Hans")
GUARDIAN = Person(id=2, role=Role.GUARDIAN, name="张奶奶", locale="zh_Hans")
CHILDREN = (ChildRef(id=7, code="A12", name="王小明"),)


def ctx(person: Person | None = DIRECTOR, **extra: object) -> Context:
    return Context(
        now=NOW,
        today=date(2026, 3, 2),
        locale="zh_Hans",
        person=person,
        channel=Channel.SMS,
        children=CHILDREN if person is DIRECTOR else (),
        extra=extra,
    )


def inbound(text: str = "", payload: str | None = None, n: int = 1) -> Inbound:
    return Inbound(
        channel=Channel.SMS,
        address="+8613800000002",
        provider_id=f"p{n}",
        received_at=NOW,
        text=text,
        payload=payload,
    )


@lru_cache(maxsize=1)
def default_screen() -> Screen:
    return Screen(load_default_lexicon())
