"""Spreadsheet cells that cannot run: a text cell starting with =, +, -, @ (or a tab or
carriage return, which some programs skip before one) is read as a formula by Excel and
LibreOffice ("CSV injection"). Such text is exported with a leading apostrophe."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


def safe_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: safe_cell(v) for k, v in row.items()}
