"""Normalization for the screen: width, case, script, separators, and the map back."""

import pytest

from dialogs.screening.normalize import normalize, normalize_term


@pytest.mark.parametrize(
    ("text", "compact"),
    [
        ("家 暴", "家暴"),
        ("自-杀", "自杀"),
        ("自.杀", "自杀"),
        ("自　杀", "自杀"),  # full-width space
        ("自\u200b杀", "自杀"),  # zero-width space
        ("自*杀!!", "自杀"),
        ("自殺", "自杀"),  # traditional
        ("鄰居一直在打孩子", "邻居一直在打孩子"),
        ("ＨＥ　ＢＥＡＴＳ　ＭＥ", "hebeatsme"),  # full-width, upper case
        ("k.i.l.l my-self", "killmyself"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_compact_form(text: str, compact: str) -> None:
    assert normalize(text).compact == compact


def test_terms_are_normalized_like_text() -> None:
    assert normalize_term("Kill Myself") == normalize("kill  my self").compact


@pytest.mark.parametrize(
    ("text", "compact_span", "original_span"),
    [
        ("他 正 在 打 孩 子", (2, 6), (4, 11)),  # "打孩子" -> original "打 孩 子"
        ("ＡＢ自-杀", (2, 4), (2, 5)),
        ("自殺了", (0, 2), (0, 2)),
    ],
)
def test_positions_map_back_to_the_original(
    text: str, compact_span: tuple[int, int], original_span: tuple[int, int]
) -> None:
    assert normalize(text).span(*compact_span) == original_span


@pytest.mark.parametrize(
    ("text", "pos", "clause"),
    [
        ("孩子很好，他爸打他", 5, (4, 8)),
        ("孩子很好，他爸打他", 1, (0, 4)),
        ("no breaks here", 3, (0, 12)),
        ("a!b?c", 2, (2, 3)),
    ],
)
def test_clauses(text: str, pos: int, clause: tuple[int, int]) -> None:
    assert normalize(text).clause_of(pos) == clause
