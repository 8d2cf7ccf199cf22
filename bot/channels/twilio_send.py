"""Sending SMS through Twilio's REST API (imported only when Twilio is configured: the
client pulls in aiohttp and requests). Parsing and signatures: bot/channels/sms.py."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.channels.base import RateLimits, SendError, SendFailure, SendResult
from bot.channels.sms import OPTED_OUT_CODES, TWILIO_429_PAUSE, UNREACHABLE_CODES, fit_body
from dialogs.render import Rendered, Style
from dialogs.types import Channel

FORM = "application/x-www-form-urlencoded"


class FormBodyHttpClient(AsyncTwilioHttpClient):
    """Twilio's own aiohttp client, the form of a request encoded here, once, as aiohttp
    would encode it (`urlencode`, lists repeated, UTF-8; the same Content-Type): aiohttp's
    FormData builds a multipart writer and a random boundary for every request first, a
    third of the client's CPU for a message (issue 13)."""

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (the interface twilio's client calls)
        allow_redirects: bool = False,
    ) -> Response:
        body: Any = data
        if isinstance(data, dict):
            body = urlencode(data, doseq=True).encode()
            headers = {**(headers or {}), "Content-Type": FORM}
        return await super().request(
            method, url, params, body, headers, auth, timeout, allow_redirects
        )


class TwilioChannel:
    name = Channel.SMS
    style: Style = "numbered"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sender: str,
        api_base: str,
        status_callback: str | None,
        limits: RateLimits,
        timeout: float = 15.0,
    ) -> None:
        self.limits = limits
        self._sender = sender
        self._status_callback = status_callback
        self._credentials = (account_sid, auth_token)
        self._api_base = api_base.rstrip("/")
        self._timeout = timeout
        self._http: FormBodyHttpClient | None = None
        self._client: Client | None = None

    def _twilio(self) -> Client:
        """The client, built on first use inside the running event loop (aiohttp needs one)."""
        if self._client is None:
            self._http = FormBodyHttpClient(timeout=self._timeout)
            self._client = Client(*self._credentials, http_client=self._http)
            self._client.api.base_url = self._api_base
        return self._client

    async def send(self, address: str, message: Rendered) -> SendResult:
        kwargs: dict[str, str] = {"to": address, "body": fit_body(message.text)}
        if self._sender.startswith("MG"):
            kwargs["messaging_service_sid"] = self._sender
        else:
            kwargs["from_"] = self._sender
        if self._status_callback:
            kwargs["status_callback"] = self._status_callback
        try:
            # The twilio library never applies its client timeout to aiohttp: bound it here.
            async with asyncio.timeout(self._timeout):
                msg = await self._twilio().messages.create_async(**kwargs)
        except TwilioRestException as exc:
            raise classify_rest_error(exc) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            # The request may have reached Twilio: retried, and recorded as possibly sent.
            raise SendError.uncertain(f"network: {type(exc).__name__}", "network") from exc
        except TwilioException as exc:
            raise SendError(f"twilio: {exc}", SendFailure.RETRY, code="twilio") from exc
        return SendResult(provider_id=str(msg.sid))

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()


def classify_rest_error(exc: TwilioRestException) -> SendError:
    code = str(exc.code) if exc.code is not None else str(exc.status)
    if exc.status == 429:
        # Twilio gives no Retry-After here: pause the whole channel for a fixed while.
        return SendError(
            "twilio: 429 too many requests",
            SendFailure.RETRY,
            code=code,
            retry_after=TWILIO_429_PAUSE,
        )
    if exc.status >= 500:
        return SendError.uncertain(f"twilio: {exc.status}", code)
    if code in OPTED_OUT_CODES:
        kind = SendFailure.OPTED_OUT
    elif code in UNREACHABLE_CODES:
        kind = SendFailure.UNREACHABLE
    else:
        kind = SendFailure.PERMANENT
    return SendError(f"twilio: {exc.status} {code}", kind, code=code)
