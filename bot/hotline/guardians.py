"""Whose harm is suspected: a guardian accused in a concern about their own child.

Suspicion comes only from an accusation: a relation word (父亲, 妈妈, 爷爷 ...) standing
before a matched harm term in the same clause ("他爸把他打了一顿"), not followed by an
absence ("父亲联系不上", "妈妈在外打工"). When the case's child has exactly one linked
guardian of that relation, that guardian is recorded as suspected: no case message and no
reminder goes to them while the case is open. Staff set or clear it, with a reason.
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from content.normalize import fold
from storage.repos.people import links_of_child

HARM_CATEGORIES = frozenset(
    {
        "violence_abuse", "sexual_abuse", "guardian_incapacity",  # the lexicon's groups
        "physical_abuse", "domestic_violence", "multiple_injuries", "private_injury",
        "minor_pregnancy", "online_exploitation", "malnutrition", "neglect_alone",
        "guardian_incapable", "early_marriage", "child_labour", "begging", "trafficking",
    }
)  # fmt: skip
CLAUSE = re.compile(r"[，。；！？,.;!?\n]+")
ABSENT = re.compile(
    r"^(?:也|又|一直|已经|都)?(?:联系不上|联系不到|找不到|不在|没在|外出|在外|出去打工|打工|去世|"
    r"过世|走了|没回来|不回来|回不来|失联)"
)
# The GuardianLink.relation values each family word may stand for.
WORDS: dict[str, str] = {
    "father": "father", "爸爸": "father", "父亲": "father", "爸": "father", "继父": "father",
    "后爸": "father", "老爸": "father", "他爹": "father", "她爹": "father",
    "mother": "mother", "妈妈": "mother", "母亲": "mother", "妈": "mother", "继母": "mother",
    "后妈": "mother", "stepmother": "mother", "stepfather": "father",
    "爷爷": "grandparent", "奶奶": "grandparent", "外公": "grandparent", "外婆": "grandparent",
    "姥姥": "grandparent", "姥爷": "grandparent", "grandfather": "grandparent",
    "grandmother": "grandparent", "grandpa": "grandparent", "grandma": "grandparent",
}  # fmt: skip
LINK_RELATIONS: dict[str, frozenset[str]] = {
    "father": frozenset({"father", "parent", "stepfather"}),
    "mother": frozenset({"mother", "parent", "stepmother"}),
    "grandparent": frozenset({"grandparent", "grandfather", "grandmother"}),
}


def accused_relations(text: str, matched: tuple[str, ...] | list[str]) -> set[str]:
    """Relations that stand before a matched harm term in its clause, and are not absent."""
    terms = [fold(t) for t in matched if t]
    found: set[str] = set()
    for clause in CLAUSE.split(fold(text)):
        hits = [clause.find(t) for t in terms if t in clause]
        if not hits:
            continue
        last_hit = max(hits)
        for word, relation in WORDS.items():
            for m in re.finditer(rf"\b{word}\b" if word.isascii() else re.escape(word), clause):
                if m.start() < last_hit and not ABSENT.match(clause[m.end() :]):
                    found.add(relation)
    return found


def relations_named(text: str) -> set[str]:
    folded = fold(text)
    return {
        relation
        for word, relation in WORDS.items()
        if (re.search(rf"\b{word}\b", folded) if word.isascii() else word in folded)
    }


async def guardian_for(session: AsyncSession, child_id: int, relations: set[str]) -> int | None:
    """The one guardian of the child matching the relations named; None when unsure."""
    if not relations:
        return None
    wanted = frozenset().union(*(LINK_RELATIONS[r] for r in relations))
    links = await links_of_child(session, child_id)
    found = {link.guardian_id for link in links if link.relation in wanted}
    return found.pop() if len(found) == 1 else None
