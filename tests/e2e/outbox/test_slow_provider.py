"""No duplicate sends from a slow provider with two processes on PostgreSQL: a dispatcher
renews the lease of every row it holds while sends are in flight, so the other process never
takes one over; and a send that hangs is cut off at the provider timeout."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dialogs.types import Channel, Lane
from storage.db import Database
from tests.e2e.outbox.serving import bodies, sent_count, start_serve, terminate_all
from tests.standins import TwilioStandin, twilio_api
from tests.support.eventually import eventually
from tests.support.queue import enqueue_numbered

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
SLOW = "+8613800000666"
N = 10


async def test_slow_sends_to_one_number_go_once_with_two_processes(
    pg: Database, twilio: TwilioStandin, tmp_path: Path
) -> None:
    # Each send takes 1 s; the rows for one number go one after another (10 s in all), far
    # past the 4 s lease: without renewal the other process takes the waiting rows over. The
    # 3 s timeout leaves a loaded machine 2 s beyond each send (at 1.5 s a slow start-up cut a
    # send off and it went again as possibly sent).
    twilio.recorder.script.add(twilio_api.delayed(1.0, times=None, to=SLOW))
    async with pg.transaction() as s:
        await enqueue_numbered(
            s, N, channel=Channel.SMS, lane=Lane.REPLY, now=datetime.now(UTC),
            address=lambda i: SLOW,
        )  # fmt: skip
    env = {"CARELINE_DISPATCH_LEASE_SECONDS": "4", "CARELINE_SEND_TIMEOUT_SECONDS": "3"}
    procs = [start_serve(pg.url, twilio, tmp_path / f"serve{i}.log", **env) for i in range(2)]
    try:
        await eventually(lambda: sent_count(pg), lambda n: n == N, timeout=60, what="all rows sent")
    finally:
        terminate_all(procs)
    counts = bodies(twilio)
    assert len(counts) == N and max(counts.values()) == 1, f"sent twice: {counts}"
