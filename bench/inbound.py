"""Inbound throughput and latency through the full path, next to a store-only baseline.

Full path: signed Twilio webhook over real HTTP -> signature check -> store inbound ->
identify -> lock conversation -> dialog step -> outbox commit -> TwiML answer.
Baseline: the same HTTP request and signature check, storing only the raw inbound row.
Both run in one process against the same database, for SQLite and PostgreSQL, with the
dispatcher running in that process as `careline serve` runs it: it sends the full path's
replies, meanwhile, through the real twilio client to a stand-in of Twilio's REST API in a
process of its own (rate limits off, so that every reply is sent during the round, not
after it). Each full round is followed by a wait until every reply was sent.
Peer: a minimal store-only webhook outside the project's stack (aiohttp + aiosqlite, its own
SQLite file): the signature checked with twilio's RequestValidator, one insert, commit, empty
TwiML; served from its own thread in the same process. All three are driven by the same
client, in a process of its own (bench/_load.py): a provider is not in the server's process.

Reported per message: this process's CPU (the servers and SQLite; not the client, not
PostgreSQL's server), SQL statements, and the ratios Careline full / baseline and full / peer.

    python bench/inbound.py [--requests 1000] [--rounds 5] [--concurrency 8] [--db sqlite,postgres]
    python bench/inbound.py --rate 100 --seconds 60   # target 2: steady, open loop
    python bench/inbound.py --rate 200 --seconds 10   # target 2: a burst of 2,000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import _support  # noqa: F401  (puts the repository on sys.path)
import aiosqlite
import uvloop
from _support import (
    StandinProcess,
    free_port,
    fresh_database,
    percentile,
    seed_demo,
    summary,
    webhook_settings,
)
from aiohttp import web as aioweb
from fastapi import Request, Response
from sqlalchemy import event, func, select
from twilio.request_validator import RequestValidator

from bot.app import build_app
from bot.channels.sms import parse_inbound, signature_ok
from bot.intake import IntakeStats
from bot.web.server import create_web_app
from storage.db import Database
from storage.models import InboundMessage, OutboxMessage
from storage.repos.outbox import QUEUED, SENDING
from tests.standins.server import StandinServer

PEER_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def peer_app(db_path: Path, public: str, token: str) -> aioweb.Application:
    """The peer: signature, one insert, commit, TwiML. Nothing else."""
    validator = RequestValidator(token)
    app = aioweb.Application()

    async def open_db(app: aioweb.Application) -> None:
        conn = await aiosqlite.connect(db_path)
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS inbound (id INTEGER PRIMARY KEY, sid TEXT UNIQUE,"
            " sender TEXT, body TEXT, received_at REAL)"
        )
        await conn.commit()
        app["db"] = conn

    async def close_db(app: aioweb.Application) -> None:
        await app["db"].close()

    async def inbound(request: aioweb.Request) -> aioweb.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(public + request.path, form, signature):
            return aioweb.Response(status=403)
        conn = request.app["db"]
        await conn.execute(
            "INSERT INTO inbound (sid, sender, body, received_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (sid) DO NOTHING",
            (form.get("MessageSid"), form.get("From"), form.get("Body", ""), time.time()),
        )
        await conn.commit()
        return aioweb.Response(text=PEER_TWIML, content_type="text/xml")

    app.router.add_post("/webhooks/twilio", inbound)
    app.on_startup.append(open_db)
    app.on_cleanup.append(close_db)
    return app


@contextmanager
def peer_server(token: str) -> Iterator[str]:
    """The peer on its own thread and event loop; yields its base URL."""
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    loop = uvloop.new_event_loop()
    started = threading.Event()
    with tempfile.TemporaryDirectory() as tmp:
        runner = aioweb.AppRunner(peer_app(Path(tmp) / "peer.db", public, token), access_log=None)

        async def start() -> None:
            await runner.setup()
            await aioweb.TCPSite(runner, "127.0.0.1", port).start()
            started.set()

        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()
        asyncio.run_coroutine_threadsafe(start(), loop)
        started.wait(30)
        try:
            yield public
        finally:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(30)
            loop.close()


def drive(mode: str, url: str, token: str, a: float, b: float) -> tuple[list[float], int, float]:
    """bench/_load.py in a process of its own: "closed" (a = requests, b = clients) or "open"
    (a = rate, b = seconds). The 200s' latencies in ms, the others' count, the seconds."""
    load_py = str(Path(__file__).with_name("_load.py"))
    out = subprocess.run(
        [sys.executable, load_py, mode, url, token, str(a), str(b)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    load = json.loads(out)
    return load["latencies"], load["failed"], load["seconds"]


@contextmanager
def provider() -> Iterator[StandinProcess]:
    standin = StandinProcess()
    try:
        yield standin
    finally:
        standin.close()


async def unsent(url: str, show: bool = False) -> int:
    """Messages due now, queued or being sent (not yet handed to the provider): the
    replies; not the demo's reminders, which wait for their hour."""
    db = Database(url)
    try:
        async with db.transaction() as session:
            waiting = OutboxMessage.status.in_((QUEUED, SENDING)) & (
                OutboxMessage.not_before <= datetime.now(UTC)
            )
            if show:
                stmt = select(
                    OutboxMessage.status, OutboxMessage.lane, OutboxMessage.not_before,
                    OutboxMessage.attempts, OutboxMessage.last_error, OutboxMessage.address,
                ).where(waiting).limit(10)  # fmt: skip
                for row in (await session.execute(stmt)).all():
                    print("  unsent:", *row, file=sys.stderr)
            stmt = select(func.count()).where(waiting)
            return int((await session.execute(stmt)).scalar_one())
    finally:
        await db.dispose()


