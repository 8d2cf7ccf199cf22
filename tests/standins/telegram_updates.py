"""Builders for realistic Telegram updates to feed `TelegramRecorder.push_update`.

They return dicts without `update_id` (push_update assigns one). Message ids come from a
shared counter unless given, so two updates never collide on (chat, message_id).
"""

from __future__ import annotations

import itertools
import time
from typing import Any

_message_ids = itertools.count(100_000)
_callback_ids = itertools.count(1)


def user_object(
    user_id: int,
    first_name: str = "测试",
    username: str | None = None,
    language_code: str | None = "zh-hans",
) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def _private_chat(user: dict[str, Any]) -> dict[str, Any]:
    chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    if "username" in user:
        chat["username"] = user["username"]
    return chat


def _message(
    user_id: int, first_name: str, message_id: int | None, date: int | None
) -> dict[str, Any]:
    user = user_object(user_id, first_name)
    return {
        "message_id": next(_message_ids) if message_id is None else message_id,
        "from": user,
        "chat": _private_chat(user),
        "date": int(time.time()) if date is None else date,
    }


def text_message_update(
    user_id: int,
    text: str,
    *,
    first_name: str = "测试",
    message_id: int | None = None,
    date: int | None = None,
) -> dict[str, Any]:
    """A private-chat text message from `user_id`."""
    message = _message(user_id, first_name, message_id, date)
    message["text"] = text
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"message": message}


def contact_update(
    user_id: int,
    phone_number: str,
    *,
    first_name: str = "测试",
    contact_user_id: int | None = None,
    message_id: int | None = None,
    date: int | None = None,
) -> dict[str, Any]:
    """The user shared a contact; by default their own (contact.user_id == from.id),
    which is what a `request_contact` reply-keyboard button sends."""
    message = _message(user_id, first_name, message_id, date)
    message["contact"] = {
        "phone_number": phone_number,
        "first_name": first_name,
        "user_id": user_id if contact_user_id is None else contact_user_id,
    }
    return {"message": message}


def callback_query_update(
    user_id: int,
    data: str,
    *,
    message_id: int,
    bot_id: int,
    message_text: str = "",
    first_name: str = "测试",
    query_id: str | None = None,
    date: int | None = None,
) -> dict[str, Any]:
    """The user pressed an inline button with `data` under the bot's message `message_id`."""
    user = user_object(user_id, first_name)
    bot = {"id": bot_id, "is_bot": True, "first_name": "Careline Stand-in"}
    return {
        "callback_query": {
            "id": query_id or f"{user_id}-{next(_callback_ids)}",
            "from": user,
            "chat_instance": f"ci-{user_id}",
            "data": data,
            "message": {
                "message_id": message_id,
                "from": bot,
                "chat": _private_chat(user),
                "date": int(time.time()) if date is None else date,
                "text": message_text or "…",
            },
        }
    }


def photo_update(
    user_id: int,
    file_id: str,
    *,
    caption: str | None = None,
    file_size: int = 48_000,
    first_name: str = "测试",
    message_id: int | None = None,
    date: int | None = None,
) -> dict[str, Any]:
    """A private-chat photo as Telegram sends it: several sizes, the largest last."""
    message = _message(user_id, first_name, message_id, date)
    message["photo"] = [
        {
            "file_id": f"{file_id}-s",
            "file_unique_id": f"{file_id}-us",
            "width": 90,
            "height": 67,
            "file_size": 1_200,
        },
        {
            "file_id": file_id,
            "file_unique_id": f"{file_id}-u",
            "width": 1280,
            "height": 960,
            "file_size": file_size,
        },
    ]
    if caption:
        message["caption"] = caption
    return {"message": message}


def voice_update(
    user_id: int, file_id: str, *, first_name: str = "测试", duration: int = 4
) -> dict[str, Any]:
    """A private-chat voice note (OGG/Opus)."""
    message = _message(user_id, first_name, None, None)
    message["voice"] = {
        "file_id": file_id,
        "file_unique_id": f"{file_id}-u",
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": 9_000,
    }
    return {"message": message}
