"""SMS through Twilio: inbound webhook parsing, signature check, sending, status mapping."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from datetime import datetime

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channels.base import RateLimits, SendError, SendFailure, SendResult
from bot.phones import to_e164
from dialogs.render import Rendered, Style
from dialogs.types import Channel, Inbound, MediaRef

# Twilio message status -> our delivery status.
STATUS_MAP: Mapping[str, str] = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "sending",
    "sent": "sent",
    "delivered": "delivered",
    "receiving": "received",
    "received": "received",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
OPTED_OUT_CODES = frozenset({"21610"})
TWILIO_429_PAUSE = 5.0  # seconds the SMS channel pauses after a Twilio 429
UNREACHABLE_CODES = frozenset({"21211", "21612", "21614", "30003", "30005", "30006"})


def signature_ok(
    auth_token: str, url: str, params: Mapping[str, str], signature: str | None
) -> bool:
    """Twilio's HMAC-SHA1 signature, checked by the official validator (constant-time compare)."""
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))


# Our columns hold 64 characters; Twilio's SIDs are 34.
MAX_ID = 64
_SID = re.compile(r"^[\x21-\x7e]{1,64}$")  # visible ASCII
# Delivery statuses only move forward: a late "sent" never overwrites "delivered"
# (callbacks can arrive out of order).
STATUS_RANK: Mapping[str, int] = {
    "queued": 0,
    "sending": 1,
    "sent": 2,
    "received": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
}


def moves_forward(current: str | None, new: str) -> bool:
    """Never back to an earlier stage; between final statuses the latest report wins."""
    return new != current and STATUS_RANK.get(new, 0) >= STATUS_RANK.get(current or "", -1)


def form_problem(form: Mapping[str, str]) -> str | None:
    """Why a (signed) inbound form cannot be taken, for a 400 answer; None when it can."""
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    sender = form.get("From") or ""
    if not sid or not sender:
        return "MessageSid and From are required"
    if not _SID.match(sid):
        return "MessageSid must be 1-64 visible ASCII characters"
    if len(sender) > MAX_ID or "\x00" in sender:
        return "From must be an address of at most 64 characters"
    if not (form.get("NumMedia") or "0").isdigit():
        return "NumMedia must be a number"
    return None


def parse_inbound(form: Mapping[str, str], received_at: datetime) -> Inbound | None:
    """An inbound SMS from Twilio's form fields; None when `form_problem` finds one."""
    if form_problem(form) is not None:
        return None
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    sender = form.get("From") or ""
    phone = to_e164(sender) or sender
    body = (form.get("Body") or "").replace("\x00", "")  # PostgreSQL stores no NUL
    return Inbound(
        channel=Channel.SMS,
        address=phone,
        provider_id=sid,
        received_at=received_at,
        text=body,
        media=mms_media(form),
    )


MAX_MEDIA = 10  # Twilio sends at most ten media items with one MMS


def mms_media(form: Mapping[str, str]) -> tuple[MediaRef, ...]:
    """An MMS's media by reference (MediaUrlN, MediaContentTypeN); Twilio gives no size."""
    found: list[MediaRef] = []
    for i in range(min(int(form.get("NumMedia") or "0"), MAX_MEDIA)):
        url = form.get(f"MediaUrl{i}") or ""
        if not url.startswith(("https://", "http://")) or len(url) > 1000:
            continue
        ctype = (form.get(f"MediaContentType{i}") or "").lower()[:100] or None
        found.append(MediaRef(url, ctype, None, media_kind(ctype)))
    return tuple(found)


def media_kind(content_type: str | None) -> str:
    if content_type and content_type.startswith("image/"):
        return "image"
    if content_type and content_type.startswith("audio/"):
        return "voice"
    return "file"


MAX_BODY = 1600  # Twilio refuses longer bodies (error 21617)


def fit_body(text: str) -> str:
    """Twilio's limit, cut on a character boundary with an ellipsis; never an empty body."""
    text = text or "…"
    return text if len(text) <= MAX_BODY else text[: MAX_BODY - 1] + "…"


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
        self._http: AsyncTwilioHttpClient | None = None
        self._client: Client | None = None

    def _twilio(self) -> Client:
        """The client, built on first use inside the running event loop (aiohttp needs one)."""
        if self._client is None:
            self._http = AsyncTwilioHttpClient(timeout=self._timeout)
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
