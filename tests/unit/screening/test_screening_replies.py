"""Safety replies and the screen's OpenCase, as a table; every key exists in every locale."""

import csv
from pathlib import Path

import pytest

from content.catalog import Catalog, placeholders
from content.locales import SUPPORTED_LOCALES
from dialogs.effects import OpenCase
from dialogs.screening.replies import open_case_effect, safety_replies
from dialogs.types import Person, Role
from tests.unit.screening.helpers import DIRECTOR, GUARDIAN, ctx, default_screen

HOTLINE = Person(id=3, role=Role.HOTLINE, name="值班", locale="zh_Hans")

REPLIES = [
    # (text, sender context, expected reply keys)
    ("今天走访了3户", ctx(DIRECTOR), []),
    ("他爸打孩子", ctx(DIRECTOR), ["safety.reported", "safety.hotlines.violence_abuse"]),
    (
        "他正在打孩子",
        ctx(DIRECTOR),
        ["safety.call_110_now", "safety.reported", "safety.hotlines.violence_abuse"],
    ),
    (
        "孩子掉进河里了，快来",
        ctx(GUARDIAN),
        ["safety.call_110_now", "safety.reported", "safety.hotlines.accident_injury"],
    ),
    ("村里有人猥亵小女孩", ctx(None), ["safety.reported", "safety.hotlines.sexual_abuse"]),
    # first-person self-harm from someone who may be a child: warm, never the form
    ("我不想活了", ctx(None), ["safety.self_harm.support"]),
    ("我不想活了", ctx(GUARDIAN), ["safety.self_harm.support"]),
    ("不想活了", ctx(None), ["safety.self_harm.support"]),
    ("我今晚就跳河", ctx(None), ["safety.self_harm.urgent"]),
    ("我想自杀", ctx(DIRECTOR, sender_is_child=True), ["safety.self_harm.support"]),
    # self-harm reported about someone else, or by staff: the report replies
    ("孩子说想跳楼", ctx(GUARDIAN), ["safety.reported", "safety.hotlines.self_harm"]),
    ("不想活了", ctx(DIRECTOR), ["safety.reported", "safety.hotlines.self_harm"]),
    ("不想活了", ctx(HOTLINE), ["safety.reported", "safety.hotlines.self_harm"]),
]


@pytest.mark.parametrize(("text", "context", "keys"), REPLIES)
def test_safety_replies(text: str, context: object, keys: list[str]) -> None:
    decision = default_screen().screen(text)
    replies = safety_replies(decision, context)  # type: ignore[arg-type]
    assert [r.key for r in replies] == keys


def test_open_case_effect() -> None:
    text = "他正在打孩子，打孩子"
    case = open_case_effect(default_screen().screen(text), text)
    assert case == OpenCase(
        "violence_abuse", "critical", text, ("打孩子",), source="screen", in_danger=True
    )
    assert open_case_effect(default_screen().screen("好的"), "好的") is None


def _table_keys() -> list[str]:
    path = Path(__file__).resolve().parents[3] / "content" / "tables" / "safety.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        return [r[0] for r in csv.reader(fh, delimiter="\t") if r and not r[0].startswith("#")]


def test_every_safety_key_is_in_every_locale_and_fits_sms() -> None:
    catalog = Catalog.load()
    keys = _table_keys()
    assert len(keys) > 20
    for key in keys:
        texts = [catalog.base_template(key, loc) for loc in SUPPORTED_LOCALES]
        assert all(texts), key
        assert len({frozenset(placeholders(t or "")) for t in texts}) == 1, key
        assert len(texts[0] or "") <= 134, key  # two Chinese SMS segments at most
