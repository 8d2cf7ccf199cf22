"""Provider webhooks: Twilio inbound SMS and status callbacks, Telegram updates.

Each checks the provider's signature first (403 and nothing stored when it fails),
stores the message, processes it, commits, and only then answers; when the process is busy
it answers once the message is stored and processes it right after (bot/intake.py).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as SATimeout

from bot.channels import sms
from bot.host import Host
from dialogs.types import Channel
from storage.repos import outbox as outbox_repo
from storage.repos import people, telegram_failed
from storage.repos.people import address_row

if TYPE_CHECKING:  # aiogram is imported only when Telegram is configured
    from aiogram.types import Update

log = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _forbidden() -> Response:
    return JSONResponse({"error": "forbidden"}, status_code=403)


def _public_url(app: Host, request: Request) -> str:
    base = app.settings.public_url or str(request.base_url).rstrip("/")
    url = base + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


async def _signed_form(app: Host, request: Request) -> dict[str, str] | None:
    token = app.settings.twilio_auth_token
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not token or not sms.signature_ok(
        token, _public_url(app, request), form, request.headers.get("X-Twilio-Signature")
    ):
        return None
    return form


def sms_not_configured() -> Response:
    return JSONResponse({"error": "SMS is not configured"}, status_code=404)


async def twilio_inbound_answer(
    app: Host, url: str, form: dict[str, str], signature: str | None
) -> Response:
    """Twilio's inbound SMS, its form read: the signature (403), the form (400), then the
    message accepted (stored, and processed now or right after) and empty TwiML."""
    token = app.settings.twilio_auth_token
    if not token or not sms.signature_ok(token, url, form, signature):
        log.warning("twilio webhook: bad or missing signature")
        return _forbidden()
    problem = sms.form_problem(form)
    inbound = sms.parse_inbound(form, app.clock.now())
    if problem is not None or inbound is None:
        return JSONResponse({"error": problem or "bad form"}, status_code=400)
    await app.intake.accept(inbound)
    return Response(EMPTY_TWIML, media_type="text/xml")


def is_transient(exc: BaseException) -> bool:
    """A database or network failure that passes (retry later), not a bad message."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc,
        OperationalError | InterfaceError | DisconnectionError | SATimeout | OSError | TimeoutError,
    )


def telegram_update_handler(app: Host) -> Callable[[Update], Awaitable[None]]:
    async def handle(update: Update) -> None:
        from bot.channels import telegram

        inbound = telegram.update_to_inbound(update, app.clock.now())
        if inbound is not None:
            try:
                await app.intake.accept(inbound)
            except Exception as exc:
                if is_transient(exc):
                    raise telegram.TransientFailure(type(exc).__name__) from exc
                raise
        tg = app.telegram
        if update.callback_query is not None and tg is not None:
            await tg.answer_callback(update.callback_query.id)

    return handle


def telegram_failure_recorder(app: Host) -> Callable[[Update, str], Awaitable[None]]:
    """Store a failed update's id, chat, kind and error class (never its text)."""

    async def record(update: Update, error: str) -> None:
        from bot.channels import telegram  # imported only when Telegram is configured

        async with app.db.transaction() as session:
            await telegram_failed.record(
                session,
                update_id=update.update_id,
                chat_id=telegram.update_chat_id(update),
                kind=telegram.update_kind(update),
                error=error,
                now=app.clock.now(),
            )

    return record


def router(app: Host) -> APIRouter:
    r = APIRouter(tags=["webhooks"])
    handle_update = telegram_update_handler(app)

    @r.post("/webhooks/twilio", summary="Inbound SMS from Twilio")
    async def twilio_inbound(request: Request) -> Response:
        """Served by `bot.web.twilio_lane` below the routing when a public URL is set (as
        Twilio requires); here otherwise, with the same answers."""
        if Channel.SMS not in app.channels:
            return sms_not_configured()
        form = {k: str(v) for k, v in (await request.form()).items()}
        signature = request.headers.get("X-Twilio-Signature")
        return await twilio_inbound_answer(app, _public_url(app, request), form, signature)

    @r.post("/webhooks/twilio/status", summary="Twilio delivery status callback")
    async def twilio_status(request: Request) -> Response:
        if Channel.SMS not in app.channels:
            return JSONResponse({"error": "SMS is not configured"}, status_code=404)
        form = await _signed_form(app, request)
        if form is None:
            return _forbidden()
        sid = form.get("MessageSid") or form.get("SmsSid")
        status = sms.STATUS_MAP.get((form.get("MessageStatus") or "").lower())
        if not sid or status is None or len(sid) > sms.MAX_ID or "\x00" in sid:
            return JSONResponse(
                {"error": "MessageSid and a known MessageStatus are required"}, status_code=400
            )
        code = (form.get("ErrorCode") or "")[:32] or None
        now = app.clock.now()
        async with app.db.transaction() as session:
            row = await outbox_repo.by_provider_id(session, Channel.SMS, sid)
            if row is not None:
                if sms.moves_forward(row.delivery_status, status):
                    row.delivery_status = status
                    if status == "delivered":
                        row.delivered_at = row.delivered_at or now
                if code:
                    row.error_code = code
                if code in sms.OPTED_OUT_CODES:
                    addr = await address_row(session, Channel.SMS, row.address, now)
                    people.opt_out(
                        session,
                        addr,
                        person=None,
                        at=now,
                        actor="provider:twilio",
                        detail={"error_code": code},
                    )
        return Response(status_code=204)

    @r.post("/webhooks/telegram", summary="Telegram updates (webhook mode)")
    async def telegram_webhook(request: Request) -> Response:
        secret = app.settings.telegram_webhook_secret
        if app.telegram is None or not secret:
            return JSONResponse(
                {"error": "Telegram webhook mode is not configured"}, status_code=404
            )
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return _forbidden()
        from aiogram.types import Update

        try:
            update = Update.model_validate(await request.json())
        except (ValidationError, ValueError):
            return JSONResponse({"error": "not a Telegram update"}, status_code=400)
        await handle_update(update)
        return JSONResponse({})

    return r
