"""`careline privacy sweep`: delete or anonymise what is past its retention period. Light to
import (the sweep is imported when the command runs)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.host import Host


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("privacy", help="consent and retention (PIPL)")
    inner = parser.add_subparsers(dest="privacy_command", required=True)
    sweep = inner.add_parser("sweep", help="delete or anonymise what is past its retention period")
    sweep.set_defaults(func=_sweep)


def _sweep(args: argparse.Namespace) -> int:
    from bot.host import run_on_host
    from bot.privacy import retention

    async def work(app: Host) -> int:
        result = await retention.sweep(app)
        print(json.dumps({"counts": result.counts}, ensure_ascii=False))
        return 0

    return run_on_host(args.open_host, work)
