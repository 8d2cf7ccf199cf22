"""The real twilio client (AsyncTwilioHttpClient) against the Twilio stand-in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from tests.standins import StandinClient, TwilioStandin, twilio_api
from tests.standins.script import Scripted

TO, OTHER, FROM = "+8613800138000", "+8613900139000", "+15005550006"


@pytest.fixture(scope="module")
def standin() -> Iterator[TwilioStandin]:
    with TwilioStandin() as running:
        yield running


@pytest.fixture
def twilio(standin: TwilioStandin) -> Iterator[TwilioStandin]:
    standin.recorder.reset()
    yield standin
    standin.recorder.reset()


def make_client(standin: TwilioStandin, auth_token: str | None = None) -> Client:
    client = Client(
        standin.recorder.account_sid,
        auth_token or standin.recorder.auth_token,
        http_client=AsyncTwilioHttpClient(),
    )
    client.api.base_url = standin.base_url
    return client


@pytest.fixture
async def client(twilio: TwilioStandin) -> AsyncIterator[Client]:
    client = make_client(twilio)
    yield client
    await client.http_client.close()


async def test_send_returns_a_sid_and_is_recorded(twilio: TwilioStandin, client: Client) -> None:
    message = await client.messages.create_async(
        to=TO, from_=FROM, body="儿童主任您好", status_callback="https://careline.test/status"
    )
    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid or "")
    assert (message.status, message.to, message.from_, message.body) == (
        "queued",
        TO,
        FROM,
        "儿童主任您好",
    )
    assert message.date_created is not None
    [recorded] = twilio.recorder.messages()
    assert (recorded.sid, recorded.to, recorded.from_, recorded.body) == (
        message.sid,
        TO,
        FROM,
        "儿童主任您好",
    )
    assert recorded.status_callback == "https://careline.test/status"


async def test_messaging_service_without_from_is_accepted(
    twilio: TwilioStandin, client: Client
) -> None:
    service = "MG" + "a" * 32
    message = await client.messages.create_async(to=TO, messaging_service_sid=service, body="hi")
    assert (message.status, message.messaging_service_sid, message.from_) == (
        "accepted",
        service,
        None,
    )


@pytest.mark.parametrize(
    ("scripted", "status", "code"),
    [
        (twilio_api.rate_limited(), 429, 20429),
        (twilio_api.server_error(), 500, 20500),
        (twilio_api.invalid_number(), 400, 21211),
        (twilio_api.unsubscribed(), 400, 21610),
        (twilio_api.failure(503, 20503, "Service Unavailable"), 503, 20503),
    ],
)
async def test_scripted_failure_raises_twilio_rest_exception(
    twilio: TwilioStandin, client: Client, scripted: Scripted, status: int, code: int
) -> None:
    twilio.recorder.script.add(scripted)
    with pytest.raises(TwilioRestException) as raised:
        await client.messages.create_async(to=TO, from_=FROM, body="hi")
    assert (raised.value.status, raised.value.code) == (status, code)
    assert twilio.recorder.count() == 0
    assert [a.status for a in twilio.recorder.attempts()] == [status]


async def test_failures_apply_times_then_sending_succeeds(
    twilio: TwilioStandin, client: Client
) -> None:
    twilio.recorder.script.add(twilio_api.rate_limited(times=2))
    statuses = []
    for _ in range(3):
        try:
            await client.messages.create_async(to=TO, from_=FROM, body="hi")
            statuses.append(201)
        except TwilioRestException as error:
            statuses.append(error.status)
    assert statuses == [429, 429, 201]
    assert twilio.recorder.script.pending() == []


async def test_unsubscribed_applies_to_its_destination_until_cleared(
    twilio: TwilioStandin, client: Client
) -> None:
    twilio.recorder.script.add(twilio_api.unsubscribed(to=TO))
    for _ in range(2):
        with pytest.raises(TwilioRestException) as raised:
            await client.messages.create_async(to=TO, from_=FROM, body="hi")
        assert raised.value.code == 21610
    await client.messages.create_async(to=OTHER, from_=FROM, body="hi")
    assert [m.to for m in twilio.recorder.messages()] == [OTHER]
    twilio.recorder.script.clear()
    await client.messages.create_async(to=TO, from_=FROM, body="hi")
    assert twilio.recorder.count() == 2


@pytest.mark.parametrize(
    ("account_sid", "auth_token", "status", "code"),
    [
        (None, "wrong-token", 401, 20003),
        ("AC" + "f" * 32, None, 404, 20404),
    ],
)
async def test_bad_credentials_or_account_are_refused(
    twilio: TwilioStandin, account_sid: str | None, auth_token: str | None, status: int, code: int
) -> None:
    client = make_client(twilio, auth_token)
    try:
        messages = client.messages
        if account_sid is not None:
            messages = client.api.v2010.accounts(account_sid).messages
        with pytest.raises(TwilioRestException) as raised:
            await messages.create_async(to=TO, from_=FROM, body="hi")
        assert (raised.value.status, raised.value.code) == (status, code)
    finally:
        await client.http_client.close()
    assert twilio.recorder.count() == 0


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": FROM, "Body": "hi"}, 21604),
        ({"To": TO, "Body": "hi"}, 21603),
        ({"To": TO, "From": FROM}, 21602),
        ({"To": TO, "From": FROM, "Body": "x" * 1601}, 21617),
    ],
)
async def test_missing_fields_get_twilio_validation_codes(
    twilio: TwilioStandin, form: dict[str, str], code: int
) -> None:
    url = f"{twilio.base_url}/2010-04-01/Accounts/{twilio.recorder.account_sid}/Messages.json"
    auth = (twilio.recorder.account_sid, twilio.recorder.auth_token)
    async with httpx.AsyncClient() as http:
        response = await http.post(url, data=form, auth=auth)
    assert (response.status_code, response.json()["code"]) == (400, code)


async def test_delay_times_out_the_client_but_the_message_is_still_accepted(
    twilio: TwilioStandin,
) -> None:
    twilio.recorder.script.add(twilio_api.delayed(0.15))
    url = f"{twilio.base_url}/2010-04-01/Accounts/{twilio.recorder.account_sid}/Messages.json"
    auth = (twilio.recorder.account_sid, twilio.recorder.auth_token)
    async with httpx.AsyncClient(timeout=0.02) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.post(url, data={"To": TO, "From": FROM, "Body": "late"}, auth=auth)
    [message] = await twilio.recorder.wait_for_count(1, timeout=3)
    assert message.body == "late"


async def test_wait_for_count_wakes_on_arrival_and_times_out_honestly(
    twilio: TwilioStandin, client: Client
) -> None:
    with pytest.raises(TimeoutError, match="expected 1 recorded, got 0"):
        await twilio.recorder.wait_for_count(1, timeout=0.05)
    for n in range(3):
        await client.messages.create_async(to=TO, from_=FROM, body=f"m{n}")
    assert [m.body for m in await twilio.recorder.wait_for_count(3, timeout=1)] == [
        "m0",
        "m1",
        "m2",
    ]


async def test_control_routes_script_and_query_over_http(
    twilio: TwilioStandin, client: Client
) -> None:
    async with StandinClient(twilio.base_url) as control:
        pending = await control.script(twilio_api.invalid_number(to=TO))
        assert [(p["status"], p["target"]) for p in pending] == [(400, TO)]
        with pytest.raises(TwilioRestException) as raised:
            await client.messages.create_async(to=TO, from_=FROM, body="hi")
        assert raised.value.code == 21211
        sent = await client.messages.create_async(to=OTHER, from_=FROM, body="你好")
        assert await control.wait_for_count(1, timeout=1) == 1
        assert await control.count() == 1
        [message] = await control.messages()
        assert (message["sid"], message["to"], message["body"]) == (sent.sid, OTHER, "你好")
        assert [a["status"] for a in await control.attempts()] == [400, 201]
        with pytest.raises(TimeoutError):
            await control.wait_for_count(2, timeout=0.05)
        await control.reset()
        assert await control.count() == 0
