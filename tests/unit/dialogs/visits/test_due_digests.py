from __future__ import annotations

from datetime import date

import pytest

from bot.core_data import load_visit_rules
from content.replies import Choice, Reply
from dialogs.types import ChildRef
from dialogs.visits.digests import VillageVisits, director_digest, supervisor_digest
from dialogs.visits.due_list import due_entries, due_page

TODAY = date(2026, 3, 10)
RULES = load_visit_rules()
CHILDREN = (
    ChildRef(1, "A12", "王小明", date(2026, 2, 20)),
    ChildRef(2, "A15", "王小红", date(2026, 3, 1)),
    ChildRef(3, "B3", "李娜", None),
    ChildRef(4, "C7", "张伟", date(2026, 3, 12)),
    ChildRef(5, "D2", "陈静", date(2026, 5, 1)),
    ChildRef(6, "E5", "赵强", date(2026, 3, 10)),
)


def test_due_entries_most_overdue_first_and_not_due_left_out() -> None:
    entries = due_entries(CHILDREN, TODAY, 7, vaccine_overdue_ids={1, 4}, rules=RULES)
    assert [(e.child.code, e.days_overdue, e.vaccine_overdue) for e in entries] == [
        ("B3", None, False),
        ("A12", 18, True),
        ("A15", 9, False),
        ("E5", 0, False),
        ("C7", -2, False),  # due soon: no vaccine marker, only overdue children get one
    ]


@pytest.mark.parametrize(
    ("page", "size", "codes", "more"),
    [
        (0, 2, ["B3", "A12"], True),
        (1, 2, ["A15", "E5"], True),
        (2, 2, ["C7"], False),
        (9, 2, ["C7"], False),
        (0, 8, ["B3", "A12", "A15", "E5", "C7"], False),
    ],
)
def test_due_page(page: int, size: int, codes: list[str], more: bool) -> None:
    reply = due_page(due_entries(CHILDREN, TODAY, 7, rules=RULES), page, size)
    shown = [c.params["code"] for c in reply.choices if c.payload.startswith("visit:child:")]
    assert shown == codes
    assert (reply.choices[-1] == Choice("due.more", "due:more")) is more


def test_due_page_labels() -> None:
    reply = due_page(due_entries(CHILDREN, TODAY, 7, {1}, rules=RULES), 0, 8)
    assert [c.label_key for c in reply.choices] == [
        "due.line.never",
        "due.line.overdue_vax",
        "due.line.overdue",
        "due.line.today",
        "due.line.soon",
    ]
    assert reply.params == {"count": 5, "page": 1, "pages": 1}


def test_nothing_due() -> None:
    assert due_page((), 0, 3) == Reply("due.none")
    assert director_digest((CHILDREN[4],), TODAY, rules=RULES) == Reply("digest.director.clear")


def test_director_digest() -> None:
    reply = director_digest(CHILDREN, TODAY, 7, {1}, rules=RULES)
    assert reply == Reply(
        "digest.director",
        {
            "overdue": 3,
            "soon": 2,
            "longest": "B3 — · A12 18 · A15 9",
            "vaccines": 1,
        },
    )
    soon_only = director_digest((CHILDREN[3],), TODAY, rules=RULES)
    assert soon_only.key == "digest.director.soon_only" and soon_only.params["soon"] == 1


def test_supervisor_digest_by_village() -> None:
    villages = [
        VillageVisits("东村", CHILDREN[:3]),
        VillageVisits("西村", (ChildRef(9, "W1", "x", date(2026, 1, 1)), CHILDREN[4])),
        VillageVisits("南村", (CHILDREN[4],)),
    ]
    reply = supervisor_digest(villages, TODAY, top=2)
    assert reply == Reply(
        "digest.supervisor",
        {
            "overdue": 4,
            "villages": 2,
            "by_village": "东村 3 · 西村 1",
            "longest": "B3/东村 — · W1/西村 68",
        },
    )
    assert "x" not in str(reply.params)  # names never appear in a digest


def test_supervisor_digest_all_clear_and_many_villages() -> None:
    assert supervisor_digest([VillageVisits("南村", (CHILDREN[4],))], TODAY) == Reply(
        "digest.supervisor.clear", {"villages": 1}
    )
    many = [VillageVisits(f"村{i}", (CHILDREN[0],)) for i in range(7)]
    assert supervisor_digest(many, TODAY, villages_shown=5).params["by_village"].endswith("+2")
