"""`careline serve` processes against a Twilio stand-in, for the outbox e2e tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select

from storage.db import Database
from storage.models import OutboxMessage
from tests.e2e.helpers import OUR_NUMBER, SID, TOKEN
from tests.standins import TwilioStandin
from tests.standins.server import bind_socket
from tests.support.paths import REPO


def start_serve(
    db_url: str, twilio: TwilioStandin, log: Path, **env: str
) -> subprocess.Popen[bytes]:
    sock = bind_socket()
    port = sock.getsockname()[1]
    sock.close()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CARELINE_")}
    environ.update(
        {
            "CARELINE_DATABASE_URL": db_url,
            "CARELINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "CARELINE_TWILIO_ACCOUNT_SID": SID,
            "CARELINE_TWILIO_AUTH_TOKEN": TOKEN,
            "CARELINE_TWILIO_FROM": OUR_NUMBER,
            "CARELINE_TWILIO_API_BASE": twilio.base_url,
            "CARELINE_SMS_RATE": "0",
            **env,
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=REPO,
        env=environ,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def bodies(twilio: TwilioStandin) -> Counter[str]:
    return Counter(m.body for m in twilio.recorder.messages())


async def sent_count(db: Database) -> int:
    """Outbox rows marked sent."""
    async with db.transaction() as s:
        found = await s.execute(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")
        )
        return int(found.scalar_one())


def terminate_all(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every process, then wait for each to drain and exit."""
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        p.wait(timeout=60)
