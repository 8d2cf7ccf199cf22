"""Bot API parameter parsing and the JSON objects the Telegram stand-in answers with."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tests.standins.recorder import utc_now
from tests.standins.telegram_state import TelegramRecorder

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64


class ApiError(Exception):
    """A Bot API error answer: `{"ok": false, "error_code": status, "description": ...}`."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


def required_param(params: Mapping[str, str], name: str, description: str) -> str:
    value = params.get(name, "")
    if not value:
        raise ApiError(400, f"Bad Request: {description}")
    return value


def int_param(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


def chat_id_param(params: Mapping[str, str]) -> int:
    raw = required_param(params, "chat_id", "chat_id is empty")
    if raw.startswith("@"):
        raise ApiError(400, "Bad Request: chat not found")
    return int_param(raw, "chat_id")


def markup_param(params: Mapping[str, str]) -> dict[str, Any] | None:
    raw = params.get("reply_markup")
    if not raw:
        return None
    try:
        markup = json.loads(raw)
    except ValueError:
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object") from None
    if not isinstance(markup, dict) or not markup.keys() & {
        "inline_keyboard",
        "keyboard",
        "remove_keyboard",
        "force_reply",
    }:
        raise ApiError(400, "Bad Request: unsupported reply markup")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if len(str(button.get("callback_data", "")).encode()) > MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def text_param(params: Mapping[str, str]) -> str:
    text = required_param(params, "text", "message text is empty")
    if len(text) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def chat_object(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}


def message_object(
    recorder: TelegramRecorder,
    chat_id: int,
    message_id: int,
    text: str,
    markup: Mapping[str, Any] | None,
    edited: bool = False,
) -> dict[str, Any]:
    now = int(utc_now().timestamp())
    message: dict[str, Any] = {
        "message_id": message_id,
        "from": recorder.bot_user(),
        "chat": chat_object(chat_id),
        "date": now,
        "text": text,
    }
    if edited:
        message["edit_date"] = now
    if markup is not None and "inline_keyboard" in markup:
        message["reply_markup"] = dict(markup)  # Telegram echoes inline keyboards only
    return message
