"""Administrators' edits of the safety lexicon, one stored category (or the cues) at a time.

A deactivated term or exclusion moves to the category's `inactive_terms` /
`inactive_exclusions` list (ignored by the screen, shown in the console, restorable). Every
edit is checked by building the whole lexicon with `Lexicon.from_mapping` before it is saved;
saving bumps the row's version, so every process rebuilds its screen on the next message."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from content.errors import InputError
from dialogs.screening import Lexicon, LexiconError
from dialogs.screening.lexicon import SEVERITIES
from dialogs.screening.normalize import normalize_term
from storage.repos import lexicon as repo
from storage.uow import Work

CUE_LISTS = ("negation", "danger", "call_for_help", "third_person", "exclusions")


class EditError(InputError, ValueError):
    """The edit is refused; the message is a catalog key (params in `params`)."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(frozen=True)
class TermRow:
    index: int
    term: str
    severity: str  # "" when the category's default applies
    near: str  # comma separated
    window: int
    active: bool


def term_spec(item: Any) -> dict[str, Any]:
    return dict(item) if isinstance(item, dict) else {"term": str(item)}


def term_rows(data: dict[str, Any]) -> list[TermRow]:
    rows: list[TermRow] = []
    for active, items in ((True, data.get("terms", ())), (False, data.get("inactive_terms", ()))):
        for index, item in enumerate(items):
            spec = term_spec(item)
            rows.append(
                TermRow(
                    index, str(spec.get("term", "")), str(spec.get("severity", "")),
                    ", ".join(spec.get("near", ())), int(spec.get("window", 0) or 0), active,
                )
            )  # fmt: skip
    return rows


def _spec(term: str, severity: str, near: str, window: str) -> Any:
    term = term.strip()
    if not normalize_term(term):
        raise EditError("console.lexicon.err.empty")
    if severity and severity not in SEVERITIES:
        raise EditError("console.lexicon.err.severity")
    words = [w.strip() for w in near.replace("，", ",").split(",") if w.strip()]
    if not severity and not words:
        return term
    spec: dict[str, Any] = {"term": term}
    if severity:
        spec["severity"] = severity
    if words:
        spec["near"] = words
        try:
            spec["window"] = int(window or 4)
        except ValueError:
            raise EditError("console.lexicon.err.window") from None
        if not 1 <= spec["window"] <= 40:
            raise EditError("console.lexicon.err.window")
    return spec


def apply(data: dict[str, Any], action: str, form: dict[str, str]) -> dict[str, Any]:
    """The category's data after one edit (a new dict; the input is not changed)."""
    out = copy.deepcopy(data)
    terms, inactive = out.setdefault("terms", []), out.setdefault("inactive_terms", [])
    excl, inactive_excl = (
        out.setdefault("exclusions", []),
        out.setdefault("inactive_exclusions", []),
    )
    index = int(form.get("index") or 0)
    if action == "add_term":
        spec = _spec(
            form.get("term", ""),
            form.get("severity", ""),
            form.get("near", ""),
            form.get("window", ""),
        )
        key = normalize_term(term_spec(spec)["term"])
        if any(normalize_term(str(term_spec(t).get("term", ""))) == key for t in terms):
            raise EditError("console.lexicon.err.duplicate")
        terms.append(spec)
    elif action == "edit_term":
        _check(terms, index)
        terms[index] = _spec(
            form.get("term", ""),
            form.get("severity", ""),
            form.get("near", ""),
            form.get("window", ""),
        )
    elif action == "deactivate_term":
        _move(terms, inactive, index)
    elif action == "activate_term":
        _move(inactive, terms, index)
    elif action == "add_exclusion":
        phrase = form.get("term", "").strip()
        if not normalize_term(phrase):
            raise EditError("console.lexicon.err.empty")
        excl.append(phrase)
    elif action == "deactivate_exclusion":
        _move(excl, inactive_excl, index)
    elif action == "activate_exclusion":
        _move(inactive_excl, excl, index)
    elif action == "category":
        severity = form.get("severity", "")
        if severity not in SEVERITIES:
            raise EditError("console.lexicon.err.severity")
        out["severity"] = severity
        out["label"] = form.get("label", "").strip() or out.get("label", out.get("id", ""))
    else:
        raise EditError("console.lexicon.err.action")
    return out


def _check(items: list[Any], index: int) -> None:
    if not 0 <= index < len(items):
        raise EditError("console.lexicon.err.action")


def _move(source: list[Any], target: list[Any], index: int) -> None:
    """Move one entry between a category's active and inactive lists."""
    _check(source, index)
    target.append(source.pop(index))


def new_category(key: str, label: str, severity: str) -> dict[str, Any]:
    key = key.strip().lower()
    if not key.replace("_", "").isalnum() or not key.isascii() or key == repo.CUES:
        raise EditError("console.lexicon.err.id")
    if severity not in SEVERITIES:
        raise EditError("console.lexicon.err.severity")
    return {
        "id": key,
        "severity": severity,
        "label": label.strip() or key,
        "terms": [],
        "exclusions": [],
    }


async def save(w: Work, key: str, data: dict[str, Any], *, actor: str) -> None:
    """Check the whole lexicon with this entry replaced, then store it (version + 1)."""
    session, now = w.session, w.now
    current = await repo.mapping(session) or {"categories": [], "cues": {}}
    categories = [c for c in current["categories"] if str(c.get("id")) != key]
    trial = {"categories": [*categories, data], "cues": current.get("cues", {})}
    if key == repo.CUES:
        trial = {"categories": current["categories"], "cues": data}
    try:
        Lexicon.from_mapping(trial)
    except (LexiconError, KeyError, TypeError, ValueError) as exc:
        raise EditError("console.lexicon.err.invalid", reason=str(exc)) from None
    await repo.save(session, key, data, now=now, by=actor)
    w.audit(actor, "lexicon_edit", "lexicon", key)
