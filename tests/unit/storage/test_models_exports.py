"""`storage.models.__all__` names exactly the mapped classes (and `Base`), sorted."""

from __future__ import annotations

import storage.models as models
from storage.models.base import Base


def test_all_is_the_mapped_classes() -> None:
    mapped = {mapper.class_.__name__ for mapper in Base.registry.mappers}
    assert set(models.__all__) == mapped | {"Base"}
    assert models.__all__ == sorted(models.__all__)
    for name in models.__all__:
        assert getattr(models, name).__name__ == name
