"""SQLite through aiosqlite, one thread hop per statement instead of four.

aiosqlite runs every sqlite3 call on its own thread and hands the result back to the event
loop; SQLAlchemy's adapter makes four such calls for each statement (open a cursor, execute,
fetch the rows, close the cursor). Each hop costs two thread switches and a wake-up of the
event loop, which on the inbound path cost more CPU than SQLite itself (32 hops for a
message's 7 statements). Here the cursor, the statement, its rows and the cursor's close are
one function queued on aiosqlite's thread: the same sqlite3 calls, in the same order, on the
same connection and thread. The pool's rollback of a connection it takes back costs no hop
when no transaction is open (after a commit).

Used by `storage.db.Database` for `sqlite+aiosqlite` URLs (`module=`); streaming (server
side) cursors keep SQLAlchemy's own adapter.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

# SQLite's busy timeout, set on every connection (storage.db)
BUSY_TIMEOUT_MS = 10_000

# (description, rows, lastrowid, rowcount) of one statement, read on aiosqlite's thread
Ran = tuple[Any, list[Any] | None, int | None, int]


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Ran:
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


def run_statement(conn: sqlite3.Connection, operation: str, parameters: Any) -> list[Any]:
    """One statement on this thread, its rows ([] when it returns none): the hot statements'
    way in (`storage.hot_sql`), inside an `OneHopConnection.inline` transaction only."""
    return _run(conn, operation, parameters, False)[1] or []


async def _here(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Ran:
    return _run(conn, operation, parameters, many)


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose every statement is one call on aiosqlite's thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No aiosqlite cursor is opened here (that was a hop of its own).
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = deque()
        self._description: Any = None
        self._lastrowid: int | None = None
        self._rowcount = -1
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    def _hop(self, operation: Any, parameters: Any, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        adapted: OneHopConnection = self._adapt_connection  # type: ignore[assignment]
        try:
            if adapted.inline:
                # a transaction of point statements that holds the write lock: on this thread
                # (awaited still: SQLAlchemy's async engine requires one await per statement)
                ran: Ran = await_(_here(connection._conn, operation, parameters, many))
            else:
                ran = await_(
                    connection._execute(_run, connection._conn, operation, parameters, many)
                )
        except Exception as error:
            self._adapt_connection._handle_exception(error)  # raises it, as SQLAlchemy's
        self._description, rows, self._lastrowid, self._rowcount = ran
        self._rows = deque(rows) if rows is not None else deque()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._hop(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        self._hop(operation, seq_of_parameters, many=True)

    async def _async_soft_close(self) -> None:
        return None  # the sqlite3 cursor was closed on aiosqlite's thread already

    def close(self) -> None:
        self._rows.clear()


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """`inline` (set by `begin_here`): the open transaction runs its statements, its commit
    or its rollback on the event loop's thread, not aiosqlite's; the end of it ends that."""

    __slots__ = ("inline",)
    _cursor_cls = OneHopCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.inline = False

    @property
    def sqlite_connection(self) -> sqlite3.Connection:
        """The sqlite3 connection itself (aiosqlite's thread runs it, unless `inline`)."""
        return self._connection._conn

    def begin_here(self) -> None:
        """`BEGIN IMMEDIATE` for a transaction of point statements (the inbound path's):
        taken on this thread when SQLite's write lock is free at once (no busy wait), then
        every statement, the commit or the rollback runs here too, without the hop to
        aiosqlite's thread (about 70 µs of CPU each, and the other thread's wake-up). It
        holds the write lock, so none of them waits on another connection; what each costs
        is SQLite's own work on pages mostly in memory (a commit may checkpoint the WAL: a
        few ms, once in about a thousand pages written). When another process holds the
        lock, the wait is on aiosqlite's thread, as for any other transaction."""
        conn = self.sqlite_connection
        try:
            conn.execute("PRAGMA busy_timeout=0")
            try:
                conn.execute("BEGIN IMMEDIATE")
            finally:
                conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except sqlite3.OperationalError:
            if conn.in_transaction:
                raise
            self.cursor().execute("BEGIN IMMEDIATE")  # another holds the lock: wait over there
            return
        self.inline = True

    def commit(self) -> None:
        if self.inline:
            self._end_here(self.sqlite_connection.commit)
        else:
            super().commit()

    def rollback(self) -> None:
        """No hop when no transaction is open: the pool rolls back every connection it takes
        back, which after a commit is a no-op that cost a hop per transaction."""
        if not self.sqlite_connection.in_transaction:
            self.inline = False
        elif self.inline:
            self._end_here(self.sqlite_connection.rollback)
        else:
            super().rollback()

    def _end_here(self, end: Callable[[], None]) -> None:
        """The inline transaction's commit or rollback, on this thread; it ends inline."""
        self.inline = False
        try:
            end()
        except Exception as error:
            self._handle_exception(error)  # raises it, as SQLAlchemy's


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI adapter, handing out `OneHopConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def one_hop_dbapi() -> OneHopDBAPI:
    return OneHopDBAPI(aiosqlite, sqlite3)
