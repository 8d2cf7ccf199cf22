"""Where the repository's files are, for tests that read them: one place, no `parents[N]`."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
DATA = REPO / "tests" / "data"
GOLDEN = REPO / "tests" / "golden"
