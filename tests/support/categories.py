"""The statutory categories a lexicon group stands for (content/safety/categories.toml)."""

from __future__ import annotations

from functools import lru_cache

from bot.screening.files import load_categories
from dialogs.screening.categories import Categories


@lru_cache(maxsize=1)
def categories() -> Categories:
    return load_categories()


def in_group(group: str) -> set[str]:
    """The group's statutory categories (a case may also keep the group id itself)."""
    return {group, *categories().in_group(group)}
