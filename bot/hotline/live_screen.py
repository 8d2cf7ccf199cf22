"""The live screen: the lexicon stored in the database and the active learned model,
cached until an administrator's lexicon edit or a model change moves their versions; the
lexicon is seeded from content/lexicon/ on first use."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from bot.screening.files import load_default_lexicon, read_lexicon_mapping
from bot.screening.store import active_model, shipped_categories, shipped_framing, shipped_model
from dialogs.screening import Lexicon, LexiconError, Screen
from dialogs.screening.model import ScreenModel
from storage import committed_writes
from storage.db import Database, sqlite_path
from storage.repos import lexicon as repo
from storage.repos import screening as models

log = logging.getLogger(__name__)


# The live screen remembers the decisions of this many short texts (dialogs.screening.matcher)
MEMO_TEXTS = 4096


def make_screen(lexicon: Lexicon, model: ScreenModel | None) -> Screen:
    """The whole screen: lexicon, learned model (when there is one), categories, framing;
    decisions of short texts remembered (the same texts come again and again)."""
    return Screen(lexicon, model, shipped_categories(), shipped_framing(), memo=MEMO_TEXTS)


@lru_cache(maxsize=1)
def default_screen() -> Screen:
    return make_screen(load_default_lexicon(), shipped_model())


class ScreenCache:
    def __init__(self) -> None:
        self._version: tuple[int, int, str | None] | None = None
        self._screen: Screen | None = None
        self.builds = 0

    @property
    def current(self) -> Screen | None:
        """The screen last built, without asking the database (None before the first)."""
        return self._screen

    async def get(
        self,
        session: AsyncSession,
        now: datetime,
        version: tuple[int, int, str | None] | None = None,
    ) -> Screen:
        """The screen for the stored `version` (asked here when not given: the inbound path
        asks it together with who is on duty, `lexicon.screen_probe`)."""
        if version is None:
            version = await repo.screen_version(session)  # one statement per inbound text
        if version[0] == 0:
            await repo.seed(session, read_lexicon_mapping(), now)
            count, total = await repo.version(session)
            version = (count, total, await models.active_version(session))
        if version != self._version or self._screen is None:
            self._screen = await _build(session)
            self._version = version
            self.builds += 1
        return self._screen


# How long this process trusts what `lexicon.screen_probe` said (the screen's version, who is
# on duty) when it wrote nothing to those tables since: another process's lexicon edit or
# rota change, or a shift that starts or ends, is seen at most this much later.
PROBE_FRESH = timedelta(seconds=1)
_PROBED = ("lexicon_entries", "screen_models", "staff_shifts", "people")


class ProbeCache:
    """`lexicon.screen_probe`, asked at most once per `PROBE_FRESH` of the clock while this
    process commits no write to the tables it reads (storage.committed_writes): at a steady
    rate, one statement per second instead of one per inbound text."""

    def __init__(self, fresh: timedelta = PROBE_FRESH) -> None:
        self.fresh = fresh
        self._kept: tuple[repo.ScreenProbe, datetime, int] | None = None  # probe, at, generation

    async def get(self, session: AsyncSession, now: datetime) -> repo.ScreenProbe:
        generation = committed_writes.generation(*_PROBED)  # before the read: a write
        # committed while it runs is seen by the next message
        if self._kept is not None:
            probe, at, kept_generation = self._kept
            if kept_generation == generation and at <= now < at + self.fresh:
                return probe
        probe = await repo.screen_probe(session, now)
        if probe.version[0]:  # not before the lexicon is seeded (the screen seeds it)
            self._kept = (probe, now, generation)
        return probe


async def _build(session: AsyncSession) -> Screen:
    model = await active_model(session)
    raw = await repo.mapping(session)
    if raw is None:
        return make_screen(load_default_lexicon(), model)
    try:
        return make_screen(Lexicon.from_mapping(raw), model)
    except (LexiconError, KeyError, TypeError, ValueError) as exc:
        # A broken edit must never switch screening off: keep screening with the default.
        log.error("stored lexicon is invalid (%s); screening with the shipped default", exc)
        return make_screen(load_default_lexicon(), model)


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
            model = await active_model(session)
        if raw is None:
            return make_screen(load_default_lexicon(), model), "default (lexicon not seeded yet)"
        return make_screen(Lexicon.from_mapping(raw), model), "database"
    except Exception as exc:  # the command must answer, whatever the database's state
        log.warning("careline screen: database unavailable (%s); using the default", exc)
        return default_screen(), "default (database unavailable)"
    finally:
        await db.dispose()
