"""The blind set: 320 messages written by someone who never saw the lexicon or the matcher
(tests/data/screening_blind.README.md). Never tune the lexicon on it; it is the honest
estimate of how the screen does on text from other writers, and a floor against regressions.

Figures when it was written (2026-11-22): recall 124/177 = 0.70, false alarms 11/143 = 0.08
with the first lexicon; 146/177 = 0.825 and 10/143 = 0.070 after the concept-rule pass
and the negated-list rule.
"""

from __future__ import annotations

import csv

from bot.screening.files import load_default_lexicon
from dialogs.screening import Screen
from tests.support.paths import DATA

BLIND = DATA / "screening_blind.tsv"


def test_blind_set_recall_and_false_alarms() -> None:
    screen = Screen(load_default_lexicon())
    hits = misses = false_alarms = quiet = 0
    with BLIND.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    for row in rows:
        escalated = screen.screen(row["text"]).escalate
        if row["escalate"] == "1":
            hits, misses = hits + escalated, misses + (not escalated)
        else:
            false_alarms, quiet = false_alarms + escalated, quiet + (not escalated)
    recall = hits / (hits + misses)
    fa_rate = false_alarms / (false_alarms + quiet)
    print(
        f"\nblind set: recall {hits}/{hits + misses} = {recall:.3f}, "
        f"false alarms {false_alarms}/{false_alarms + quiet} = {fa_rate:.3f}"
    )
    assert len(rows) == 320
    assert recall >= 0.80 and fa_rate <= 0.10
