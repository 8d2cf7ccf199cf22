"""Webhook latency during a login flood, measured against the same run without one.

Password hashing (argon2, ~0.2 s of CPU each on a small machine) used to run on the event
loop: a few wrong passwords a second stalled every webhook behind it. This drives signed
Twilio webhooks over real HTTP and, in alternate phases of one run, lets an attacker in a
process of its own (bench/_flood.py) post wrong passwords at a fixed rate (rotating
usernames; a new source address 127.0.0.x every flood phase, so each phase meets a fresh
per-address allowance and
is hashed until the throttle stops it). Quiet and flood phases alternate (quiet first in even
rounds, flood first in odd ones), so a shared machine's changing load falls on both alike.
It reports webhook p50/p99 per kind of phase (all rounds pooled), the p99 ratio flood/quiet,
each round's pair, and what became of the login attempts (401 checked, 429 throttled).

    python bench/login_flood.py [--rounds 4] [--seconds 8] [--login-rate 7]
                                [--concurrency 4] [--db sqlite,postgres] [--no-throttle]

`--no-throttle` lifts the sign-in throttle, to measure the hashing off the event loop alone.
Target: webhook p99 under 200 ms during the flood (and a flood/quiet ratio near 1).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import _support  # noqa: F401  (puts the repository on sys.path)
import httpx
from _support import (
    WEBHOOK_TOKEN,
    free_port,
    fresh_database,
    percentile,
    seed_demo,
    webhook_settings,
)
from twilio.request_validator import RequestValidator

from bot.app import build_app
from bot.web.server import create_web_app
from tests.standins.server import StandinServer

TOKEN = WEBHOOK_TOKEN
HERE = Path(__file__).resolve().parent


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


def lift_throttle() -> None:
    try:
        from bot.web.console import throttle
    except ImportError:
        return
    throttle.ADDRESS.free = throttle.ACCOUNT.free = 10**9


class Flood:
    """An attacker in a process of its own (bench/_flood.py): its client work never shares
    the server's GIL, and it imports only httpx, so it starts fast on a loaded machine."""

    def __init__(self, base: str, source: str, rate: float) -> None:
        self.args = [sys.executable, str(HERE / "_flood.py"), base, source, str(rate)]
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Flood:
        self.proc = subprocess.Popen(
            self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "started":
            raise RuntimeError("the flood process did not start")
        time.sleep(0.5)  # the first attempts are in flight
        return self

    def finish(self) -> Counter[int]:
        assert self.proc is not None
        out, _ = self.proc.communicate(timeout=300)  # closes stdin: the flood stops
        return Counter({int(k): v for k, v in json.loads(out.strip().splitlines()[-1]).items()})

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def p99(values: list[float]) -> float:
    return percentile(values, 99)


def run(kind: str, rounds: int, seconds: float, rate: float, concurrency: int) -> None:
    with fresh_database(kind) as url:
        port = free_port()
        public = f"http://127.0.0.1:{port}"
        app = build_app(webhook_settings(url, public))
        web = create_web_app(app, background=False)

        server = StandinServer(web, port=port)
        server.start()
        quiet: list[list[float]] = []
        loud: list[list[float]] = []
        outcomes: Counter[int] = Counter()
        try:
            asyncio.run(seed_demo(url, app))
            asyncio.run(webhooks(public, 2, concurrency))  # warm up
            for r in range(rounds):
                order = ("quiet", "flood") if r % 2 == 0 else ("flood", "quiet")
                for phase in order:
                    if phase == "quiet":
                        quiet.append(asyncio.run(webhooks(public, seconds, concurrency)))
                        continue
                    with Flood(public, f"127.0.0.{10 + r}", rate) as attacker:
                        loud.append(asyncio.run(webhooks(public, seconds, concurrency)))
                        outcomes += attacker.finish()
        finally:
            server.stop()
    pooled_q = [x for xs in quiet for x in xs]
    pooled_l = [x for xs in loud for x in xs]
    print(
        f"\n[{kind}] {concurrency} webhook clients; {rounds} rounds of {seconds:g} s quiet and "
        f"{seconds:g} s at {rate:g} logins/s, alternating"
    )
    for label, lat in (("no flood", pooled_q), ("login flood", pooled_l)):
        print(
            f"  {label:12s} {len(lat) / (seconds * rounds):7.0f} webhooks/s  "
            f"p50 {percentile(lat, 50):7.1f} ms  p99 {p99(lat):7.1f} ms  max {max(lat):7.0f} ms"
        )
    print(f"  p99 ratio flood / quiet: {p99(pooled_l) / p99(pooled_q):.2f}")
    for r, (q, lo) in enumerate(zip(quiet, loud, strict=True)):
        print(
            f"  round {r + 1}: p99 quiet {p99(q):7.1f} ms, flood {p99(lo):7.1f} ms "
            f"(ratio {p99(lo) / p99(q):.2f})"
        )
    print(f"  login answers: {dict(sorted(outcomes.items()))}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--login-rate", type=float, default=7)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--no-throttle", action="store_true")
    args = parser.parse_args()
    if args.no_throttle:
        lift_throttle()
    for kind in args.db.split(","):
        run(kind.strip(), args.rounds, args.seconds, args.login_rate, args.concurrency)


if __name__ == "__main__":
    main()
