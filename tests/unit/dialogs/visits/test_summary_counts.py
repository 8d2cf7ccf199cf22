"""The report's summary line counts danger signs, other findings and skipped questions apart:
"有心理行为问题" and "生活帮扶" are findings, not "nothing to note"."""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.visits.prompts import _findings
from dialogs.visits.questions import CHECKLIST_KEYS, SKIP, flags_for

ALL_NORMAL = {
    "living": "ok", "care": "parents", "school": "in", "health": "healthy",
    "insurance": "yes", "vaccines": "yes", "mental": "ok", "safety": "safe",
    "needs": "none", "hukou": "yes",
}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "danger", "findings"),
    [
        ({}, 0, []),
        ({"mental": "concern", "needs": "living"}, 0, ["mental", "needs"]),
        ({"mental": "self_harm"}, 1, []),
        ({"care": "grandparents", "school": "out"}, 1, ["care"]),
        ({"health": SKIP, "hukou": "none"}, 0, ["hukou"]),
        ({k: SKIP for k in CHECKLIST_KEYS}, 0, []),
    ],
)
def test_summary_counts(changes: dict[str, Any], danger: int, findings: list[str]) -> None:
    answers = {**ALL_NORMAL, **changes}
    assert len(flags_for(answers)) == danger
    assert _findings(answers) == findings


def test_every_checklist_question_has_a_normal_answer() -> None:
    assert set(ALL_NORMAL) == set(CHECKLIST_KEYS)
    assert _findings(ALL_NORMAL) == []
