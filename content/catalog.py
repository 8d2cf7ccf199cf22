"""The message catalog: every user-facing string, per locale, from Babel .po files.

Keys are symbolic (``msgid`` = "help.director"); every locale, zh_Hans included, has a
full translation in ``content/locales/<locale>/LC_MESSAGES/messages.po``. Administrators'
published edits (stored in the database) are layered on top with `with_overrides`.
Rendering always takes the locale explicitly: reminders and SMS have no request context.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po

from content.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES, babel_locale, normalize_locale

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


def po_path(locale: str, directory: Path = LOCALES_DIR) -> Path:
    return directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def placeholders(template: str) -> set[str]:
    """Names of the ``{placeholders}`` in a template."""
    names: set[str] = set()
    for _, field_name, _, _ in string.Formatter().parse(template):
        if field_name is not None and field_name != "":
            names.add(field_name.split(".")[0].split("[")[0])
    return names


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        log.error("catalog: missing parameter %r", key)
        return "…"


@dataclass(frozen=True, slots=True)
class Text:
    """A catalog message used as a parameter of another, rendered in the same locale.

    Lets a composed message (a reminder digest) be stored as keys and parameters and
    rendered only when sent, in the recipient's language at that moment.
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Joined:
    """Parameters joined by a separator: a literal one, or a catalog key (e.g. "；" / "; ")."""

    parts: tuple[Any, ...]
    separator: str = "\n"
    separator_key: str | None = None


def format_value(value: Any, locale: str) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value, format="short", locale=babel_locale(locale))
    if isinstance(value, date):
        return format_date(value, format="long", locale=babel_locale(locale))
    return value


class Catalog:
    """Immutable lookup of ``(key, locale) -> template``."""

    def __init__(
        self,
        messages: Mapping[str, Mapping[str, str]],
        overrides: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        self._messages = {loc: dict(m) for loc, m in messages.items()}
        self._overrides = dict(overrides or {})

    @classmethod
    def load(cls, directory: Path = LOCALES_DIR) -> Catalog:
        messages: dict[str, dict[str, str]] = {}
        for locale in SUPPORTED_LOCALES:
            path = po_path(locale, directory)
            with path.open("rb") as fh:
                po = read_po(fh, locale=None, domain=DOMAIN)
            messages[locale] = {
                str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy
            }
        return cls(messages)

    def with_overrides(self, overrides: Mapping[tuple[str, str], str]) -> Catalog:
        return Catalog(self._messages, {**self._overrides, **overrides})

    def all_keys(self) -> set[str]:
        return set(self._messages.get(DEFAULT_LOCALE, {}))

    def base_template(self, key: str, locale: str) -> str | None:
        """The shipped template, without administrators' overrides."""
        return self._messages.get(normalize_locale(locale), {}).get(key)

    def template(self, key: str, locale: str) -> str | None:
        locale = normalize_locale(locale)
        for loc in (locale, DEFAULT_LOCALE):
            found = self._overrides.get((key, loc)) or self._messages.get(loc, {}).get(key)
            if found:
                return found
        return None

    def has(self, key: str, locale: str = DEFAULT_LOCALE) -> bool:
        return self.template(key, locale) is not None

    def _value(self, value: Any, locale: str) -> Any:
        if isinstance(value, Text):
            return self.text(value.key, locale, value.params)
        if isinstance(value, Joined):
            sep = self.text(value.separator_key, locale) if value.separator_key else value.separator
            return sep.join(str(self._value(p, locale)) for p in value.parts)
        return format_value(value, locale)

    def param_texts(self, params: Mapping[str, Any], locale: str) -> dict[str, str]:
        """Each parameter as the text it renders to (template gateways take strings)."""
        return {k: str(self._value(v, normalize_locale(locale))) for k, v in params.items()}

    def text(self, key: str, locale: str, params: Mapping[str, Any] | None = None) -> str:
        locale = normalize_locale(locale)
        template = self.template(key, locale)
        if template is None:
            log.error("catalog: no message %r", key)
            return key
        values = _Params({k: self._value(v, locale) for k, v in (params or {}).items()})
        try:
            return template.format_map(values)
        except (ValueError, IndexError, AttributeError, KeyError):
            log.exception("catalog: bad template for %r in %s", key, locale)
            return key
