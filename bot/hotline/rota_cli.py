"""`careline hotline shifts list|add|end|check`: the on-duty rota from the command line.

Times are local (settings.timezone) as YYYY-MM-DDTHH:MM, or ISO 8601 with an offset.
Errors name the fix and exit 2; never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from content.errors import InputError

ON_DUTY_ROLES = ("hotline", "supervisor", "admin")


class RotaError(InputError, ValueError):
    """A rota command that cannot be done; the message names the fix."""


def add_hotline_command(subparsers: Any) -> None:
    hotline = subparsers.add_parser("hotline", help="hotline commands (the on-duty rota)")
    sub = hotline.add_subparsers(dest="hotline_command", required=True)
    rota = sub.add_parser("shifts", help="the on-duty rota: list, add, end, check")
    verbs = rota.add_subparsers(dest="shifts_command", required=True)
    verbs.add_parser("list", help="shifts running now or to come")
    add = verbs.add_parser("add", help="put someone on duty")
    add.add_argument("--phone", required=True, help="the staff member's phone, e.g. +8613800000004")
    add.add_argument("--level", type=int, default=1, choices=(1, 2),
                     help="1 hotline staff on duty, 2 duty manager / supervisor")  # fmt: skip
    add.add_argument("--from", dest="start", help="start, e.g. 2026-03-02T08:00 (default: now)")
    add.add_argument("--to", dest="end", help="end, e.g. 2026-03-02T20:00 (default: open-ended)")
    end = verbs.add_parser("end", help="end a shift now")
    end.add_argument("id", type=int, help="the shift id from `careline hotline shifts list`")
    verbs.add_parser("check", help="warn when nobody is on duty now or in the next 24 hours")
    rota.set_defaults(func=cmd_shifts)


def _when(raw: str | None, tz: ZoneInfo, default: datetime | None) -> datetime | None:
    if not raw:
        return default
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise RotaError(
            f"{raw!r} is not a time: write YYYY-MM-DDTHH:MM, e.g. 2026-03-02T08:00"
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=tz)


async def run_shifts(args: argparse.Namespace, url: str, tz: ZoneInfo, out: TextIO) -> int:
    # imported here, not at the top: building `careline`'s parser imports this module
    from bot.hotline.rota import coverage, shifts
    from bot.phones import to_e164
    from storage.db import Database
    from storage.models import StaffShift
    from storage.repos.cases import add_shift
    from storage.repos.people import person_by_phone

    db = Database(url)
    now = datetime.now(tz)
    try:
        if not await db.is_migrated():
            raise RotaError("the database is not migrated: run `careline db upgrade` first")
        async with db.transaction() as session:
            verb = args.shifts_command
            if verb == "list":
                rows = await shifts(session, now)
                for shift, person in rows:
                    until = shift.ends_at.astimezone(tz).isoformat() if shift.ends_at else "open"
                    start = shift.starts_at.astimezone(tz).isoformat()
                    print(f"{shift.id}\tlevel {shift.level}\t{person.name}\t{start} - {until}",
                          file=out)  # fmt: skip
                if not rows:
                    print("no shifts now or to come", file=out)
            elif verb == "add":
                staff = await person_by_phone(session, to_e164(args.phone) or args.phone)
                if staff is None or not staff.active:
                    raise RotaError(f"no active person with phone {args.phone}: add them first")
                if staff.role not in ON_DUTY_ROLES:
                    raise RotaError(f"{staff.name} is a {staff.role}: only hotline staff, "
                                    "supervisors and administrators go on duty")  # fmt: skip
                starts = _when(args.start, tz, now) or now
                ends = _when(args.end, tz, None)
                if ends is not None and ends <= starts:
                    raise RotaError("--to must be after --from")
                shift = await add_shift(
                    session, staff.id, level=args.level, starts_at=starts, ends_at=ends
                )
                print(f"shift {shift.id}: {staff.name} on duty at level {args.level}", file=out)
            elif verb == "end":
                found = await session.get(StaffShift, args.id)
                if found is None:
                    raise RotaError(f"no shift {args.id}: see `careline hotline shifts list`")
                found.ends_at = now
                print(f"shift {args.id} ended", file=out)
            warnings = (await coverage(session, now)).warnings
        for warning in warnings:
            print(f"warning: {warning}", file=out)
        return 1 if warnings and args.shifts_command == "check" else 0
    finally:
        await db.dispose()


def cmd_shifts(args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    from bot.config import settings_or_exit

    settings = settings_or_exit()
    try:
        return asyncio.run(
            run_shifts(args, settings.database_url, ZoneInfo(settings.timezone), out)
        )
    except RotaError as exc:
        print(f"careline hotline shifts: {exc}", file=err)
        return 2
