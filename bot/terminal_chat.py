"""`careline chat --as PHONE`: the simulator in a terminal, against the configured database."""

from __future__ import annotations

import asyncio
import sys
import uuid

from bot.app import NotMigrated, build_app
from bot.config import Settings
from bot.phones import to_e164
from bot.web.simulator import simulator_lines
from dialogs.types import Channel, Inbound


async def run_chat(settings: Settings, phone_raw: str) -> int:
    phone = to_e164(phone_raw)
    if phone is None:
        print(
            f"careline chat: {phone_raw!r} is not a phone number; try +8613800000002",
            file=sys.stderr,
        )
        return 2
    local = settings.model_copy(update={"telegram_token": None, "twilio_account_sid": None})
    app = build_app(local, console=True)
    try:
        await app.check_database()
    except NotMigrated as exc:
        print(f"careline: {exc}", file=sys.stderr)
        return 2
    seen: set[str] = {line.id for line in await simulator_lines(app, phone)}
    print(f"Talking as {phone}. Type a message (帮助 / help); Ctrl-D to leave.")
    loop = asyncio.get_running_loop()
    try:
        while True:
            text = await loop.run_in_executor(None, _read)
            if text is None:
                break
            if not text.strip():
                continue
            await app.service.handle(
                Inbound(
                    channel=Channel.CONSOLE,
                    address=phone,
                    provider_id="chat-" + uuid.uuid4().hex,
                    received_at=app.clock.now(),
                    text=text,
                )
            )
            await app.dispatcher.run_until_idle()
            for line in await simulator_lines(app, phone):
                if line.id not in seen and line.direction == "out":
                    print("\n" + line.text + "\n")
                seen.add(line.id)
    finally:
        await app.stop()
    return 0


def _read() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None
