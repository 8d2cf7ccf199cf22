"""Plain data that crosses the boundary between the pure core and the shell.

Nothing here knows about a channel, a database or the clock: the shell builds an
`Inbound` and a `Context`, calls `dialogs.engine.step`, and executes the `Outcome`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Any

from content.replies import Reply
from dialogs.visits.clock import VisitClock


class Channel(StrEnum):
    CONSOLE = "console"
    SMS = "sms"
    TELEGRAM = "telegram"
    WECOM = "wecom"  # a WeCom (企业微信) self-built app; the address is the WeCom user id


class Role(StrEnum):
    DIRECTOR = "director"
    SUPERVISOR = "supervisor"
    GUARDIAN = "guardian"
    HOTLINE = "hotline"
    ADMIN = "admin"


class Lane(IntEnum):
    """Outbox priority: lower is sent first."""

    ALERT = 0
    REPLY = 1
    REMINDER = 2


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A picture, voice note or file that came with a message, by reference only: the
    provider's id or URL, never its bytes (nothing is fetched at receipt)."""

    ref: str  # Twilio MediaUrlN, a Telegram file_id
    content_type: str | None = None  # "image/jpeg"; Telegram photos are JPEG
    size: int | None = None  # bytes, when the provider says
    kind: str = "image"  # image | voice | file

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "type": self.content_type, "size": self.size, "kind": self.kind}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MediaRef:
        return cls(
            ref=str(data["ref"]),
            content_type=data.get("type"),
            size=data.get("size"),
            kind=str(data.get("kind") or "image"),
        )


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a person, whatever the channel."""

    channel: Channel
    address: str  # E.164 phone for sms/console, chat id for telegram
    provider_id: str  # MessageSid, update_id, or a console message id; the dedupe key
    received_at: datetime
    text: str = ""
    payload: str | None = None  # button payload (Telegram callback_data)
    contact_phone: str | None = None  # a phone shared with Telegram's contact button
    display_name: str | None = None
    media: tuple[MediaRef, ...] = ()  # pictures or voice notes that came with it


@dataclass(frozen=True, slots=True)
class Person:
    """What the core may know of the sender (least detail)."""

    id: int
    role: Role
    name: str
    locale: str
    area_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChildRef:
    """A child as a director may see it in a dialog: a short code and a name."""

    id: int
    code: str
    name: str
    next_visit_due: date | None = None
    is_key_child: bool = False
    # The child's visits so far by region and risk (`dialogs.visits.clock`); None: unknown,
    # the guardianship intervals of content/cadence.toml apply (tests, old callers).
    clock: VisitClock | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a step may read besides the state and the input. Built by the shell."""

    now: datetime  # aware, UTC
    today: date  # the sender's local date
    locale: str  # the sender's current locale
    person: Person | None  # None: unknown sender
    channel: Channel
    children: tuple[ChildRef, ...] = ()  # a director's own children
    extra: Mapping[str, Any] = field(default_factory=dict)
    # The safety pre-step already answered this message (a flow waiting for a reply keeps
    # waiting instead of saying "没看懂"; an idle sender gets no menu on top). Keyword only,
    # so that a Context built positionally with `extra` never lands it here.
    screened: bool = field(default=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class State:
    """A conversation's state; stored as JSON. `flow` None means idle."""

    flow: str | None = None
    step: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    choices: tuple[str, ...] = ()  # payloads of the last question, numbered 1..n on SMS

    def to_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "step": self.step,
            "data": dict(self.data),
            "choices": list(self.choices),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> State:
        if not raw:
            return cls()
        return cls(
            flow=raw.get("flow"),
            step=raw.get("step"),
            data=dict(raw.get("data") or {}),
            choices=tuple(raw.get("choices") or ()),
        )


IDLE = State()


@dataclass(frozen=True, slots=True)
class Outcome:
    state: State
    replies: tuple[Reply, ...] = ()
    effects: tuple[Any, ...] = ()
    # False: the dialog did not understand the text ("没看懂", `dialogs.flow.not_understood`);
    # the hotline takes such free text to the sender's case (bot/hotline/reporter_side.py).
    understood: bool = field(default=True, kw_only=True)
    # The replies only answer text the dialog could not use (the idle menu, "没看懂" and the
    # menu, a reminder asked again): a safety reply already given replaces them
    # (`Context.screened`, `dialogs.engine.answered_already`).
    fallback: bool = field(default=False, kw_only=True)
