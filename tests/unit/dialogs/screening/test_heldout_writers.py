"""The screen holds on writers it never saw.

Three whole writers are held out of training: a model is trained on every other writer of
content/safety/corpus/ (thresholds chosen on writer-grouped folds of those writers), then
measured on the three. The floors are the issue's targets less a margin for three writers'
worth of text; the leave-every-writer-out figures are in docs/hotline.md.
"""

from __future__ import annotations

import pytest

from bot.screening.corpus import read_corpus
from bot.screening.files import load_categories, load_default_lexicon, load_framing
from bot.screening.train import Figures, held_out_figures
from dialogs.screening import Screen

HELD_OUT = ("w03", "w07", "w10")  # Minnan and traditional, a teenager's slang, a teacher


@pytest.fixture(scope="module")
def figures() -> Figures:
    rows = read_corpus()
    assert set(HELD_OUT) <= {r.writer for r in rows}
    return held_out_figures(
        rows, HELD_OUT, Screen(load_default_lexicon()), load_framing(), load_categories()
    )


def test_must_report_text_reaches_a_person_and_is_alerted(figures: Figures) -> None:
    reports = figures.reports
    assert reports.n >= 800
    assert reports.reached / reports.n >= 0.97
    assert reports.alert / reports.n >= 0.90


def test_hard_negatives_rarely_alert_or_go_to_review(figures: Figures) -> None:
    negatives = figures.negatives
    assert negatives.n >= 600
    assert negatives.alert / negatives.n <= 0.07
    assert negatives.review / negatives.n <= 0.15


def test_every_category_reaches_a_person(figures: Figures) -> None:
    low = {
        category: round(t.reached / t.n, 3)
        for category, t in figures.by_category.items()
        if t.reached / t.n < 0.90
    }
    assert not low
