"""`careline wecom-link USERID PHONE`: link a WeCom user id to the roster person with that
phone (what the console's roster column `wecom_userid` does); `--unlink` removes it."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any


def add_commands(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "wecom-link", help="link a WeCom user id to a roster person: careline wecom-link ID PHONE"
    )
    parser.add_argument("userid", help="the member's WeCom user id (通讯录 账号)")
    parser.add_argument("phone", help="the person's phone in the roster, e.g. +8613800000002")
    parser.set_defaults(func=cmd_link)


async def link(url: str, userid: str, phone: str) -> str | None:
    from bot.clock import SystemClock
    from bot.mainland.links import link_wecom
    from bot.phones import to_e164
    from storage.db import Database
    from storage.repos.people import person_by_phone

    db = Database(url)
    try:
        async with db.transaction() as session:
            person = await person_by_phone(session, to_e164(phone) or phone)
            if person is None:
                return None
            await link_wecom(session, userid, person, SystemClock().now(), actor="cli")
            return person.name
    finally:
        await db.dispose()


def cmd_link(args: argparse.Namespace) -> int:
    from bot.config import settings_or_exit

    settings = settings_or_exit()
    name = asyncio.run(link(settings.database_url, args.userid.strip(), args.phone))
    if name is None:
        print(f"careline wecom-link: no roster person has the phone {args.phone}", file=sys.stderr)
        return 1
    print(f"linked WeCom user {args.userid} to {name}")
    return 0
