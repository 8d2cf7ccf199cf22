"""Pushes from the mainland providers: Alibaba Cloud and Tencent Cloud SMS (replies and
delivery reports), WeCom (URL verification, encrypted messages and card events).

Authenticate first, store, then answer: a wrong token or signature gets 403 and nothing is
stored. Alibaba and Tencent do not sign their pushes, so their URLs carry a secret token.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from bot.app import Application
from bot.channels import aliyun_sms, tencent_sms
from bot.channels.mainland_sms import Report
from bot.mainland.hooks import mark_carrier_blocked
from dialogs.types import Channel, Inbound
from storage.repos import mainland as repo
from storage.repos import outbox as outbox_repo

log = logging.getLogger(__name__)


def _forbidden() -> Response:
    return JSONResponse({"error": "forbidden"}, status_code=403)


def _token_ok(given: str, expected: str | None) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), (expected or "").encode())


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


async def store_reports(app: Application, provider: str, reports: Sequence[Report]) -> int:
    """Store each report once (a repeated push is one row) and update its outbox row."""
    now = app.clock.now()
    new = 0
    blocked: list[tuple[str, str]] = []
    async with app.db.transaction() as session:
        for rep in reports:
            row = await outbox_repo.by_provider_id(session, Channel.SMS, rep.provider_id)
            receipt = await repo.add_receipt(
                session,
                provider=provider,
                dedup_key=rep.dedup_key,
                provider_id=rep.provider_id,
                outbox_id=row.id if row is not None else None,
                phone=rep.phone,
                success=rep.success,
                code=rep.code,
                received_at=now,
            )
            if receipt is None:
                continue
            new += 1
            if row is not None:
                row.delivery_status = "delivered" if rep.success else "undelivered"
                if rep.success:
                    row.delivered_at = rep.at
                elif rep.code:
                    row.error_code = rep.code[:32]
            if rep.blocked:
                blocked.append((rep.phone, rep.code or "blocked"))
    for phone, code in blocked:
        await mark_carrier_blocked(app.db, phone, code, now, app.channels)
    if blocked:
        app.dispatcher.wake()
    return new


def sms_router(app: Application) -> APIRouter:
    r = APIRouter(tags=["webhooks"])
    settings = app.settings

    async def inbound_all(items: Sequence[Inbound]) -> None:
        for inbound in items:
            await app.service.handle(inbound)

    def guard(expected: str | None, token: str) -> Response | None:
        if Channel.SMS not in app.channels or not expected:
            return JSONResponse({"error": "this SMS provider is not configured"}, status_code=404)
        if not _token_ok(token, expected):
            log.warning("sms push: wrong callback token")
            return _forbidden()
        return None

    def push(
        expected: Callable[[], str | None],
        parse: Callable[[Any], Awaitable[Response | None]],
        ok: dict[str, Any],
    ) -> Callable[[str, Request], Awaitable[Response]]:
        async def endpoint(token: str, request: Request) -> Response:
            refused = guard(expected(), token)
            if refused is not None:
                return refused
            body = await _json(request)
            bad = await parse(body)
            return bad if bad is not None else JSONResponse(ok)

        return endpoint

    def bad_request(what: str) -> Response:
        return JSONResponse({"error": f"expected {what}"}, status_code=400)

    async def ali_up(body: Any) -> Response | None:
        items = aliyun_sms.parse_up(body, app.clock.now())
        if items is None:
            return bad_request("a JSON array of SmsUp items")
        await inbound_all(items)
        return None

    async def ali_report(body: Any) -> Response | None:
        reports = aliyun_sms.parse_report(body, app.clock.now())
        if reports is None:
            return bad_request("a JSON array of SmsReport items")
        await store_reports(app, aliyun_sms.NAME, reports)
        return None

    async def tc_reply(body: Any) -> Response | None:
        inbound = tencent_sms.parse_reply(body, app.clock.now())
        if inbound is None:
            return bad_request("a reply object with mobile and text")
        await inbound_all([inbound])
        return None

    async def tc_status(body: Any) -> Response | None:
        reports = tencent_sms.parse_status(body, app.clock.now())
        if reports is None:
            return bad_request("a JSON array of status items")
        await store_reports(app, tencent_sms.NAME, reports)
        return None

    def ali_token() -> str | None:
        return settings.aliyun_sms_callback_token if settings.aliyun_sms_enabled else None

    def tc_token() -> str | None:
        return settings.tencent_sms_callback_token if settings.tencent_sms_enabled else None

    ali_ok, tc_ok = dict(aliyun_sms.PUSH_OK), dict(tencent_sms.PUSH_OK)
    r.add_api_route(
        "/webhooks/aliyun-sms/{token}/up",
        push(ali_token, ali_up, ali_ok),
        methods=["POST"],
        summary="Alibaba Cloud SMS replies (SmsUp)",
    )
    r.add_api_route(
        "/webhooks/aliyun-sms/{token}/report",
        push(ali_token, ali_report, ali_ok),
        methods=["POST"],
        summary="Alibaba Cloud SMS delivery reports (SmsReport)",
    )
    r.add_api_route(
        "/webhooks/tencent-sms/{token}/reply",
        push(tc_token, tc_reply, tc_ok),
        methods=["POST"],
        summary="Tencent Cloud SMS replies",
    )
    r.add_api_route(
        "/webhooks/tencent-sms/{token}/status",
        push(tc_token, tc_status, tc_ok),
        methods=["POST"],
        summary="Tencent Cloud SMS status reports",
    )
    return r


__all__ = ["PlainTextResponse", "sms_router", "store_reports"]
