"""Helpers for end-to-end tests: demo data, signed Twilio requests, DB reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from storage.db import Database
from storage.models import Area, Person
from tests.standins import TwilioStandin
from tests.standins.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

TOKEN = DEFAULT_AUTH_TOKEN
SID = DEFAULT_ACCOUNT_SID
OUR_NUMBER = "+15005550006"


def twilio_settings(twilio: TwilioStandin) -> dict[str, str]:
    """The settings that send SMS through `twilio` with the stand-in's account and OUR_NUMBER."""
    return {
        "twilio_account_sid": SID,
        "twilio_auth_token": TOKEN,
        "twilio_from": OUR_NUMBER,
        "twilio_api_base": twilio.base_url,
    }


async def seed_demo(db: Database) -> None:
    """Only the demo's child director: these tests are about the channels, and a full demo
    roster would also have the reminder planner message its guardians at start."""
    now = datetime.now(UTC)
    async with db.transaction() as s:
        area = Area(code="E2E", name="东村", level="village")
        s.add(area)
        await s.flush()
        s.add(
            Person(
                name="李主任",
                role="director",
                phone="+8613800000002",
                locale="zh_Hans",
                area_id=area.id,
                created_at=now,
            )
        )


async def post_signed(
    base: str,
    path: str,
    params: dict[str, str],
    *,
    token: str = TOKEN,
    forge: bool = False,
    sign: bool = True,
) -> httpx.Response:
    url = base + path
    headers = {}
    if sign:
        signature = RequestValidator(token).compute_signature(url, params)
        if forge:  # change the first character (to one it is not, or the "forgery" is valid)
            signature = ("A" if signature[0] != "A" else "B") + signature[1:]
        headers["X-Twilio-Signature"] = signature
    async with httpx.AsyncClient() as client:
        return await client.post(url, data=params, headers=headers, timeout=30)


def sms(sid: str, sender: str, body: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": SID,
        "From": sender,
        "To": OUR_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.transaction() as s:
        stmt = select(func.count()).select_from(model)
        for w in where:
            stmt = stmt.where(w)
        return int((await s.execute(stmt)).scalar_one())
