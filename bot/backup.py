"""`careline backup PATH` and `careline restore PATH`.

SQLite: an online backup through sqlite3's backup API (consistent while the server runs),
written to PATH.part and renamed, so a half-written file never looks like a backup. Restore
checks the file (integrity, migrated schema), refuses while another careline process holds
the database's lock (`<db>.lock`, bot/dblock.py) or a Careline server answers /healthz on the
configured host and port, keeps the current database as `<db>.before-restore-<UTC time>` and
copies the backup in with the same API. Every copy is left in rollback-journal mode, so no
`-wal`/`-shm` files appear beside a backup or the kept database.
PostgreSQL: the commands print the pg_dump / pg_restore call to run (see docs/operations.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.dblock import hold_shared, take_exclusive
from content.errors import SetupError

HEALTH_TIMEOUT_SECONDS = 2.0


class BackupError(SetupError):
    """A problem worded for the operator: what is wrong and what to do."""


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases."""
    from sqlalchemy.engine import make_url  # imported when a command runs, not for `--help`

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError(
            "CARELINE_DATABASE_URL is an in-memory SQLite database: nothing to back up"
        )
    return Path(url.database)


def libpq_args(database_url: str) -> list[str]:
    """pg_dump/pg_restore connection options; the password stays out (use PGPASSWORD or
    ~/.pgpass)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    args += ["--dbname", url.database or "careline"]
    return args


def pg_dump_command(database_url: str, path: str) -> str:
    return " ".join(["pg_dump", "--format=custom", "--file", path, *libpq_args(database_url)])


def pg_restore_command(database_url: str, path: str) -> str:
    return " ".join(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", *libpq_args(database_url), path]
    )


def backup_sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"no database at {source}: check CARELINE_DATABASE_URL")
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"no directory {target.parent}: create it first")
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(part)
        try:
            src.backup(dst)
            _rollback_journal(dst)
        finally:
            dst.close()
    except sqlite3.DatabaseError as exc:
        part.unlink(missing_ok=True)
        raise BackupError(f"could not copy {source} ({exc})") from None
    finally:
        src.close()
    os.replace(part, target)


def _rollback_journal(con: sqlite3.Connection) -> None:
    """The backup API copies the source's header, WAL flag included: a copy in WAL mode grows
    `-wal`/`-shm` files whenever it is opened. Switch the copy to a rollback journal (the
    server turns WAL on again when it connects)."""
    mode = con.execute("PRAGMA journal_mode=DELETE").fetchone()
    if not mode or str(mode[0]).lower() != "delete":
        raise BackupError(f"could not leave WAL mode (journal mode: {mode[0] if mode else None})")


def _read_only(path: Path) -> sqlite3.Connection:
    """A backup file opened for reading only. `immutable` keeps SQLite from creating
    `-wal`/`-shm` beside it (older backups are in WAL mode); when a `-wal` exists its pages
    are read, so nothing committed is skipped."""
    immutable = "" if Path(f"{path}-wal").exists() else "&immutable=1"
    return sqlite3.connect(f"file:{path}?mode=ro{immutable}", uri=True)


def check_backup(path: Path) -> str:
    """The backup's schema revision; BackupError when it is not a usable Careline backup."""
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    try:
        con = _read_only(path)
        try:
            ok = con.execute("PRAGMA integrity_check").fetchone()
            rev = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a Careline SQLite backup ({exc})") from None
    if not ok or ok[0] != "ok":
        raise BackupError(f"{path} is damaged (integrity check: {ok[0] if ok else 'no answer'})")
    if not rev:
        raise BackupError(f"{path} has no schema revision: not a Careline backup")
    return str(rev[0])


def server_running(host: str, port: int) -> bool:
    """True when something answers GET /healthz like a Careline server (ok or not)."""
    probe = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    try:
        with urllib.request.urlopen(
            f"http://{probe}:{port}/healthz", timeout=HEALTH_TIMEOUT_SECONDS
        ) as response:
            body: Any = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read() or b"{}")
        except ValueError:
            return False
    except (OSError, ValueError):
        return False
    return isinstance(body, dict) and "status" in body


def restore_sqlite(backup: Path, target: Path, now: datetime) -> tuple[str, Path | None]:
    """Copy `backup` over `target`; the revision restored and where the old database went."""
    revision = check_backup(backup)
    kept: Path | None = None
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{now:%Y%m%dT%H%M%SZ}")
        backup_sqlite(target, kept)
    src = _read_only(backup)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            _rollback_journal(dst)  # checkpoints and removes the target's -wal and -shm
        finally:
            dst.close()
    finally:
        src.close()
    return revision, kept


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.config import settings_or_exit

    settings = settings_or_exit()
    try:
        source = sqlite_file(settings.database_url)
        if source is None:
            print("PostgreSQL: back up with pg_dump (see docs/operations.md):")
            print(pg_dump_command(settings.database_url, args.path))
            return 0
        lock = hold_shared(settings.database_url)  # not while a restore replaces the file
        try:
            backup_sqlite(source, Path(args.path))
        finally:
            if lock is not None:
                lock.release()
        revision = check_backup(Path(args.path))
    except SetupError as exc:
        print(f"careline backup: {exc}", file=sys.stderr)
        return 2
    print(f"backed up {source} to {args.path} (schema {revision})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from bot.config import settings_or_exit

    settings = settings_or_exit()
    try:
        target = sqlite_file(settings.database_url)
        if target is None:
            print("PostgreSQL: stop every careline process, then restore with pg_restore:")
            print(pg_restore_command(settings.database_url, args.path))
            return 0
        # The lock first: held by every serve and chat on this database, whatever its port;
        # released by the kernel when such a process dies, even by SIGKILL.
        with take_exclusive(target):
            if server_running(settings.host, settings.port):  # the second check
                raise BackupError(
                    f"a Careline server answers on {settings.host}:{settings.port}: "
                    "stop it first, then run restore again"
                )
            revision, kept = restore_sqlite(Path(args.path), target, datetime.now(UTC))
    except SetupError as exc:
        print(f"careline restore: {exc}", file=sys.stderr)
        return 2
    print(f"restored {args.path} into {target} (schema {revision})")
    if kept is not None:
        print(f"the database as it was is kept in {kept}")
    print("next: careline db upgrade (if this backup is older than the code), then careline serve")
    return 0


def add_commands(sub: Any) -> None:
    backup = sub.add_parser("backup", help="back up the database to PATH (SQLite online backup)")
    backup.add_argument(
        "path", help="the backup file to write, e.g. backups/careline-2026-03-02.db"
    )
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="restore the database from PATH (server stopped)")
    restore.add_argument("path", help="a file written by careline backup")
    restore.set_defaults(func=cmd_restore)
