"""Dispatcher throughput: queued SMS sent through the real twilio client to a local stand-in
of Twilio's REST API, rate limits off, on SQLite and PostgreSQL.

    python bench/dispatch.py [--messages 3000] [--db sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from datetime import UTC, datetime

import _support
from _support import fresh_database

from bot.channels.base import RateLimits
from bot.channels.sms import TwilioChannel
from bot.clock import SystemClock
from bot.outbox import Dispatcher
from content.catalog import Catalog
from dialogs.types import Channel, Lane
from storage.db import Database
from tests.standins import StandinClient
from tests.standins.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from tests.support.queue import enqueue_numbered


class StandinProcess:
    """The Twilio stand-in in its own process, so it does not share the dispatcher's GIL."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.standins", "twilio", "--port", "0"],
            cwd=_support.ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


async def run(url: str, n: int, standin: StandinProcess) -> tuple[float, int]:
    db = Database(url)
    async with db.transaction() as s:
        await enqueue_numbered(
            s, n, channel=Channel.SMS, lane=Lane.REMINDER, now=datetime.now(UTC),
            address=lambda i: f"+86138{i % 1000:08d}",
        )  # fmt: skip
    control = StandinClient(standin.base_url)
    await control.reset()
    sms = TwilioChannel(
        account_sid=DEFAULT_ACCOUNT_SID,
        auth_token=DEFAULT_AUTH_TOKEN,
        sender="+15005550006",
        api_base=standin.base_url,
        status_callback=None,
        limits=RateLimits(0),
    )
    catalog = Catalog.load()
    dispatcher = Dispatcher(db, {Channel.SMS: sms}, lambda: catalog, SystemClock(), batch=100)
    start = time.perf_counter()
    stats = await dispatcher.run_until_idle()
    seconds = time.perf_counter() - start
    assert await control.count() == stats.sent == n
    await control.aclose()
    await sms.close()
    await db.dispose()
    return seconds, stats.sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    standin = StandinProcess()
    try:
        for kind in args.db.split(","):
            with fresh_database(kind.strip()) as url:
                seconds, sent = asyncio.run(run(url, args.messages, standin))
            print(
                f"[{kind}] dispatcher: {sent} SMS in {seconds:.2f} s = {sent / seconds:.0f} msg/s "
                "(rate limits off, real twilio client, local stand-in)"
            )
    finally:
        standin.close()


if __name__ == "__main__":
    main()
