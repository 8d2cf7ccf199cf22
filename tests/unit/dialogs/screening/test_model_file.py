"""The served model computes what scikit-learn computed, from a file without pickles."""

from __future__ import annotations

import numpy as np
import pytest

from bot.screening.corpus import Row
from bot.screening.files import load_default_lexicon, load_framing
from bot.screening.train import fit, prepare
from dialogs.screening import Screen
from dialogs.screening.model import ModelError, ScreenModel

ROWS = [
    Row("a", "report", "physical_abuse", "-", "孩子被爸爸打得满身是伤"),
    Row("a", "report", "physical_abuse", "-", "后妈天天打孩子"),
    Row("a", "report", "missing", "-", "孩子不见了两天了还没找到"),
    Row("a", "report", "missing", "-", "娃儿昨天出去到现在没回来"),
    Row("b", "ok", "neg_routine", "-", "今天走访了三户，孩子都好"),
    Row("b", "ok", "neg_health", "-", "打了疫苗胳膊有点红"),
    Row("b", "ok", "neg_media", "-", "电视剧里孩子被打了"),
    Row("b", "ok", "neg_routine", "-", "医保什么时候交"),
]


@pytest.fixture(scope="module")
def model() -> ScreenModel:
    examples = prepare(ROWS, Screen(load_default_lexicon()), load_framing())
    return fit(examples, ("physical_abuse", "missing"))


def test_round_trip_through_bytes(model: ScreenModel) -> None:
    again = ScreenModel.from_bytes(model.to_bytes())
    assert again.vocab == model.vocab and again.category_ids == model.category_ids
    for text in ("孩子被打了", "医保", "不见了"):
        a, b = model.predict(text), again.predict(text)
        assert a.probability == pytest.approx(b.probability, abs=1e-4)
        assert [c for c, _ in a.categories] == [c for c, _ in b.categories]


def test_probability_equals_scikit_learn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    bags = [["a", "b", "b"], ["a", "c"], ["c", "d"], ["d", "d", "e"], ["b", "e"]]
    y = [1, 1, 0, 0, 1]
    vec = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True, lowercase=False)
    x = vec.fit_transform(bags)
    clf = LogisticRegression(C=10).fit(x, y)
    served = ScreenModel(
        vocab={str(k): int(v) for k, v in vec.vocabulary_.items()},
        idf=vec.idf_,
        weights=clf.coef_[0],
        bias=float(clf.intercept_[0]),
        category_ids=("x", "y"),
        category_weights=np.zeros((2, len(vec.vocabulary_))),
        category_bias=np.zeros(2),
        thresholds=__import__("dialogs.screening.model", fromlist=["Thresholds"]).Thresholds(
            0.5, 0.3
        ),
    )
    for bag in [["a", "b"], ["d"], ["e", "e", "c"], ["zzz"]]:
        expected = clf.predict_proba(vec.transform([bag]))[0, 1]
        assert served.predict_features(bag).probability == pytest.approx(expected, abs=1e-9)


def test_a_file_that_is_not_a_model_is_refused() -> None:
    with pytest.raises(ModelError, match="not a Careline screen model"):
        ScreenModel.from_bytes(b"not a model")
