"""Telegram identity is the user, not the chat: only a private chat links to a staff account,
and a group chat gets no staff commands and no personal data, even if it was linked before."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram.types import Update
from sqlalchemy import select

from bot.app import Application
from bot.channels.telegram import update_to_inbound
from dialogs.types import Channel
from storage.models import ChannelAddress, OutboxMessage, Person
from storage.repos.people import address_row

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
HOTLINE_PHONE = "+8613800000004"
USER, GROUP = 7001, -100500


_ids = iter(range(1, 10_000))


def update(chat_id: int, chat_type: str, **message: Any) -> Update:
    user = {"id": USER, "is_bot": False, "first_name": "陈"}
    chat = {"id": chat_id, "type": chat_type, "title": "村群"}
    if chat_type == "private":
        chat = {"id": chat_id, "type": "private", "first_name": "陈"}
    n = next(_ids)
    body = {"message_id": n, "from": user, "chat": chat, "date": 1772416800, **message}
    return Update.model_validate({"update_id": n, "message": body})


def contact(chat_id: int, chat_type: str) -> Update:
    shared = {"phone_number": HOTLINE_PHONE, "first_name": "陈", "user_id": USER}
    return update(chat_id, chat_type, contact=shared)


async def handle(app: Application, upd: Update) -> None:
    inbound = update_to_inbound(upd, NOW)
    assert inbound is not None
    await app.service.handle(inbound)


async def linked(app: Application, address: str) -> int | None:
    async with app.db.transaction() as s:
        return (
            await s.execute(
                select(ChannelAddress.person_id).where(
                    ChannelAddress.channel == "telegram", ChannelAddress.address == address
                )
            )
        ).scalar()


async def replies_to(app: Application, address: str) -> list[str]:
    async with app.db.transaction() as s:
        rows = await s.execute(
            select(OutboxMessage.message).where(OutboxMessage.address == address)
        )
        return [m["key"] for m in rows.scalars()]


async def test_a_contact_shared_in_a_group_links_nothing(app: Application) -> None:
    await handle(app, contact(GROUP, "supergroup"))
    assert await linked(app, str(GROUP)) is None
    await handle(app, contact(USER, "private"))
    assert await linked(app, str(USER)) is not None


async def test_a_group_linked_before_gets_no_staff_commands(app: Application) -> None:
    async with app.db.transaction() as s:
        staff = (await s.execute(select(Person).where(Person.phone == HOTLINE_PHONE))).scalar_one()
        addr = await address_row(s, Channel.TELEGRAM, str(GROUP), NOW)
        addr.person_id = staff.id  # a link made before this fix
    await handle(app, update(GROUP, "group", text="案件"))
    keys = await replies_to(app, str(GROUP))
    # answered as an unknown sender (the menu, or a note that a person will read it)
    assert {"menu.unknown", "hotline.review.noted"} & set(keys), keys
    assert not any(k.startswith("hotline.staff") for k in keys), keys
    # the same staff member in their private chat (linked) gets the case list
    await handle(app, contact(USER, "private"))
    await handle(app, update(USER, "private", text="案件"))
    private = await replies_to(app, str(USER))
    assert "menu.unknown" not in private
    assert any(k.startswith("hotline.staff") for k in private), private
