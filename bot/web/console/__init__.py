"""The web console, part 1: sign-in and roles, content editing, roster import, people.

A capability module: `install(app)` (content refresh job), `add_commands` (`careline users`),
`routers(app)` (the pages and their JSON endpoints).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.web.console.commands import add_commands

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.host import Host

__all__ = ["add_commands", "install", "routers"]
CONTENT_CHECK_SECONDS = 3


def install(app: Host) -> None:
    from bot.content_store import refresh_content

    app.scheduler.add_job(
        refresh_content,
        "interval",
        args=[app],
        seconds=CONTENT_CHECK_SECONDS,
        next_run_time=app.clock.now(),  # load published texts as soon as the scheduler starts
        id="refresh_content",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )


def routers(app: Host) -> list[APIRouter]:
    from bot.web.console import (
        routes_accounts,
        routes_assets,
        routes_audit,
        routes_auth,
        routes_cases,
        routes_child_work,
        routes_children,
        routes_content,
        routes_lexicon,
        routes_people,
        routes_person_data,
        routes_po,
        routes_reminders,
        routes_reports,
        routes_roster,
        routes_rota,
        routes_screening,
        routes_visit_media,
    )

    return [
        routes_auth.router(),
        routes_content.router(),
        routes_po.router(),
        routes_roster.router(),
        routes_people.router(),
        routes_person_data.router(),
        routes_cases.router(),
        routes_rota.router(),
        routes_lexicon.router(),
        routes_screening.router(),
        routes_reminders.router(),
        routes_reports.router(),
        routes_children.router(),
        routes_visit_media.router(),
        routes_child_work.router(),
        routes_accounts.router(),
        routes_audit.router(),
        routes_assets.router(),
    ]
