"""Request body limits, applied before anything reads the body (so before a webhook's
signature check): the declared Content-Length is refused at once, and a body sent without one
is counted as it streams. Each path prefix has a limit suited to it."""

from __future__ import annotations

import json
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

KB, MB = 1024, 1024 * 1024
# The first matching prefix wins.
LIMITS: tuple[tuple[str, int], ...] = (
    ("/webhooks/", 256 * KB),  # Twilio's form is a few KB; Telegram updates stay far below this
    ("/console/roster/", 8 * MB),  # a 5 MB file, and its base64 (6.7 MB) posted back to import
    ("/console/translations/import", 3 * MB),  # .po files up to 2 MB
)
DEFAULT_LIMIT = 1 * MB


class BodyTooLarge(Exception):
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
