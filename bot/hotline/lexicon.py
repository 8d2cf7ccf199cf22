"""The live screen: built from the lexicon stored in the database, cached until an
administrator's edit changes the version; seeded from content/lexicon/ on first use."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.screening import Lexicon, LexiconError, Screen, load_default_lexicon
from dialogs.screening.lexicon import read_lexicon_mapping
from storage.db import Database, sqlite_path
from storage.repos import lexicon as repo

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def default_screen() -> Screen:
    return Screen(load_default_lexicon())


class ScreenCache:
    def __init__(self) -> None:
        self._version: tuple[int, int] | None = None
        self._screen: Screen | None = None
        self.builds = 0

    async def get(self, session: AsyncSession, now: datetime) -> Screen:
        version = await repo.version(session)
        if version[0] == 0:
            await repo.seed(session, read_lexicon_mapping(), now)
            version = await repo.version(session)
        if version != self._version or self._screen is None:
            self._screen = await _build(session)
            self._version = version
            self.builds += 1
        return self._screen


async def _build(session: AsyncSession) -> Screen:
    raw = await repo.mapping(session)
    if raw is None:
        return default_screen()
    try:
        return Screen(Lexicon.from_mapping(raw))
    except (LexiconError, KeyError, TypeError, ValueError) as exc:
        # A broken edit must never switch screening off: keep screening with the default.
        log.error("stored lexicon is invalid (%s); screening with the shipped default", exc)
        return default_screen()


async def screen_for_url(url: str) -> tuple[Screen, str]:
    """The screen of the configured database, read-only, and where it came from. The
    shipped default when there is no database, it is not migrated, or it cannot be read."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return default_screen(), "default (no database)"
    db = Database(url)
    try:
        if not await db.is_migrated():
            return default_screen(), "default (database not migrated)"
        async with db.transaction() as session:
            raw = await repo.mapping(session)
        if raw is None:
            return default_screen(), "default (lexicon not seeded yet)"
        return Screen(Lexicon.from_mapping(raw)), "database"
    except Exception as exc:  # the command must answer, whatever the database's state
        log.warning("careline screen: database unavailable (%s); using the default", exc)
        return default_screen(), "default (database unavailable)"
    finally:
        await db.dispose()
