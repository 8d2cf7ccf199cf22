"""Golden transcripts: each scenario through the real engine, compared with its JSON file
(tests/golden/harness.py's `check`, as the hotline and reminder transcripts are).

`pytest --update-goldens` rewrites the files; review the diff like code.
"""

from __future__ import annotations

import pytest

from content.catalog import Catalog
from tests.golden.harness import check, orphans

from .harness import run_script
from .scenarios import SCENARIOS


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_transcript_matches_golden(
    name: str, catalog: Catalog, request: pytest.FixtureRequest
) -> None:
    check("visits", name, run_script(SCENARIOS[name], catalog), request)


def test_every_golden_file_has_a_scenario() -> None:
    assert not orphans("visits", list(SCENARIOS))
