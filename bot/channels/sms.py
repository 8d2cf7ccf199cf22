"""SMS through Twilio: inbound webhook parsing, signature check, status mapping. Sending is in
bot/channels/twilio_send.py, imported only when Twilio is configured (its client pulls in
aiohttp and requests)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from twilio.request_validator import RequestValidator

from bot.phones import to_e164
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
