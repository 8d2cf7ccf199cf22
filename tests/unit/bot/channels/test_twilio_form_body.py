"""The Twilio client's form body (bot/channels/twilio_send.FormBodyHttpClient): byte for byte
what twilio's own aiohttp client sends for the same request (body, Content-Type), posted to
a local server on real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from twilio.http.async_http_client import AsyncTwilioHttpClient

from bot.channels.twilio_send import FormBodyHttpClient

FORMS = [
    {"To": "+8613800000002", "From": "+15005550006", "Body": "你好，孩子 3 岁了"},
    {"Body": "a+b=c&d %25 🙂\n第二行", "StatusCallback": "https://x.example/cb?a=1&b=2"},
    {"Body": "", "MediaUrl": ["https://x.example/1.jpg", "https://x.example/2.jpg"]},
]


@pytest.fixture
async def seen() -> AsyncIterator[tuple[str, list[tuple[bytes, str]]]]:
    got: list[tuple[bytes, str]] = []

    async def capture(request: web.Request) -> web.Response:
        got.append((await request.read(), request.headers.get("Content-Type", "")))
        return web.json_response({"sid": "SM1"}, status=201)

    app = web.Application()
    app.router.add_post("/messages", capture)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/messages", got
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("form", FORMS, ids=["chinese", "reserved characters", "repeated"])
async def test_the_body_is_the_one_twilios_client_sends(
    seen: tuple[str, list[tuple[bytes, str]]], form: dict[str, object]
) -> None:
    url, got = seen
    for client in (AsyncTwilioHttpClient(), FormBodyHttpClient()):
        try:
            response = await client.request("POST", url, data=form, auth=("AC1", "token"))
        finally:
            await client.close()
        assert response.status_code == 201
    (theirs, their_type), (ours, our_type) = got
    assert ours == theirs
    assert our_type == their_type == "application/x-www-form-urlencoded"
