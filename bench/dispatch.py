"""Dispatcher throughput against the raw ceiling: queued SMS sent through the real twilio
client to a local stand-in of Twilio's REST API (in its own process), on SQLite and
PostgreSQL, beside the same client posting the same texts to the same stand-in without a
database, in the same run.

    python bench/dispatch.py [--messages 2000] [--db sqlite,postgres] [--rounds 2]
                             [--rate 50] [--latency-ms 100]

Each round runs the raw client, then the dispatcher on each database (rate limits off), and
prints the dispatcher's messages per second, its CPU per message (this process: the
stand-in is another), statements and transactions per message, and the ratio to the raw
client of the same round (issue 13, target 3: >= 0.25). With `--rate R`, the dispatcher
also sends 10 x R messages at a configured R per second and prints the rate achieved after
the bucket's first burst as a share of R (target >= 0.99). `--latency-ms` adds a provider's
round trip to each call, raw and dispatcher alike (the stand-in answers within a
millisecond or two, Twilio in 100-300 ms). A script, not a test: it prints figures and
asserts only that every message arrived once.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from _support import StandinProcess, fresh_database
from sqlalchemy import event

from bot.channels.base import RateLimits, SendResult
from bot.channels.twilio_send import TwilioChannel
from bot.clock import SystemClock
from bot.outbox import Dispatcher
from content.catalog import Catalog
from content.locales import DEFAULT_LOCALE
from content.replies import Reply
from dialogs.render import Rendered, render
from dialogs.types import Channel, Lane
from storage.db import Database
from tests.standins import StandinClient
from tests.standins.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from tests.support.queue import enqueue_numbered

CONCURRENCY = 16  # the dispatcher's default: the raw client gets as many requests at once
BATCH = 100


def address(i: int) -> str:
    return f"+86138{i % 1000:08d}"


@dataclass
class Figures:
    sent: int
    seconds: float
    cpu: float
    statements: int = 0
    transactions: int = 0
    last_send: float = 0.0  # seconds from the start to the last provider call's start

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds


LATENCY = [0.0]  # seconds added before each provider call (--latency-ms), raw and dispatcher


def twilio(standin: StandinProcess, rate: float = 0) -> TwilioChannel:
    channel = TwilioChannel(
        account_sid=DEFAULT_ACCOUNT_SID,
        auth_token=DEFAULT_AUTH_TOKEN,
        sender="+15005550006",
        api_base=standin.base_url,
        status_callback=None,
        limits=RateLimits(rate),
    )
    if LATENCY[0] > 0:  # a provider's round trip (Twilio's is 100-300 ms), not the stand-in's
        send = channel.send

        async def slower(to: str, message: Rendered) -> SendResult:
            await asyncio.sleep(LATENCY[0])
            return await send(to, message)

        channel.send = slower  # type: ignore[method-assign,assignment]
    return channel


async def raw(n: int, standin: StandinProcess) -> Figures:
    """The ceiling: the same client and texts, CONCURRENCY requests at once, no database."""
    control = StandinClient(standin.base_url)
    await control.reset()
    sms = twilio(standin)
    catalog = Catalog.load()
    texts = [
        render(Reply("choice.invalid", {"count": i}), catalog, DEFAULT_LOCALE, sms.style)
        for i in range(n)
    ]
    sem = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> None:
        async with sem:
            await sms.send(address(i), texts[i])

    await sms.send(address(0), texts[0])  # the client's session, as the dispatcher's first
    await control.reset()
    cpu, start = time.process_time(), time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    figures = Figures(n, time.perf_counter() - start, time.process_time() - cpu)
    assert await control.count() == n
    await control.aclose()
    await sms.close()
    return figures


async def dispatch(url: str, n: int, standin: StandinProcess, rate: float = 0) -> Figures:
    db = Database(url)
    async with db.transaction() as s:
        await enqueue_numbered(
            s, n, channel=Channel.SMS, lane=Lane.REMINDER, now=datetime.now(UTC), address=address
        )
    control = StandinClient(standin.base_url)
    await control.reset()
    sms = twilio(standin, rate)
    calls: list[float] = []
    send = sms.send

    async def timed_send(to: str, message: Rendered) -> SendResult:
        calls.append(time.perf_counter())
        return await send(to, message)

    sms.send = timed_send  # type: ignore[method-assign,assignment]
    catalog = Catalog.load()
    dispatcher = Dispatcher(
        db, {Channel.SMS: sms}, lambda: catalog, SystemClock(), batch=BATCH,
        concurrency=CONCURRENCY,
    )  # fmt: skip
    counts = {"statements": 0, "transactions": 0}

    def seen(_c: object, _cur: object, statement: str, *_a: object) -> None:
        counts["statements"] += not statement.startswith("BEGIN")  # SQLite's own BEGIN

    def committed(_conn: object) -> None:
        counts["transactions"] += 1

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    event.listen(engine, "commit", committed)
    cpu, start = time.process_time(), time.perf_counter()
    stats = await dispatcher.run_until_idle()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    event.remove(engine, "before_cursor_execute", seen)
    event.remove(engine, "commit", committed)
    assert await control.count() == stats.sent == n
    await control.aclose()
    await sms.close()
    await db.dispose()
    return Figures(
        n, seconds, cpu, counts["statements"], counts["transactions"], max(calls) - start
    )


def report(label: str, f: Figures, ceiling: Figures | None = None) -> None:
    line = (
        f"  {label:10} {f.sent} SMS in {f.seconds:5.2f} s = {f.per_second:5.0f} msg/s,"
        f" CPU {1000 * f.cpu / f.sent:.2f} ms/msg"
    )
    if f.statements:
        line += (
            f", {f.statements / f.sent:.2f} statements and"
            f" {f.transactions / f.sent:.3f} transactions per message"
        )
    if ceiling is not None:
        line += f"; x{f.per_second / ceiling.per_second:.2f} of raw"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", type=float, default=0, help="also check a configured rate")
    parser.add_argument("--latency-ms", type=float, default=0, help="added to each provider call")
    args = parser.parse_args()
    LATENCY[0] = args.latency_ms / 1000
    kinds = [k.strip() for k in args.db.split(",")]
    standin = StandinProcess()
    try:
        print(
            f"rate limits off, {CONCURRENCY} at once, claims of {BATCH}; twilio stand-in"
            f" (+{args.latency_ms:g} ms a call)"
        )
        for round_no in range(1, args.rounds + 1):
            print(f"round {round_no}")
            ceiling = asyncio.run(raw(args.messages, standin))
            report("raw client", ceiling)
            for kind in kinds:
                with fresh_database(kind) as url:
                    report(kind, asyncio.run(dispatch(url, args.messages, standin)), ceiling)
        if args.rate > 0:
            n, burst = int(10 * args.rate), max(1.0, args.rate)
            print(
                f"configured rate {args.rate:g}/s, {n} messages (the bucket's first {burst:g}"
                " at once): the rate of the provider calls after that burst"
            )
            for kind in kinds:
                with fresh_database(kind) as url:
                    f = asyncio.run(dispatch(url, n, standin, args.rate))
                steady = (f.sent - burst) / f.last_send
                print(f"  {kind:10} {steady:.2f} msg/s after the burst = x{steady / args.rate:.3f}")
    finally:
        standin.close()


if __name__ == "__main__":
    main()
