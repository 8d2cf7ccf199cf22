"""Logging set-up. Careline logs ids and codes, never phone numbers, names or message texts;
libraries that would log SQL parameters or request details are held at WARNING whatever
the configured level (`tests/integration/test_log_redaction.py` checks both)."""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

# E.164 numbers and bare mobile numbers: 11 to 15 digits in a row (ids and times are shorter).
PHONE_LIKE = re.compile(r"\+?\d{11,15}")


class RedactingFormatter(logging.Formatter):
    """A last line of defence: whatever a message or a traceback carries, phone-like numbers
    are masked (bound SQL values are already hidden by the engine's `hide_parameters`)."""

    def format(self, record: logging.LogRecord) -> str:
        return PHONE_LIKE.sub("[number]", super().format(record))

    def formatException(self, ei: Any) -> str:
        """The traceback, with the message of database errors replaced by their class and
        SQLSTATE: PostgreSQL's DETAIL quotes the failing row ("Failing row contains ...")."""
        _, value, _ = ei
        if value is None:
            return super().formatException(ei)
        te = traceback.TracebackException.from_exception(value)
        seen: set[int] = set()
        node: traceback.TracebackException | None = te
        stack = [te]
        while stack:
            node = stack.pop()
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            if _is_database_error(node):
                node._str = "(message hidden: it may quote stored values)"  # type: ignore[attr-defined]
            stack += [node.__cause__, node.__context__]  # type: ignore[list-item]
        return "".join(te.format()).rstrip("\n")


def _is_database_error(te: traceback.TracebackException) -> bool:
    module = getattr(te, "exc_type_module", None) or getattr(te.exc_type, "__module__", "")
    return str(module).split(".")[0] in ("sqlalchemy", "asyncpg", "sqlite3", "aiosqlite")


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


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format=FORMAT,
    )
    for handler in logging.getLogger().handlers:
        handler.setFormatter(RedactingFormatter(FORMAT))
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
