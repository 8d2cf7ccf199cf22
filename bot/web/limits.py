"""Request body limits, applied before anything reads the body (so before a webhook's
signature check): the declared Content-Length is refused at once, and a body sent without one
is counted as it streams. Each path prefix has a limit suited to it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from content.errors import InputError

KB, MB = 1024, 1024 * 1024
# The first matching prefix wins.
LIMITS: tuple[tuple[str, int], ...] = (
    ("/webhooks/", 256 * KB),  # Twilio's form is a few KB; Telegram updates stay far below this
    ("/console/roster/", 8 * MB),  # a 5 MB file, and its base64 (6.7 MB) posted back to import
    ("/console/translations/import", 3 * MB),  # .po files up to 2 MB
)
DEFAULT_LIMIT = 1 * MB


MAX_QUERY = 4096  # bytes of query string; filters and links need far less
MAX_VALUE = 1000  # characters in one query or form value


def query_problem(query: bytes) -> str | None:
    """A query string we refuse (NUL, or too long), before any route sees it."""
    if len(query) > MAX_QUERY:
        return f"query string too long (limit {MAX_QUERY} bytes)"
    decoded = [v for _, v in parse_qsl(query.decode("latin-1"), keep_blank_values=True)]
    if "%00" in query.decode("latin-1").lower() or any("\x00" in v for v in decoded):
        return "NUL characters are not allowed in the query"
    if any(len(v) > MAX_VALUE for v in decoded):
        return f"a query value is too long (limit {MAX_VALUE} characters)"
    return None


def form_problem(values: list[object], max_value: int = MAX_VALUE) -> str | None:
    """A posted form we refuse: NUL in any text field, or an over-long one (files aside)."""
    for value in values:
        if isinstance(value, str):
            if "\x00" in value:
                return "NUL characters are not allowed"
            if len(value) > max_value:
                return f"a field is too long (limit {max_value} characters)"
    return None


class BodyTooLarge(InputError):
    pass


def limit_for(path: str, limits: Sequence[tuple[str, int]] = LIMITS) -> int:
    for prefix, limit in limits:
        if path.startswith(prefix):
            return limit
    return DEFAULT_LIMIT


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = query_problem(scope.get("query_string", b""))
        if problem is not None:
            await _answer(send, 400, problem)
            return
        limit = limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _answer(send, 400, "bad Content-Length")
                return
            if int(declared) > limit:
                await _answer(send, 413, f"request body too large (limit {limit} bytes)")
                return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await _answer(send, 413, f"request body too large (limit {limit} bytes)")


async def _answer(send: Send, status: int, error: str) -> None:
    body = json.dumps({"error": error}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
