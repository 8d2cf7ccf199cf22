"""Reminder effects: what the shell must do after a guardian answers a reminder.

Data only, like `dialogs.effects`; the reminders capability has one handler per type
(bot/reminders/handlers.py). They live with the reminders, which build them
(`reminders.replies`), so the reminder logic never imports the dialog core.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class ConfirmDose:
    """A guardian confirmed a reminded dose: record it as given (code like "DTaP2")."""

    child_id: int
    code: str
    given_on: date


@dataclass(frozen=True, slots=True)
class ConfirmInsurance:
    """A guardian confirmed resident medical insurance for `year`: stop that year's reminders."""

    child_id: int
    year: int


@dataclass(frozen=True, slots=True)
class RouteToDirector:
    """A guardian's reply needs a person: hand the text to the child's director."""

    child_id: int | None
    text: str


@dataclass(frozen=True, slots=True)
class RouteRemindersToDirector:
    """A guardian's "2" or question about a reminder: ONE message per director, naming the
    guardian, her number, the children and the items (`items`: DueItem JSON)."""

    text: str
    items: tuple[tuple[tuple[str, object], ...], ...]  # DueItem.to_json() as sorted pairs


@dataclass(frozen=True, slots=True)
class ConfirmReminder:
    """A guardian said a school or residence-permit item is done: stop its later stages."""

    child_id: int
    kind: str
    item: str
