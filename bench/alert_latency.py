"""Hotline alert latency: from an inbound concern's arrival (the webhook handler's call
into the service) to the staff alert being handed to the channel, p50/p99, while 10,000
reminders wait in the outbox; on SQLite and PostgreSQL. Then the screening throughput
figures of bench/screening.py.

Run: `python bench/alert_latency.py [--samples 50] [--backlog 10000] [--send-ms 5]`
from the project root. A script, not a test: it prints figures and asserts nothing.
The channel is an in-memory stand-in that takes `--send-ms` per message (a provider's
round trip); reminders are topped up before every sample so the backlog never drains.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.channels.base import RateLimits, SendResult  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.demo import load_demo  # noqa: E402
from dialogs.render import Rendered, Style  # noqa: E402
from dialogs.types import Channel, Inbound, Lane  # noqa: E402
from storage.db import upgrade_sync  # noqa: E402
from storage.models import OutboxMessage  # noqa: E402

HOTLINE = "+8613800000004"
PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
REMINDER = {"key": "start.confirmed", "params": {}, "choices": [], "request_contact": False}


class TimedChannel:
    """Records when each staff alert is handed to the channel."""

    name = Channel.CONSOLE
    style: Style = "numbered"

    def __init__(self, send_ms: float) -> None:
        self.limits = RateLimits(0)
        self.delay = send_ms / 1000
        self.alerts: dict[str, float] = {}
        self.arrived = asyncio.Event()
        self.count = 0

    async def send(self, address: str, message: Rendered) -> SendResult:
        if address == HOTLINE and "热线警报" in message.text:
            self.alerts[message.text] = time.perf_counter()
            self.arrived.set()
        await asyncio.sleep(self.delay)
        self.count += 1
        return SendResult(provider_id=f"t{self.count}")

    async def close(self) -> None:
        return None


async def top_up(app: object, backlog: int) -> None:
    db = app.db  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    async with db.transaction() as s:
        queued = (
            await s.execute(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.lane == Lane.REMINDER, OutboxMessage.status == "queued")
            )
        ).scalar_one()
        missing = backlog - int(queued)
        rows = [
            dict(
                channel="console",
                address=f"+86137{n % 5000:08d}",
                lane=int(Lane.REMINDER),
                message=REMINDER,
                status="queued",
                not_before=now,
                attempts=0,
                bypass_opt_out=False,
                created_at=now,
            )
            for n in range(max(0, missing))
        ]
        if rows:
            await s.execute(insert(OutboxMessage), rows)


async def run(url: str, samples: int, backlog: int, send_ms: float, batch: int) -> list[float]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=url, console_rate=0, dispatch_batch=batch
    )
    app = build_app(settings, clock=SystemClock())
    channel = TimedChannel(send_ms)
    app.dispatcher.channels[Channel.CONSOLE] = channel
    now = datetime.now(UTC)
    async with app.db.transaction() as s:
        await load_demo(s, now, now.date())
    stop = asyncio.Event()
    dispatcher = asyncio.create_task(app.dispatcher.run(stop, idle_poll=0.05))
    latencies: list[float] = []
    handled: list[float] = []
    try:
        for n in range(samples):
            await top_up(app, backlog)
            channel.arrived.clear()
            before = len(channel.alerts)
            started = time.perf_counter()
            await app.service.handle(
                Inbound(
                    Channel.CONSOLE,
                    f"+86136{n:08d}",
                    f"bench-{uuid.uuid4().hex}",
                    datetime.now(UTC),
                    text="邻居家孩子又被打了一顿，身上都是伤",
                )
            )
            handled.append(time.perf_counter() - started)
            while len(channel.alerts) == before:
                await channel.arrived.wait()
                channel.arrived.clear()
            latencies.append(max(channel.alerts.values()) - started)
    finally:
        stop.set()
        await dispatcher
        await app.stop()
    print(
        f"  (inbound handled, case opened and alert queued: p50 "
        f"{statistics.median(handled) * 1000:.0f} ms, max {max(handled) * 1000:.0f} ms)"
    )
    return latencies


def report(name: str, latencies: list[float], backlog: int) -> None:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{name}: alert handed to the channel p50 {statistics.median(ordered) * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms "
        f"({len(ordered)} concerns, {backlog:,} reminders waiting)"
    )


async def pg_database() -> tuple[str, str]:
    name = f"careline_bench_{uuid.uuid4().hex[:8]}"
    plain = make_url(PG_ADMIN).set(drivername="postgresql").render_as_string(False)
    conn = await asyncpg.connect(plain, timeout=5)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return make_url(PG_ADMIN).set(database=name).render_as_string(False), name


async def drop_pg(name: str) -> None:
    plain = make_url(PG_ADMIN).set(drivername="postgresql").render_as_string(False)
    conn = await asyncpg.connect(plain, timeout=5)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--backlog", type=int, default=10_000)
    parser.add_argument("--send-ms", type=float, default=5.0)
    parser.add_argument("--batch", type=int, default=Settings().dispatch_batch,
                        help="the dispatcher's claim batch (CARELINE_DISPATCH_BATCH)")  # fmt: skip
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        upgrade_sync(url)
        print(f"dispatch batch {args.batch}, {args.send_ms:g} ms per send")
        report(
            "SQLite",
            asyncio.run(run(url, args.samples, args.backlog, args.send_ms, args.batch)),
            args.backlog,
        )
    if not args.no_postgres:
        try:
            pg_url, name = asyncio.run(pg_database())
        except Exception as exc:  # a figure we cannot take is said, not hidden
            print(f"PostgreSQL: skipped ({type(exc).__name__}: {exc})")
        else:
            try:
                upgrade_sync(pg_url)
                latencies = asyncio.run(
                    run(pg_url, args.samples, args.backlog, args.send_ms, args.batch)
                )
                report("PostgreSQL", latencies, args.backlog)
            finally:
                asyncio.run(drop_pg(name))
    print("screening throughput (bench/screening.py):")
    spec = importlib.util.spec_from_file_location(
        "screening_bench", ROOT / "bench" / "screening.py"
    )
    assert spec is not None and spec.loader is not None
    screening = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(screening)
    sys.argv = [sys.argv[0], "--rounds", "5"]
    screening.main()


if __name__ == "__main__":
    main()
