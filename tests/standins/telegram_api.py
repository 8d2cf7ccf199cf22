"""Stand-in for the Telegram Bot API, for the real aiogram 3 `Bot`.

Point aiogram at it with
`Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(server.base_url)))`.
Routes: `/bot{token}/{method}` (GET or POST; query, urlencoded, multipart or JSON parameters)
for getMe, sendMessage, editMessageText, answerCallbackQuery, getUpdates (long polling),
setWebhook, deleteWebhook, getWebhookInfo, sendChatAction, deleteMessage, setMyCommands; plus
`/_standin` control routes (see `control.py`) and POST/GET `/_standin/updates`,
GET `/_standin/calls[?method=]`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.standins.control import PREFIX, control_routes
from tests.standins.recorder import records_json
from tests.standins.script import Scripted
from tests.standins.telegram_objects import (
    ApiError,
    chat_id_param,
    int_param,
    markup_param,
    message_object,
    required_param,
    text_param,
)
from tests.standins.telegram_state import TelegramRecorder, WebhookInfo


def error_body(status: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


# -- scripted failures -----------------------------------------------------------------
def failure(
    status: int,
    description: str,
    *,
    times: int | None = 1,
    chat_id: int | str | None = None,
    method: str | None = "sendMessage",
    retry_after: int | None = None,
    delay_s: float = 0.0,
) -> Scripted:
    return Scripted(
        status=status,
        body=error_body(status, description, retry_after),
        delay_s=delay_s,
        times=times,
        target=None if chat_id is None else str(chat_id),
        method=method,
    )


def retry_after(
    seconds: int,
    times: int | None = 1,
    chat_id: int | str | None = None,
    method: str | None = "sendMessage",
) -> Scripted:
    return failure(
        429,
        f"Too Many Requests: retry after {seconds}",
        times=times,
        chat_id=chat_id,
        method=method,
        retry_after=seconds,
    )


def blocked(
    chat_id: int | str | None = None, times: int | None = None, method: str | None = "sendMessage"
) -> Scripted:
    """403 "bot was blocked by the user"; applies until the script is cleared by default."""
    return failure(
        403, "Forbidden: bot was blocked by the user", times=times, chat_id=chat_id, method=method
    )


def server_error(
    times: int | None = 1, chat_id: int | str | None = None, method: str | None = "sendMessage"
) -> Scripted:
    return failure(500, "Internal Server Error", times=times, chat_id=chat_id, method=method)


def bad_request(
    description: str = "Bad Request: chat not found",
    times: int | None = 1,
    chat_id: int | str | None = None,
    method: str | None = "sendMessage",
) -> Scripted:
    return failure(400, description, times=times, chat_id=chat_id, method=method)


def delayed(
    seconds: float,
    times: int | None = 1,
    chat_id: int | str | None = None,
    method: str | None = "sendMessage",
) -> Scripted:
    """Answer normally (and record the message) only after `seconds`."""
    return Scripted(
        status=None,
        delay_s=seconds,
        times=times,
        target=None if chat_id is None else str(chat_id),
        method=method,
    )


# -- methods ---------------------------------------------------------------------------
Handler = Callable[[TelegramRecorder, Mapping[str, str]], Awaitable[Any]]


async def _get_me(rec: TelegramRecorder, params: Mapping[str, str]) -> Any:
    return rec.bot_user()


async def _send_message(rec: TelegramRecorder, params: Mapping[str, str]) -> Any:
    chat_id, text, markup = chat_id_param(params), text_param(params), markup_param(params)
    sent = rec.record_sent(chat_id, text, markup, params.get("parse_mode") or None)
    return message_object(rec, chat_id, sent.message_id, text, markup)


async def _edit_message_text(rec: TelegramRecorder, params: Mapping[str, str]) -> Any:
    chat_id, text, markup = chat_id_param(params), text_param(params), markup_param(params)
    raw_id = required_param(params, "message_id", "message identifier is not specified")
    message_id = int_param(raw_id, "message_id")
    current = rec.current_text(chat_id, message_id)
    if current is None:
        raise ApiError(400, "Bad Request: message to edit not found")
    if current == (text, markup):
        raise ApiError(
            400,
            "Bad Request: message is not modified: specified new message "
            "content and reply markup are exactly the same as a current content "
            "and reply markup of the message",
        )
    rec.edit_text(chat_id, message_id, text, markup)
    return message_object(rec, chat_id, message_id, text, markup, edited=True)


async def _answer_callback_query(rec: TelegramRecorder, params: Mapping[str, str]) -> Any:
    required_param(params, "callback_query_id", "query_id is empty")
    return True


def _never() -> bool:
    return False


async def _get_updates(
    rec: TelegramRecorder, params: Mapping[str, str], client_gone: Callable[[], bool] = _never
) -> Any:
    if rec.webhook.url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    if params.get("offset"):
        rec.confirm_updates(int_param(params["offset"], "offset"))
    limit = min(max(int_param(params.get("limit") or "100", "limit"), 1), 100)
    timeout = max(int_param(params.get("timeout") or "0", "timeout"), 0)
    if timeout:
        await rec.wait_for_updates(timeout, client_gone)
    return rec.take_updates(limit)


async def _set_webhook(rec: TelegramRecorder, params: Mapping[str, str]) -> Any:
    url = params.get("url", "")
    allowed = json.loads(params["allowed_updates"]) if params.get("allowed_updates") else []
    if params.get("drop_pending_updates") == "true":
        rec.drop_pending_updates()
    rec.set_webhook(WebhookInfo(url, params.get("secret_token") or None, tuple(allowed)))
    return True


async def _delete_webhook(rec: TelegramRecorder, params: Mapping[str, str]) -> Any:
    if params.get("drop_pending_updates") == "true":
        rec.drop_pending_updates()
    rec.set_webhook(WebhookInfo())
    return True


async def _get_webhook_info(rec: TelegramRecorder, params: Mapping[str, str]) -> Any:
    info = rec.webhook
    result: dict[str, Any] = {
        "url": info.url,
        "has_custom_certificate": False,
        "pending_update_count": len(rec.pending_updates()),
    }
    if info.allowed_updates:
        result["allowed_updates"] = list(info.allowed_updates)
    return result


async def _true(rec: TelegramRecorder, params: Mapping[str, str]) -> Any:
    return True


async def _get_file(rec: TelegramRecorder, params: Mapping[str, str]) -> Any:
    file_id = params.get("file_id", "")
    if file_id not in rec.files:
        raise ApiError(400, "Bad Request: invalid file_id")
    return {
        "file_id": file_id,
        "file_unique_id": f"{file_id}-u",
        "file_size": len(rec.files[file_id]),
        "file_path": f"photos/{file_id}.jpg",
    }


async def _file(request: Request) -> Response:
    """The file server: /file/bot<token>/<file_path>, as application/octet-stream."""
    rec: TelegramRecorder = request.app.state.recorder
    if request.path_params["token"] != rec.token:
        return Response(status_code=401)
    name = request.path_params["path"].removeprefix("photos/").removesuffix(".jpg")
    if name not in rec.files:
        return Response(status_code=404)
    rec.record_call("file", {"file_id": name})
    return Response(rec.files[name], media_type="application/octet-stream")


METHODS: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler)
    for name, handler in [
        ("getMe", _get_me),
        ("sendMessage", _send_message),
        ("editMessageText", _edit_message_text),
        ("answerCallbackQuery", _answer_callback_query),
        ("getUpdates", _get_updates),
        ("setWebhook", _set_webhook),
        ("deleteWebhook", _delete_webhook),
        ("getWebhookInfo", _get_webhook_info),
        ("sendChatAction", _true),
        ("deleteMessage", _true),
        ("setMyCommands", _true),
        ("getFile", _get_file),
    ]
}


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and content_type.startswith("application/json"):
        body = await request.json()
        if isinstance(body, dict):
            params.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    elif request.method == "POST":
        form = await request.form()
        params.update({k: v for k, v in form.multi_items() if isinstance(v, str)})
    return params


async def _bot_api(request: Request) -> JSONResponse:
    rec: TelegramRecorder = request.app.state.recorder
    requested = request.path_params["method"]
    if request.path_params["token"] != rec.token:
        return _answer(rec, requested, None, 401, error_body(401, "Unauthorized"))
    if requested.lower() not in METHODS:
        return _answer(rec, requested, None, 404, error_body(404, "Not Found"))
    name, handler = METHODS[requested.lower()]
    params = await _params(request)
    target = params.get("chat_id") or None
    scripted = rec.take_scripted(name, target)
    if scripted is not None and scripted.delay_s and not await rec.pause(scripted.delay_s):
        return _answer(rec, name, target, 500, error_body(500, "Internal Server Error"))
    if scripted is not None and scripted.status is not None:
        body = scripted.body or error_body(scripted.status, _phrase(scripted.status))
        return _answer(rec, name, target, scripted.status, dict(body))
    try:
        if name == "getUpdates":
            result = await _long_poll(request, rec, params)
        else:
            result = await handler(rec, params)
    except ApiError as error:
        body = error_body(error.status, error.description, error.retry_after)
        return _answer(rec, name, target, error.status, body)
    rec.record_call(name, params)
    return _answer(rec, name, target, 200, {"ok": True, "result": result})


async def _long_poll(request: Request, rec: TelegramRecorder, params: Mapping[str, str]) -> Any:
    """getUpdates that also ends when the client goes away (e.g. a cancelled polling task),
    so abandoned polls do not linger until their timeout."""

    async def watch() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass
        rec.changes.notify_all()

    watcher = asyncio.create_task(watch())
    try:
        return await _get_updates(rec, params, watcher.done)
    finally:
        watcher.cancel()


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _answer(
    rec: TelegramRecorder, method: str, target: str | None, status: int, body: dict[str, Any]
) -> JSONResponse:
    rec.note_attempt(method, target, status)
    return JSONResponse(body, status_code=status)


def _extra_control_routes(rec: TelegramRecorder) -> list[Route]:
    async def push(request: Request) -> JSONResponse:
        update = await request.json()
        if not isinstance(update, dict):
            return JSONResponse({"error": "an update is a JSON object"}, 400)
        return JSONResponse({"update_id": rec.push_update(update)})

    async def pending(request: Request) -> JSONResponse:
        return JSONResponse({"updates": rec.pending_updates()})

    async def calls(request: Request) -> JSONResponse:
        return JSONResponse({"calls": records_json(rec.calls(request.query_params.get("method")))})

    return [
        Route(f"{PREFIX}/updates", push, methods=["POST"]),
        Route(f"{PREFIX}/updates", pending, methods=["GET"]),
        Route(f"{PREFIX}/calls", calls, methods=["GET"]),
    ]


def create_telegram_app(recorder: TelegramRecorder) -> Starlette:
    """The ASGI app; `app.state.recorder` is the recorder it writes to."""
    app = Starlette(
        routes=[
            Route("/bot{token}/{method}", _bot_api, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", _file, methods=["GET"]),
            *control_routes(recorder),
            *_extra_control_routes(recorder),
        ]
    )
    app.state.recorder = recorder
    return app
