"""The media file store: the type comes from the bytes (real small files of each kind a
provider sends), never from the claimed content type; at most MAX_BYTES; files named by the
row id, written whole (temp + rename), deleted, and orphans found."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Collection
from pathlib import Path

import pytest

from bot.media_store import MAX_BYTES, MediaStore, MediaUnavailable, check, sniff
from tests.support import media_samples as s


@pytest.mark.parametrize(
    ("body", "kind", "ctype"),
    [
        (s.JPEG, "image", "image/jpeg"),
        (s.PNG, "image", "image/png"),
        (s.GIF, "image", "image/gif"),
        (s.WEBP, "image", "image/webp"),
        (s.OGG_OPUS, "voice", "audio/ogg"),  # Telegram
        (s.AMR, "voice", "audio/amr"),  # WeCom, MMS
        (s.AMR_WB, "voice", "audio/amr-wb"),  # MMS
        (s.MP3, "voice", "audio/mpeg"),  # MMS
        (s.M4A, "voice", "audio/mp4"),  # MMS (iPhone)
        (s.WAV, "voice", "audio/x-wav"),
    ],
)
def test_what_may_be_kept(body: bytes, kind: str, ctype: str) -> None:
    assert sniff(body) == ctype
    assert check(body, kind) == ctype


@pytest.mark.parametrize(
    ("body", "kind", "reason"),
    [
        (s.HTML, "image", "bad_type"),  # an HTML page a provider called image/jpeg
        (s.PDF, "image", "bad_type"),
        (s.MP4_VIDEO, "voice", "bad_type"),  # a video is not a voice note
        (b"", "image", "bad_type"),
        (b"\xff\xd8", "image", "bad_type"),  # too short to be a JPEG
        (s.AMR, "image", "bad_type"),  # a voice note is not a photo
        (s.JPEG, "voice", "bad_type"),  # nor the other way round
        (s.JPEG, "file", "bad_type"),  # other kinds are never kept
        (s.JPEG + bytes(MAX_BYTES), "image", "too_large"),
        (b"0" * (MAX_BYTES + 1), "image", "too_large"),
    ],
)
def test_what_is_refused(body: bytes, kind: str, reason: str) -> None:
    with pytest.raises(MediaUnavailable) as err:
        check(body, kind)
    assert err.value.reason == reason


def test_exactly_the_limit_is_kept() -> None:
    body = s.JPEG + bytes(MAX_BYTES - len(s.JPEG))
    assert len(body) == MAX_BYTES and check(body, "image") == "image/jpeg"


def test_files_are_named_by_the_row_id_written_whole_and_deleted(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    stored = store.write(7, s.PNG, "image")
    assert (stored.name, stored.size, stored.content_type) == ("7", len(s.PNG), "image/png")
    assert stored.sha256 == hashlib.sha256(s.PNG).hexdigest()
    assert store.names() == ["7"] and store.read(7) == s.PNG
    assert (tmp_path / "media" / "7").stat().st_mode & 0o777 == 0o600
    with pytest.raises(MediaUnavailable):
        store.write(8, s.HTML, "image")
    assert store.names() == ["7"]  # nothing left of the refused body, no temporary file
    assert store.delete([7, 8]) == 1 and store.names() == [] and store.read(7) is None


def test_orphans_are_removed(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    for media_id in (1, 2, 3):
        store.write(media_id, s.AMR, "voice")
    asked: list[list[int]] = []

    async def existing(ids: Collection[int]) -> set[int]:
        asked.append(sorted(ids))
        return {2}

    assert asyncio.run(store.remove_orphans(existing, batch=2)) == 2
    assert store.names() == ["2"] and asked == [[1, 2], [3]]
    assert asyncio.run(MediaStore(tmp_path / "none").remove_orphans(existing)) == 0
