"""The screening lexicon: categories of concern, their terms, exclusions and cues.

The lexicon is data. Shipped defaults live in `content/lexicon/*.toml`; administrators'
edits are stored by the shell in the database and turned back into a `Lexicon` with
`Lexicon.from_mapping`, whose argument has exactly the TOML shape::

    {
      "categories": [                      # one entry per category (one TOML file each)
        {
          "id": "violence_abuse",          # stable id, used in cases and replies
          "severity": "high",              # default: "critical" | "high" | "medium"
          "label": "violence and physical abuse",   # for people, optional
          "terms": [                       # strings, or tables for per-term settings
            "家暴",
            {"term": "打", "severity": "high", "near": ["被", "我"], "window": 3},
          ],
          "exclusions": ["打疫苗", "打工"],  # phrases that neutralize an overlapping term
        },
        ...
      ],
      "cues": {                            # optional (content/lexicon/cues.toml)
        "negation": ["没有", "未发现", "not"],   # before a term in the same clause
        "danger": ["现在", "正在", "right now"], # in the same clause as a term -> critical
        "call_for_help": ["快来", "救命"],   # anywhere in a message with a term -> critical
        "third_person": ["孩子", "他"],   # a subject that is not the sender (self-harm rule)
        "exclusions": ["打听", "打扫"],   # everyday phrases that neutralize a term of any category
      },
    }

Each shipped file `content/lexicon/<category>.toml` holds one ``[category]`` table (one entry
of "categories"); `cues.toml` holds the ``[cues]`` table.

A term with `near` counts only when one of those words is within `window` characters
(compact form, before or after the term, same clause): this is the "context rule" for
short, ambiguous terms such as 打. Severity order: critical > high > medium.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from content.errors import InputError
from dialogs.screening.normalize import normalize_term

SEVERITIES: tuple[str, ...] = ("medium", "high", "critical")


def severity_rank(severity: str | None) -> int:
    """-1 for None; 0 medium, 1 high, 2 critical."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


class LexiconError(InputError, ValueError):
    """The lexicon data is malformed (unknown severity, empty term, missing id)."""


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # as written by the editor
    key: str  # compact normalized form
    category: str
    severity: str
    near: tuple[str, ...] = ()  # compact forms
    window: int = 0


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    severity: str
    label: str
    terms: tuple[Term, ...]
    exclusions: tuple[str, ...]  # compact forms


@dataclass(frozen=True, slots=True)
class Lexicon:
    categories: tuple[Category, ...]
    negation: tuple[str, ...] = ()
    danger: tuple[str, ...] = ()
    call_for_help: tuple[str, ...] = ()
    third_person: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()  # apply to every category
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def term_count(self) -> int:
        return sum(len(c.terms) for c in self.categories)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Lexicon:
        """Build a lexicon from the TOML shape documented in this module."""
        categories = tuple(_category(c) for c in raw.get("categories", ()))
        cues = raw.get("cues", {}) or {}
        return cls(
            categories=categories,
            negation=_compact_all(cues.get("negation", ())),
            danger=_compact_all(cues.get("danger", ())),
            call_for_help=_compact_all(cues.get("call_for_help", ())),
            third_person=_compact_all(cues.get("third_person", ())),
            exclusions=_compact_all(cues.get("exclusions", ())),
            raw=raw,
        )


def _compact_all(words: Sequence[str]) -> tuple[str, ...]:
    out = [normalize_term(str(w)) for w in words]
    return tuple(dict.fromkeys(w for w in out if w))


def _check_severity(value: Any, where: str) -> str:
    if value not in SEVERITIES:
        raise LexiconError(f"{where}: severity must be one of {SEVERITIES}, not {value!r}")
    return str(value)


def _category(raw: Mapping[str, Any]) -> Category:
    cid = str(raw.get("id") or "")
    if not cid:
        raise LexiconError("a category needs an id")
    default = _check_severity(raw.get("severity", "high"), cid)
    terms: list[Term] = []
    for item in raw.get("terms", ()):
        spec: Mapping[str, Any] = item if isinstance(item, Mapping) else {"term": item}
        text = str(spec.get("term", ""))
        key = normalize_term(text)
        if not key:
            raise LexiconError(f"{cid}: empty term {text!r}")
        severity = _check_severity(spec.get("severity", default), f"{cid}/{text}")
        near = _compact_all(spec.get("near", ()))
        window = int(spec.get("window", 4 if near else 0))
        terms.append(Term(text, key, cid, severity, near, window))
    return Category(
        id=cid,
        severity=default,
        label=str(raw.get("label", cid)),
        terms=tuple(terms),
        exclusions=_compact_all(raw.get("exclusions", ())),
    )
