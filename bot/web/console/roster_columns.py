"""Roster columns for reminders and visits: an area's region code (GB/T 2260, which picks its
calendar); a child's categories, key-child flag, residence-permit issue date and
do-not-contact. Each bad cell is a precise dry-run problem (catalog key + the cell)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

Problem = tuple[str, dict[str, Any]]
COLUMNS = ("region_code", "categories", "key_child", "permit_issued_on", "do_not_contact")
# 留守/流动/困境/孤儿/事实无人抚养 (DOMAIN.md "Who the children are"), by Chinese name or code
CATEGORIES = {
    "留守": "left_behind",
    "留守儿童": "left_behind",
    "left_behind": "left_behind",
    "流动": "migrant",
    "流动儿童": "migrant",
    "migrant": "migrant",
    "困境": "difficulty",
    "困境儿童": "difficulty",
    "difficulty": "difficulty",
    "孤儿": "orphan",
    "orphan": "orphan",
    "事实无人抚养": "de_facto_unsupported",
    "事实无人抚养儿童": "de_facto_unsupported",
    "de_facto_unsupported": "de_facto_unsupported",
}
YES = {"是", "y", "yes", "true", "1", "√", "x"}
NO = {"否", "n", "no", "false", "0", ""}
_SPLIT = re.compile(r"[、,，;；/\s]+")
_REGION = re.compile(r"^\d{6}$")


def region_code(raw: str) -> tuple[str | None, Problem | None]:
    value = raw.strip()
    if not value:
        return None, None
    if not _REGION.match(value):
        return None, ("console.roster.err.region", {"value": raw})
    return value, None


def categories(raw: str) -> tuple[list[str], Problem | None]:
    found: list[str] = []
    for part in _SPLIT.split(raw.strip()):
        if not part:
            continue
        code = CATEGORIES.get(part) or CATEGORIES.get(part.lower())
        if code is None:
            return [], ("console.roster.err.category", {"value": part})
        if code not in found:
            found.append(code)
    return found, None


def yes_no(raw: str, column: str) -> tuple[bool, Problem | None]:
    value = raw.strip().lower()
    if value in YES:
        return True, None
    if value in NO:
        return False, None
    return False, ("console.roster.err.yes_no", {"value": raw, "column": column})


def child_extras(
    values: dict[str, str],
    today: date,
    parse_date: Callable[[str], tuple[date | None, Problem | None]],
) -> tuple[dict[str, Any], list[Problem]]:
    """The child's extra columns, parsed; problems for each bad cell."""
    problems: list[Problem] = []
    cats, problem = categories(values.get("categories", ""))
    if problem:
        problems.append(problem)
    key_child, problem = yes_no(values.get("key_child", ""), "key_child")
    if problem:
        problems.append(problem)
    no_contact, problem = yes_no(values.get("do_not_contact", ""), "do_not_contact")
    if problem:
        problems.append(problem)
    permit: date | None = None
    raw_permit = values.get("permit_issued_on", "")
    if raw_permit.strip():
        permit, problem = parse_date(raw_permit)
        if problem:
            problems.append(problem)
        elif permit is not None and permit > today:
            problems.append(("console.roster.err.permit_future", {"value": raw_permit}))
    parsed = {
        "categories": cats,
        "is_key_child": key_child,
        "do_not_contact": no_contact,
        "residence_permit_issued_on": permit,
    }
    return parsed, problems
