"""Abstract replies as JSON on outbox rows, and back: keys, parameters (dates and nested
catalog messages keep their type) and choices, so a message is rendered when it is sent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from content.catalog import Joined, Text
from content.replies import Choice, Reply


def reply_to_json(reply: Reply) -> dict[str, object]:
    return {
        "key": reply.key,
        "params": {k: _jsonable(v) for k, v in reply.params.items()},
        "choices": [
            {"label_key": c.label_key, "payload": c.payload, "params": dict(c.params)}
            for c in reply.choices
        ],
        "request_contact": reply.request_contact,
    }


def _jsonable(value: object) -> object:
    """Reply parameters as JSON: dates and nested catalog messages keep their type."""
    if isinstance(value, date | datetime):
        return {"__date__": value.isoformat()}
    if isinstance(value, Text):
        return {"__text__": value.key, "params": {k: _jsonable(v) for k, v in value.params.items()}}
    if isinstance(value, Joined):
        return {
            "__joined__": [_jsonable(p) for p in value.parts],
            "sep": value.separator,
            "sep_key": value.separator_key,
        }
    return value


def _from_jsonable(value: object) -> object:
    if isinstance(value, dict) and "__date__" in value:
        raw = str(value["__date__"])
        return datetime.fromisoformat(raw) if "T" in raw else date.fromisoformat(raw)
    if isinstance(value, dict) and "__text__" in value:
        params = value.get("params") or {}
        return Text(str(value["__text__"]), {k: _from_jsonable(v) for k, v in params.items()})
    if isinstance(value, dict) and "__joined__" in value:
        return Joined(
            tuple(_from_jsonable(p) for p in value["__joined__"]),
            str(value.get("sep", "\n")),
            value.get("sep_key"),
        )
    return value


def reply_from_json(raw: Mapping[str, object]) -> Reply:
    params = raw.get("params") or {}
    choices = raw.get("choices") or []
    return Reply(
        key=str(raw["key"]),
        params={k: _from_jsonable(v) for k, v in dict(params).items()},  # type: ignore[call-overload]
        choices=tuple(
            Choice(c["label_key"], c["payload"], c.get("params") or {})
            for c in choices  # type: ignore[attr-defined]
        ),
        request_contact=bool(raw.get("request_contact")),
    )
