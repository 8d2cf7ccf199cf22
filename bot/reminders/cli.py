"""`careline reminders plan [--dry-run] [--as-of D]`, and the administrators' commands
`careline reminders editions export|import FILE`, `careline reminders calendar import FILE|
remove REGION`, `careline reminders holidays import FILE|list`."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.host import run_on_host

if TYPE_CHECKING:
    from bot.host import Host

ACTOR = "cli"


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rem = sub.add_parser("reminders", help="reminder planner and schedule commands")
    rem_sub = rem.add_subparsers(dest="reminders_command", required=True)
    p = rem_sub.add_parser("plan", help="queue what falls due now (JSON lines)")
    p.add_argument("--dry-run", action="store_true", help="print what is due, queue nothing")
    p.add_argument("--as-of", dest="as_of", help="plan as of this local date (YYYY-MM-DD)")
    p.set_defaults(func=cmd_plan)
    ed = rem_sub.add_parser("editions", help="immunization schedule editions in the database")
    ed.add_argument("action", choices=["export", "import"])
    ed.add_argument("file", nargs="?", help="TOML or JSON with [[editions]] (import)")
    ed.set_defaults(func=cmd_editions)
    ca = rem_sub.add_parser("calendar", help="a region's calendar override in the database")
    ca.add_argument("action", choices=["import", "remove"])
    ca.add_argument("target", help="TOML or JSON region document (import) or region code")
    ca.set_defaults(func=cmd_calendar)
    ho = rem_sub.add_parser(
        "holidays", help="each year's holiday arrangement (调休): import, list what is known"
    )
    ho.add_argument("action", choices=["import", "list"])
    ho.add_argument("file", nargs="?", help="TOML or JSON with [[years]] (import)")
    ho.set_defaults(func=cmd_holidays)


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_plan(args: argparse.Namespace) -> int:
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        print("careline reminders plan: --as-of takes YYYY-MM-DD", file=sys.stderr)
        return 2

    async def work(app: Host) -> int:
        from bot.reminders.planner import plan

        result = await plan(app, as_of=as_of, dry_run=args.dry_run)
        for line in result.lines:
            _print({k: v for k, v in line.items() if k != "child_name"})  # no names printed
        _print(
            {
                "as_of": result.as_of.isoformat(),
                "dry_run": args.dry_run,
                "due": result.found,
                "guardian_messages": result.messages,
                "director_tasks": result.director_tasks,
                "nobody_to_tell": result.nobody,
                "no_consent": result.no_consent,
                "held_for_tomorrow": result.held,
                "warnings": result.warnings,
            }
        )
        return 0

    return run_on_host(args.open_host, work)


def cmd_editions(args: argparse.Namespace) -> int:
    async def work(app: Host) -> int:
        from bot.reminders import admin

        async with app.db.transaction() as session:
            if args.action == "export":
                print(
                    json.dumps(await admin.export_editions(session), ensure_ascii=False, indent=2)
                )
                return 0
            if not args.file:
                print("careline reminders editions import: a FILE is needed", file=sys.stderr)
                return 2
            doc = admin.read_document(Path(args.file))
            done = await admin.import_editions(session, doc, app.clock.now(), ACTOR)
        _print({"imported": done})
        return 0

    return run_on_host(args.open_host, work)


def cmd_calendar(args: argparse.Namespace) -> int:
    async def work(app: Host) -> int:
        from bot.reminders import admin

        async with app.db.transaction() as session:
            if args.action == "remove":
                _print({"removed": await admin.remove_calendar(session, args.target)})
                return 0
            doc = admin.read_document(Path(args.target))
            today = app.clock.now().astimezone(ZoneInfo(app.settings.timezone)).date()
            region = await admin.set_calendar(session, doc, app.clock.now(), ACTOR, today)
        _print({"calendar": region})
        return 0

    return run_on_host(args.open_host, work)


def cmd_holidays(args: argparse.Namespace) -> int:
    from bot.reminders import admin, holidays

    async def work(app: Host) -> int:
        today = app.clock.now().astimezone(ZoneInfo(app.settings.timezone)).date()
        async with app.db.transaction() as session:
            if args.action == "import":
                if not args.file:
                    print("careline reminders holidays import: a FILE is needed", file=sys.stderr)
                    return 2
                doc = admin.read_document(Path(args.file))
                _print(
                    {
                        "imported": await holidays.import_holidays(
                            session, doc, app.clock.now(), ACTOR
                        )
                    }
                )
            for year in await holidays.status(session, today):
                _print(
                    {
                        "year": year["year"],
                        "source": year["source"],
                        "days_off": year["days_off"],
                        "workdays": [d.isoformat() for d in year["workdays"]],
                        "verified": year["verified"],
                        "cited": year["cited"],
                    }
                )
            warnings = await holidays.missing_warnings(session, today)
        for warning in warnings:
            print(f"careline reminders holidays: warning: {warning}", file=sys.stderr)
        return 0

    return run_on_host(args.open_host, work)
