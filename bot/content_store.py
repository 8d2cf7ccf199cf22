"""The catalog the bot renders with: shipped .po texts plus administrators' published edits.

`current()` is what the dispatcher calls at send time (sync, from memory). `refresh()` reads
the one-row version counter and reloads the published overrides only when it moved; it does
so at most every `check_every` seconds (by the app's clock), so several processes pick up a
publish within seconds, without a restart and without reloading on every message.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from content.catalog import Catalog
from storage.db import Database
from storage.repos import content as repo

log = logging.getLogger(__name__)


class ContentStore:
    def __init__(
        self, db: Database, base: Catalog, clock: Clock, *, check_every: float = 3.0
    ) -> None:
        self.db = db
        self.base = base
        self.clock = clock
        self.check_every = timedelta(seconds=check_every)
        self._catalog = base
        self._version: int | None = None
        self._checked_at: datetime | None = None

    def current(self) -> Catalog:
        return self._catalog

    @property
    def version(self) -> int | None:
        return self._version

    async def refresh(self, *, force: bool = False) -> bool:
        """Reload the overrides if the counter moved; True when the catalog changed."""
        now = self.clock.now()
        if not force and self._checked_at is not None and now - self._checked_at < self.check_every:
            return False
        self._checked_at = now
        async with self.db.transaction() as session:
            version = await repo.content_version(session)
            if version == self._version and not force:
                return False
            overrides = await repo.published_overrides(session)
        changed = version != self._version
        self._catalog = self.base.with_overrides(overrides)
        self._version = version
        if changed:
            log.info("content: %d published overrides (version %d)", len(overrides), version)
        return changed


class HasContent(Protocol):
    """What the refresh job needs of the host (bot.host.Host): its content store."""

    @property
    def content(self) -> ContentStore | None: ...


async def refresh_content(app: HasContent) -> int:
    """Scheduler job: check the counter; 1 when this process reloaded its texts."""
    store = app.content
    if store is None:
        return 0
    return int(await store.refresh())
