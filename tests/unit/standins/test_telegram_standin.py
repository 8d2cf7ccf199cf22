"""The real aiogram 3 Bot (AiohttpSession) against the Telegram stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from tests.standins import StandinClient, TelegramStandin, telegram_api
from tests.standins.script import Scripted
from tests.standins.telegram_updates import (
    callback_query_update,
    contact_update,
    text_message_update,
)

CHAT, OTHER_CHAT = 5550001, 5550002

# One event loop for the module so one Bot (one aiohttp session) serves every test: closing an
# aiogram session costs a fixed 250 ms sleep, which per test would blow the time budget.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def standin() -> Iterator[TelegramStandin]:
    with TelegramStandin() as running:
        yield running


@pytest.fixture
def telegram(standin: TelegramStandin) -> Iterator[TelegramStandin]:
    standin.recorder.reset()
    yield standin
    standin.recorder.reset()


def make_bot(standin: TelegramStandin) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(standin.base_url))
    return Bot(standin.recorder.token, session=session)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_bot(standin: TelegramStandin) -> AsyncIterator[Bot]:
    bot = make_bot(standin)
    yield bot
    await bot.session.close()


@pytest.fixture
def bot(telegram: TelegramStandin, module_bot: Bot) -> Bot:
    return module_bot


async def test_get_me_describes_the_bot(telegram: TelegramStandin, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (bot.id, True, telegram.recorder.username)


async def test_send_message_with_inline_keyboard(telegram: TelegramStandin, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="1 走访", callback_data="menu:visit"),
                InlineKeyboardButton(text="2 帮助", callback_data="menu:help"),
            ]
        ]
    )
    message = await bot.send_message(CHAT, "请选择：", reply_markup=keyboard)
    assert (message.chat.id, message.text, message.from_user and message.from_user.id) == (
        CHAT,
        "请选择：",
        bot.id,
    )
    assert message.reply_markup is not None
    assert message.reply_markup.model_dump(exclude_none=True) == keyboard.model_dump(
        exclude_none=True
    )
    [sent] = telegram.recorder.messages()
    assert (sent.message_id, sent.chat_id, sent.text) == (message.message_id, CHAT, "请选择：")
    assert sent.reply_markup is not None
    assert [b["callback_data"] for b in sent.reply_markup["inline_keyboard"][0]] == [
        "menu:visit",
        "menu:help",
    ]


async def test_send_message_with_contact_request_keyboard(
    telegram: TelegramStandin, bot: Bot
) -> None:
    keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="分享手机号", request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    message = await bot.send_message(CHAT, "请分享手机号", reply_markup=keyboard)
    assert message.reply_markup is None  # Telegram echoes inline keyboards only
    [sent] = telegram.recorder.messages(chat_id=CHAT)
    assert sent.reply_markup is not None
    assert sent.reply_markup["keyboard"][0][0] == {"text": "分享手机号", "request_contact": True}


@pytest.mark.parametrize(
    ("scripted", "error_type"),
    [
        (telegram_api.retry_after(7), TelegramRetryAfter),
        (telegram_api.blocked(), TelegramForbiddenError),
        (telegram_api.server_error(), TelegramServerError),
        (telegram_api.bad_request(), TelegramBadRequest),
        (Scripted(status=502, method="sendMessage"), TelegramServerError),
    ],
)
async def test_scripted_failures_raise_aiogram_errors(
    telegram: TelegramStandin, bot: Bot, scripted: Scripted, error_type: type[TelegramAPIError]
) -> None:
    telegram.recorder.script.add(scripted)
    with pytest.raises(error_type) as raised:
        await bot.send_message(CHAT, "hi")
    assert telegram.recorder.count() == 0
    if isinstance(raised.value, TelegramRetryAfter):
        assert raised.value.retry_after == 7
    if isinstance(raised.value, TelegramForbiddenError):
        assert "bot was blocked by the user" in raised.value.message


async def test_blocked_applies_to_one_chat_until_cleared(
    telegram: TelegramStandin, bot: Bot
) -> None:
    telegram.recorder.script.add(telegram_api.blocked(chat_id=CHAT))
    for _ in range(2):
        with pytest.raises(TelegramForbiddenError):
            await bot.send_message(CHAT, "hi")
    await bot.send_message(OTHER_CHAT, "hi")
    assert [m.chat_id for m in telegram.recorder.messages()] == [OTHER_CHAT]
    assert [(a.method, a.target, a.status) for a in telegram.recorder.attempts()] == [
        ("sendMessage", str(CHAT), 403),
        ("sendMessage", str(CHAT), 403),
        ("sendMessage", str(OTHER_CHAT), 200),
    ]


async def test_wrong_token_is_unauthorized(bot: Bot) -> None:
    intruder = Bot("42:not-the-token", session=bot.session)
    with pytest.raises(TelegramUnauthorizedError):
        await intruder.get_me()


@pytest.mark.parametrize(
    ("text", "callback_data", "description"),
    [
        ("", "ok", "message text is empty"),
        ("x" * 4097, "ok", "message is too long"),
        ("hi", "x" * 65, "BUTTON_DATA_INVALID"),
    ],
)
async def test_invalid_send_message_is_a_bad_request(
    bot: Bot, text: str, callback_data: str, description: str
) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="b", callback_data=callback_data)]]
    )
    with pytest.raises(TelegramBadRequest, match=description):
        await bot.send_message(CHAT, text, reply_markup=keyboard)


async def test_get_updates_returns_pushed_updates_and_honours_offset(
    telegram: TelegramStandin, bot: Bot
) -> None:
    rec = telegram.recorder
    first = rec.push_update(text_message_update(CHAT, "走访"))
    rec.push_update(contact_update(CHAT, "8613800138000"))
    rec.push_update(callback_query_update(CHAT, "menu:visit", message_id=7, bot_id=rec.bot_id))
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, first + 1, first + 2]
    text, contact, callback = updates
    assert text.message is not None and text.message.text == "走访"
    assert contact.message is not None and contact.message.contact is not None
    assert contact.message.from_user is not None
    assert contact.message.contact.user_id == contact.message.from_user.id == CHAT
    assert contact.message.contact.phone_number == "8613800138000"
    assert callback.callback_query is not None and callback.callback_query.data == "menu:visit"
    assert [u.update_id for u in await bot.get_updates()] == [first, first + 1, first + 2]
    assert [u.update_id for u in await bot.get_updates(offset=first + 2)] == [first + 2]
    assert await bot.get_updates(offset=first + 3) == []
    assert rec.pending_updates() == []


async def test_negative_offset_keeps_only_the_latest(telegram: TelegramStandin, bot: Bot) -> None:
    ids = [telegram.recorder.push_update(text_message_update(CHAT, str(n))) for n in range(3)]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[-1:]


async def test_long_poll_wakes_when_an_update_is_pushed(
    telegram: TelegramStandin, bot: Bot
) -> None:
    rec = telegram.recorder
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    assert await rec.wait_until(lambda: rec.waiting_pollers == 1, timeout=2)
    update_id = rec.push_update(text_message_update(CHAT, "帮助"))
    async with asyncio.timeout(2):
        updates = await poll
    assert [u.update_id for u in updates] == [update_id]


async def test_edit_message_text(bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "第一版")
    edited = await bot.edit_message_text(text="第二版", chat_id=CHAT, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.text == "第二版"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(text="第二版", chat_id=CHAT, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=CHAT, message_id=sent.message_id + 99)


async def test_answer_callback_query_is_recorded(telegram: TelegramStandin, bot: Bot) -> None:
    assert await bot.answer_callback_query("q-1", text="已记录") is True
    [call] = telegram.recorder.calls("answerCallbackQuery")
    assert (call.params["callback_query_id"], call.params["text"]) == ("q-1", "已记录")


async def test_webhook_blocks_polling_until_deleted(telegram: TelegramStandin, bot: Bot) -> None:
    telegram.recorder.push_update(text_message_update(CHAT, "hi"))
    assert await bot.set_webhook("https://careline.test/tg", secret_token="s3cret") is True
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("https://careline.test/tg", 1)
    assert telegram.recorder.webhook.secret_token == "s3cret"
    with pytest.raises(TelegramConflictError):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == []


async def test_control_routes_push_updates_and_query_over_http(
    telegram: TelegramStandin, bot: Bot
) -> None:
    async with StandinClient(telegram.base_url) as control:
        update_id = await control.push_update(text_message_update(CHAT, "取消"))
        [update] = await bot.get_updates()
        assert update.update_id == update_id
        await control.script(telegram_api.retry_after(3, chat_id=CHAT))
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(CHAT, "hi")
        await bot.send_message(CHAT, "hi")
        assert await control.wait_for_count(1, timeout=1) == 1
        assert [(m["chat_id"], m["text"]) for m in await control.messages()] == [(CHAT, "hi")]
        assert [c["method"] for c in await control.calls()] == ["getUpdates", "sendMessage"]


async def test_dispatcher_polling_round_trip(telegram: TelegramStandin, bot: Bot) -> None:
    """aiogram's own polling loop receives a pushed update and its handler's reply is recorded."""
    from aiogram import Dispatcher
    from aiogram.types import Message

    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(f"收到：{message.text}")

    rec = telegram.recorder
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=30, handle_signals=False, close_bot_session=False
        )
    )
    try:
        rec.push_update(text_message_update(CHAT, "走访"))
        [reply] = await rec.wait_for_count(1, timeout=3)
        assert (reply.chat_id, reply.text) == (CHAT, "收到：走访")
        assert await rec.wait_until(lambda: rec.waiting_pollers >= 1, timeout=3)
        assert rec.pending_updates() == []  # the next poll confirmed it with offset
    finally:
        await dispatcher.stop_polling()
        await polling
    # the cancelled long poll is noticed as a disconnect and released at once
    assert await rec.wait_until(lambda: rec.waiting_pollers == 0, timeout=3)
