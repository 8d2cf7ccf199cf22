"""`careline users create --role admin --username X` (password from a prompt or stdin)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from bot.web.console.roles import ROLES, SUPERVISOR


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser("users", help="console accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    create = users_sub.add_parser("create", help="create a console account")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--username", required=True)
    create.add_argument("--area", help="a supervisor's township code (areas.code)")
    create.add_argument(
        "--person-phone",
        help="the roster person (by phone, E.164) this account acts as: a case owner",
    )
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.set_defaults(func=cmd_users_create)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise ValueError("the two passwords differ")
    return first


def cmd_users_create(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.config import settings_or_exit
    from bot.web.console.auth import hash_password, password_problem
    from storage.db import Database

    username = args.username.strip()
    if not username or len(username) > 64:
        print("careline users create: username: 1 to 64 characters", file=sys.stderr)
        return 2
    try:
        password = _read_password(args)
    except (ValueError, EOFError) as exc:
        print(f"careline users create: {exc}", file=sys.stderr)
        return 2
    problem = password_problem(password, username)
    if problem:
        print(f"careline users create: password refused: {problem}", file=sys.stderr)
        return 2
    if args.role == SUPERVISOR and not args.area:
        print("careline users create: a supervisor needs --area (township code)", file=sys.stderr)
        return 2
    settings = settings_or_exit()

    async def go() -> str | None:

        from storage.repos import console as repo
        from storage.repos.roster import Roster

        db = Database(settings.database_url)
        try:
            if not await db.is_migrated():
                return "the database is not migrated; run `careline db upgrade` first"
            async with db.transaction() as session:
                if await repo.user_by_username(session, username) is not None:
                    return f"user {username!r} exists already"
                area_id = None
                if args.area:
                    area_id = await Roster(session).area_id(args.area)
                    if area_id is None:
                        return f"no area with code {args.area!r}"
                person_id = None
                if args.person_phone:
                    person_id = await Roster(session).person_id(args.person_phone.strip())
                    if person_id is None:
                        return "no roster person with that phone"
                await repo.create_user(
                    session, username=username, password_hash=hash_password(password),
                    role=args.role, now=SystemClock().now(), area_id=area_id,
                    person_id=person_id,
                )  # fmt: skip
            return None
        finally:
            await db.dispose()

    error = asyncio.run(go())
    if error:
        print(f"careline users create: {error}", file=sys.stderr)
        return 2
    print(f"created {args.role} account {username!r}")
    return 0
