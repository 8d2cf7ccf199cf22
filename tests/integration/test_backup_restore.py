"""`careline backup` then `careline restore` on SQLite: the restored database is the one
backed up; restore refuses while a server answers /healthz, and refuses a file that is not a
Careline backup; PostgreSQL gets the pg_dump / pg_restore command to run."""

from __future__ import annotations

import http.server
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from storage.db import upgrade_sync


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