def wait_sent(url: str, limit: float = 120) -> tuple[float, int]:
    """Seconds until the dispatcher sent every queued reply, and how many were left unsent
    then (0 unless `limit` passed)."""
    t = time.perf_counter()
    left = asyncio.run(unsent(url))
    while left and time.perf_counter() - t < limit:
        time.sleep(0.2)
        left = asyncio.run(unsent(url))
    if left:
        asyncio.run(unsent(url, show=True))
    return time.perf_counter() - t, left


def run(kind: str, n: int, concurrency: int, rounds: int) -> None:
    with fresh_database(kind) as url, provider() as standin:
        port = free_port()
        public = f"http://127.0.0.1:{port}"
        # The path itself: every webhook processes before it answers (never answer first).
        settings = webhook_settings(url, public, standin)
        settings = settings.model_copy(update={"inbound_defer_at": 0})
        token = settings.twilio_auth_token or ""
        app = build_app(settings)
        web = create_web_app(app)  # the dispatcher runs, as under `careline serve`

        @web.post("/bench/baseline", include_in_schema=False)
        async def baseline(request: Request) -> Response:
            form = {k: str(v) for k, v in (await request.form()).items()}
            url_ = public + request.url.path
            if not signature_ok(token, url_, form, request.headers.get("X-Twilio-Signature")):
                return Response(status_code=403)
            inbound = parse_inbound(form, app.clock.now())
            assert inbound is not None
            await app.service.store(inbound)
            return Response("<Response></Response>", media_type="text/xml")

        statements = [0]

        @event.listens_for(app.db.engine.sync_engine, "before_cursor_execute")
        def _count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            if not statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE is sent as SQL
                statements[0] += 1

        server = StandinServer(web, port=port, lifespan=True, loop="auto")
        server.start()
        try:
            asyncio.run(seed_demo(url, app))
            rounds_of: dict[str, list[dict[str, float]]] = {}
            with peer_server(token) as peer:
                paths = (
                    ("peer (aiohttp+aiosqlite)", peer, "/webhooks/twilio"),
                    ("baseline (store only)", public, "/bench/baseline"),
                    ("full path", public, "/webhooks/twilio"),
                )
                for _, base_url, path in paths:
                    drive("closed", base_url + path, token, min(50, n), concurrency)  # warm up
                wait_sent(url)
                # alternating rounds: the machine's pace drifts (a shared VM), a round's
                # three measures are taken close together and compared within the round
                for _ in range(rounds):
                    for label, base_url, path in paths:
                        before, cpu = statements[0], time.process_time()
                        lat, failed, secs = drive("closed", base_url + path, token, n, concurrency)
                        assert not failed, f"{label}: {failed} requests failed"
                        r = summary(lat, secs)
                        r["statements"] = (statements[0] - before) / n
                        # this process's CPU (server, client, SQLite; not PostgreSQL's
                        # server) per message: steadier than wall-clock throughput
                        r["cpu_ms"] = (time.process_time() - cpu) * 1000 / n
                        if path == "/webhooks/twilio" and base_url == public:
                            # the replies the dispatcher had not sent when the last answer came
                            r["unsent"] = asyncio.run(unsent(url))
                            r["drain_s"], left = wait_sent(url)
                            assert not left, f"{left} replies never sent"
                        rounds_of.setdefault(label, []).append(r)
        finally:
            server.stop()
    for r in rounds_of["peer (aiohttp+aiosqlite)"]:
        r["statements"] = 1.0  # its own connection: not counted by the engine's listener
    print(f"\n[{kind}] {rounds} alternating rounds of {n} requests, {concurrency} clients")
    for label, rs in rounds_of.items():
        m = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        print(
            f"  {label:25s} {m['per_second']:7.0f} msg/s   p50 {m['p50_ms']:6.1f} ms   "
            f"p99 {m['p99_ms']:6.1f} ms   {m['statements']:5.1f} statements/msg   "
            f"CPU {m['cpu_ms']:5.1f} ms/msg"
        )
        if "unsent" in m:
            print(
                f"  {'':25s} replies sent meanwhile by the dispatcher: all but "
                f"{m['unsent']:.0f} of {n} at the last answer, all {m['drain_s']:.1f} s after"
            )
    full = rounds_of["full path"]
    for label, key in (("baseline", "baseline (store only)"), ("peer", "peer (aiohttp+aiosqlite)")):
        pairs = list(zip(full, rounds_of[key], strict=True))
        ratios = sorted(f["per_second"] / o["per_second"] for f, o in pairs)
        cpus = sorted(o["cpu_ms"] / f["cpu_ms"] for f, o in pairs)
        print(
            f"  full / {label}: throughput x{statistics.median(ratios):.2f} "
            f"(rounds x{ratios[0]:.2f}-x{ratios[-1]:.2f}), CPU per message {label} / full "
            f"x{statistics.median(cpus):.2f} (x{cpus[0]:.2f}-x{cpus[-1]:.2f})"
        )


