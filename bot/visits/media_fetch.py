"""Fetch one visit photo from its provider, on demand (the console's photo view): Twilio's
media URL with the account's credentials, or Telegram's getFile then the file. Only hosts
of the configured APIs are asked (no fetching of arbitrary URLs), at most MAX_BYTES are read,
and only image types in IMAGE_TYPES are passed on. Nothing is written to disk."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from bot.config import Settings
from content.errors import ChannelError
from storage.models import VisitMedia

MAX_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
TIMEOUT = httpx.Timeout(10.0)


class MediaUnavailable(ChannelError):
    """The photo could not be passed on; `reason` says why (too_large, bad_type, provider,
    not_configured, foreign_url)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Fetched:
    body: bytes
    content_type: str


async def fetch_media(
    settings: Settings, media: VisitMedia, client: httpx.AsyncClient | None = None
) -> Fetched:
    if media.size is not None and media.size > MAX_BYTES:
        raise MediaUnavailable("too_large")
    own = client is None
    http = client or httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=True)
    try:
        if media.channel == "telegram":
            return await _telegram(settings, media, http)
        return await _twilio(settings, media, http)
    except httpx.HTTPError as exc:
        raise MediaUnavailable("provider") from exc
    finally:
        if own:
            await http.aclose()


async def _twilio(settings: Settings, media: VisitMedia, http: httpx.AsyncClient) -> Fetched:
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    if not sid or not token:
        raise MediaUnavailable("not_configured")
    base = settings.twilio_api_base.rstrip("/") + "/"
    if not media.ref.startswith(base):
        raise MediaUnavailable("foreign_url")
    return await _read(http, media.ref, auth=(sid, token))


async def _telegram(settings: Settings, media: VisitMedia, http: httpx.AsyncClient) -> Fetched:
    token = settings.telegram_token
    if not token:
        raise MediaUnavailable("not_configured")
    base = settings.telegram_api_base.rstrip("/")
    resp = await http.get(f"{base}/bot{token}/getFile", params={"file_id": media.ref})
    resp.raise_for_status()
    result = resp.json().get("result") or {}
    if int(result.get("file_size") or 0) > MAX_BYTES:
        raise MediaUnavailable("too_large")
    path = str(result.get("file_path") or "")
    if not path or ".." in path:
        raise MediaUnavailable("provider")
    return await _read(http, f"{base}/file/bot{token}/{path}", fallback=media.content_type)


async def _read(
    http: httpx.AsyncClient,
    url: str,
    *,
    auth: tuple[str, str] | None = None,
    fallback: str | None = None,
) -> Fetched:
    async with http.stream("GET", url, auth=auth) as resp:
        resp.raise_for_status()
        ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype in ("", "application/octet-stream") and fallback:
            ctype = fallback  # Telegram's file server says octet-stream for photos
        if ctype not in IMAGE_TYPES:
            raise MediaUnavailable("bad_type")
        if int(resp.headers.get("content-length") or 0) > MAX_BYTES:
            raise MediaUnavailable("too_large")
        body = bytearray()
        async for chunk in resp.aiter_bytes():
            body += chunk
            if len(body) > MAX_BYTES:
                raise MediaUnavailable("too_large")
    return Fetched(bytes(body), ctype)
