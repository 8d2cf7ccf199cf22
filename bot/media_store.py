"""The media file store: a director's visit photos and voice notes, kept under the data
directory (`Settings.media_dir`, i.e. `CARELINE_DATA_DIR/media`).

- A file is named by its `visit_media` row id only (never by anything a user or a provider
  sent), so a name cannot leave the directory.
- It is written to a temporary file in the same directory, flushed and renamed, so a reader
  never sees half a file.
- What is stored is checked first: at most MAX_BYTES (the documented 5 MB upload limit), and
  of a type read from the bytes themselves (the `filetype` library's signatures), never the
  provider's claimed content type: images jpeg/png/gif/webp, voice ogg/opus (Telegram), amr
  (WeCom, MMS), mp3, m4a/mp4 audio, aac and wav (MMS).
- Files are deleted with their rows: at once for a cancelled report's pending media, and by
  `remove_orphans` (every file without a row: the retention sweep, a person's erasure, a
  visit deleted by a cascade) otherwise.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import filetype

from content.errors import ChannelError

MAX_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
VOICE_TYPES = frozenset(
    {
        "audio/ogg",
        "audio/amr",
        "audio/amr-wb",
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/x-wav",
    }
)
TYPES_OF_KIND = {"image": IMAGE_TYPES, "voice": VOICE_TYPES}
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "audio/ogg": "ogg",
    "audio/amr": "amr",
    "audio/amr-wb": "awb",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/x-wav": "wav",
}


class AmrWideband(filetype.Type):
    """AMR-WB (`#!AMR-WB\n`, RFC 4867 section 5), which some phones send by MMS; the library
    knows only narrow-band AMR."""

    MIME = "audio/amr-wb"
    EXTENSION = "awb"

    def __init__(self) -> None:
        super().__init__(mime=self.MIME, extension=self.EXTENSION)

    def match(self, buf: bytes) -> bool:
        return bytes(buf[:9]) == b"#!AMR-WB\n"


_MATCHERS = [*filetype.image_matchers, *filetype.audio_matchers, AmrWideband()]
_TEMP_PREFIX = ".part-"
STALE_TEMP_SECONDS = 3600  # a temporary file this old is a write that never finished


class MediaUnavailable(ChannelError):
    """A photo or voice note could not be fetched or kept; `reason` says why (too_large,
    bad_type, provider, not_configured, foreign_url)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sniff(body: bytes) -> str | None:
    """The content type the bytes themselves show (None: not an image or audio we know)."""
    found = filetype.match(body[:8192], matchers=_MATCHERS)
    return None if found is None else str(found.mime)


def check(body: bytes, kind: str) -> str:
    """The content type of `body` if it may be kept as `kind` (image | voice); else
    MediaUnavailable: too_large over MAX_BYTES, bad_type for anything else."""
    if len(body) > MAX_BYTES:
        raise MediaUnavailable("too_large")
    ctype = sniff(body)
    if ctype is None or ctype not in TYPES_OF_KIND.get(kind, frozenset()):
        raise MediaUnavailable("bad_type")
    return ctype


def is_audio(content_type: str | None) -> bool:
    return bool(content_type) and str(content_type).startswith("audio/")


@dataclass(frozen=True, slots=True)
class Stored:
    name: str  # the file's name in the store: the row id
    sha256: str
    size: int
    content_type: str


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, media_id: int) -> Path:
        return self.root / str(int(media_id))

    def write(self, media_id: int, body: bytes, kind: str) -> Stored:
        """Check `body` (`check`) and keep it as the row's file: temp file, fsync, rename."""
        ctype = check(body, kind)
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.path_of(media_id)
        fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(body)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Stored(target.name, hashlib.sha256(body).hexdigest(), len(body), ctype)

    def read(self, media_id: int) -> bytes | None:
        try:
            return self.path_of(media_id).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, media_ids: Iterable[int]) -> int:
        gone = 0
        for media_id in media_ids:
            try:
                self.path_of(media_id).unlink()
                gone += 1
            except FileNotFoundError:
                pass
        return gone

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_file())

    @staticmethod
    def _stale(path: Path) -> bool:
        try:
            return time.time() - path.stat().st_mtime > STALE_TEMP_SECONDS
        except FileNotFoundError:
            return False

    async def remove_orphans(
        self, existing: Callable[[Collection[int]], Awaitable[set[int]]], batch: int = 500
    ) -> int:
        """Delete every file that has no row (`existing(ids)` answers which ids still have
        one), and leftovers of interrupted writes; how many files went."""
        gone = 0
        names = self.names()
        for name in names:
            if not name.isdigit() and self._stale(self.root / name):
                (self.root / name).unlink(missing_ok=True)  # a write that never finished
                gone += 1
        ids = [int(n) for n in names if n.isdigit()]
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            kept = await existing(chunk)
            gone += self.delete(i for i in chunk if i not in kept)
        return gone
