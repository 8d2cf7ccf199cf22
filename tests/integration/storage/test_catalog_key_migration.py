"""Migration 0020 renames the catalog keys `console2.*` to `console.*`: an administrator's
edited texts and the SMS template registry follow the rename (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.db import Database, alembic_config

BEFORE = "0019_outbox_may_have_sent"
ROWS = [
    # (old key, new key); None: dropped (the old home texts console2.home replaced)
    ("console2.lex.title", "console.lexicon.title"),
    ("console2.rep.col.due", "console.reports.col.due"),
    ("console2.status.open", "console.case_status.open"),
    ("console2.nav.cases", "console.nav.cases"),
    ("console2.home.admin", "console.home.admin"),
    ("console.home.admin", None),
    ("console.nav.home", "console.nav.home"),
    ("welcome.known", "welcome.known"),
]


def _at(revision: str, db: Database) -> Callable[[Connection], None]:
    def go(conn: Connection) -> None:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = conn
        if revision == "head":
            command.upgrade(cfg, "head")
        else:
            command.downgrade(cfg, revision)

    return go


@pytest.mark.parametrize("direction", ["upgrade", "round trip"])
async def test_edited_texts_follow_the_renamed_keys(db: Database, direction: str) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(_at(BEFORE, db))
        for n, (old, _) in enumerate(ROWS):
            await conn.execute(
                text(
                    "INSERT INTO content_versions (key, locale, text, status, author, created_at) "
                    "VALUES (:key, 'zh_Hans', :text, 'published', 'admin', "
                    "CURRENT_TIMESTAMP)"
                ),
                {"key": old, "text": f"text {n}"},
            )
        await conn.run_sync(_at("head", db))
        if direction == "round trip":
            await conn.run_sync(_at(BEFORE, db))
            await conn.run_sync(_at("head", db))
        found = dict((await conn.execute(text("SELECT text, key FROM content_versions"))).all())
    expected = {f"text {n}": new for n, (_, new) in enumerate(ROWS) if new is not None}
    assert found == expected
