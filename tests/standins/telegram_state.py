"""State of the Telegram stand-in: sent messages, pending updates, webhook, API calls."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.standins.recorder import Recorder, utc_now

DEFAULT_TOKEN = "123456789:STANDIN-test-token_abc"


@dataclass(frozen=True)
class SentMessage:
    """A message the bot sent with sendMessage."""

    message_id: int
    chat_id: int
    text: str
    reply_markup: Mapping[str, Any] | None
    parse_mode: str | None
    sent_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "text": self.text,
            "reply_markup": dict(self.reply_markup) if self.reply_markup else None,
            "parse_mode": self.parse_mode,
            "sent_at": self.sent_at.isoformat(),
        }


@dataclass(frozen=True)
class ApiCall:
    """Any Bot API call that was answered successfully, with its parameters as sent."""

    method: str
    params: Mapping[str, str]
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "params": dict(self.params), "at": self.at.isoformat()}


@dataclass(frozen=True)
class WebhookInfo:
    url: str = ""
    secret_token: str | None = None
    allowed_updates: tuple[str, ...] = field(default=())


class TelegramRecorder(Recorder[SentMessage]):
    """One bot: its token, what it sent, and the updates waiting for getUpdates."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        username: str = "careline_standin_bot",
        record_file: Path | None = None,
    ) -> None:
        super().__init__(record_file)
        self.token = token
        self.bot_id = int(token.partition(":")[0])
        self.username = username
        self._state_lock = threading.Lock()
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self.files: dict[str, bytes] = {}  # file_id -> bytes, served by getFile and /file/
        self._next_message_id = 1
        self._texts: dict[tuple[int, int], tuple[str, Mapping[str, Any] | None]] = {}
        self._calls: list[ApiCall] = []
        self._webhook = WebhookInfo()
        self._waiting_pollers = 0

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Careline Stand-in",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    # -- updates ---------------------------------------------------------------------
    def push_update(self, update: Mapping[str, Any]) -> int:
        """Queue an update for getUpdates; assigns `update_id` when missing. Returns it."""
        item = dict(update)
        with self._state_lock:
            if "update_id" not in item:
                item["update_id"] = self._next_update_id
            self._next_update_id = max(self._next_update_id, int(item["update_id"])) + 1
            self._updates.append(item)
        self.changes.notify_all()
        return int(item["update_id"])

    def pending_updates(self) -> list[dict[str, Any]]:
        with self._state_lock:
            return list(self._updates)

    def confirm_updates(self, offset: int) -> None:
        """getUpdates offset semantics: drop ids below `offset`; negative keeps the last -offset."""
        with self._state_lock:
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]

    @property
    def waiting_pollers(self) -> int:
        """getUpdates requests now parked in a long poll (lets a test know polling is up)."""
        with self._state_lock:
            return self._waiting_pollers

    async def wait_for_updates(
        self,
        timeout: float,
        client_gone: Callable[[], bool],
    ) -> None:
        """Long-poll wait: until an update is pending, the client has gone, the stand-in
        closes, or `timeout` passes."""
        with self._state_lock:
            self._waiting_pollers += 1
        self.changes.notify_all()
        try:
            await self.wait_until(
                lambda: self.closed or client_gone() or bool(self.pending_updates()), timeout
            )
        finally:
            with self._state_lock:
                self._waiting_pollers -= 1
            self.changes.notify_all()

    def take_updates(self, limit: int) -> list[dict[str, Any]]:
        with self._state_lock:
            return list(self._updates[:limit])

    def drop_pending_updates(self) -> None:
        with self._state_lock:
            self._updates.clear()

    # -- messages --------------------------------------------------------------------
    def record_sent(
        self,
        chat_id: int,
        text: str,
        reply_markup: Mapping[str, Any] | None,
        parse_mode: str | None,
    ) -> SentMessage:
        with self._state_lock:
            message_id = self._next_message_id
            self._next_message_id += 1
            self._texts[(chat_id, message_id)] = (text, reply_markup)
        message = SentMessage(message_id, chat_id, text, reply_markup, parse_mode, utc_now())
        self._append(message)
        return message

    def messages(self, chat_id: int | None = None) -> list[SentMessage]:
        return [m for m in self.records() if chat_id is None or m.chat_id == chat_id]

    def current_text(
        self, chat_id: int, message_id: int
    ) -> tuple[str, Mapping[str, Any] | None] | None:
        with self._state_lock:
            return self._texts.get((chat_id, message_id))

    def edit_text(
        self, chat_id: int, message_id: int, text: str, reply_markup: Mapping[str, Any] | None
    ) -> None:
        with self._state_lock:
            self._texts[(chat_id, message_id)] = (text, reply_markup)

    # -- calls and webhook -----------------------------------------------------------
    def record_call(self, method: str, params: Mapping[str, str]) -> None:
        with self._state_lock:
            self._calls.append(ApiCall(method, dict(params), utc_now()))
        self.changes.notify_all()

    def calls(self, method: str | None = None) -> list[ApiCall]:
        with self._state_lock:
            return [c for c in self._calls if method is None or c.method.lower() == method.lower()]

    @property
    def webhook(self) -> WebhookInfo:
        with self._state_lock:
            return self._webhook

    def set_webhook(self, info: WebhookInfo) -> None:
        with self._state_lock:
            self._webhook = info

    def reset(self) -> None:
        with self._state_lock:
            self._updates.clear()
            self._calls.clear()
            self._texts.clear()
            self._webhook = WebhookInfo()
        super().reset()
