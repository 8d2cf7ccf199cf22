"""The inbound path's hot statements run on the driver, below SQLAlchemy's execution (issue 13).

Every inbound message runs the same few statements (the stored row, the address, the
conversation, the reply). Through `AsyncConnection.execute` each cost about 120 µs of CPU
above the driver's own work, more than SQLite needs to run it: a greenlet, the compiled
cache's lookup, the execution context, the result object. Here each statement is compiled
once per dialect by SQLAlchemy itself (`HotStatement.of`: its SQL, its parameters in order,
and the bind and result processors of its column types, e.g. `storage.types.UTCDateTime`),
and then handed straight to the connection the session's transaction holds:

- SQLite, in a transaction of point statements that holds the write lock on the event
  loop's thread (`storage.sqlite_driver.OneHopConnection.inline`): the sqlite3 connection;
- PostgreSQL: asyncpg's prepared statement, through SQLAlchemy's asyncpg adapter (its
  statement cache, its transaction, started as its cursor starts it);
- anything else (SQLite waiting for another process's lock, another driver, an adapter
  whose internals changed): `AsyncConnection.execute`, as before. The same rows come back.

Nothing else changes: the statement is what SQLAlchemy compiled, in the same transaction
on the same connection; listeners of the engine's `before_cursor_execute` still see it (the
committed-writes count, the tests' statement counts and query plans, the benchmarks); a
driver's error is raised as SQLAlchemy's (`DBAPIError.instance`: OperationalError,
IntegrityError ...), so callers and the two-step fallback see what they saw.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

from storage.repos.sql import connection_of
from storage.sqlite_driver import OneHopConnection, run_statement

Processor = Callable[[Any], Any] | None
# A positional parameter: (its name in the caller's values, or None for a constant; the
# constant, processed; the bind processor)
Slot = tuple[str | None, Any, Processor]

RAW = "careline_raw_connection"  # session.info: the transaction's driver-level connection


@dataclass(frozen=True, slots=True)
class HotStatement:
    statement: Executable  # what SQLAlchemy runs when this cannot (and what it compiled)
    sql: str
    slots: tuple[Slot, ...]
    keys: tuple[str, ...]  # the returned columns' keys
    results: tuple[Processor, ...]
    any_result: bool  # some returned column has a result processor

    @classmethod
    def of(cls, statement: Executable, dialect: Dialect) -> HotStatement:
        if not isinstance(statement, ClauseElement):
            raise TypeError(f"not a statement: {statement!r}")
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError(f"not a SQL statement: {statement!r}")
        order = compiled.positiontup
        if order is None:
            raise ValueError(f"{dialect.name}: hot statements need a positional paramstyle")
        # columns whose default SQLAlchemy fills in when it runs the statement
        defaults: dict[str, Any] = {}
        for column in (*compiled.insert_prefetch, *compiled.update_prefetch):
            default = column.default
            if default is None or not default.is_scalar:
                raise ValueError(f"{column}: a hot statement takes scalar column defaults only")
            defaults[column.key] = getattr(default, "arg", None)
        slots: list[Slot] = []
        for name in order:
            bind = compiled.binds[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if name in defaults or not (bind.required or bind.callable is not None):
                # a literal of the statement (`attempts=0`) or a column's default: processed
                # once, here
                value = defaults.get(name, bind.value)
                slots.append((None, process(value) if process else value, None))
            else:
                slots.append((name, None, process))
        columns = list(getattr(statement, "exported_columns", ()))
        results = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
        )
        return cls(
            statement=statement,
            sql=compiled.string,
            slots=tuple(slots),
            keys=tuple(str(c.key) for c in columns),
            results=results,
            any_result=any(r is not None for r in results),
        )

    def arguments(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional parameters for `values` (by bind name), processed."""
        out = []
        for name, constant, process in self.slots:
            if name is None:
                out.append(constant)
            else:
                value = values[name]
                out.append(process(value) if process is not None else value)
        return tuple(out)

    def rows_of(self, raw: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        if not self.any_result:
            return [tuple(r) for r in raw]
        procs = self.results
        return [
            tuple(p(v) if p is not None else v for p, v in zip(procs, r, strict=True)) for r in raw
        ]


_compiled: dict[tuple[Callable[[str], Any], str, str], HotStatement] = {}


def statement(session: AsyncSession, build: Callable[[str], Any], name: str) -> HotStatement:
    """The statement `build(dialect name).<name>` (a repository's statements, built once per
    dialect), compiled once for the session's dialect."""
    bind = session.bind
    dialect = bind.dialect if bind is not None else None
    if dialect is None:
        raise RuntimeError("a hot statement needs a session bound to an engine")
    key = (build, name, dialect.name)
    found = _compiled.get(key)
    if found is None:
        found = _compiled[key] = HotStatement.of(getattr(build(dialect.name), name), dialect)
    return found


async def _raw(session: AsyncSession, conn: AsyncConnection) -> Any:
    """The DBAPI (adapter) connection of the session's transaction, asked once."""
    found = session.info.get(RAW)
    if found is None:
        found = (await conn.get_raw_connection()).dbapi_connection
        session.info[RAW] = found
    return found


def _observed(conn: AsyncConnection, hot: HotStatement, args: tuple[Any, ...]) -> None:
    """The engine's `before_cursor_execute` listeners see the statement, as SQLAlchemy's
    execution would show it (no cursor or execution context: there is none)."""
    sync = conn.sync_connection
    if sync is not None and sync.dispatch.before_cursor_execute:
        sync.dispatch.before_cursor_execute(sync, None, hot.sql, args, None, False)


def _wrapped(
    sql: str, args: tuple[Any, ...], error: Exception, dialect: Dialect, invalidated: bool = False
) -> StatementError:
    """The driver's error as SQLAlchemy raises it (OperationalError, IntegrityError ...)."""
    wrapped = DBAPIError.instance(
        sql,
        args,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=invalidated,
        dialect=dialect,
    )
    return wrapped


async def run(
    session: AsyncSession, hot: HotStatement, values: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """Run `hot` with `values` (by bind name) in the session's transaction; its rows."""
    conn = await connection_of(session)
    adapted = await _raw(session, conn)
    dialect = conn.dialect
    if isinstance(adapted, OneHopConnection) and adapted.inline:
        args = hot.arguments(values)
        _observed(conn, hot, args)
        try:
            rows = run_statement(adapted.sqlite_connection, hot.sql, args)
        except sqlite3.Error as error:
            raise _wrapped(hot.sql, args, error, dialect) from error
        return hot.rows_of(rows)
    if dialect.name == "postgresql" and _asyncpg_ready(adapted):
        args = hot.arguments(values)
        _observed(conn, hot, args)
        return hot.rows_of(await _asyncpg_fetch(conn, adapted, hot.sql, args))
    result = await conn.execute(hot.statement, dict(values))
    return [tuple(r) for r in result.all()] if hot.keys else []


_READY: dict[type, bool] = {}


def _asyncpg_ready(adapted: Any) -> bool:
    """SQLAlchemy's asyncpg adapter, with the internals its cursor uses (else: its cursor);
    asked once per adapter class."""
    kind = type(adapted)
    ready = _READY.get(kind)
    if ready is None:
        names = ("_execute_mutex", "_transaction", "_start_transaction", "_prepare")
        ready = _READY[kind] = all(hasattr(kind, name) for name in names)
    return ready


async def _asyncpg_fetch(
    conn: AsyncConnection, adapted: Any, sql: str, args: tuple[Any, ...]
) -> Sequence[Sequence[Any]]:
    """What `AsyncAdapt_asyncpg_cursor._prepare_and_execute` does for a statement: the
    transaction started if it was not, the prepared statement from the adapter's cache. A
    lost connection is invalidated, as SQLAlchemy's execution does."""
    dialect = conn.dialect
    try:
        async with adapted._execute_mutex:
            if adapted._transaction is None:
                await adapted._start_transaction()
            asof = getattr(dialect, "_invalidate_schema_cache_asof", 0)
            prepared, _ = await adapted._prepare(sql, asof)
            rows: Sequence[Sequence[Any]] = await prepared.fetch(*args)
            return rows
    except Exception as error:
        translated: Exception = error
        try:
            adapted._handle_exception(error)  # the adapter's DBAPI error, as its cursor's
        except Exception as exc:
            translated = exc
        lost = isinstance(translated, dialect.loaded_dbapi.Error) and dialect.is_disconnect(
            translated, adapted, None
        )
        if lost:
            await conn.invalidate(translated)
        raise _wrapped(sql, args, translated, dialect, invalidated=lost) from error
