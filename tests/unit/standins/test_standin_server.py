"""The server wrapper: in-thread start/stop, shutdown releasing waits, subprocess mode,
record files, cross-thread waits, and signed Twilio status callbacks."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.standins import (
    StandinClient,
    StandinServer,
    TelegramStandin,
    TwilioStandin,
    send_status_callback,
    send_status_for,
    status_callback_params,
    twilio_api,
)
from tests.standins.changes import ChangeSignal
from tests.standins.telegram_updates import text_message_update
from tests.standins.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from tests.support.paths import REPO

REPO_ROOT = REPO
TO, FROM = "+8613800138000", "+15005550006"


def hello_app() -> Starlette:
    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse("hello")

    return Starlette(routes=[Route("/", hello)])


async def test_server_serves_any_asgi_app_on_its_own_port_and_stops() -> None:
    first, second = StandinServer(hello_app()), StandinServer(hello_app())
    with pytest.raises(RuntimeError, match="not started"):
        _ = first.base_url
    with first, second:
        assert first.port != second.port
        async with httpx.AsyncClient() as http:
            assert (await http.get(first.base_url + "/")).text == "hello"
            assert (await http.get(second.base_url + "/")).text == "hello"
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(first.base_url + "/")


def test_a_taken_port_fails_at_start() -> None:
    with StandinServer(hello_app()) as running, pytest.raises(OSError):
        StandinServer(hello_app(), port=running.port).start()


async def test_stop_releases_a_pending_long_poll() -> None:
    telegram = TelegramStandin().start()
    rec = telegram.recorder
    url = f"{telegram.base_url}/bot{rec.token}/getUpdates"
    async with httpx.AsyncClient(timeout=10) as http:
        poll = asyncio.create_task(http.post(url, data={"timeout": "30"}))
        assert await rec.wait_until(lambda: rec.waiting_pollers == 1, timeout=2)
        async with asyncio.timeout(3):
            await asyncio.to_thread(telegram.stop)
            response = await poll
    assert response.json() == {"ok": True, "result": []}


async def test_stop_cuts_a_scripted_delay_short() -> None:
    twilio = TwilioStandin().start()
    twilio.recorder.script.add(twilio_api.delayed(30))
    url = f"{twilio.base_url}/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}/Messages.json"
    async with httpx.AsyncClient(timeout=10) as http:
        request = asyncio.create_task(
            http.post(
                url,
                data={"To": TO, "From": FROM, "Body": "x"},
                auth=(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN),
            )
        )
        assert await twilio.recorder.wait_until(
            lambda: twilio.recorder.script.pending() == [], timeout=2
        )
        async with asyncio.timeout(3):
            await asyncio.to_thread(twilio.stop)
            response = await request
    assert response.status_code == 503
    assert twilio.recorder.count() == 0


async def start_subprocess(*args: str) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.standins",
        *args,
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    async with asyncio.timeout(10):
        port = int(await process.stdout.readline())
    return process, f"http://127.0.0.1:{port}"


async def stop_subprocess(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(10):
        assert await process.wait() in (0, -signal.SIGTERM)


async def test_subprocesses_print_their_port_and_record_to_file(tmp_path: Path) -> None:
    twilio_file, telegram_file = tmp_path / "twilio.jsonl", tmp_path / "telegram.jsonl"
    (twilio_process, base_url), (telegram_process, telegram_url) = await asyncio.gather(
        start_subprocess("twilio", "--port", "0", "--record-file", str(twilio_file)),
        start_subprocess(
            "telegram",
            "--port",
            "0",
            "--record-file",
            str(telegram_file),
            "--token",
            "77:other-token",
        ),
    )
    try:
        client = Client(
            DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, http_client=AsyncTwilioHttpClient()
        )
        client.api.base_url = base_url
        async with StandinClient(base_url) as control:
            await control.script(twilio_api.rate_limited())
            with pytest.raises(TwilioRestException):
                await client.messages.create_async(to=TO, from_=FROM, body="第一条")
            sent = await client.messages.create_async(to=TO, from_=FROM, body="第一条")
            await client.http_client.close()
            assert await control.wait_for_count(1, timeout=5) == 1
            [message] = await control.messages()
        lines = twilio_file.read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["sid"] for line in lines] == [sent.sid] == [message["sid"]]
        assert json.loads(lines[0])["body"] == "第一条"

        async with httpx.AsyncClient() as http:
            answer = await http.post(
                f"{telegram_url}/bot77:other-token/sendMessage", data={"chat_id": "9", "text": "hi"}
            )
        assert answer.json()["result"]["chat"]["id"] == 9
        async with StandinClient(telegram_url) as control:
            assert await control.wait_for_count(1, timeout=5) == 1
        [line] = telegram_file.read_text(encoding="utf-8").splitlines()
        assert json.loads(line)["text"] == "hi"
    finally:
        await asyncio.gather(stop_subprocess(twilio_process), stop_subprocess(telegram_process))


async def test_in_thread_record_file_and_remote_updates(tmp_path: Path) -> None:
    record_file = tmp_path / "telegram.jsonl"
    with TelegramStandin(record_file=record_file) as telegram:
        async with StandinClient(telegram.base_url) as control:
            update_id = await control.push_update(text_message_update(1, "hi"))
            assert [u["update_id"] for u in telegram.recorder.pending_updates()] == [update_id]
            url = f"{telegram.base_url}/bot{telegram.recorder.token}/sendMessage"
            async with httpx.AsyncClient() as http:
                await http.post(url, json={"chat_id": 7, "text": "你好"})
            assert await control.wait_for_count(1, timeout=1) == 1
    [line] = record_file.read_text(encoding="utf-8").splitlines()
    assert (json.loads(line)["chat_id"], json.loads(line)["text"]) == (7, "你好")


def test_sync_wait_wakes_on_a_change_from_another_thread() -> None:
    signal_ = ChangeSignal()
    box: list[int] = []

    def produce() -> None:
        box.append(1)
        signal_.notify_all()

    worker = threading.Thread(target=produce)
    worker.start()
    assert signal_.wait_until_sync(lambda: box == [1], timeout=2)
    worker.join()
    assert not signal_.wait_until_sync(lambda: box == [2], timeout=0.01)


async def test_async_wait_wakes_on_a_change_from_another_thread() -> None:
    signal_ = ChangeSignal()
    box: list[int] = []

    def produce() -> None:
        box.append(1)
        signal_.notify_all()

    waiting = asyncio.create_task(signal_.wait_until(lambda: box == [1], timeout=2))
    await asyncio.to_thread(produce)
    assert await waiting
    assert not await signal_.wait_until(lambda: box == [2], timeout=0.01)


Received = list[tuple[str, dict[str, str], str]]


@pytest.fixture(scope="module")
def status_receiver() -> Iterator[tuple[StandinServer, Received]]:
    """A webhook that keeps (its own URL, the form, X-Twilio-Signature) of each POST."""
    received: Received = []

    async def status(request: Request) -> PlainTextResponse:
        form = await request.form()
        params = {k: v for k, v in form.items() if isinstance(v, str)}
        received.append((str(request.url), params, request.headers["X-Twilio-Signature"]))
        return PlainTextResponse("", status_code=204)

    app = Starlette(routes=[Route("/twilio/status", status, methods=["POST"])])
    with StandinServer(app) as server:
        yield server, received


@pytest.mark.parametrize(
    ("status", "error_code"),
    [("sent", None), ("delivered", None), ("undelivered", 30005), ("failed", 30003)],
)
async def test_signed_status_callback_verifies(
    status_receiver: tuple[StandinServer, Received], status: str, error_code: int | None
) -> None:
    receiver, received = status_receiver
    received.clear()
    url = receiver.base_url + "/twilio/status"
    message = twilio_api.AcceptedMessage(
        sid="SM" + "0" * 32,
        account_sid=DEFAULT_ACCOUNT_SID,
        to=TO,
        from_=FROM,
        messaging_service_sid=None,
        body="x",
        status_callback=url,
        received_at=twilio_api.utc_now(),
    )
    params = status_callback_params(message, status, error_code)
    response = await send_status_callback(url, DEFAULT_AUTH_TOKEN, params)
    assert response.status_code == 204
    if status == "delivered":  # the same callback, addressed from the message itself
        assert (await send_status_for(message, status, DEFAULT_AUTH_TOKEN)).status_code == 204
        assert received[0] == received[1]
        del received[1]
    [(seen_url, seen_params, signature)] = received
    assert seen_params["MessageStatus"] == status
    assert seen_params.get("ErrorCode") == (None if error_code is None else str(error_code))
    assert RequestValidator(DEFAULT_AUTH_TOKEN).validate(seen_url, seen_params, signature)
    assert not RequestValidator("other-token").validate(seen_url, seen_params, signature)
    forged = {**seen_params, "MessageStatus": "read"}
    assert not RequestValidator(DEFAULT_AUTH_TOKEN).validate(seen_url, forged, signature)
