"""Golden transcripts: each scenario through the real engine, compared with its JSON file.

`pytest --update-goldens` rewrites the files; review the diff like code.
"""

from __future__ import annotations

import json

import pytest

from content.catalog import Catalog
from tests.support.paths import GOLDEN

from .harness import run_script
from .scenarios import SCENARIOS

GOLDEN_DIR = GOLDEN / "visits"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_transcript_matches_golden(
    name: str, catalog: Catalog, request: pytest.FixtureRequest
) -> None:
    transcript = run_script(SCENARIOS[name], catalog)
    path = GOLDEN_DIR / f"{name}.json"
    text = json.dumps(transcript, ensure_ascii=False, indent=1) + "\n"
    if request.config.getoption("--update-goldens"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run pytest --update-goldens"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)


def test_every_golden_file_has_a_scenario() -> None:
    assert {p.stem for p in GOLDEN_DIR.glob("*.json")} <= set(SCENARIOS)
