"""`careline backup` then `careline restore` on SQLite: the restored database is the one
backed up; restore refuses while another careline process holds the database's lock (a real
`careline serve` on another port, or a child holding it) and after that process is SIGKILLed
goes through; it also refuses while a server answers /healthz, and refuses a file that is not a
Careline backup; no `-wal`/`-shm` file is left beside a backup or the kept database;
PostgreSQL gets the pg_dump / pg_restore command to run."""

from __future__ import annotations

import http.server
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.dblock import DatabaseInUse, hold_shared, lock_path, take_exclusive
from storage.db import upgrade_sync
from tests.standins.server import bind_socket
from tests.support.paths import REPO


def _rows(path: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(path)
    try:
        return list(con.execute("SELECT code, name FROM areas ORDER BY code"))
    finally:
        con.close()


def _add(path: Path, code: str) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute(
            "INSERT INTO areas (code, name, level, timezone) VALUES (?, ?, 'village', 'UTC')",
            (code, code.lower()),
        )
        con.commit()
    finally:
        con.close()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "careline.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade_sync(url)
    monkeypatch.setenv("CARELINE_DATABASE_URL", url)
    monkeypatch.setenv("CARELINE_PORT", "9")  # nothing listens there (discard)
    monkeypatch.chdir(tmp_path)
    return path


@pytest.fixture
def healthz() -> Iterator[int]:
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"status": "ok"}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_backup_then_restore(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(database, "A")
    backup = tmp_path / "backups" / "careline-1.db"
    backup.parent.mkdir()
    assert main(["backup", str(backup)]) == 0
    assert "schema" in capsys.readouterr().out
    assert main(["backup", str(backup)]) == 2  # never overwrites a backup
    assert "exists already" in capsys.readouterr().err
    _add(database, "B")
    assert _rows(database) == [("A", "a"), ("B", "b")]
    assert main(["restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert _rows(database) == [("A", "a")]
    kept = list(tmp_path.glob("careline.db.before-restore-*"))
    assert len(kept) == 1 and str(kept[0].name) in out
    assert _rows(kept[0]) == [("A", "a"), ("B", "b")]
    assert not list(backup.parent.glob("*.part"))


def test_restore_refuses_a_running_server(
    database: Path, tmp_path: Path, healthz: int, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    backup = tmp_path / "b.db"
    assert main(["backup", str(backup)]) == 0
    _add(database, "LATER")
    monkeypatch.setenv("CARELINE_PORT", str(healthz))
    assert main(["restore", str(backup)]) == 2
    assert "stop it first" in capsys.readouterr().err
    assert _rows(database) == [("LATER", "later")]


def test_restore_refuses_a_file_that_is_not_a_backup(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert main(["restore", str(junk)]) == 2
    assert "not a Careline SQLite backup" in capsys.readouterr().err
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert main(["restore", str(empty)]) == 2
    assert "not a Careline" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing.db")]) == 2


def test_postgres_prints_the_commands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "CARELINE_DATABASE_URL", "postgresql+asyncpg://care:s3cret@db.internal:5433/careline"
    )
    assert main(["backup", "/backups/c.dump"]) == 0
    out = capsys.readouterr().out
    assert (
        "pg_dump --format=custom --file /backups/c.dump --host db.internal --port 5433 "
        "--username care --dbname careline"
    ) in out
    assert "s3cret" not in out
    assert main(["restore", "/backups/c.dump"]) == 0
    out = capsys.readouterr().out
    assert "pg_restore --clean --if-exists --no-owner" in out and "s3cret" not in out


HOLD_LOCK = """
import sys
from bot.dblock import hold_shared
lock = hold_shared(sys.argv[1])
print("held", flush=True)
sys.stdin.read()  # until the test kills this process
"""


def _sidecars(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(("-wal", "-shm")))


def _journal_mode(path: Path) -> str:
    """From the file header (bytes 18-19: 2 for WAL, 1 for a rollback journal), without
    opening the database (which would create the very files under test)."""
    header = path.read_bytes()[:20]
    assert header.startswith(b"SQLite format 3\x00")
    return "wal" if header[18:20] == b"\x02\x02" else "delete"


def _refused_then_killed(
    child: subprocess.Popen[str], database: Path, backup: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """While `child` holds the lock restore refuses and changes nothing; after SIGKILL it
    restores."""
    try:
        capsys.readouterr()
        assert main(["restore", str(backup)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1, err
        assert f"stop every careline process using {database} first" in err[0]
        assert _rows(database) == [("LATER", "later")]
        assert not list(tmp_path.glob("careline.db.before-restore-*"))
    finally:
        child.send_signal(signal.SIGKILL)  # no clean exit: the kernel drops the lock
        child.wait(timeout=60)
    assert main(["restore", str(backup)]) == 0
    assert _rows(database) == []


def test_restore_refuses_while_a_process_holds_the_database(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "b.db"
    assert main(["backup", str(backup)]) == 0
    _add(database, "LATER")
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, os.environ["CARELINE_DATABASE_URL"]],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdout.readline() == "held\n"
    _refused_then_killed(child, database, backup, tmp_path, capsys)


def test_restore_refuses_a_serve_on_another_port(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The defect of issue 15 item 8: the server listens on a port restore does not probe
    (CARELINE_PORT is 9 for restore); the lock still stops it."""
    backup = tmp_path / "b.db"
    assert main(["backup", str(backup)]) == 0
    _add(database, "LATER")
    sock = bind_socket()
    port = sock.getsockname()[1]
    sock.close()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CARELINE_")}
    environ["CARELINE_DATABASE_URL"] = os.environ["CARELINE_DATABASE_URL"]
    serve = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=REPO, env=environ, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert serve.stderr is not None
    seen = []
    for line in serve.stderr:  # the lock is taken before the app starts; wait for it to listen
        seen.append(line)
        if "Careline listening" in line:
            break
    else:
        serve.wait(timeout=60)
        pytest.fail("serve did not start: " + "".join(seen))
    _refused_then_killed(serve, database, backup, tmp_path, capsys)
    serve.stderr.close()


def test_serve_and_backup_refuse_while_a_restore_holds_the_lock(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sock = bind_socket()
    port = sock.getsockname()[1]
    sock.close()
    url = os.environ["CARELINE_DATABASE_URL"]
    with take_exclusive(database):
        with pytest.raises(DatabaseInUse, match="restore is replacing"):
            hold_shared(url)
        assert main(["serve", "--port", str(port)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "restore is replacing" in err[0], err
        assert main(["backup", str(tmp_path / "b.db")]) == 2
        assert "restore is replacing" in capsys.readouterr().err
        assert not (tmp_path / "b.db").exists()
    first, second = hold_shared(url), hold_shared(url)  # serve and chat side by side
    assert first is not None and second is not None
    with first, second, pytest.raises(DatabaseInUse, match="stop every careline process"):
        take_exclusive(database)
    take_exclusive(database).release()  # released with the last holder
    assert lock_path(database).exists()


def test_no_wal_or_shm_beside_the_backup_or_the_kept_database(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _journal_mode(database) == "wal"  # as the server leaves it
    backups = tmp_path / "backups"
    backups.mkdir()
    backup = backups / "careline-1.db"
    assert main(["backup", str(backup)]) == 0
    assert _journal_mode(backup) == "delete"
    assert _sidecars(backups) == []
    assert _sidecars(tmp_path) == []
    _add(database, "B")
    assert main(["restore", str(backup)]) == 0
    assert _sidecars(backups) == [] and _sidecars(tmp_path) == []
    (kept,) = tmp_path.glob("careline.db.before-restore-*")
    assert _journal_mode(kept) == "delete" and _rows(kept) == [("B", "b")]
    assert _rows(database) == []
    assert _sidecars(tmp_path) == []
    # a backup written before this fix is in WAL mode: reading it leaves nothing either
    old = backups / "old.db"
    src, dst = sqlite3.connect(kept), sqlite3.connect(old)
    try:
        src.execute("PRAGMA journal_mode=WAL")
        src.backup(dst)
    finally:
        dst.close()
        src.close()  # the last connection: SQLite removes the kept copy's -wal and -shm
    kept.unlink()  # a second restore within the same second would keep under the same name
    assert _journal_mode(old) == "wal" and _sidecars(tmp_path) == []
    capsys.readouterr()
    assert main(["restore", str(old)]) == 0
    assert _rows(database) == [("B", "b")]
    assert _sidecars(backups) == [] and _sidecars(tmp_path) == []
