"""The screen's shipped files, read here in the shell: the lexicon (content/lexicon/), the
categories and framing (content/safety/) and the learned model (content/safety/model/).

The screening core (`dialogs.screening`) parses what these return and never opens a file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from dialogs.screening.categories import Categories
from dialogs.screening.framing import Framing
from dialogs.screening.lexicon import Lexicon
from dialogs.screening.model import ScreenModel

CONTENT = Path(__file__).resolve().parents[2] / "content"
LEXICON_DIR = CONTENT / "lexicon"
FRAMING_FILE = CONTENT / "safety" / "framing.toml"
CATEGORIES_FILE = CONTENT / "safety" / "categories.toml"
MODEL_DIR = CONTENT / "safety" / "model"
SHIPPED_MODEL = MODEL_DIR / "screen.npz"


def read_lexicon_mapping(directory: Path = LEXICON_DIR) -> dict[str, Any]:
    """The shipped TOML files merged into one mapping (categories + cues)."""
    categories: list[Any] = []
    cues: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        if "category" in data:
            categories.append(data["category"])
        for name, words in data.get("cues", {}).items():
            cues.setdefault(name, []).extend(words)
    return {"categories": categories, "cues": cues}


def load_default_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """The shipped lexicon, from `content/lexicon/*.toml`."""
    return Lexicon.from_mapping(read_lexicon_mapping(directory))


def load_framing(path: Path = FRAMING_FILE) -> Framing:
    with path.open("rb") as fh:
        return Framing.from_mapping(tomllib.load(fh))


def load_categories(path: Path = CATEGORIES_FILE) -> Categories:
    with path.open("rb") as fh:
        return Categories.from_mapping(tomllib.load(fh))


def load_model(path: Path = SHIPPED_MODEL) -> ScreenModel:
    return ScreenModel.from_bytes(path.read_bytes())
