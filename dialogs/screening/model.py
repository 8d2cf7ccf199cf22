"""The learned screen's model at run time: a linear classifier over `features.py`.

A model file (`.npz`, no pickles) holds the vocabulary with its idf weights, a binary
"must report" classifier, a category classifier over the statutory categories, the decision
thresholds chosen on held-out writers, and its metadata (version, figures, corpus).
It is written by `bot/screening/train.py` (scikit-learn's TfidfVectorizer with sublinear tf
and l2 norm, and LogisticRegression); this module recomputes the same tf-idf vector and
dot products with numpy, so serving needs neither scikit-learn nor a pickle.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from content.errors import InputError
from dialogs.screening.decision import Decision
from dialogs.screening.features import DICTIONARY, FeatureBag, Sounds


class ModelError(InputError, ValueError):
    """A model file is missing a part or does not fit this version of Careline."""


def signal_features(lexicon: Decision | None, frames: Iterable[str] = ()) -> list[str]:
    """Extra `x:` features: the lexicon's decision (its groups, severity, danger) and the
    framing cues found in the text (see `framing.py`)."""
    out: list[str] = [f"x:frame:{name}" for name in frames]
    if lexicon is None:
        return out
    for match in lexicon.matches:
        out.append("x:lex:" + match.category)
        out.append("x:sev:" + match.severity)
    if lexicon.escalate:
        out.append("x:lex")
    if lexicon.immediate_danger:
        out.append("x:danger")
    return out


@dataclass(frozen=True, slots=True)
class Thresholds:
    alert: float  # probability at or above which the screen alerts
    review: float  # at or above which (below alert) a person reviews it

    def to_json(self) -> dict[str, float]:
        return {"alert": self.alert, "review": self.review}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Thresholds:
        return cls(alert=float(raw["alert"]), review=float(raw["review"]))


class Prediction:
    """The model's reading of one message: the probability that it must reach a person,
    and the fine categories, most likely first. The categories may be given, or computed
    on first use by `rank` (a message that passes never needs them)."""

    __slots__ = ("_categories", "_rank", "probability")

    def __init__(
        self,
        probability: float,
        categories: tuple[tuple[str, float], ...] | None = None,
        rank: Callable[[], tuple[tuple[str, float], ...]] | None = None,
    ) -> None:
        self.probability = probability
        self._categories = categories
        self._rank = rank

    @property
    def categories(self) -> tuple[tuple[str, float], ...]:
        if self._categories is None:
            self._categories = self._rank() if self._rank is not None else ()
        return self._categories

    def __repr__(self) -> str:
        return f"Prediction({self.probability!r}, {self.categories!r})"


@dataclass(frozen=True)
class ScreenModel:
    vocab: Mapping[str, int]
    idf: np.ndarray
    weights: np.ndarray  # binary classifier coefficients
    bias: float
    category_ids: tuple[str, ...]
    category_weights: np.ndarray  # [categories, features]
    category_bias: np.ndarray
    thresholds: Thresholds
    meta: Mapping[str, Any] = field(default_factory=dict)
    sounds: Sounds = DICTIONARY

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unversioned"))

    @property
    def known_terms(self) -> frozenset[str] | None:
        """The lexicon terms (as written) the model was trained with; None if not recorded."""
        terms = self.meta.get("lexicon_terms")
        return frozenset(str(t) for t in terms) if isinstance(terms, list) else None

    def vector(self, feats: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The l2-normalised sublinear tf-idf vector of a feature bag, as (indices, values)."""
        vocab = self.vocab
        ids = [i for f in feats if (i := vocab.get(f)) is not None]
        return self._vector_of(np.array(ids, dtype=np.int64))

    def _vector_of(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The vector of a bag of vocabulary ids (repeats count)."""
        if not len(ids):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        idx, counts = np.unique(ids, return_counts=True)
        values = (1.0 + np.log(counts)) * self.idf[idx]
        norm = float(np.sqrt(np.dot(values, values)))
        return idx, values / norm if norm else values

    @cached_property
    def _bag(self) -> FeatureBag:
        return FeatureBag(self.vocab, self.sounds)

    @cached_property
    def _binary(self) -> np.ndarray:
        return np.ascontiguousarray(self.weights, dtype=np.float64)

    @cached_property
    def _by_category(self) -> np.ndarray:
        """[features, categories] in float16, as the model file stores them: one cache line
        per feature, so that gathering a message's rows stays cheap."""
        return np.ascontiguousarray(self.category_weights.T, dtype=np.float16)

    def predict_features(self, feats: Sequence[str]) -> Prediction:
        return self._predict_vector(*self.vector(feats))

    def _predict_vector(self, idx: np.ndarray, values: np.ndarray) -> Prediction:
        z = float(values @ self._binary[idx]) + self.bias if len(idx) else self.bias
        probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        if not self.category_ids:
            return Prediction(probability, ())
        return Prediction(probability, rank=lambda: self._rank(idx, values))

    def _rank(self, idx: np.ndarray, values: np.ndarray) -> tuple[tuple[str, float], ...]:
        logits = self.category_bias.astype(np.float64)
        if len(idx):
            logits = values @ self._by_category[idx].astype(np.float64) + logits
        logits = logits - float(np.max(logits))
        exp = np.exp(logits)
        probs = (exp / float(np.sum(exp))).tolist()
        order = np.argsort(-np.asarray(probs)).tolist()
        return tuple((self.category_ids[i], probs[i]) for i in order)

    def predict(self, text: str, extra: Sequence[str] = ()) -> Prediction:
        """As `predict_features(features(text) + extra)`, without building the feature
        strings: the text's features are looked up in the vocabulary as they are found."""
        ids = self._bag.ids(text)
        vocab = self.vocab
        signals = [i for f in extra if (i := vocab.get(f)) is not None]
        if signals:
            ids = np.concatenate([ids, np.array(signals, dtype=np.int64)])
        return self._predict_vector(*self._vector_of(ids))

    # -- files -------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        inverse = sorted(self.vocab.items(), key=lambda kv: kv[1])
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            vocab=np.array([k for k, _ in inverse], dtype=np.str_),
            idf=self.idf.astype(np.float32),
            weights=self.weights.astype(np.float32),
            bias=np.array([self.bias], dtype=np.float64),
            category_ids=np.array(self.category_ids, dtype=np.str_),
            category_weights=self.category_weights.astype(np.float16),
            category_bias=self.category_bias.astype(np.float32),
            readings=np.array(
                json.dumps(
                    {
                        "table": dict(self.sounds.table),
                        "syllables": sorted(self.sounds.syllables or ()),
                        "complete": self.sounds.complete,
                    },
                    ensure_ascii=False,
                )
            ),
            meta=np.array(
                json.dumps(
                    {**self.meta, "thresholds": self.thresholds.to_json()},
                    ensure_ascii=False,
                    sort_keys=True,
                )
            ),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ScreenModel:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                vocab_list: list[str] = npz["vocab"].tolist()
                meta = json.loads(str(npz["meta"]))
                sounds = DICTIONARY
                if "readings" in npz.files:
                    raw = json.loads(str(npz["readings"]))
                    syllables = frozenset(raw.get("syllables") or ()) or None
                    sounds = Sounds(
                        dict(raw.get("table") or {}), syllables, bool(raw.get("complete"))
                    )
                return cls(
                    vocab=dict(zip(vocab_list, range(len(vocab_list)), strict=True)),
                    idf=npz["idf"].astype(np.float64),
                    weights=npz["weights"].astype(np.float64),
                    bias=float(npz["bias"][0]),
                    category_ids=tuple(str(c) for c in npz["category_ids"]),
                    category_weights=npz["category_weights"],
                    category_bias=npz["category_bias"].astype(np.float64),
                    thresholds=Thresholds.from_json(meta.get("thresholds", {})),
                    meta=meta,
                    sounds=sounds,
                )
        except (KeyError, ValueError, OSError, json.JSONDecodeError) as exc:
            raise ModelError(f"not a Careline screen model ({exc})") from exc
