"""The data the pure core needs, read from the shipped files here, in the shell.

The dialog core and the reminder logic parse mappings (`from_mapping`) and never open a
file: what they run with is what the shell passed in (`build_engine(load_core_data())`), so
there is one source of truth for each file.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache, partial
from importlib import resources
from typing import Any

from bot.screening.files import load_default_lexicon
from bot.screening.store import shipped_categories
from content.keywords import Keywords
from dialogs.registry import CoreData
from dialogs.screening.matcher import Screen
from dialogs.visits.cadence import Cadence
from dialogs.visits.clock import VisitRules
from reminders.calendars import HOLIDAYS_FILE, CalendarBook
from reminders.dose_names import DoseNames
from reminders.replies import ReplyWords, answer_reminder
from reminders.schedule import Schedule
from reminders.workdays import Workdays, arrangements_from_mapping


def _toml(name: str, package: str = "content") -> dict[str, Any]:
    return tomllib.loads(resources.files(package).joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=1)
def load_visit_rules() -> VisitRules:
    """content/visit_cadence.toml: the visit cadence by region and risk."""
    return VisitRules.from_mapping(_toml("visit_cadence.toml"))


@lru_cache(maxsize=1)
def load_cadence() -> Cadence:
    """content/cadence.toml (visit settings, guardianship intervals) with the region rules."""
    return Cadence.from_mapping(_toml("cadence.toml"), load_visit_rules())


@lru_cache(maxsize=1)
def load_reply_words() -> ReplyWords:
    """content/reply_words.toml: the words of a guardian's answer to a reminder."""
    return ReplyWords.from_mapping(_toml("reply_words.toml"))


@lru_cache(maxsize=1)
def shipped_screen() -> Screen:
    """The shipped lexicon's screen (the urgent flow's, when a context brings no live one)."""
    return Screen(load_default_lexicon())


@lru_cache(maxsize=1)
def load_schedule() -> Schedule:
    """The shipped schedule (`content/schedules/immunization.toml`)."""
    return Schedule.from_mapping(_toml("immunization.toml", "content.schedules"))


@lru_cache(maxsize=1)
def load_dose_names() -> DoseNames:
    """The Chinese dose names people type (`content/schedules/dose_names.toml`)."""
    return DoseNames.from_mapping(_toml("dose_names.toml", "content.schedules"))


@lru_cache(maxsize=1)
def load_calendars() -> CalendarBook:
    """The shipped calendars (`content/calendars/*.toml`, the holiday file aside)."""
    folder = resources.files("content.calendars")
    docs = [
        tomllib.loads(item.read_text("utf-8"))
        for item in sorted(folder.iterdir(), key=lambda p: p.name)
        if item.name.endswith(".toml") and item.name != HOLIDAYS_FILE
    ]
    return CalendarBook.from_mappings(docs, load_workdays())


@lru_cache(maxsize=1)
def load_workdays() -> Workdays:
    """The shipped holiday arrangements (`content/calendars/holidays.toml`), none imported."""
    return Workdays(arrangements_from_mapping(_toml(HOLIDAYS_FILE, "content.calendars")))


def load_core_data(keywords: Keywords | None = None) -> CoreData:
    return CoreData(
        keywords=keywords or Keywords.load(),
        cadence=load_cadence(),
        screen=shipped_screen(),
        categories=shipped_categories(),
        answer_reminder=partial(answer_reminder, words=load_reply_words()),
    )
