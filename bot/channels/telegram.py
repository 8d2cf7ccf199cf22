"""Telegram through aiogram 3: update parsing, sending, error classification, polling."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from bot.channels.base import RateLimits, SendError, SendFailure, SendResult
from bot.channels.polling import PollerHealth
from bot.phones import to_e164
from content.errors import ChannelError
from dialogs.render import Rendered, Style
from dialogs.types import Channel, Inbound, MediaRef

log = logging.getLogger(__name__)
MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64


class TransientFailure(ChannelError):
    """Raised by an update handler when storing failed for a reason that passes (the database
    is unreachable): the poller keeps the update and retries it after a backoff."""


def is_private(chat_type: str, chat_id: int, sender_id: int | None) -> bool:
    return chat_type == "private" and sender_id is not None and chat_id == sender_id


def is_group_address(address: str) -> bool:
    """Telegram group, supergroup and channel chat ids are negative; a user's chat is not."""
    return address.startswith("-")


def clean_text(text: str | None) -> str:
    """Text as we can store it: no NUL (PostgreSQL refuses it in text columns)."""
    return (text or "").replace("\x00", "")


def message_media(msg: Message) -> tuple[MediaRef, ...]:
    """A photo (its largest size), voice note, audio, document, video or sticker by file_id;
    never downloaded here."""
    if msg.photo:
        big = max(msg.photo, key=lambda p: p.width * p.height)
        return (MediaRef(big.file_id, "image/jpeg", big.file_size, "image"),)
    if msg.voice is not None:
        v = msg.voice
        return (MediaRef(v.file_id, v.mime_type or "audio/ogg", v.file_size, "voice"),)
    if msg.audio is not None:
        a = msg.audio
        return (MediaRef(a.file_id, a.mime_type or None, a.file_size, "voice"),)
    if msg.document is not None:
        d = msg.document
        ctype = d.mime_type or None
        kind = "image" if ctype and ctype.startswith("image/") else "file"
        return (MediaRef(d.file_id, ctype, d.file_size, kind),)
    # Without these a video or sticker came in as an empty text (and a flow waiting for a
    # child's name answered "您的名单里没有“”"); they are files we do not open.
    other = msg.video or msg.video_note or msg.animation or msg.sticker
    if other is not None:
        return (
            MediaRef(other.file_id, getattr(other, "mime_type", None), other.file_size, "file"),
        )
    return ()


def update_to_inbound(update: Update, received_at: datetime) -> Inbound | None:
    """Our Inbound from a Telegram update; None for updates Careline does not handle."""
    provider_id = str(update.update_id)
    if update.message is not None:
        msg = update.message
        sender = msg.from_user
        contact_phone = None
        # Identity is the user, never a group: only a private chat (whose id is the sender's)
        # can link, and only with the sender's own contact.
        private = is_private(msg.chat.type, msg.chat.id, sender.id if sender else None)
        if (
            private
            and msg.contact is not None
            and sender is not None
            and msg.contact.user_id == sender.id
        ):
            contact_phone = to_e164(msg.contact.phone_number) or msg.contact.phone_number
        return Inbound(
            channel=Channel.TELEGRAM,
            address=str(msg.chat.id),
            provider_id=provider_id,
            received_at=received_at,
            text=clean_text(msg.text or msg.caption),
            media=message_media(msg),
            contact_phone=contact_phone,
            payload="contact:foreign"
            if msg.contact is not None and contact_phone is None
            else None,
            display_name=sender.full_name if sender else None,
        )
    if update.callback_query is not None:
        cq = update.callback_query
        chat_id = cq.message.chat.id if cq.message is not None else cq.from_user.id
        return Inbound(
            channel=Channel.TELEGRAM,
            address=str(chat_id),
            provider_id=provider_id,
            received_at=received_at,
            payload=clean_text(cq.data) or None,
            display_name=cq.from_user.full_name,
        )
    return None


def keyboard(message: Rendered) -> Any:
    if message.request_contact_label:
        return ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=message.request_contact_label, request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    buttons = [
        [InlineKeyboardButton(text=b.label, callback_data=b.payload)]
        for b in message.buttons
        if len(b.payload.encode()) <= MAX_CALLBACK_BYTES
    ]
    if buttons:
        return InlineKeyboardMarkup(inline_keyboard=buttons)
    return None


