"""An open-loop load of signed Twilio webhooks, run as a process of its own by bench/inbound.py
(the provider is not in the server's process: it never takes the server's GIL).

    python bench/_load.py URL TOKEN RATE SECONDS

Request i leaves at start + i / RATE whether or not the earlier ones were answered, as a
provider sends. Prints one JSON line: the latencies of the 200 answers in ms, the count of
the others (a status or no answer), and the seconds until the last answer.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid

import httpx
from twilio.request_validator import RequestValidator


def signed_request(
    validator: RequestValidator, url: str, i: int
) -> tuple[str, dict[str, str], dict[str, str]]:
    """Request i: "帮助" from one of 500 unknown senders, signed as Twilio signs it."""
    params = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": f"+86139{i % 500:08d}",
        "To": "+15005550006",
        "Body": "帮助",
    }
    return url, params, {"X-Twilio-Signature": validator.compute_signature(url, params)}


async def load(url: str, token: str, rate: float, seconds: float) -> dict[str, object]:
    validator = RequestValidator(token)
    n = int(rate * seconds)
    requests = [signed_request(validator, url, i) for i in range(n)]  # signed before the clock
    latencies: list[float] = []
    failed = [0]
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=400)

    async def one(client: httpx.AsyncClient, i: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        url_, params, headers = requests[i]
        t = time.perf_counter()
        try:
            resp = await client.post(url_, data=params, headers=headers)
        except httpx.HTTPError:
            failed[0] += 1
            return
        if resp.status_code == 200:
            latencies.append((time.perf_counter() - t) * 1000)
        else:
            failed[0] += 1

    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        start = time.perf_counter() + 0.5
        await asyncio.gather(*(one(client, i, start + i / rate) for i in range(n)))
    return {"latencies": latencies, "failed": failed[0], "seconds": time.perf_counter() - start}


def main() -> None:
    url, token, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    print(json.dumps(asyncio.run(load(url, token, rate, seconds))), flush=True)


if __name__ == "__main__":
    main()
