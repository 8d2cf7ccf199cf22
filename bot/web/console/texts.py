"""Checking, previewing and exchanging (gettext .po) the texts administrators edit."""

from __future__ import annotations

import io
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.pofile import read_po, write_po

from content.catalog import DOMAIN, Catalog, placeholders
from content.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES
from content.segments import count_segments

SAMPLES: dict[str, Any] = {
    "name": "李主任",
    "child": "小明",
    "code": "A01",
    "n": 3,
    "count": 2,
    "total": 12,
    "days": 5,
    "hours": 4,
    "age": "8岁",
    "date": date(2026, 3, 20),
    "next_due": date(2026, 4, 20),
    "year": 2026,
    "dose": "DTaP-2",
    "vaccine": "DTaP",
    "vaccines": "DTaP, MMR",
    "query": "A01",
}


@dataclass
class Check:
    ok: bool
    message_key: str = ""  # a catalog key explaining the refusal
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def expected_placeholders(catalog: Catalog, key: str, locale: str) -> set[str]:
    shipped = catalog.base_template(key, locale) or catalog.base_template(key, DEFAULT_LOCALE)
    return placeholders(shipped or "")


def check_text(catalog: Catalog, key: str, locale: str, text: str) -> Check:
    """A text must parse as a template and use exactly the shipped text's placeholders."""
    if key not in catalog.all_keys():
        return Check(False, "console.content.unknown_key")
    if not text.strip():
        return Check(False, "console.content.empty")
    try:
        used = placeholders(text)
        for _, name, spec, conv in string.Formatter().parse(text):
            if spec or conv:
                return Check(False, "console.content.bad_format")
            # a bare name only: {name.__class__} or {name[0]} would reach into objects
            if name is not None and not name.isidentifier():
                return Check(False, "console.content.bad_format")
    except ValueError:
        return Check(False, "console.content.bad_format")
    expected = expected_placeholders(catalog, key, locale)
    unknown, missing = sorted(used - expected), sorted(expected - used)
    if unknown or missing:
        return Check(False, "console.content.placeholders", unknown, missing)
    return Check(True)


SAMPLES_EN: dict[str, Any] = {"name": "Director Li", "child": "Ming", "age": "8 years"}


def refusal(catalog: Catalog, check: Check, locale: str) -> str:
    """Why a text was refused, in the console's language."""
    params = {
        "unknown": ", ".join(check.unknown) or "-",
        "missing": ", ".join(check.missing) or "-",
    }
    return catalog.text(check.message_key, locale, params)


def sample_values(names: set[str], locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
    samples = {**SAMPLES, **SAMPLES_EN} if locale == "en" else SAMPLES
    return {n: samples.get(n, f"<{n}>") for n in names}


def preview(catalog: Catalog, key: str, locale: str, text: str) -> dict[str, Any]:
    """The text rendered with sample values, and its SMS segments; refusals explained."""
    check = check_text(catalog, key, locale, text)
    result: dict[str, Any] = {
        "ok": check.ok,
        "unknown": check.unknown,
        "missing": check.missing,
        "message": "",
        "rendered": "",
    }
    if check.ok:
        probe = Catalog({locale: {key: text}})
        rendered = probe.text(key, locale, sample_values(placeholders(text), locale))
        info = count_segments(rendered)
        result.update(
            rendered=rendered, encoding=info.encoding, units=info.units, segments=info.segments
        )
    return result


def segments_of(text: str) -> tuple[str, int]:
    info = count_segments(text)
    return info.encoding, info.segments


def export_po(catalog: Catalog, locale: str, overrides: Mapping[tuple[str, str], str]) -> bytes:
    """Every key with the current text (published override, else shipped) for one locale."""
    po = PoCatalog(domain=DOMAIN, project="Careline", version="1", locale=None)
    for key in sorted(catalog.all_keys()):
        text = overrides.get((key, locale)) or catalog.base_template(key, locale) or ""
        source = catalog.base_template(key, DEFAULT_LOCALE) or ""
        flags = ["python-brace-format"] if "{" in source else []
        po.add(key, text, auto_comments=[source] if locale != DEFAULT_LOCALE else [], flags=flags)
    buffer = io.BytesIO()
    write_po(buffer, po, width=0, omit_header=False)
    return buffer.getvalue()


@dataclass
class PoImport:
    drafts: dict[str, str] = field(default_factory=dict)  # key -> text to save as a draft
    unknown_keys: list[str] = field(default_factory=list)
    refused: list[tuple[str, Check]] = field(default_factory=list)
    unchanged: int = 0


def read_po_upload(
    catalog: Catalog, locale: str, data: bytes, current: Mapping[str, str]
) -> PoImport:
    """Sort an uploaded .po into drafts to save, unknown keys and refused texts."""
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    po = read_po(io.BytesIO(data), locale=None, domain=DOMAIN)
    known = catalog.all_keys()
    out = PoImport()
    for message in po:
        if not message.id or not isinstance(message.id, str):
            continue
        text = str(message.string or "")
        if message.id not in known:
            out.unknown_keys.append(message.id)
            continue
        if not text or message.fuzzy:
            continue
        if text == current.get(message.id):
            out.unchanged += 1
            continue
        check = check_text(catalog, message.id, locale, text)
        if check.ok:
            out.drafts[message.id] = text
        else:
            out.refused.append((message.id, check))
    return out


def untranslated(
    catalog: Catalog, overrides: Mapping[tuple[str, str], str]
) -> list[tuple[str, str]]:
    """(key, locale) pairs with no text of their own (they fall back to simplified Chinese)."""
    missing: list[tuple[str, str]] = []
    for key in sorted(catalog.all_keys()):
        for locale in SUPPORTED_LOCALES:
            if not (overrides.get((key, locale)) or catalog.base_template(key, locale)):
                missing.append((key, locale))
    return missing
