"""`careline telegram failed`: Telegram updates that could not be stored, for administrators.

Polling records such an update (id, chat, kind, error class; never its text) and moves on,
and Telegram does not send it again. So a "retry" asks the sender, in their chat, to send the
message again (with the 110 line), and records that; `--handled` closes one that was dealt
with otherwise. Both are audited.

    careline telegram failed [--all] [--json]
    careline telegram failed --retry UPDATE_ID [--by NAME]
    careline telegram failed --handled UPDATE_ID [--by NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from content.errors import InputError

if TYPE_CHECKING:  # the database layer is imported when a command runs, not for `--help`
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import TelegramFailedUpdate

RESEND_KEY = "telegram.resend_request"


class Refused(InputError):
    """An action that cannot be taken on this row (the message says why)."""


def as_dict(row: TelegramFailedUpdate) -> dict[str, Any]:
    return {
        "update_id": row.update_id,
        "failed_at": row.failed_at.isoformat(),
        "kind": row.kind,
        "error": row.error,
        "chat_id": row.chat_id,
        "resolution": row.resolution,
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
        "resolved_by": row.resolved_by,
    }


async def resolve(
    session: AsyncSession, update_id: int, action: str, by: str, now: datetime
) -> TelegramFailedUpdate:
    """`action` "retry" (ask the sender to send again) or "handled"."""
    from bot.reply_json import reply_to_json
    from content.replies import Reply
    from dialogs.types import Channel, Lane
    from storage.repos import audit, outbox
    from storage.repos import telegram_failed as repo

    row = await repo.by_update_id(session, update_id)
    if row is None:
        raise Refused(f"no failed Telegram update {update_id}")
    if row.resolved_at is not None:
        raise Refused(f"update {update_id} was already resolved ({row.resolution})")
    if action == "retry":
        if not row.chat_id:
            raise Refused(f"update {update_id} came from no chat; mark it --handled")
        await outbox.enqueue(
            session,
            channel=Channel.TELEGRAM,
            address=row.chat_id,
            message=reply_to_json(Reply(RESEND_KEY)),
            lane=Lane.REPLY,
            now=now,
            dedup_key=f"tg-resend:{update_id}",
        )
        repo.resolve(row, repo.ASKED_TO_RESEND, by, now)
    else:
        repo.resolve(row, repo.HANDLED, by, now)
    audit.record(
        session,
        at=now,
        actor=by,
        action=f"telegram_failed_{row.resolution}",
        subject_type="telegram_update",
        subject_id=update_id,
        detail={"error": row.error, "kind": row.kind},
    )
    return row


def _print_table(rows: list[TelegramFailedUpdate]) -> None:
    if not rows:
        print("no failed Telegram updates")
        return
    print(f"{'update_id':>12}  {'failed at (UTC)':19}  {'kind':14}  {'error':24}  resolution")
    for r in rows:
        at = r.failed_at.strftime("%Y-%m-%d %H:%M:%S")
        done = f"{r.resolution} by {r.resolved_by}" if r.resolved_at else "open"
        print(f"{r.update_id:>12}  {at:19}  {r.kind:14}  {r.error:24}  {done}")


def cmd_failed(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.config import settings_or_exit
    from storage.db import Database
    from storage.repos import telegram_failed as repo

    settings = settings_or_exit()
    by = f"cli:{args.by or getpass.getuser()}"

    async def go() -> int:
        db = Database(settings.database_url)
        try:
            if not await db.is_migrated():
                print("careline telegram failed: run `careline db upgrade` first", file=sys.stderr)
                return 2
            now = SystemClock().now()
            action, target = ("retry", args.retry) if args.retry else ("handled", args.handled)
            if target is not None:
                try:
                    async with db.transaction() as session:
                        row = await resolve(session, target, action, by, now)
                except Refused as exc:
                    print(f"careline telegram failed: {exc}", file=sys.stderr)
                    return 1
                print(f"update {row.update_id}: {row.resolution}")
                return 0
            async with db.transaction() as session:
                rows = await repo.listing(session, include_resolved=args.all)
            if args.json:
                print(json.dumps([as_dict(r) for r in rows], ensure_ascii=False, indent=2))
            else:
                _print_table(rows)
            return 0
        finally:
            await db.dispose()

    return asyncio.run(go())


def add_commands(sub: Any) -> None:
    tg = sub.add_parser("telegram", help="Telegram operations")
    tg_sub = tg.add_subparsers(dest="telegram_command", required=True)
    failed = tg_sub.add_parser(
        "failed", help="updates that could not be stored: list, ask the sender again, close"
    )
    failed.add_argument("--all", action="store_true", help="also the resolved ones")
    failed.add_argument("--json", action="store_true", help="print JSON")
    one = failed.add_mutually_exclusive_group()
    one.add_argument(
        "--retry", type=int, metavar="UPDATE_ID", help="ask the sender to send it again"
    )
    one.add_argument("--handled", type=int, metavar="UPDATE_ID", help="mark it handled")
    failed.add_argument("--by", help="who acts (for the audit log; default: the OS user)")
    failed.set_defaults(func=cmd_failed)
