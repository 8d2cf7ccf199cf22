"""Whose harm is suspected: a guardian named in a concern about their own child.

When a concern of violence, sexual abuse or neglect names a relation (父亲, 妈妈, 爷爷 ...),
and the case's child has exactly one linked guardian of that relation, that guardian is
recorded as suspected: no case message and no reminder goes to them while the case is open.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from content.normalize import fold
from storage.models import GuardianLink

# Harm that a named guardian may have done (old lexicon groups and statutory categories).
HARM_CATEGORIES = frozenset(
    {
        "violence_abuse",
        "sexual_abuse",
        "guardian_incapacity",
        "physical_abuse",
        "domestic_violence",
        "multiple_injuries",
        "private_injury",
        "malnutrition",
    }
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
    links = (
        await session.execute(select(GuardianLink).where(GuardianLink.child_id == child_id))
    ).scalars()
    found = {link.guardian_id for link in links if link.relation in wanted}
    return found.pop() if len(found) == 1 else None
