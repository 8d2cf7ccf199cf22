"""Shared set-up for the benchmarks: fresh databases (SQLite file, PostgreSQL database)."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.app import Application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.demo import load_demo  # noqa: E402
from storage.db import Database, upgrade_sync  # noqa: E402
from tests.standins.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN  # noqa: E402

PG_ADMIN = os.environ.get(
    "CARELINE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(_plain(PG_ADMIN))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A migrated, empty database URL of `kind` ("sqlite" or "postgres"), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/bench.db"
            upgrade_sync(url)
            yield url
        return
    name = f"careline_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_sync(url)
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(latencies_ms: list[float], seconds: float) -> dict[str, float]:
    return {
        "per_second": len(latencies_ms) / seconds if seconds else float("nan"),
        "p50_ms": percentile(latencies_ms, 50),
        "p99_ms": percentile(latencies_ms, 99),
        "mean_ms": statistics.fmean(latencies_ms) if latencies_ms else float("nan"),
    }


WEBHOOK_TOKEN = "bench-token"


def webhook_settings(url: str, public: str, standin: StandinProcess | None = None) -> Settings:
    """Settings that take signed Twilio webhooks at `public`. With `standin`, replies go to
    that stand-in of Twilio's REST API with rate limits off (its credentials: the webhooks
    are then signed with its auth token, as Twilio signs them with the account's); without
    one, they never reach a provider (nothing sends them)."""
    if standin is None:
        sid, token, base = "ACbench", WEBHOOK_TOKEN, "http://127.0.0.1:9"
    else:
        sid, token, base = DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, standin.base_url
    return Settings(
        _env_file=None,
        database_url=url,
        public_url=public,  # type: ignore[call-arg]
        twilio_account_sid=sid,
        twilio_auth_token=token,
        twilio_from="+15005550006",
        twilio_api_base=base,
        sms_rate=0.0,
    )


class StandinProcess:
    """The Twilio stand-in in its own process, so it does not share the dispatcher's GIL."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.standins", "twilio", "--port", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def free_port() -> int:
    """A local TCP port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def seed_demo(url: str, app: Application) -> None:
    """The demo roster at the app's clock, through its own engine (the app's belongs to the
    server's loop)."""
    db = Database(url)
    async with db.transaction() as session:
        await load_demo(session, app.clock.now(), app.clock.now().date())
    await db.dispose()
