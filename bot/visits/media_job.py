"""The fetch job: every photo or voice note recorded on a visit (a `visit_media` row) is
downloaded from its provider into the media file store (bot/media_store.py), with backoff.

A run claims the rows whose next try has come (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
several processes never fetch one row twice at once), counts the attempt and sets the next
try before anything is asked, fetches outside any transaction, then records the outcome on
the row: what was stored (path, sha256, size, type from the bytes) or the error kind. A
provider failure (5xx, timeout, an unconfigured channel) is tried again after 1, 2, 4, 8 and
16 minutes; after MAX_ATTEMPTS, or at once for what no retry changes (too large, not an image
or audio, a URL outside the configured API), the row is given up: `fetch_retry_at` None and
`fetch_error` kept, and the console's view still tries the provider on demand. A row deleted
while its file was fetched (a cancelled report) leaves no file behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx

from bot.media_store import MediaStore, MediaUnavailable
from bot.visits.media_fetch import PERMANENT, TIMEOUT, TokenSource, fetch_media
from dialogs.types import Channel
from storage.models import VisitMedia
from storage.repos import visit_media

if TYPE_CHECKING:
    from bot.host import Host

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
INTERVAL_SECONDS = 30


def backoff(attempt: int) -> timedelta:
    return timedelta(minutes=min(60, 2 ** max(0, attempt - 1)))


def wecom_tokens(app: Host) -> TokenSource | None:
    """The WeCom channel's client (its shared access token), when WeCom is configured."""
    channel = app.channels.get(Channel.WECOM)
    client = getattr(channel, "client", None)
    return client if client is not None and hasattr(client, "token") else None


def media_store(app: Host) -> MediaStore:
    return MediaStore(app.settings.media_dir)


@dataclass
class FetchStats:
    stored: int = 0
    failed: int = 0
    given_up: int = 0


class MediaFetcher:
    def __init__(
        self, app: Host, *, batch: int = 20, http: httpx.AsyncClient | None = None
    ) -> None:
        self.app = app
        self.batch = batch
        self.http = http

    async def run_once(self) -> FetchStats:
        app = self.app
        now = app.clock.now()
        async with app.db.transaction() as session:
            claimed: list[VisitMedia] = []
            for row in await visit_media.due_for_fetch(session, now, self.batch):
                row.fetch_attempts += 1
                row.fetch_retry_at = now + backoff(row.fetch_attempts)
                claimed.append(row)
            await session.flush()
            for row in claimed:
                session.expunge(row)
        stats = FetchStats()
        if not claimed:
            return stats
        store = media_store(app)
        http = self.http or httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=True)
        try:
            for row in claimed:
                await self._one(row, store, http, stats)
        finally:
            if self.http is None:
                await http.aclose()
        return stats

    async def _one(
        self, row: VisitMedia, store: MediaStore, http: httpx.AsyncClient, stats: FetchStats
    ) -> None:
        app = self.app
        try:
            fetched = await fetch_media(app.settings, row, http, wecom_tokens(app))
            stored = store.write(row.id, fetched.body, row.kind or "image")
        except MediaUnavailable as exc:
            await self._failed(row, exc.reason, stats)
            return
        except OSError:
            log.exception("visit media %s: the store could not write the file", row.id)
            await self._failed(row, "store", stats)
            return
        async with app.db.transaction() as session:
            current = await session.get(VisitMedia, row.id, with_for_update=True)
            if current is None:  # deleted meanwhile (a cancelled report): no file stays
                store.delete([row.id])
                return
            current.stored_path = stored.name
            current.stored_type = stored.content_type
            current.stored_size = stored.size
            current.sha256 = stored.sha256
            current.fetched_at = app.clock.now()
            current.fetch_retry_at = None
            current.fetch_error = None
        stats.stored += 1
        log.info("visit media %s: stored (%s, %s bytes)", row.id, stored.content_type, stored.size)

    async def _failed(self, row: VisitMedia, reason: str, stats: FetchStats) -> None:
        stats.failed += 1
        give_up = reason in PERMANENT or row.fetch_attempts >= MAX_ATTEMPTS
        async with self.app.db.transaction() as session:
            current = await session.get(VisitMedia, row.id, with_for_update=True)
            if current is None:
                return
            current.fetch_error = reason
            if give_up:
                current.fetch_retry_at = None
        if give_up:
            stats.given_up += 1
            log.warning(
                "visit media %s: given up after %s attempt(s): %s",
                row.id,
                row.fetch_attempts,
                reason,
            )
        else:
            log.info("visit media %s: attempt %s failed (%s)", row.id, row.fetch_attempts, reason)


def install(app: Host) -> None:
    fetcher = MediaFetcher(app)
    app.scheduler.add_job(
        fetcher.run_once,
        "interval",
        seconds=INTERVAL_SECONDS,
        id="visits.media_fetch",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
