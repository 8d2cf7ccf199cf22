"""The SQLite database's process lock: `<db>.lock` beside the database file.

Every long-running process that writes the database (`careline serve`, `careline chat`) holds a
shared `flock` on it for its lifetime; `careline restore` takes it exclusively, without
waiting, and refuses when it cannot. The kernel drops a lock when its process ends however it
ends (even SIGKILL), so a crashed server never blocks a restore. The lock file itself stays
(deleting a lock file races with the next process opening it); it is empty.
PostgreSQL has no such file: its restore goes through pg_restore (docs/operations.md).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from content.errors import SetupError


class DatabaseInUse(SetupError):
    """The lock is held by another process; the message names the fix."""


def sqlite_path(database_url: str) -> Path | None:
    """The database file of a file-backed SQLite URL; None for other databases (and memory)."""
    from sqlalchemy.engine import make_url  # imported when a command runs, not for `--help`

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class DatabaseLock:
    """A held lock on `<db>.lock`; release() (or the end of the process) lets it go."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> DatabaseLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _take(database: Path, *, exclusive: bool) -> DatabaseLock:
    path = lock_path(database)
    try:
        # O_CLOEXEC is Python's default: a child process never inherits the lock.
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
    except OSError as exc:
        raise SetupError(
            f"cannot open the database lock file {path} ({exc.strerror}): check that "
            "CARELINE_DATABASE_URL's directory exists and this user may write to it"
        ) from None
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        if exclusive:
            raise DatabaseInUse(
                f"another careline process has {database} open: "
                f"stop every careline process using {database} first, then run this again"
            ) from None
        raise DatabaseInUse(
            f"a careline restore is replacing {database}: wait for it to finish, then start again"
        ) from None
    except BaseException:
        os.close(fd)
        raise
    return DatabaseLock(path, fd)


def hold_shared(database_url: str) -> DatabaseLock | None:
    """For a process that uses the database for its lifetime (serve, chat); None when the
    database is not a SQLite file. Raises DatabaseInUse while a restore runs."""
    database = sqlite_path(database_url)
    return None if database is None else _take(database, exclusive=False)


def take_exclusive(database: Path) -> DatabaseLock:
    """For restore: raises DatabaseInUse when any other careline process holds the lock."""
    return _take(database, exclusive=True)
