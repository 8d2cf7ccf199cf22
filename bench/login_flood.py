"""Webhook latency during a login flood.

Password hashing (argon2, ~0.2 s of CPU each on a small machine) used to run on the event
loop: a few wrong passwords a second stalled every webhook behind it. This drives signed
Twilio webhooks over real HTTP while an attacker posts wrong passwords at a fixed rate from
one address (rotating usernames), and reports webhook p50/p99/max with and without the flood,
and what became of the login attempts (401 checked, 429 throttled).

    python bench/login_flood.py [--seconds 15] [--login-rate 7] [--concurrency 4]
                                [--db sqlite,postgres] [--no-throttle]

`--no-throttle` lifts the sign-in throttle, to measure the hashing off the event loop alone.
Target: webhook p99 under 200 ms during the flood.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import time
import uuid
from collections import Counter

import _support  # noqa: F401  (puts the repository on sys.path)
import httpx
from _support import fresh_database, summary
from twilio.request_validator import RequestValidator

from bot.app import build_app
from bot.config import Settings
from bot.demo import load_demo
from bot.web.server import create_web_app
from storage.db import Database
from tests.standins.server import StandinServer

TOKEN = "bench-token"


def settings(url: str, public: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=url,
        public_url=public,  # type: ignore[call-arg]
        twilio_account_sid="ACbench",
        twilio_auth_token=TOKEN,
        twilio_from="+15005550006",
        twilio_api_base="http://127.0.0.1:9",
    )


async def webhooks(base: str, seconds: float, concurrency: int) -> list[float]:
    validator = RequestValidator(TOKEN)
    url = base + "/webhooks/twilio"
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient, w: int) -> None:
        i = 0
        while time.perf_counter() < deadline:
            i += 1
            params = {
                "MessageSid": f"SM{uuid.uuid4().hex}",
                "From": f"+86139{(w * 1000 + i) % 500:08d}",
                "To": "+15005550006",
                "Body": "帮助",
            }
            headers = {"X-Twilio-Signature": validator.compute_signature(url, params)}
            t = time.perf_counter()
            resp = await client.post(url, data=params, headers=headers)
            latencies.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200, resp.text

    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(worker(client, w) for w in range(concurrency)))
    return latencies


async def flood(base: str, seconds: float, rate: float, outcomes: Counter[int]) -> None:
    async with httpx.AsyncClient(timeout=120) as client:
        page = await client.get(base + "/console/login")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, "no login CSRF token on the sign-in page"
        token = match.group(1)
        cookie = f"careline_login_csrf={page.cookies['careline_login_csrf']}"
        client.cookies.clear()  # each answer sets a new cookie; keep sending the first pair

        async def attempt(n: int) -> None:
            try:
                resp = await client.post(
                    base + "/console/login",
                    data={"username": f"admin{n % 3}", "password": "wrong", "csrf_token": token},
                    headers={"Cookie": cookie},
                )
                client.cookies.clear()
                outcomes[resp.status_code] += 1
            except httpx.HTTPError:
                outcomes[0] += 1

        tasks = []
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < seconds:
            tasks.append(asyncio.create_task(attempt(n)))
            n += 1
            await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        await asyncio.gather(*tasks)


async def during_flood(
    base: str, seconds: float, rate: float, concurrency: int
) -> tuple[list[float], Counter[int]]:
    outcomes: Counter[int] = Counter()
    flooding = asyncio.create_task(flood(base, seconds, rate, outcomes))
    await asyncio.sleep(0.5)
    lat = await webhooks(base, seconds - 0.5, concurrency)
    await flooding
    return lat, outcomes


def lift_throttle() -> None:
    try:
        from bot.web.console import throttle
    except ImportError:
        return
    throttle.ADDRESS.free = throttle.ACCOUNT.free = 10**9


def run(kind: str, seconds: float, rate: float, concurrency: int) -> None:
    with fresh_database(kind) as url:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        public = f"http://127.0.0.1:{port}"
        app = build_app(settings(url, public))
        web = create_web_app(app, background=False)

        async def seed() -> None:
            db = Database(url)
            async with db.transaction() as session:
                await load_demo(session, app.clock.now(), app.clock.now().date())
            await db.dispose()

        server = StandinServer(web, port=port)
        server.start()
        try:
            asyncio.run(seed())
            asyncio.run(webhooks(public, 2, concurrency))  # warm up
            quiet = summary(asyncio.run(webhooks(public, seconds, concurrency)), seconds)
            lat, outcomes = asyncio.run(during_flood(public, seconds, rate, concurrency))
            loud = summary(lat, seconds)
            worst = max(lat)
        finally:
            server.stop()
    print(f"\n[{kind}] {concurrency} webhook clients, {rate:g} logins/s for {seconds:g} s")
    for label, r in (("no flood", quiet), ("login flood", loud)):
        print(
            f"  {label:12s} {r['per_second']:7.0f} webhooks/s  p50 {r['p50_ms']:7.1f} ms  "
            f"p99 {r['p99_ms']:7.1f} ms"
        )
    print(f"  max webhook latency during the flood: {worst:.0f} ms")
    print(f"  login answers: {dict(sorted(outcomes.items()))}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--login-rate", type=float, default=7)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--no-throttle", action="store_true")
    args = parser.parse_args()
    if args.no_throttle:
        lift_throttle()
    for kind in args.db.split(","):
        run(kind.strip(), args.seconds, args.login_rate, args.concurrency)


if __name__ == "__main__":
    main()
