"""Pushes from the mainland providers: Alibaba Cloud and Tencent Cloud SMS (replies and
delivery reports), WeCom (URL verification, encrypted messages and card events).

Authenticate first, store, then answer: a wrong token or signature gets 403 and nothing is
stored. Alibaba and Tencent do not sign their pushes, so their URLs carry a secret token.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from bot.channels import aliyun_sms, tencent_sms
from bot.channels.mainland_sms import Report
from bot.channels.wecom import (
    CLAIM_PREFIX,
    CardCase,
    WeComChannel,
    WeComError,
    merged_card,
    merged_outbox_ids,
    merged_task_id,
)
from bot.channels.wecom_crypto import WeComCryptoError
from bot.host import Host
from bot.mainland.hooks import mark_carrier_blocked
from bot.reply_json import reply_from_json
from content.locales import DEFAULT_LOCALE
from dialogs.types import Channel, Inbound, MediaRef
from storage.models import Person
from storage.repos import cases as cases_repo
from storage.repos import mainland as repo
from storage.repos import outbox as outbox_repo

log = logging.getLogger(__name__)
# WeCom's MsgType -> MediaRef.kind (a picture may become a visit photo, a voice note a visit's)
WECOM_MEDIA_KINDS = {"image": "image", "voice": "voice", "video": "file", "file": "file"}


def _forbidden() -> Response:
    return JSONResponse({"error": "forbidden"}, status_code=403)


def _token_ok(given: str, expected: str | None) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), (expected or "").encode())


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


async def store_reports(app: Host, provider: str, reports: Sequence[Report]) -> int:
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


def sms_router(app: Host) -> APIRouter:
    r = APIRouter(tags=["webhooks"])
    settings = app.settings

    async def inbound_all(items: Sequence[Inbound]) -> None:
        for inbound in items:
            await app.intake.accept(inbound)

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

    def delivery_reports(
        parse: Callable[[Any, datetime], list[Report] | None], provider: str, what: str
    ) -> Callable[[Any], Awaitable[Response | None]]:
        async def handle(body: Any) -> Response | None:
            reports = parse(body, app.clock.now())
            if reports is None:
                return bad_request(what)
            await store_reports(app, provider, reports)
            return None

        return handle

    ali_report = delivery_reports(
        aliyun_sms.parse_report, aliyun_sms.NAME, "a JSON array of SmsReport items"
    )

    async def tc_reply(body: Any) -> Response | None:
        inbound = tencent_sms.parse_reply(body, app.clock.now())
        if inbound is None:
            return bad_request("a reply object with mobile and text")
        await inbound_all([inbound])
        return None

    tc_status = delivery_reports(
        tencent_sms.parse_status, tencent_sms.NAME, "a JSON array of status items"
    )

    def ali_token() -> str | None:
        return settings.aliyun_sms_callback_token if settings.aliyun_sms_enabled else None

    def tc_token() -> str | None:
        return settings.tencent_sms_callback_token if settings.tencent_sms_enabled else None

    ali_ok, tc_ok = dict(aliyun_sms.PUSH_OK), dict(tencent_sms.PUSH_OK)
    for path, expected, parse, ok, summary in (
        ("/webhooks/aliyun-sms/{token}/up", ali_token, ali_up, ali_ok,
         "Alibaba Cloud SMS replies (SmsUp)"),
        ("/webhooks/aliyun-sms/{token}/report", ali_token, ali_report, ali_ok,
         "Alibaba Cloud SMS delivery reports (SmsReport)"),
        ("/webhooks/tencent-sms/{token}/reply", tc_token, tc_reply, tc_ok,
         "Tencent Cloud SMS replies"),
        ("/webhooks/tencent-sms/{token}/status", tc_token, tc_status, tc_ok,
         "Tencent Cloud SMS status reports"),
    ):  # fmt: skip
        r.add_api_route(path, push(expected, parse, ok), methods=["POST"], summary=summary)
    return r


FRESH_SECONDS = 300  # WeCom's protocol has no replay window: ours is ±5 minutes


def parse_wecom_xml(xml: str) -> dict[str, str] | None:
    """A flat XML message (<xml><Tag>value</Tag>…</xml>) as a dict; None when not XML."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return None
    return {child.tag: (child.text or "") for child in root}


def wecom_inbound(msg: dict[str, str], received_at: datetime) -> Inbound | None:
    """A decrypted WeCom message or card event as one Inbound; None for events we ignore."""
    user = msg.get("FromUserName", "")
    if not user:
        return None
    kind = msg.get("MsgType", "")
    if kind == "event":
        if msg.get("Event") != "template_card_event":
            return None
        key = msg.get("EventKey", "")
        if not key.startswith(CLAIM_PREFIX):
            return None
        ref = key.removeprefix(CLAIM_PREFIX)
        # Dedupe on user + time for events (WeCom retries 3 times).
        pid = f"wecom-ev:{user}:{msg.get('CreateTime', '')}:{key}"[:64]
        return Inbound(
            channel=Channel.WECOM,
            address=user,
            provider_id=pid,
            received_at=received_at,
            text=f"认领 {ref}",
        )
    msg_id = msg.get("MsgId", "")
    if not msg_id:
        return None
    return Inbound(
        channel=Channel.WECOM,
        address=user,
        provider_id=f"wecom:{msg_id}"[:64],
        received_at=received_at,
        text=msg.get("Content", "") if kind == "text" else "",
        # A picture, voice note, video or file by its MediaId: a director's pictures and
        # voice notes go to a visit (the fetch job keeps them: bot/visits/media_job.py), the
        # rest is answered "please write" instead of read as empty text.
        media=(MediaRef(msg["MediaId"], None, None, WECOM_MEDIA_KINDS[kind]),)
        if kind in WECOM_MEDIA_KINDS and msg.get("MediaId")
        else (),
    )


