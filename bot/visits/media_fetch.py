"""Fetch one visit photo or voice note from its provider: Twilio's media URL with the
account's credentials, Telegram's getFile then the file, or WeCom's `media/get` with the
channel's shared access token. Used by the fetch job (bot/visits/media_job.py), which keeps
the file in the store, and by the console's photo view while the store has none yet.

Only hosts of the configured APIs are asked (no fetching of arbitrary URLs: a Twilio URL
outside the configured API base is `foreign_url`), at most MAX_BYTES are read, and the type
is read from the bytes (bot/media_store.py: `check`), never from the provider's header."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

import httpx

from bot.config import Settings
from bot.media_store import IMAGE_TYPES, MAX_BYTES, MediaUnavailable, check
from storage.models import VisitMedia

__all__ = ["IMAGE_TYPES", "MAX_BYTES", "Fetched", "MediaUnavailable", "fetch_media"]

TIMEOUT = httpx.Timeout(10.0)
WECOM_TOKEN_ERRORS = frozenset({40001, 40014, 42001})
PERMANENT = frozenset({"too_large", "bad_type", "foreign_url"})  # trying again changes nothing


class TokenSource(Protocol):
    """The WeCom channel's client: a valid access token, refetched when `stale` was refused."""

    async def token(self, *, stale: str | None = None) -> str: ...


@dataclass(frozen=True, slots=True)
class Fetched:
    body: bytes
    content_type: str  # read from the bytes


async def fetch_media(
    settings: Settings,
    media: VisitMedia,
    client: httpx.AsyncClient | None = None,
    wecom: TokenSource | None = None,
) -> Fetched:
    if media.size is not None and media.size > MAX_BYTES:
        raise MediaUnavailable("too_large")
    own = client is None
    http = client or httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=True)
    try:
        if media.channel == "telegram":
            body = await _telegram(settings, media, http)
        elif media.channel == "wecom":
            body = await _wecom(settings, media, http, wecom)
        else:
            body = await _twilio(settings, media, http)
    except httpx.HTTPError as exc:
        raise MediaUnavailable("provider") from exc
    finally:
        if own:
            await http.aclose()
    return Fetched(body, check(body, media.kind or "image"))


async def _twilio(settings: Settings, media: VisitMedia, http: httpx.AsyncClient) -> bytes:
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    if not sid or not token:
        raise MediaUnavailable("not_configured")
    base = settings.twilio_api_base.rstrip("/") + "/"
    if not media.ref.startswith(base):
        raise MediaUnavailable("foreign_url")
    return await _read(http, media.ref, auth=(sid, token))


async def _telegram(settings: Settings, media: VisitMedia, http: httpx.AsyncClient) -> bytes:
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
    return await _read(http, f"{base}/file/bot{token}/{path}")


async def _wecom(
    settings: Settings, media: VisitMedia, http: httpx.AsyncClient, wecom: TokenSource | None
) -> bytes:
    """`GET /cgi-bin/media/get`: the file itself, or (HTTP 200 too) a JSON `errcode`; a
    refused token is refetched once, as the channel does for its own calls."""
    if wecom is None or not settings.wecom_corp_id:
        raise MediaUnavailable("not_configured")
    url = settings.wecom_api_base.rstrip("/") + "/cgi-bin/media/get"
    token = await _wecom_token(wecom)
    for attempt in (1, 2):
        body, errcode = await _read_wecom(http, url, token, media.ref)
        if errcode is None:
            return body
        if errcode in WECOM_TOKEN_ERRORS and attempt == 1:
            token = await _wecom_token(wecom, stale=token)
            continue
        break
    raise MediaUnavailable("provider")


async def _wecom_token(wecom: TokenSource, stale: str | None = None) -> str:
    try:
        return await wecom.token(stale=stale)
    except httpx.HTTPError:
        raise
    except Exception as exc:  # WeComError: gettoken refused (bad secret, busy)
        raise MediaUnavailable("provider") from exc


async def _read_wecom(
    http: httpx.AsyncClient, url: str, token: str, media_id: str
) -> tuple[bytes, int | None]:
    params = {"access_token": token, "media_id": media_id}
    async with http.stream("GET", url, params=params) as resp:
        resp.raise_for_status()
        ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await _body(resp)
    if ctype in ("application/json", "text/plain") and body[:1] == b"{":
        try:
            errcode = int(json.loads(body).get("errcode", -1))
        except (ValueError, AttributeError):
            errcode = -1
        return b"", errcode
    return body, None


async def _read(http: httpx.AsyncClient, url: str, *, auth: tuple[str, str] | None = None) -> bytes:
    async with http.stream("GET", url, auth=auth) as resp:
        resp.raise_for_status()
        return await _body(resp)


async def _body(resp: httpx.Response) -> bytes:
    """At most MAX_BYTES of the answer (a longer one: too_large, the rest is not read)."""
    if int(resp.headers.get("content-length") or 0) > MAX_BYTES:
        raise MediaUnavailable("too_large")
    body = bytearray()
    async for chunk in resp.aiter_bytes():
        body += chunk
        if len(body) > MAX_BYTES:
            raise MediaUnavailable("too_large")
    return bytes(body)
