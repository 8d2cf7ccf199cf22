"""Scripted responses: matching, consumption, JSON round trips (pure, no server)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.standins import telegram_api, twilio_api
from tests.standins.script import Script, Scripted

TO = "+8613800138000"


@pytest.mark.parametrize(
    ("entry", "method", "target", "expected"),
    [
        (Scripted(status=500), "sendMessage", None, True),
        (Scripted(status=500, target=TO), "messages.create", TO, True),
        (Scripted(status=500, target=TO), "messages.create", "+1", False),
        (Scripted(status=500, target=TO), "messages.create", None, False),
        (Scripted(status=500, method="sendMessage"), "SENDMESSAGE", "1", True),
        (Scripted(status=500, method="sendMessage"), "getUpdates", "1", False),
        (Scripted(status=500, method="sendMessage", target="1"), "sendMessage", "2", False),
    ],
)
def test_matches(entry: Scripted, method: str, target: str | None, expected: bool) -> None:
    assert entry.matches(method, target) is expected


def test_take_consumes_in_order_and_keeps_persistent_entries() -> None:
    script = Script()
    limited = Scripted(status=429, times=2)
    persistent = Scripted(status=400, times=None, target=TO)
    script.add(limited, persistent)
    taken = [script.take("m", TO) for _ in range(4)]
    assert [t.status if t else None for t in taken] == [429, 429, 400, 400]
    assert script.take("m", "+1") is None
    assert [(p.status, p.times) for p in script.pending()] == [(400, None)]
    script.clear()
    assert script.take("m", TO) is None


def test_pending_reports_uses_left() -> None:
    script = Script()
    script.add(Scripted(status=500, times=3))
    script.take("m", None)
    assert [p.times for p in script.pending()] == [2]


@pytest.mark.parametrize(
    "entry",
    [
        twilio_api.rate_limited(times=3),
        twilio_api.unsubscribed(to=TO),
        twilio_api.invalid_number(to=TO),
        twilio_api.server_error(),
        twilio_api.delayed(2.5, to=TO),
        telegram_api.retry_after(5, chat_id=42),
        telegram_api.blocked(chat_id=42),
        telegram_api.bad_request("Bad Request: chat not found", method=None),
        telegram_api.delayed(1.0),
    ],
)
def test_json_round_trip(entry: Scripted) -> None:
    assert Scripted.from_json(entry.to_json()) == entry


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": 99}, "HTTP status"),
        ({"status": "429"}, "status must be an integer"),
        ({"status": 429, "times": 0}, "times must be"),
        ({"status": 429, "times": "2"}, "times must be an integer"),
        ({"status": 429, "body": [1]}, "body must be an object"),
        ({"delay_s": -1, "status": 500}, "delay_s"),
        ({}, "needs a status, a delay"),
        ({"status": 429, "colour": "red"}, "unknown scripted fields"),
    ],
)
def test_from_json_rejects_bad_entries(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Scripted.from_json(data)


@given(
    times=st.integers(min_value=1, max_value=5),
    targets=st.lists(st.sampled_from(["a", "b"]), max_size=12),
)
def test_an_entry_is_used_exactly_times_on_matching_requests(
    times: int, targets: list[str]
) -> None:
    script = Script()
    script.add(Scripted(status=500, times=times, target="a"))
    hits = [script.take("m", target) for target in targets]
    assert sum(hit is not None for hit in hits) == min(times, targets.count("a"))
    assert all(hit is None for hit, target in zip(hits, targets, strict=True) if target == "b")
