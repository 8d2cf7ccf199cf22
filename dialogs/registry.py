"""The flows Careline runs, in menu order. One line per flow; no import-time registration.

Every piece of data a flow needs is passed in (`CoreData`, read by the shell: bot/core_data.py);
nothing in the dialog core reads a file.
"""

from __future__ import annotations

from dataclasses import dataclass

from content.keywords import Keywords
from dialogs.engine import Engine
from dialogs.flow import Flow
from dialogs.flows.reminder_reply import AnswerReminder
from dialogs.screening.categories import Categories
from dialogs.screening.matcher import Screen
from dialogs.visits.cadence import Cadence


@dataclass(frozen=True, slots=True)
class CoreData:
    keywords: Keywords  # content/keywords.toml
    cadence: Cadence  # content/cadence.toml with the rules of content/visit_cadence.toml
    screen: Screen  # the shipped lexicon's, for a context that brings no live screen
    categories: Categories  # content/safety/categories.toml: help lines, statutory duty
    answer_reminder: AnswerReminder  # `reminders.replies.answer_reminder` with its words


def all_flows(data: CoreData) -> tuple[Flow, ...]:
    from dialogs.flows import (
        child_file,
        consent,
        due,
        edit_visit,
        hotline_staff,
        reminder_reply,
        urgent,
        visit,
    )

    visit_flow = visit.VisitFlow(data.cadence, data.keywords)
    return (
        visit_flow,
        due.DueFlow(data.cadence, data.keywords, visit_flow),
        urgent.UrgentFlow(data.screen, data.categories),
        edit_visit.EditVisitFlow(data.cadence, data.keywords),
        reminder_reply.flow(data.answer_reminder),
        *hotline_staff.FLOWS,
        *child_file.FLOWS,
        consent.FLOW,
    )


def build_engine(data: CoreData) -> Engine:
    return Engine(data.keywords, {flow.name: flow for flow in all_flows(data)})
