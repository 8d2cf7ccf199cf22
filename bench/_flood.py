"""The login flood's attacker, run as a process of its own by bench/login_flood.py (only httpx
imported, so it starts fast on a loaded machine and never shares the server's GIL).

    python bench/_flood.py BASE_URL SOURCE_ADDRESS RATE

Prints "started" once the first attempt is sent, floods until its standard input closes,
then prints the answers it got as JSON ({status: count}; 0 for transport errors).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
import time
from collections import Counter

import httpx


async def flood(base: str, source: str, rate: float) -> Counter[int]:
    outcomes: Counter[int] = Counter()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), lambda: sys.stdin.readline() or stop.set())
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(timeout=120, transport=transport) as client:
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
                outcomes[0] += 1  # no answer (a timeout) or a broken connection

        tasks = []
        start = time.perf_counter()
        n = 0
        while not stop.is_set():
            tasks.append(asyncio.create_task(attempt(n)))
            n += 1
            if n == 1:
                print("started", flush=True)
            delay = max(0.0, start + n / rate - time.perf_counter())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
        await asyncio.gather(*tasks)
    loop.remove_reader(sys.stdin.fileno())
    return outcomes


def main() -> None:
    base, source, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
    outcomes = asyncio.run(flood(base, source, rate))
    print(json.dumps(dict(outcomes)), flush=True)


if __name__ == "__main__":
    main()
