"""Which model screens now, and building a new one from the corpus and the hotline's labels.

The active model is a row of `screen_models` (shared by every process); with none active,
the shipped file content/safety/model/screen.npz screens. A retrain builds a new version,
measures it by leaving writers out, and replaces the live model only when its recall (reach
and alert, overall and in every category the old one measured) did not fall, unless forced.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.screening.corpus import CORPUS_DIR, Row, read_corpus
from bot.screening.files import SHIPPED_MODEL, load_categories, load_framing, load_model
from dialogs.screening.categories import Categories
from dialogs.screening.framing import Framing
from dialogs.screening.matcher import Screen
from dialogs.screening.model import ModelError, ScreenModel
from storage.db import Database
from storage.repos import audit
from storage.repos import screening as repo


@lru_cache(maxsize=1)
def shipped_model() -> ScreenModel | None:
    try:
        return load_model(SHIPPED_MODEL)
    except (OSError, ModelError):
        return None


@lru_cache(maxsize=1)
def shipped_categories() -> Categories:
    return load_categories()


@lru_cache(maxsize=1)
def shipped_framing() -> Framing:
    return load_framing()


async def active_model(session: AsyncSession) -> ScreenModel | None:
    row = await repo.active(session)
    if row is not None:
        try:
            return ScreenModel.from_bytes(row.data)
        except ModelError:
            return shipped_model()
    return shipped_model()


async def label_rows(session: AsyncSession) -> list[Row]:
    """The hotline's verdicts as training rows (writer `hotline:<year>`); a case's latest
    verdict replaces its earlier ones."""
    rows: list[Row] = []
    latest: dict[int, int] = {}
    every = await repo.labels(session)
    for label in every:
        if label.case_id is not None:
            latest[label.case_id] = label.id
    for label in every:
        if label.case_id is not None and latest[label.case_id] != label.id:
            continue
        year = label.created_at.year
        if label.verdict == "false_alarm":
            rows.append(Row(f"hotline:{year}", "ok", "neg_hotline", "-", label.text))
        elif label.category:
            rows.append(Row(f"hotline:{year}", "report", label.category, "-", label.text))
    return rows


def recall_held(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """What fell from `old` to `new` figures (empty: recall did not fall): reach and alert
    overall, and reach in every category both measured."""
    if not old or not old.get("reports"):
        return []
    if not new.get("reports"):
        return ["the new model has no figures"]
    fell: list[str] = []
    for key in ("reach", "alert"):
        if new["reports"][key] + 1e-9 < old["reports"][key]:
            fell.append(f"{key} {old['reports'][key]:.3f} -> {new['reports'][key]:.3f}")
    old_cats, new_cats = old.get("by_category") or {}, new.get("by_category") or {}
    for category in sorted(set(old_cats) & set(new_cats)):
        before, after = old_cats[category]["reach"], new_cats[category]["reach"]
        if after + 1e-9 < before:
            fell.append(f"{category} reach {before:.3f} -> {after:.3f}")
    return fell


@dataclass(frozen=True, slots=True)
class Retrained:
    version: str
    figures: Mapping[str, Any]
    previous: str | None
    previous_figures: Mapping[str, Any] | None
    replaced: bool
    fell: tuple[str, ...]


async def retrain(
    db: Database,
    lexicon: Screen,
    *,
    now: datetime,
    by: str,
    corpus: Path = CORPUS_DIR,
    force: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> Retrained:
    from bot.screening.train import build

    async with db.transaction() as session:
        rows: Sequence[Row] = [*read_corpus(corpus), *await label_rows(session)]
        live = await repo.active(session)
    shipped = shipped_model()  # the live model when no stored one is active
    previous = live.version if live else (shipped.version if shipped else None)
    previous_figures = live.figures if live else (shipped.meta.get("figures") if shipped else None)
    built = await asyncio.to_thread(
        build, rows, lexicon, shipped_framing(), shipped_categories(), now=now, progress=progress
    )
    figures = built.figures.to_json() if built.figures else {}
    fell = tuple(recall_held(previous_figures, figures))
    replace = force or not fell
    async with db.transaction() as session:
        await repo.add_model(
            session,
            version=built.model.version,
            data=built.model.to_bytes(),
            figures=figures,
            by=by,
            now=now,
            note="forced" if force and fell else "",
        )
        if replace:
            await repo.activate(session, built.model.version)
        audit.record(
            session, at=now, actor=by, action="screen_model_built", subject_type="screen_model",
            subject_id=built.model.version,
            detail={"replaced": replace, "fell": list(fell), "forced": force},
        )  # fmt: skip
    return Retrained(
        version=built.model.version,
        figures=figures,
        previous=previous,
        previous_figures=previous_figures,
        replaced=replace,
        fell=fell,
    )