class TelegramChannel:
    name = Channel.TELEGRAM
    style: Style = "buttons"

    def __init__(
        self, *, token: str, api_base: str, limits: RateLimits, timeout: float = 15.0
    ) -> None:
        self.limits = limits
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base), timeout=timeout)
        self.bot = Bot(token=token, session=session)

    async def send(self, address: str, message: Rendered) -> SendResult:
        markup = keyboard(message)
        try:
            sent = await self.bot.send_message(
                chat_id=int(address),
                text=message.text[:MAX_TEXT],
                reply_markup=markup if markup is not None else ReplyKeyboardRemove(),
            )
        except TelegramRetryAfter as exc:
            raise SendError(
                "telegram: 429", SendFailure.RETRY, code="429", retry_after=float(exc.retry_after)
            ) from exc
        except TelegramForbiddenError as exc:
            raise SendError(
                f"telegram: 403 {exc.message}", SendFailure.UNREACHABLE, code="403"
            ) from exc
        except (TelegramNotFound, TelegramBadRequest) as exc:
            gone = "chat not found" in exc.message.lower()
            kind = SendFailure.UNREACHABLE if gone else SendFailure.PERMANENT
            raise SendError(f"telegram: 400 {exc.message}", kind, code="400") from exc
        except TelegramUnauthorizedError as exc:
            log.error("telegram: the bot token was refused; check CARELINE_TELEGRAM_TOKEN")
            raise SendError("telegram: 401", SendFailure.RETRY, code="401") from exc
        except (TimeoutError, TelegramServerError, TelegramNetworkError) as exc:
            raise SendError.uncertain(f"telegram: {type(exc).__name__}", "server") from exc
        except TelegramAPIError as exc:
            raise SendError(f"telegram: {exc.message}", SendFailure.RETRY, code="api") from exc
        return SendResult(provider_id=f"{address}:{sent.message_id}")

    async def answer_callback(self, callback_id: str) -> None:
        try:
            await self.bot.answer_callback_query(callback_id)
        except TelegramAPIError:
            log.warning("telegram: could not answer a callback query")

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url=url, secret_token=secret, drop_pending_updates=False)

    async def delete_webhook(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)

    async def poll(
        self,
        handle: Callable[[Update], Awaitable[None]],
        stop: asyncio.Event,
        poll_seconds: int = 25,
        *,
        health: PollerHealth | None = None,
        now: Callable[[], datetime] | None = None,
        backoff_start: float = 1.0,
        backoff_max: float = 60.0,
        on_failed: Callable[[Update, str], Awaitable[None]] | None = None,
    ) -> None:
        """Long polling that never dies: the offset moves past an update only after `handle`
        stored it (or after the update was recorded as failed, through `on_failed` with the
        error's class); any other error restarts the loop with backoff, from the same
        offset.

        A webhook left from an earlier start in webhook mode makes every getUpdates a 409, so
        the webhook is deleted first (pending updates kept), and again after a 409."""
        health = health or PollerHealth()
        clock = now or (lambda: datetime.now(UTC))
        health.running = True
        backoff = backoff_start
        webhook_deleted = False
        try:
            while not stop.is_set():
                try:
                    if not webhook_deleted:
                        await self.delete_webhook()
                        webhook_deleted = True
                    await self._poll_loop(handle, stop, poll_seconds, health, clock, on_failed)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    if isinstance(exc, TelegramConflictError):
                        webhook_deleted = False  # a webhook was set again meanwhile
                    health.restarts += 1
                    health.last_error = type(exc).__name__
                    log.error(
                        "telegram polling: %s; restarting in %.1fs", type(exc).__name__, backoff
                    )
                    await _wait(stop, backoff)
                    backoff = min(backoff * 2, backoff_max)
                else:
                    backoff = backoff_start
        finally:
            health.running = False

    async def _poll_loop(
        self,
        handle: Callable[[Update], Awaitable[None]],
        stop: asyncio.Event,
        poll_seconds: int,
        health: PollerHealth,
        clock: Callable[[], datetime],
        on_failed: Callable[[Update, str], Awaitable[None]] | None = None,
    ) -> None:
        while not stop.is_set():
            try:
                updates = await self.bot.get_updates(
                    offset=health.offset, timeout=poll_seconds, request_timeout=poll_seconds + 10
                )
            except TelegramRetryAfter as exc:
                await _wait(stop, float(exc.retry_after))
                continue
            for update in updates:
                try:
                    await handle(update)
                except TransientFailure:
                    raise  # the database is away: retry this update after a backoff
                except Exception as exc:
                    # This update cannot be stored (bad content): record it and move on.
                    log.error(
                        "telegram update %s: could not be stored (%s); recorded as failed",
                        update.update_id,
                        type(exc).__name__,
                    )
                    if not await _record_failed(on_failed, update, type(exc).__name__):
                        health.failed_updates.append(update.update_id)  # only in memory
                        del health.failed_updates[:-100]
                health.offset = update.update_id + 1
            health.last_ok_at = clock()
            health.last_error = None

    async def close(self) -> None:
        await self.bot.session.close()


def update_kind(update: Update) -> str:
    if update.message is not None:
        return "message"
    if update.callback_query is not None:
        return "callback_query"
    return "other"


def update_chat_id(update: Update) -> str | None:
    """The chat an update came from (the address `inbound_messages` would keep)."""
    if update.message is not None:
        return str(update.message.chat.id)
    cq = update.callback_query
    if cq is not None:
        return str(cq.message.chat.id if cq.message is not None else cq.from_user.id)
    return None


async def _record_failed(
    on_failed: Callable[[Update, str], Awaitable[None]] | None, update: Update, error: str
) -> bool:
    """True when the failure was recorded (in the table); when it was not, the poller keeps
    the id in memory for `/healthz`, and the log has it."""
    if on_failed is None:
        return False
    try:
        await on_failed(update, error)
    except Exception as exc:
        log.error(
            "telegram update %s: could not record the failure (%s)",
            update.update_id,
            type(exc).__name__,
        )
        return False
    return True


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