async def processing_lag(url: str, since_id: int) -> tuple[list[float], int]:
    """For the rows stored after `since_id`: ms from arrival to processed, and how many are
    not processed yet."""
    db = Database(url)
    try:
        async with db.transaction() as session:
            stmt = select(InboundMessage.received_at, InboundMessage.processed_at).where(
                InboundMessage.id > since_id
            )
            rows = (await session.execute(stmt)).all()
    finally:
        await db.dispose()
    lags = [(p - r).total_seconds() * 1000 for r, p in rows if p is not None]
    return lags, sum(1 for _, p in rows if p is None)


async def last_id(url: str) -> int:
    db = Database(url)
    try:
        async with db.transaction() as session:
            stmt = select(func.coalesce(func.max(InboundMessage.id), 0))
            return int((await session.execute(stmt)).scalar_one())
    finally:
        await db.dispose()


def run_at_rate(kind: str, rate: float, seconds: float, defer_at: int | None) -> None:
    """Target 2 of issue 13: a steady rate on the full path (p99 < 100 ms at 100/s for 60 s),
    or a burst (200/s for 10 s: every answer within 5 s); nothing lost. The load comes from a
    process of its own (bench/_load.py); webhooks answer first when busy (bot/intake.py)
    unless `defer_at` is 0. After the load: how long until every row was processed."""
    with fresh_database(kind) as url, provider() as standin:
        port = free_port()
        public = f"http://127.0.0.1:{port}"
        settings = webhook_settings(url, public, standin)
        token = settings.twilio_auth_token or ""
        if defer_at is not None:
            settings = settings.model_copy(update={"inbound_defer_at": defer_at})
        app = build_app(settings)
        server = StandinServer(create_web_app(app), port=port, lifespan=True)
        server.start()
        try:
            asyncio.run(seed_demo(url, app))
            drive("closed", public + "/webhooks/twilio", token, 50, 8)  # warm up
            since = asyncio.run(last_id(url))
            app.intake.stats = IntakeStats()  # the load's own, not the warm-up's
            cpu = time.process_time()
            lat, failed, secs = drive("open", public + "/webhooks/twilio", token, rate, seconds)
            t = time.perf_counter()
            waiting = -1
            while waiting != 0 and time.perf_counter() - t < 900:
                lags, waiting = asyncio.run(processing_lag(url, since))
                if waiting:
                    time.sleep(0.5)
            drained = time.perf_counter() - t
            unsent_then = asyncio.run(unsent(url))
            sent_s, left = wait_sent(url)
            cpu_ms = (time.process_time() - cpu) * 1000
            stats = app.intake.stats
        finally:
            server.stop()
    n = int(rate * seconds)
    r = summary(lat, secs)
    within = sum(1 for x in lat if x <= 5000)
    stored = len(lags) + waiting
    print(
        f"\n[{kind}] full path at {rate:.0f} msg/s for {seconds:.0f} s ({n} requests, open loop,"
        f" answer first at {settings.inbound_defer_at or 'never'})\n"
        f"  answered {len(lat)} ({failed} errors) in {secs:.1f} s: {r['per_second']:.0f} msg/s   "
        f"p50 {r['p50_ms']:.0f} ms   p99 {r['p99_ms']:.0f} ms   max {max(lat, default=0):.0f} ms\n"
        f"  within 5 s: {within / n:.1%}   stored {stored} of {n}   "
        f"processed before the answer {stats.inline}, after {stats.deferred}"
        f" ({stats.failed} failed)\n"
        f"  arrival to processed: p50 {percentile(lags, 50) / 1000:.1f} s   "
        f"p99 {percentile(lags, 99) / 1000:.1f} s   all processed {drained:.1f} s after the"
        f" last answer{'' if not waiting else f' ({waiting} NOT processed)'}   "
        f"processed {len(lags) / (secs + drained):.0f} msg/s   CPU {cpu_ms / n:.1f} ms/msg\n"
        f"  replies sent meanwhile by the dispatcher: {unsent_then} unsent when all were"
        f" processed, all sent {sent_s:.1f} s later{f' ({left} NEVER sent)' if left else ''}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (closed loop)")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument(
        "--rate", type=float, help="open loop at this rate instead (issue 13 target 2)"
    )
    parser.add_argument("--seconds", type=float, default=60, help="with --rate")
    parser.add_argument(
        "--defer-at",
        type=int,
        help="with --rate: CARELINE_INBOUND_DEFER_AT (0: always process before answering)",
    )
    args = parser.parse_args()
    for kind in args.db.split(","):
        if args.rate:
            run_at_rate(kind.strip(), args.rate, args.seconds, args.defer_at)
        else:
            run(kind.strip(), args.requests, args.concurrency, args.rounds)


if __name__ == "__main__":
    main()
