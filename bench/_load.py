"""An open-loop load of signed Twilio webhooks, run as a process of its own by bench/inbound.py
(the provider is not in the server's process: it never takes the server's GIL).

    python bench/_load.py open URL TOKEN RATE SECONDS     # open loop
    python bench/_load.py closed URL TOKEN COUNT CLIENTS  # closed loop

Open loop: request i leaves at start + i / RATE whether or not the earlier ones were
answered, as a provider sends. Closed loop: CLIENTS clients each send their next request
when the last one is answered, COUNT in all. Prints one JSON line: the latencies of the 200
answers in ms, the count of the others (a status or no answer), and the seconds from the
first request to the last answer.

The client is aiohttp's: httpx's pool, with hundreds of requests waiting on a slow server,
spent a whole core of its own (its scan of the waiting requests grows with their number),
so the load, not the server, set the pace of a burst.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid

import aiohttp
from twilio.request_validator import RequestValidator

Request = tuple[str, dict[str, str], dict[str, str]]  # url, form, headers


def signed_request(validator: RequestValidator, url: str, i: int) -> Request:
    """Request i: "帮助" from one of 500 unknown senders, signed as Twilio signs it."""
    params = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": f"+86139{i % 500:08d}",
        "To": "+15005550006",
        "Body": "帮助",
    }
    return url, params, {"X-Twilio-Signature": validator.compute_signature(url, params)}


class Outcomes:
    """The 200s' latencies in ms and the count of the others."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.failed = 0

    async def post(self, client: aiohttp.ClientSession, request: Request) -> None:
        url, params, headers = request
        t = time.perf_counter()
        try:
            async with client.post(url, data=params, headers=headers) as resp:
                await resp.read()
                ok = resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            self.failed += 1
            return
        if ok:
            self.latencies.append((time.perf_counter() - t) * 1000)
        else:
            self.failed += 1

    def result(self, start: float) -> dict[str, object]:
        seconds = time.perf_counter() - start
        return {"latencies": self.latencies, "failed": self.failed, "seconds": seconds}


def _session(connections: int) -> aiohttp.ClientSession:
    """`connections`: at most this many at once (0: no limit); 60 s for an answer."""
    connector = aiohttp.TCPConnector(limit=connections)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60))


async def closed_loop(url: str, token: str, n: int, clients: int) -> dict[str, object]:
    validator = RequestValidator(token)
    todo = iter([signed_request(validator, url, i) for i in range(n)])
    out = Outcomes()

    async def client_(client: aiohttp.ClientSession) -> None:
        for request in todo:
            await out.post(client, request)

    async with _session(clients) as client:
        start = time.perf_counter()
        await asyncio.gather(*(client_(client) for _ in range(clients)))
    return out.result(start)


async def open_loop(url: str, token: str, rate: float, seconds: float) -> dict[str, object]:
    validator = RequestValidator(token)
    n = int(rate * seconds)
    requests = [signed_request(validator, url, i) for i in range(n)]  # signed before the clock
    out = Outcomes()

    async def one(client: aiohttp.ClientSession, i: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        await out.post(client, requests[i])

    async with _session(0) as client:  # no limit: a provider does not wait for an answer
        start = time.perf_counter() + 0.5
        await asyncio.gather(*(one(client, i, start + i / rate) for i in range(n)))
    return out.result(start)


def main() -> None:
    mode, url, token, a, b = sys.argv[1:6]
    if mode == "open":
        result = asyncio.run(open_loop(url, token, float(a), float(b)))
    else:
        result = asyncio.run(closed_loop(url, token, int(a), int(b)))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
