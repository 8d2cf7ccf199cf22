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


def _per_character(text: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """The definition, one character at a time: the reference for the fast path."""
    import unicodedata

    from content.normalize import to_simplified
    from dialogs.screening.normalize import CLAUSE_BREAKS, is_separator

    chars: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        chars += [(out, i) for out in unicodedata.normalize("NFKC", ch).casefold()]
    joined = "".join(c for c, _ in chars)
    simple = to_simplified(joined)
    if len(simple) != len(joined):
        simple = "".join(s if len(s := to_simplified(c)) == 1 else c for c, _ in chars)
    compact: list[str] = []
    origin: list[int] = []
    breaks: list[int] = []
    for ch, (_, pos) in zip(simple, chars, strict=True):
        if is_separator(ch):
            if ch in CLAUSE_BREAKS and (not breaks or breaks[-1] != len(compact)):
                breaks.append(len(compact))
            continue
        compact.append(ch)
        origin.append(pos)
    return "".join(compact), tuple(origin), tuple(breaks)


@pytest.mark.parametrize(
    "text",
    [
        "孩子被打了，现在还在打！！",
        "ﬁght him",  # a ligature folds to two characters
        "Straße",  # casefold: ß -> ss
        "İstanbul",  # dotted capital I: two characters
        "㈱ ⅻ 歲",  # compatibility characters
        "自\u200b杀\ufeff",  # zero-width characters
        "𠀀孩子😀被打𝐀",  # beyond the BMP: a letter, an emoji (a separator), a bold A
        "，，。。",
        "a\u0301 e\u0301",  # combining marks
        "他說：「我不想活了」……",
        "",
    ],
)
def test_fast_path_matches_the_per_character_definition(text: str) -> None:
    norm = normalize(text)
    assert (norm.compact, norm.origin, norm.breaks) == _per_character(text)
