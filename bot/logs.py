"""Logging set-up. Careline logs ids and codes, never phone numbers, names or message texts;
libraries that would log SQL parameters or request details are held at WARNING whatever
the configured level (`tests/integration/test_log_redaction.py` checks both)."""

from __future__ import annotations

import logging

QUIET_LIBRARIES = (
    "aiosqlite",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "asyncpg",
    "aiogram",
    "twilio",
    "apscheduler",
    "httpx",
    "httpcore",
    "alembic",
    "uvicorn.access",
)


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
