"""Talk to a real Application as a demo person: send texts, read back what was sent.

Also runnable: `python -m tests.integration.visits.talk` prints a transcript of each visit
flow (guided, quick, due, edit) on a fresh SQLite file with the demo roster.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update

from bot.app import Application
from bot.clock import FakeClock
from dialogs.types import Channel, Inbound
from storage.db import upgrade_sync
from storage.models import Area
from tests.support.apps import demo_app, make_demo_app
from tests.support.reads import sent_texts

# Monday 2026-03-02 10:00 in Asia/Shanghai.
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
EAST = "+8613800000002"  # 李主任, children A01-A05
WEST = "+8613800000003"  # 王主任, children B01-B03
SUPERVISOR = "+8613800000001"
HUBEI, JILIN = "420102", "220104"
_ids = itertools.count(1)


@asynccontextmanager
async def regional_app(url: str, clock: FakeClock) -> AsyncIterator[Application]:
    """The demo roster with 东村 in Hubei and 西村 in Jilin (their visit cadences differ)."""
    async with demo_app(url, clock) as app:
        async with app.db.transaction() as s:
            await s.execute(update(Area).where(Area.name == "东村").values(region_code=HUBEI))
            await s.execute(update(Area).where(Area.name == "西村").values(region_code=JILIN))
        yield app


def inbound(app: Application, text: str, phone: str = EAST, pid: str | None = None) -> Inbound:
    return Inbound(
        channel=Channel.CONSOLE,
        address=phone,
        provider_id=pid or f"t{next(_ids)}",
        received_at=app.clock.now(),
        text=text,
    )


async def sent(app: Application, address: str = EAST) -> list[str]:
    """Every text sent to ``address`` so far, in order (runs the dispatcher first)."""
    return await sent_texts(app, address)


async def say(app: Application, text: str, phone: str = EAST) -> list[str]:
    """Send one message; return the replies it produced."""
    before = len(await sent(app, phone))
    await app.service.handle(inbound(app, text, phone))
    return (await sent(app, phone))[before:]


async def conversation(app: Application, texts: list[str], phone: str = EAST) -> list[str]:
    """The last message's replies after sending every text in turn."""
    replies: list[str] = []
    for text in texts:
        replies = await say(app, text, phone)
    return replies


GUIDED = ["走访", "A02", "1", "今天", "一般", "1", "2", "在校", "健康", "1", "1", "1", "1", "1",
          "有户口", "奶奶照顾", "1"]  # fmt: skip
FLOWS: dict[str, list[str]] = {
    "guided": GUIDED,
    "quick": ["走访 A04 差 电话 昨天 失学 无 备注 在外打工的父亲联系不上"],
    "quick (malformed)": ["走访 A01 很好 在校"],
    "due": ["待访", "更多"],
    "edit": ["改", "4", "1", "1"],
}


async def _print_transcripts(url: str) -> None:
    app = await make_demo_app(url)
    try:
        for name, texts in FLOWS.items():
            print(f"--- {name} ---")
            for text in texts:
                print(f"> {text}")
                for reply in await say(app, text):
                    print("< " + reply.replace("\n", "\n  "))
    finally:
        await app.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'careline.db'}"
        upgrade_sync(url)
        asyncio.run(_print_transcripts(url))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
