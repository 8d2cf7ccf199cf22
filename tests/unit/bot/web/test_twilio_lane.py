"""The Twilio lane reads a form as Starlette's parser does (the signature is computed over
it, so one differing value would turn a genuine webhook into a 403), as a table."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from bot.web.twilio_lane import FORM, _is_form, form_of

BODIES = [
    b"",
    b"Body=%E5%B8%AE%E5%8A%A9&From=%2B8613900000001&MessageSid=SM1",
    b"Body=hello+world&To=%2B15005550006",
    b"Body=&NumMedia=0",  # a blank value is kept (Twilio signs it)
    b"A=1&A=2",  # the last of a repeated name
    b"flag&B=2",  # a name without "="
    b"a=1&&b=2",  # an empty field between separators
    b"Body=a%26b%3Dc",  # escaped separators stay in the value
    "Body=直接".encode(),  # raw UTF-8 bytes, not escaped
    b"Body=%FF%FE",  # not UTF-8
    b"Body=50%",  # a stray percent
    b"Body=a;b=c",  # ";" is no separator
]


async def starlette_form(body: bytes) -> dict[str, str]:
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-type", FORM)],
        "query_string": b"",
    }
    form = await Request(scope, receive).form()  # type: ignore[arg-type]
    return {k: str(v) for k, v in form.items()}


@pytest.mark.parametrize("body", BODIES)
async def test_the_lane_reads_a_form_as_starlette_does(body: bytes) -> None:
    assert form_of(body) == await starlette_form(body)


@pytest.mark.parametrize(
    ("content_type", "taken"),
    [
        (FORM, True),
        (FORM + b"; charset=utf-8", True),
        (b"Application/X-WWW-Form-Urlencoded", True),
        (b"multipart/form-data; boundary=x", False),  # FastAPI's route reads those
        (b"application/json", False),
        (None, False),
    ],
)
def test_only_an_urlencoded_body_takes_the_lane(content_type: bytes | None, taken: bool) -> None:
    headers = [] if content_type is None else [(b"content-type", content_type)]
    assert _is_form({"type": "http", "headers": headers}) is taken
