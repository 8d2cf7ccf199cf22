"""Twilio's inbound SMS webhook served below FastAPI's routing (issue 13).

The webhook is the busiest request Careline serves (every SMS of a province). FastAPI's
route for it cost more than the signature check: the match against every route, the
dependency solving, the request object and python-multipart's form parser. This ASGI layer
answers `POST /webhooks/twilio` with an urlencoded body itself, before the routing: it reads
the body (inside `BodyLimit`, which still counts it), parses the form as Starlette does
(`&`-separated, `+` and percent escapes, blank values kept, the last of a repeated name),
builds the URL Twilio signed from the configured public URL and hands both to
`bot.web.webhooks.twilio_inbound_answer`, the route's own code: the same answers (403, 400,
404, TwiML), the same errors (an exception reaches the app's error handler, a 500).

Anything else goes on to FastAPI, as does this path when no public URL is configured (the
URL is then the request's own, which only the route builds) or the body is not a form.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.host import Host
from bot.web import webhooks
from dialogs.types import Channel

PATH = "/webhooks/twilio"
FORM = b"application/x-www-form-urlencoded"


def _is_form(scope: Scope) -> bool:
    content_type = Headers(scope=scope).get("content-type", "").encode("latin-1")
    return content_type.split(b";", 1)[0].strip().lower() == FORM


async def _body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionError("client disconnected before the body was read")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def form_of(body: bytes) -> dict[str, str]:
    """An urlencoded body as Starlette's form parser reads it (names and values decoded from
    latin-1, then unquoted as UTF-8; blank values kept; the last of a repeated name wins)."""
    return dict(parse_qsl(body.decode("latin-1"), keep_blank_values=True))


class TwilioInboundLane:
    def __init__(self, app: ASGIApp, host: Host) -> None:
        self.app = app
        self.host = host

    def _takes(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope.get("path") == PATH
            and scope.get("method") == "POST"
            and not scope.get("root_path")
            and self.host.settings.public_url is not None
            and _is_form(scope)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._takes(scope):
            await self.app(scope, receive, send)
            return
        host = self.host
        if Channel.SMS not in host.channels:
            await webhooks.sms_not_configured()(scope, receive, send)
            return
        form = form_of(await _body(receive))
        url = f"{host.settings.public_url}{PATH}"
        query = scope.get("query_string") or b""
        if query:
            url += "?" + query.decode("latin-1")
        signature = Headers(scope=scope).get("x-twilio-signature")
        answer = await webhooks.twilio_inbound_answer(host, url, form, signature)
        await answer(scope, receive, send)
