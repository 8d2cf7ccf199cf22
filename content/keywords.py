"""Command words, loaded from keywords.toml (and administrators' overrides)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from content.normalize import command_form

KEYWORDS_FILE = Path(__file__).parent / "keywords.toml"


@dataclass(frozen=True)
class Keywords:
    global_words: Mapping[str, frozenset[str]]
    language_names: Mapping[str, frozenset[str]]
    flow_words: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = KEYWORDS_FILE) -> Keywords:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        return cls.from_mapping(raw)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Mapping[str, list[str]]]) -> Keywords:
        def fold_all(groups: Mapping[str, list[str]]) -> dict[str, frozenset[str]]:
            return {
                name: frozenset(command_form(w) for w in words) for name, words in groups.items()
            }

        return cls(
            global_words=fold_all(raw.get("global", {})),
            language_names=fold_all(raw.get("language_names", {})),
            flow_words=fold_all(raw.get("flows", {})),
        )

    def is_word(self, group: str, text: str) -> bool:
        return command_form(text) in self.global_words.get(group, frozenset())

    def language_named(self, text: str) -> str | None:
        form = command_form(text)
        for locale, names in self.language_names.items():
            if form in names:
                return locale
        return None

    def flow_for(self, word: str) -> str | None:
        form = command_form(word)
        for flow, words in self.flow_words.items():
            if form in words:
                return flow
        return None