async def update_claimed_card(app: Host, channel: WeComChannel, msg: dict[str, str]) -> None:
    """After a 认领 press: the card now says who claimed the case (once, within 72 h)."""
    ref = msg.get("EventKey", "").removeprefix(CLAIM_PREFIX)
    code = msg.get("ResponseCode", "")
    if not ref or not code:
        return
    merged = merged_outbox_ids(msg.get("TaskId", ""))
    if merged:
        await update_merged_card(app, channel, msg.get("FromUserName", ""), code, merged)
        return
    async with app.db.transaction() as session:
        case = await cases_repo.case_by_ref(session, ref)
        owner = await session.get(Person, case.owner_id) if case and case.owner_id else None
        locale = owner.locale if owner else DEFAULT_LOCALE
    if owner is None:
        return
    text = app.catalog.text("mainland.card.claimed_by", locale, {"name": owner.name})
    try:
        await channel.client.update_card([msg.get("FromUserName", "")], code, text)
    except (WeComError, httpx.HTTPError) as exc:
        log.warning("wecom: card for %s not updated: %s", ref, exc)


async def update_merged_card(
    app: Host, channel: WeComChannel, user: str, code: str, outbox_ids: list[int]
) -> None:
    """A merged alert card after one of its cases was claimed: each claimed case's line says
    who claimed it, the others keep their buttons; when all are claimed, the button says so."""
    async with app.db.transaction() as session:
        rows = await outbox_repo.by_ids(session, outbox_ids)
        first = next(iter(rows.values()), None)
        person = await session.get(Person, first.person_id) if first and first.person_id else None
        locale = (person.locale if person else None) or DEFAULT_LOCALE
        cases: list[CardCase] = []
        keys: set[str] = set()
        for outbox_id in outbox_ids:
            row = rows.get(outbox_id)
            if row is None:
                continue
            reply = reply_from_json(row.message)
            keys.add(reply.key)
            params = app.catalog.param_texts(reply.params, locale)
            case = await cases_repo.case_by_ref(session, params.get("ref", ""))
            owner = await session.get(Person, case.owner_id) if case and case.owner_id else None
            cases.append(CardCase(params.get("ref", ""), params, owner.name if owner else None))
    if not cases:
        return
    try:
        if all(c.claimed_by for c in cases):
            done = app.catalog.text("mainland.card.all_claimed", locale)
            await channel.client.update_card([user], code, done)
            return
        task_id = merged_task_id([str(i) for i in outbox_ids])
        card = merged_card(app.catalog, locale, cases, task_id, new=keys == {"hotline.alert"})
        await channel.client.replace_card([user], code, card)
    except (WeComError, httpx.HTTPError) as exc:
        log.warning("wecom: merged card %s not updated: %s", outbox_ids, exc)


def wecom_router(app: Host) -> APIRouter:
    r = APIRouter(tags=["webhooks"])

    def configured() -> WeComChannel | None:
        ch = app.channels.get(Channel.WECOM)
        return ch if isinstance(ch, WeComChannel) and ch.crypto is not None else None

    def fresh(timestamp: str) -> bool:
        try:
            ts = int(timestamp)
        except ValueError:
            return False
        return abs(app.clock.now().timestamp() - ts) <= FRESH_SECONDS

    @r.get("/webhooks/wecom", summary="WeCom callback URL verification")
    async def verify(
        msg_signature: str = "", timestamp: str = "", nonce: str = "", echostr: str = ""
    ) -> Response:
        ch = configured()
        if ch is None or ch.crypto is None:
            return JSONResponse({"error": "WeCom is not configured"}, status_code=404)
        if not ch.crypto.check(msg_signature, timestamp, nonce, echostr):
            log.warning("wecom verify: bad signature")
            return _forbidden()
        try:
            plain = ch.crypto.decrypt(echostr)
        except WeComCryptoError:
            return _forbidden()
        return PlainTextResponse(plain)  # exactly the plaintext: no quotes, BOM or newline

    @r.post("/webhooks/wecom", summary="WeCom messages and card events (encrypted XML)")
    async def receive(
        request: Request, msg_signature: str = "", timestamp: str = "", nonce: str = ""
    ) -> Response:
        ch = configured()
        if ch is None or ch.crypto is None:
            return JSONResponse({"error": "WeCom is not configured"}, status_code=404)
        envelope = parse_wecom_xml((await request.body()).decode(errors="replace"))
        encrypted = (envelope or {}).get("Encrypt", "")
        if not encrypted or not ch.crypto.check(msg_signature, timestamp, nonce, encrypted):
            log.warning("wecom push: bad or missing signature")
            return _forbidden()
        if not fresh(timestamp):
            log.warning("wecom push: stale timestamp %s", timestamp)
            return _forbidden()
        try:
            msg = parse_wecom_xml(ch.crypto.decrypt(encrypted))
        except WeComCryptoError:
            return _forbidden()
        if msg is None:
            return JSONResponse({"error": "the decrypted message is not XML"}, status_code=400)
        inbound = wecom_inbound(msg, app.clock.now())
        if inbound is not None and msg.get("Event") == "template_card_event":
            # A staff member's claim on a card: processed before the card is updated.
            handled = await app.service.handle(inbound)
            if not handled.duplicate:
                await update_claimed_card(app, ch, msg)
        elif inbound is not None:
            await app.intake.accept(inbound)
        return PlainTextResponse("")  # an empty 200: we answer through message/send

    return r


__all__ = ["sms_router", "store_reports", "wecom_router"]
