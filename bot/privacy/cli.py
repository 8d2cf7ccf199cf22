"""`careline privacy sweep`: delete or anonymise what is past its retention period. Light to
import (the sweep is imported when the command runs)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import Application


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("privacy", help="consent and retention (PIPL)")
    inner = parser.add_subparsers(dest="privacy_command", required=True)
    sweep = inner.add_parser("sweep", help="delete or anonymise what is past its retention period")
    sweep.set_defaults(func=_sweep)


def _sweep(args: argparse.Namespace) -> int:
    from bot.privacy import retention
    from bot.reminders.cli import _run

    async def work(app: Application) -> int:
        result = await retention.sweep(app)
        print(json.dumps({"counts": result.counts}, ensure_ascii=False))
        return 0

    return _run(work)
