"""Stand-in for the Twilio REST API (Messages) that the real `twilio` client talks to.

Point the client at it with `client.api.base_url = server.base_url`. Implemented:
POST /2010-04-01/Accounts/{AccountSid}/Messages.json (form: To, From or MessagingServiceSid,
Body, StatusCallback; HTTP basic auth account sid / auth token), plus the `/_standin` control
routes (see `control.py`). Failures are scripted with the factories below.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.standins.control import control_routes
from tests.standins.recorder import Recorder, utc_now
from tests.standins.script import Scripted

API_VERSION = "2010-04-01"
DEFAULT_ACCOUNT_SID = "AC" + "0" * 31 + "1"
DEFAULT_AUTH_TOKEN = "standin-auth-token"
MESSAGES_METHOD = "messages.create"


@dataclass(frozen=True)
class AcceptedMessage:
    """A message the stand-in accepted (what Twilio would go on to deliver)."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    received_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "to": self.to,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "body": self.body,
            "status_callback": self.status_callback,
            "received_at": self.received_at.isoformat(),
        }


class TwilioRecorder(Recorder[AcceptedMessage]):
    """Credentials of the one account the stand-in serves, plus what it received."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        record_file: Path | None = None,
    ) -> None:
        super().__init__(record_file)
        self.account_sid = account_sid
        self.auth_token = auth_token
        # MMS media it serves: (message sid, media sid) -> (bytes, content type); and the
        # media fetches it answered, in order (a test checks nothing is fetched at receipt)
        self.media: dict[tuple[str, str], tuple[bytes, str]] = {}
        self.media_fetches: list[tuple[str, str]] = []
        # HTTP statuses the next media requests answer instead (e.g. [500, 500]), in order
        self.media_failures: list[int] = []

    def add_media(self, message_sid: str, media_sid: str, body: bytes, content_type: str) -> str:
        """Serve one MMS media item; returns its path (append to base_url for MediaUrl0)."""
        self.media[(message_sid, media_sid)] = (body, content_type)
        return (
            f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{message_sid}/Media/{media_sid}"
        )

    def messages(self, to: str | None = None) -> list[AcceptedMessage]:
        return [m for m in self.records() if to is None or m.to == to]

    def credentials_ok(self, authorization: str | None) -> bool:
        scheme, _, encoded = (authorization or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        expected = f"{self.account_sid}:{self.auth_token}"
        return hmac.compare_digest(decoded.encode(), expected.encode())

    def accept(
        self,
        to: str,
        from_: str | None,
        service_sid: str | None,
        body: str,
        status_callback: str | None,
    ) -> AcceptedMessage:
        message = AcceptedMessage(
            sid="SM" + uuid.uuid4().hex,
            account_sid=self.account_sid,
            to=to,
            from_=from_,
            messaging_service_sid=service_sid,
            body=body,
            status_callback=status_callback,
            received_at=utc_now(),
        )
        self._append(message)
        return message


# -- error bodies and scripted failures ------------------------------------------------
def twilio_error(status: int, code: int, message: str) -> dict[str, Any]:
    """Twilio's legacy JSON error shape, which the client turns into TwilioRestException."""
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def failure(
    status: int,
    code: int,
    message: str,
    *,
    times: int | None = 1,
    to: str | None = None,
    delay_s: float = 0.0,
) -> Scripted:
    return Scripted(
        status=status,
        body=twilio_error(status, code, message),
        delay_s=delay_s,
        times=times,
        target=to,
    )


def rate_limited(times: int | None = 1, to: str | None = None) -> Scripted:
    return failure(429, 20429, "Too Many Requests", times=times, to=to)


def server_error(times: int | None = 1, to: str | None = None) -> Scripted:
    return failure(500, 20500, "An internal server error has occurred", times=times, to=to)


def invalid_number(times: int | None = 1, to: str | None = None) -> Scripted:
    return failure(400, 21211, "The 'To' number is not a valid phone number.", times=times, to=to)


def unsubscribed(to: str | None = None, times: int | None = None) -> Scripted:
    """21610: the recipient replied STOP. Applies until the script is cleared by default."""
    return failure(400, 21610, "Attempt to send to unsubscribed recipient", times=times, to=to)


def delayed(seconds: float, times: int | None = 1, to: str | None = None) -> Scripted:
    """Answer normally (and accept the message) only after `seconds`: for client timeouts."""
    return Scripted(status=None, delay_s=seconds, times=times, target=to)


# -- the resource ----------------------------------------------------------------------
def _rfc2822(moment: datetime) -> str:
    return format_datetime(moment)


