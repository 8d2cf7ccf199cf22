"""What the learned screen sees: homophones, pinyin, initials, spacing and traditional
characters share features with the plain text they stand for."""

from __future__ import annotations

import pytest

from dialogs.screening.features import features, split_pinyin


def shared(a: str, b: str, prefix: str) -> set[str]:
    return {f for f in features(a) if f.startswith(prefix)} & {
        f for f in features(b) if f.startswith(prefix)
    }


@pytest.mark.parametrize(
    ("variant", "plain", "expected"),
    [
        ("被大", "被打", "p:bei_da"),  # homophone typed by a hurried input method
        ("留血", "流血", "p:liu_xue"),
        ("自砂", "自杀", "p:zi_sha"),
        ("xiao hai yi ge ren zai jia", "小孩一个人在家", "p:yi_ge"),  # full pinyin, spaced
        ("xiaohaiyigerenzaijia", "小孩一个人在家", "p:ren_zai"),  # full pinyin, unspaced
        ("bu jian le", "不见了", "p:jian_le"),
        ("xq", "性侵", "i:xq"),  # initials
        ("孩 子 被 打", "孩子被打", "c:被打"),  # spaced characters
        ("孩-子-被-打", "孩子被打", "c:子被打"),
        ("孩子被打傷了", "孩子被打伤了", "c:打伤了"),  # traditional characters
    ],
)
def test_variants_share_features_with_the_plain_text(
    variant: str, plain: str, expected: str
) -> None:
    prefix = expected.split(":", 1)[0] + ":"
    assert expected in shared(variant, plain, prefix)


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("xiaohai", ["xiao", "hai"]),
        ("zisha", ["zi", "sha"]),
        ("bujianle", ["bu", "jian", "le"]),
        ("xq", None),  # initials are not pinyin
        ("hello", None),
        ("", []),
    ],
)
def test_split_pinyin(word: str, syllables: list[str] | None) -> None:
    assert split_pinyin(word) == syllables


def test_english_words_and_pairs() -> None:
    feats = features("My neighbour hits his son every night")
    assert {"w:hits", "w:his_son", "w:son"} <= set(feats)


def test_features_are_deterministic() -> None:
    text = "邻居家的孩子被打得很厉害 😢 xq"
    assert features(text) == features(text)


def test_serving_bag_is_the_training_bag() -> None:
    """The model serves with FeatureBag (numpy, no feature strings); it must see exactly
    the features it was trained on, repeats included, on every kind of text."""
    from collections import Counter

    from bot.screening.corpus import read_corpus
    from bot.screening.files import load_model
    from dialogs.screening.features import FeatureBag

    model = load_model()
    bag = FeatureBag(model.vocab, model.sounds)
    texts = [
        *[r.text for r in read_corpus()][::7],
        "xiao hai bei da le",
        "xq zs nsdd",
        "hit him hit_him",
        "孩 子 被 打",
        "𠀀孩子😀",
        "",
    ]
    for text in texts:
        expected = Counter(model.vocab[f] for f in features(text, model.sounds) if f in model.vocab)
        assert Counter(bag.ids(text).tolist()) == expected, text
