"""Migrations and models agree: after `upgrade head`, autogenerate finds nothing to do,
on SQLite and on PostgreSQL. A model change without its migration fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from storage.db import Database
from storage.models import Base


def _diff(conn: Connection) -> list[object]:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(ctx, Base.metadata))


async def test_schema_matches_models(db: Database) -> None:
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []
    assert await db.is_migrated()


async def test_unmigrated_database_is_refused_with_the_fix(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.app import NotMigrated
    from tests.support.apps import make_app

    app = make_app(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    try:
        try:
            await app.check_database()
        except NotMigrated as exc:
            assert "careline db upgrade" in str(exc)
        else:
            raise AssertionError("an unmigrated non-default database must be refused")
    finally:
        await app.stop()


def _alembics_view(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


async def test_the_start_up_check_agrees_with_alembic(db: Database) -> None:
    """`is_migrated` reads the head from the files and the stored revision in one query,
    without importing alembic: the same answers as alembic's ScriptDirectory and context."""
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config

    assert (
        db.head_revision() == ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
    )
    ours = await db.current_revision()
    async with db.engine.connect() as conn:  # (SQLite's pool holds one connection)
        assert ours == await conn.run_sync(_alembics_view)
