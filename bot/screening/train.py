"""Train the learned screen and measure it on writers it never saw.

- Features: `dialogs.screening.features` (characters, words, pinyin, initials) plus the
  lexicon's hits and the framing cues (`signal_features`).
- Model: scikit-learn's TfidfVectorizer (sublinear tf, l2); a LogisticRegression "must
  reach a person" classifier (balanced classes) and one-vs-rest LinearSVC category scores
  over the statutory categories, exported to `dialogs.screening.model`.
- Leave writers out: every independent writer is held out once; a model trained on the
  others scores that writer's rows. Thresholds for each held-out writer are chosen on the
  other writers' held-out scores (recall first), so no figure is measured on text the model
  or its thresholds were tuned on. The shipped thresholds are chosen on all held-out scores.
Rows whose writer starts with `legacy:` or `hotline:` train but are never evaluated.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from bot.screening.corpus import Row, fingerprint
from dialogs.screening.categories import Categories
from dialogs.screening.combine import outcome_for
from dialogs.screening.decision import Decision
from dialogs.screening.features import Sounds, dictionary_reading, features
from dialogs.screening.framing import Framing
from dialogs.screening.matcher import Screen
from dialogs.screening.model import ScreenModel, Thresholds, signal_features

# What the thresholds aim for on held-out writers (issue: >= 0.98 reach a person, >= 0.90
# alerted); a little above, since a new writer is harder than the average one.
REACH_TARGET, ALERT_TARGET = 0.985, 0.91
SEED = 20261201
TRAIN_ONLY_PREFIXES = ("legacy:", "hotline:")


@dataclass(frozen=True, slots=True)
class Example:
    row: Row
    bag: list[str]
    lexicon: Decision
    augmented: bool = False  # a romanised copy: trains, never measured


AUGMENT_EVERY = 4  # one row in four also trains as its toneless-pinyin copy


def pinyin_copy(text: str) -> str:
    """The text as someone typing toneless pinyin would write it ("孩子被打了" -> "hai zi bei
    da le"); characters without a reading stay as they are."""
    out: list[str] = []
    for ch in text:
        sound = dictionary_reading(ch) if ch > "\u2e7f" else None
        if sound is not None:
            out.append(f" {sound} ")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def _example(row: Row, text: str, lexicon: Screen, framing: Framing, augmented: bool) -> Example:
    decision = lexicon.match_lexicon(text)
    bag = [*features(text), *signal_features(decision, framing.found(text))]
    return Example(row, bag, decision, augmented)


def prepare(
    rows: Sequence[Row], lexicon: Screen, framing: Framing, *, augment: bool = True
) -> list[Example]:
    out: list[Example] = []
    for n, row in enumerate(rows):
        out.append(_example(row, row.text, lexicon, framing, False))
        if augment and n % AUGMENT_EVERY == 0:
            romanised = pinyin_copy(row.text)
            if romanised != row.text:
                out.append(_example(row, romanised, lexicon, framing, True))
    return out


def _identity(bag: list[str]) -> list[str]:
    return bag


def fit(
    examples: Sequence[Example],
    category_ids: Sequence[str],
    *,
    c: float = 16.0,
    with_categories: bool = True,
) -> ScreenModel:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(
        analyzer=_identity, sublinear_tf=True, min_df=2, norm="l2", lowercase=False
    )
    x = vectorizer.fit_transform([e.bag for e in examples])
    y = np.array([1 if e.row.must_report else 0 for e in examples])
    binary = LogisticRegression(
        C=c, class_weight="balanced", solver="liblinear", max_iter=2000, random_state=SEED
    )
    binary.fit(x, y)
    known = set(category_ids)
    idx = [i for i, e in enumerate(examples) if e.row.must_report and e.row.category in known]
    order = sorted({examples[i].row.category for i in idx})
    weights = np.zeros((len(order), x.shape[1]))
    bias = np.zeros(len(order))
    if with_categories and len(order) >= 2:
        # one-vs-rest linear SVMs: a ranking of categories, 20x faster than a multinomial fit
        multi = LinearSVC(C=0.5, random_state=SEED)
        multi.fit(x[idx], [examples[i].row.category for i in idx])
        assert list(multi.classes_) == order
        weights = np.asarray(multi.coef_)
        bias = np.asarray(multi.intercept_)
        if len(order) == 2:  # sklearn keeps one row for two classes
            weights = np.vstack([-weights[0], weights[0]])
            bias = np.array([-bias[0], bias[0]])
    vocab = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    return ScreenModel(
        vocab=vocab,
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        weights=np.asarray(binary.coef_[0], dtype=np.float64),
        bias=float(binary.intercept_[0]),
        category_ids=tuple(order),
        category_weights=weights.astype(np.float32),
        category_bias=bias.astype(np.float64),
        thresholds=Thresholds(alert=0.5, review=0.3),
    )


@dataclass(frozen=True, slots=True)
class Scored:
    example: Example
    probability: float
    category: str


def score(model: ScreenModel, examples: Sequence[Example]) -> list[Scored]:
    out = []
    for e in examples:
        prediction = model.predict_features(e.bag)
        top = prediction.categories[0][0] if prediction.categories else "unclassified"
        out.append(Scored(e, prediction.probability, top))
    return out


def _reach(s: Scored, t: Thresholds) -> str:
    return outcome_for(s.probability, s.example.lexicon, t)


def choose_thresholds(scored: Sequence[Scored]) -> Thresholds:
    """Recall first: the highest alert line that alerts ALERT_TARGET of the reports, and the
    highest review line that lets REACH_TARGET of them reach a person."""
    reports = [s for s in scored if s.example.row.must_report]
    if not reports:
        return Thresholds(alert=0.5, review=0.3)
    probs = sorted(s.probability for s in reports)

    def line(target: float) -> float:
        k = max(0, min(len(probs) - 1, math.floor((1.0 - target) * len(probs))))
        return max(1e-6, probs[k] - 1e-9)

    alert = line(ALERT_TARGET)
    # Reports that alert by the lexicon's danger rule count; the review line makes up the
    # rest of the reach target.
    base = Thresholds(alert=alert, review=alert)
    rest = sorted((s.probability for s in reports if _reach(s, base) == "pass"), reverse=True)
    missing = math.ceil(REACH_TARGET * len(reports)) - (len(reports) - len(rest))
    review = alert
    if missing > 0 and rest:
        review = min(alert, max(1e-6, rest[min(missing, len(rest)) - 1] - 1e-9))
    return Thresholds(alert=alert, review=review)


@dataclass
class Tally:
    n: int = 0
    alert: int = 0
    review: int = 0

    @property
    def reached(self) -> int:
        return self.alert + self.review

    def add(self, outcome: str) -> None:
        self.n += 1
        if outcome == "alert":
            self.alert += 1
        elif outcome == "review":
            self.review += 1

    def to_json(self) -> dict[str, float | int]:
        n = self.n or 1
        return {
            "n": self.n,
            "alert": round(self.alert / n, 4),
            "review": round(self.review / n, 4),
            "reach": round(self.reached / n, 4),
        }


@dataclass
class Figures:
    reports: Tally = field(default_factory=Tally)
    negatives: Tally = field(default_factory=Tally)
    by_category: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_style: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    negatives_by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    negatives_by_style: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_writer: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    category_right: int = 0

    def add(self, row: Row, outcome: str, category: str | None = None) -> None:
        if row.must_report:
            self.reports.add(outcome)
            self.by_category[row.category].add(outcome)
            self.by_style[row.style].add(outcome)
            self.by_writer[row.writer].add(outcome)
            if outcome != "pass" and category == row.category:
                self.category_right += 1
        else:
            self.negatives.add(outcome)
            self.negatives_by_kind[row.category].add(outcome)
            self.negatives_by_style[row.style].add(outcome)

    def to_json(self) -> dict[str, Any]:
        reached = self.reports.reached or 1
        return {
            "reports": self.reports.to_json(),
            "negatives": self.negatives.to_json(),
            "category_accuracy": round(self.category_right / reached, 4),
            "by_category": {k: v.to_json() for k, v in sorted(self.by_category.items())},
            "by_style": {k: v.to_json() for k, v in sorted(self.by_style.items())},
            "negatives_by_kind": {
                k: v.to_json() for k, v in sorted(self.negatives_by_kind.items())
            },
            "negatives_by_style": {
                k: v.to_json() for k, v in sorted(self.negatives_by_style.items())
            },
            "by_writer": {k: v.to_json() for k, v in sorted(self.by_writer.items())},
        }


def evaluable(row: Row) -> bool:
    return not row.writer.startswith(TRAIN_ONLY_PREFIXES)


def leave_writers_out(
    examples: Sequence[Example],
    category_ids: Sequence[str],
    *,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[Figures, list[Scored]]:
    """Each evaluable writer held out once; thresholds for a writer come from the others."""
    held: dict[str, list[Scored]] = {}
    writer_ids = sorted({e.row.writer for e in examples if evaluable(e.row)})
    for writer in writer_ids:
        train = [e for e in examples if e.row.writer != writer]
        test = [e for e in examples if e.row.writer == writer and not e.augmented]
        held[writer] = score(fit(train, category_ids), test)
        progress(f"held out {writer}: {len(test)} rows")
    figures = Figures()
    for writer, scored in held.items():
        others = [s for w, ss in held.items() if w != writer for s in ss]
        thresholds = choose_thresholds(others)
        for s in scored:
            figures.add(s.example.row, _reach(s, thresholds), s.category)
    return figures, [s for ss in held.values() for s in ss]


@dataclass(frozen=True, slots=True)
class Built:
    model: ScreenModel
    figures: Figures | None


def build(
    rows: Sequence[Row],
    lexicon: Screen,
    framing: Framing,
    categories: Categories,
    *,
    now: datetime,
    evaluate: bool = True,
    progress: Callable[[str], None] = lambda _: None,
) -> Built:
    """A new model from `rows`, with thresholds and figures from leaving writers out."""
    category_ids = categories.ids()
    examples = prepare(rows, lexicon, framing)
    progress(f"{len(examples)} rows, {len({r.writer for r in rows})} writers")
    figures: Figures | None = None
    thresholds = Thresholds(alert=0.5, review=0.3)
    if evaluate:
        figures, held = leave_writers_out(examples, category_ids, progress=progress)
        thresholds = choose_thresholds(held)
    model = fit(examples, category_ids)
    corpus = fingerprint(rows)
    meta: dict[str, Any] = {
        "version": f"{now:%Y%m%d-%H%M}-{corpus[:8]}",
        "created_at": now.isoformat(),
        "corpus_sha256": corpus,
        "rows": len(rows),
        "writers": sorted(Counter(r.writer for r in rows)),
        "figures": figures.to_json() if figures else None,
        "lexicon_terms": sorted({t.text for c in lexicon.lexicon.categories for t in c.terms}),
    }
    return Built(
        model=ScreenModel(
            vocab=model.vocab,
            idf=model.idf,
            weights=model.weights,
            bias=model.bias,
            category_ids=model.category_ids,
            category_weights=model.category_weights,
            category_bias=model.category_bias,
            thresholds=thresholds,
            meta=meta,
            sounds=Sounds.full(),
        ),
        figures=figures,
    )


def held_out_figures(
    rows: Sequence[Row],
    held: Sequence[str],
    lexicon: Screen,
    framing: Framing,
    categories: Categories,
    *,
    folds: int = 3,
) -> Figures:
    """Figures on the writers `held`, which neither the model nor its thresholds saw: the
    thresholds come from `folds` writer-grouped folds of the other writers."""
    category_ids = categories.ids()
    examples = prepare(rows, lexicon, framing)
    train = [e for e in examples if e.row.writer not in held]
    test = [e for e in examples if e.row.writer in held and not e.augmented]
    writer_ids = sorted({e.row.writer for e in train if evaluable(e.row)})
    scored: list[Scored] = []
    for k in range(folds):
        fold = set(writer_ids[k::folds])
        inner = [e for e in train if e.row.writer not in fold]
        model = fit(inner, category_ids, with_categories=False)
        scored += score(model, [e for e in train if e.row.writer in fold and not e.augmented])
    thresholds = choose_thresholds(scored)
    figures = Figures()
    for s in score(fit(train, category_ids), test):
        figures.add(s.example.row, _reach(s, thresholds), s.category)
    return figures
