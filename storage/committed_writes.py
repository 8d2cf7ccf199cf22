"""A count, per watched table, of the transactions this process committed that wrote to it.

A cache of what those tables say (the live screen's version and who is on duty:
`bot.hotline.screen_probe`) compares the count it was filled at with the count now: a write
committed in this process is seen by the next read at once. Writes by other processes are
not counted here; such a cache keeps its answer for a short time only.

Every engine that `storage.db.Database` builds is watched: a statement that inserts into,
updates or deletes from a watched table (ORM flush, Core or text SQL) marks its connection,
and the connection's commit counts the mark; a rollback drops it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

# The tables whose writes are counted (`generation(table)`): what the screen's version and
# the duty rota are read from.
WATCHED = frozenset({"lexicon_entries", "screen_models", "staff_shifts", "people"})

_WRITE = re.compile(r"(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)
_MARK = "careline_written_tables"
_committed: Counter[str] = Counter()


def generation(*tables: str) -> int:
    """How many committed transactions of this process wrote to any of `tables`."""
    return sum(_committed[t] for t in tables)


def _written(statement: str) -> str | None:
    if statement[:1].isspace():
        statement = statement.lstrip()
    if statement[:1].upper() not in ("I", "U", "D"):
        return None  # SELECT, BEGIN, PRAGMA ...: the common case, decided at once
    found = _WRITE.match(statement)
    table = found.group(1).lower() if found else None
    return table if table in WATCHED else None


def watch(engine: AsyncEngine) -> None:
    """Count this engine's committed writes to the watched tables."""
    sync = engine.sync_engine

    @event.listens_for(sync, "before_cursor_execute")
    def _on_statement(conn: Connection, _c: Any, statement: str, *_a: Any) -> None:
        table = _written(statement)
        if table is not None:
            conn.info.setdefault(_MARK, set()).add(table)

    @event.listens_for(sync, "commit")
    def _on_commit(conn: Connection) -> None:
        tables = conn.info.pop(_MARK, None)
        if tables:
            _committed.update(tables)

    @event.listens_for(sync, "rollback")
    def _on_rollback(conn: Connection) -> None:
        conn.info.pop(_MARK, None)