def _segments(body: str) -> int:
    """Rough segment count: 160/153 for ASCII, 70/67 UTF-16 units otherwise."""
    if all(ord(ch) < 128 for ch in body):
        single, multi, units = 160, 153, len(body)
    else:
        single, multi, units = 70, 67, len(body.encode("utf-16-le")) // 2
    return 1 if units <= single else -(-units // multi)


def message_resource(message: AcceptedMessage) -> dict[str, Any]:
    uri = f"/{API_VERSION}/Accounts/{message.account_sid}/Messages/{message.sid}"
    created = _rfc2822(message.received_at)
    return {
        "account_sid": message.account_sid,
        "api_version": API_VERSION,
        "body": message.body,
        "date_created": created,
        "date_sent": None,
        "date_updated": created,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": message.from_,
        "messaging_service_sid": message.messaging_service_sid,
        "num_media": "0",
        "num_segments": str(_segments(message.body)),
        "price": None,
        "price_unit": "USD",
        "sid": message.sid,
        "status": "queued" if message.from_ else "accepted",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": message.to,
        "uri": f"{uri}.json",
    }


async def _create_message(request: Request) -> JSONResponse:
    recorder: TwilioRecorder = request.app.state.recorder
    if not recorder.credentials_ok(request.headers.get("authorization")):
        return _answer(recorder, None, 401, twilio_error(401, 20003, "Authenticate"))
    if request.path_params["account_sid"] != recorder.account_sid:
        return _answer(
            recorder, None, 404, twilio_error(404, 20404, "The requested resource was not found")
        )
    form = await request.form()
    to = _field(form.get("To"))
    scripted = recorder.take_scripted(MESSAGES_METHOD, to)
    if scripted is not None and scripted.delay_s and not await recorder.pause(scripted.delay_s):
        return _answer(recorder, to, 503, twilio_error(503, 20503, "Service Unavailable"))
    if scripted is not None and scripted.status is not None:
        body = scripted.body or twilio_error(scripted.status, scripted.status, "Scripted error")
        return _answer(recorder, to, scripted.status, dict(body))
    from_, service = _field(form.get("From")), _field(form.get("MessagingServiceSid"))
    body_text = _field(form.get("Body"))
    invalid = _invalid(to, from_, service, body_text)
    if invalid is not None:
        return _answer(recorder, to, 400, twilio_error(400, *invalid))
    assert to is not None and body_text is not None
    message = recorder.accept(to, from_, service, body_text, _field(form.get("StatusCallback")))
    return _answer(recorder, to, 201, message_resource(message))


def _invalid(
    to: str | None, from_: str | None, service: str | None, body: str | None
) -> tuple[int, str] | None:
    """Twilio's validation codes for the fields this stand-in understands."""
    if not to:
        return 21604, "A 'To' phone number is required."
    if not from_ and not service:
        return 21603, "A 'From' phone number is required."
    if not body:
        return 21602, "Message body is required."
    if len(body) > 1600:
        return 21617, "The concatenated message body exceeds the 1600 character limit."
    return None


def _field(value: object) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _answer(
    recorder: TwilioRecorder, to: str | None, status: int, body: dict[str, Any]
) -> JSONResponse:
    recorder.note_attempt(MESSAGES_METHOD, to, status)
    return JSONResponse(body, status_code=status)


async def _media(request: Request) -> Response:
    """GET a message's media item, as Twilio serves MediaUrlN (basic auth when required)."""
    recorder: TwilioRecorder = request.app.state.recorder
    if not recorder.credentials_ok(request.headers.get("authorization")):
        return _answer(recorder, None, 401, twilio_error(401, 20003, "Authenticate"))
    key = (request.path_params["message_sid"], request.path_params["media_sid"])
    if recorder.media_failures:
        status = recorder.media_failures.pop(0)
        return JSONResponse(twilio_error(status, 20500, "scripted media failure"), status)
    found = recorder.media.get(key)
    if found is None:
        return JSONResponse(twilio_error(404, 20404, "The requested resource was not found"), 404)
    recorder.media_fetches.append(key)
    return Response(found[0], media_type=found[1])


def create_twilio_app(recorder: TwilioRecorder) -> Starlette:
    """The ASGI app; `app.state.recorder` is the recorder it writes to."""
    app = Starlette(
        routes=[
            Route(
                f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json",
                _create_message,
                methods=["POST"],
            ),
            Route(
                f"/{API_VERSION}/Accounts/{{account_sid}}/Messages/{{message_sid}}/Media/{{media_sid}}",
                _media,
                methods=["GET"],
            ),
            *control_routes(recorder),
        ]
    )
    app.state.recorder = recorder
    return app
