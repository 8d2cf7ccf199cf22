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
