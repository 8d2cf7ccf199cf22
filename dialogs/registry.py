"""The flows Careline runs, in menu order. One line per flow; no import-time registration."""

from __future__ import annotations

from content.keywords import Keywords
from dialogs.engine import Engine
from dialogs.flow import Flow


def all_flows() -> tuple[Flow, ...]:
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

    return (
        visit.FLOW,
        due.FLOW,
        urgent.FLOW,
        edit_visit.FLOW,
        reminder_reply.FLOW,
        *hotline_staff.FLOWS,
        *child_file.FLOWS,
        consent.FLOW,
    )


def build_engine(keywords: Keywords) -> Engine:
    return Engine(keywords, {flow.name: flow for flow in all_flows()})
