"""Inbound throughput and latency through the full path, next to a store-only baseline.

Full path: signed Twilio webhook over real HTTP -> signature check -> store inbound ->
identify -> lock conversation -> dialog step -> outbox commit -> TwiML answer.
Baseline: the same HTTP request and signature check, storing only the raw inbound row.
Both run in one process against the same database, for SQLite and PostgreSQL.

    python bench/inbound.py [--requests 1000] [--concurrency 8] [--db sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

import _support  # noqa: F401  (puts the repository on sys.path)
import httpx
from _support import WEBHOOK_TOKEN, free_port, fresh_database, seed_demo, summary, webhook_settings
from fastapi import Request, Response
from sqlalchemy import event
from twilio.request_validator import RequestValidator

from bot.app import build_app
from bot.channels.sms import parse_inbound, signature_ok
from bot.web.server import create_web_app
from tests.standins.server import StandinServer

TOKEN = WEBHOOK_TOKEN


async def drive(base: str, path: str, n: int, concurrency: int) -> tuple[list[float], float]:
    validator = RequestValidator(TOKEN)
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            i = queue.get_nowait()
            params = {
                "MessageSid": f"SM{uuid.uuid4().hex}",
                "From": f"+86139{i % 500:08d}",
                "To": "+15005550006",
                "Body": "帮助",
            }
            url = base + path
            headers = {"X-Twilio-Signature": validator.compute_signature(url, params)}
            t = time.perf_counter()
            resp = await client.post(url, data=params, headers=headers)
            latencies.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200, resp.text

    start = time.perf_counter()
    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return latencies, time.perf_counter() - start


def run(kind: str, n: int, concurrency: int) -> None:
    with fresh_database(kind) as url:
        port = free_port()
        public = f"http://127.0.0.1:{port}"
        app = build_app(webhook_settings(url, public))
        web = create_web_app(app, background=False)

        @web.post("/bench/baseline", include_in_schema=False)
        async def baseline(request: Request) -> Response:
            form = {k: str(v) for k, v in (await request.form()).items()}
            url_ = public + request.url.path
            if not signature_ok(TOKEN, url_, form, request.headers.get("X-Twilio-Signature")):
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

        server = StandinServer(web, port=port)
        server.start()
        try:
            asyncio.run(seed_demo(url, app))
            results = {}
            for label, path in (
                ("baseline (store only)", "/bench/baseline"),
                ("full path", "/webhooks/twilio"),
            ):
                asyncio.run(drive(public, path, min(50, n), concurrency))  # warm up
                before, cpu = statements[0], time.process_time()
                lat, secs = asyncio.run(drive(public, path, n, concurrency))
                results[label] = summary(lat, secs)
                results[label]["statements"] = (statements[0] - before) / n
                # this process's CPU (server, client, SQLite; not PostgreSQL's server) per
                # message: steadier than wall-clock throughput on a shared machine
                results[label]["cpu_ms"] = (time.process_time() - cpu) * 1000 / n
        finally:
            server.stop()
    base, full = results["baseline (store only)"], results["full path"]
    print(f"\n[{kind}] {n} requests, {concurrency} concurrent clients")
    for label, r in results.items():
        print(
            f"  {label:22s} {r['per_second']:8.0f} msg/s   p50 {r['p50_ms']:6.1f} ms   "
            f"p99 {r['p99_ms']:6.1f} ms   {r['statements']:5.1f} statements/msg   "
            f"CPU {r['cpu_ms']:5.1f} ms/msg"
        )
    print(
        f"  full / baseline: throughput x{full['per_second'] / base['per_second']:.2f}, "
        f"p50 x{full['p50_ms'] / base['p50_ms']:.2f}, p99 x{full['p99_ms'] / base['p99_ms']:.2f}, "
        f"CPU per message: baseline / full x{base['cpu_ms'] / full['cpu_ms']:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    for kind in args.db.split(","):
        run(kind.strip(), args.requests, args.concurrency)


if __name__ == "__main__":
    main()
