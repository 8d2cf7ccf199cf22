"""Several `careline serve` processes on one PostgreSQL database, and a SIGKILL mid-send:
every queued message reaches the (stand-in) provider, none twice beyond those in flight."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from dialogs.types import Channel, Lane
from storage.db import Database
from storage.models import OutboxMessage
from tests.e2e.outbox.serving import bodies, sent_count, start_serve, terminate_all
from tests.standins import TwilioStandin
from tests.standins.server import bind_socket
from tests.support.eventually import eventually
from tests.support.paths import REPO
from tests.support.queue import enqueue_numbered

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
ROOT = REPO
N = 2000


async def queue_many(db: Database, n: int) -> None:
    async with db.transaction() as s:
        await enqueue_numbered(
            s, n, channel=Channel.SMS, lane=Lane.REPLY, now=datetime.now(UTC),
            address=lambda i: f"+86138{i % 400:08d}",
        )  # fmt: skip


async def test_two_processes_send_each_message_exactly_once(
    pg: Database, twilio: TwilioStandin, tmp_path: Path
) -> None:
    await queue_many(pg, N)
    procs = [start_serve(pg.url, twilio, tmp_path / f"serve{i}.log") for i in range(2)]
    try:
        await twilio.recorder.wait_for_count(N, timeout=180)
        await eventually(
            lambda: sent_count(pg), lambda n: n == N, timeout=60, what="all rows marked sent"
        )
    finally:
        terminate_all(procs)
    sent = bodies(twilio)
    assert len(sent) == N and max(sent.values()) == 1, "a message was sent twice"
    async with pg.transaction() as s:
        workers = (
            await s.execute(select(func.count(func.distinct(OutboxMessage.claimed_by))))
        ).scalar_one()
    assert workers == 2, "both processes should have shared the work"
    assert all(p.returncode == 0 for p in procs), "SIGTERM should drain and exit cleanly"


async def test_sigkill_mid_send_then_restart(
    pg: Database, twilio: TwilioStandin, tmp_path: Path
) -> None:
    await queue_many(pg, N)
    # a send timeout well above a loaded machine's slowest stand-in answer: a timed-out send
    # is retried as possibly sent, which would count as a duplicate here
    lease = {"CARELINE_DISPATCH_LEASE_SECONDS": "10", "CARELINE_SEND_TIMEOUT_SECONDS": "8"}
    first = start_serve(pg.url, twilio, tmp_path / "first.log", **lease)
    try:
        await twilio.recorder.wait_for_count(N // 4, timeout=120)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    async with pg.transaction() as s:
        in_flight = int(
            (
                await s.execute(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == "sending")
                )
            ).scalar_one()
        )
    before_restart = twilio.recorder.count()
    second = start_serve(pg.url, twilio, tmp_path / "second.log", **lease)
    try:
        await eventually(
            lambda: _distinct(twilio),
            lambda n: n == N,
            timeout=180,
            what="every message sent after the restart",
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    sent = bodies(twilio)
    duplicates = sum(sent.values()) - N
    print(
        f"\nSIGKILL after {before_restart} sent: {in_flight} rows in flight, "
        f"{duplicates} sent twice, {N} delivered in all"
    )
    assert len(sent) == N
    assert duplicates <= in_flight


async def _distinct(twilio: TwilioStandin) -> int:
    return len(bodies(twilio))


async def test_serve_answers_healthz_and_drains_on_sigterm(pg_url: str, tmp_path: Path) -> None:
    sock = bind_socket()
    port = sock.getsockname()[1]
    sock.close()
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("CARELINE_")},
            "CARELINE_DATABASE_URL": pg_url,
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )

    async def health() -> dict[str, object] | None:
        assert proc.poll() is None, log.read_text()
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"http://127.0.0.1:{port}/healthz")).json()  # type: ignore[no-any-return]
        except httpx.TransportError:
            return None

    try:
        body = await eventually(health, lambda b: b is not None, timeout=60)
        assert body == {
            "status": "ok",
            "database": "ok",
            "channels": ["console"],
            "version": body["version"],
            # no rota in this database: the hotline's warning, not an error
            "on_duty_now": 0,
            "warnings": body["warnings"],
            "holiday_warnings": body["holiday_warnings"],  # next year's 调休 may be missing
            "reply_loops_24h": 0,  # auto-reply loops cut in the last 24 h (bot/loops.py)
        }  # type: ignore[index]
        assert "nobody is on duty (level 1) now" in body["warnings"]  # type: ignore[index]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    assert "stopped: dispatcher drained" in log.read_text()
