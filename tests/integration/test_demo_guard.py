"""Demo mode is guarded: `--demo` refuses a database that holds non-demo data; the simulator
refuses to start beside a live provider channel unless forced, and never beyond loopback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.demo import load_demo, non_demo_data
from bot.web.simulator_guard import simulator_problem
from storage.db import Database
from storage.models import Person
from tests.support.apps import make_settings

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "refused"),
    [
        ({}, None),
        ({"host": "0.0.0.0"}, "loopback"),
        ({"host": "10.1.2.3", "simulator_force": True}, "loopback"),
        ({"telegram_token": "1:x"}, "CARELINE_SIMULATOR_FORCE"),
        ({"telegram_token": "1:x", "simulator_force": True}, None),
        ({"telegram_token": "1:x", "simulator": False, "host": "0.0.0.0"}, None),
        ({"host": "localhost"}, None),
    ],
)
def test_simulator_guard(overrides: dict[str, object], refused: str | None) -> None:
    problem = simulator_problem(make_settings("sqlite+aiosqlite:///x.db", **overrides))
    assert (problem is None) if refused is None else (refused in (problem or ""))


async def test_non_demo_data_is_noticed(db: Database) -> None:
    async with db.transaction() as s:
        assert await non_demo_data(s) is None
        await load_demo(s, NOW, NOW.date())
    async with db.transaction() as s:
        assert await non_demo_data(s) is None  # demo data alone is fine
        s.add(Person(name="真名", role="guardian", phone="+8613912345678", created_at=NOW))
    async with db.transaction() as s:
        assert "1 people" in (await non_demo_data(s) or "")


def test_serve_demo_refuses_a_real_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'real.db'}"
    monkeypatch.setenv("CARELINE_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    from storage.db import upgrade_sync

    upgrade_sync(url)
    import asyncio

    async def add_real_person() -> None:
        db = Database(url)
        async with db.transaction() as s:
            s.add(Person(name="真名", role="director", phone="+8613912345678", created_at=NOW))
        await db.dispose()

    asyncio.run(add_real_person())
    assert main(["serve", "--demo", "--port", "0"]) == 2
    assert "--demo refuses this database" in capsys.readouterr().err
    assert main(["demo"]) == 2


def test_serve_demo_refuses_to_listen_beyond_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CARELINE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'd.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(["serve", "--demo", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "loopback" in capsys.readouterr().err
