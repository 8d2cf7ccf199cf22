"""`careline screen "<text>"` / `careline screen -`: the screen's decision as JSON.

Uses the lexicon stored in the configured database; the shipped default when there is no
database, it is not migrated or cannot be read (said on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, TextIO


def add_screen_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "screen", help='screen a message: careline screen "<text>", or - for one per line'
    )
    parser.add_argument("text", help='the message, or "-" to read one message per line')
    parser.set_defaults(func=cmd_screen)


def run_screen(url: str, text: str, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from bot.hotline.lexicon import screen_for_url

    screen, source = asyncio.run(screen_for_url(url))
    if source != "database":
        print(f"careline screen: lexicon: {source}", file=stderr)
    if text != "-":
        print(screen.screen(text).dumps(), file=stdout)
        return 0
    for line in stdin:
        print(screen.screen(line.rstrip("\r\n")).dumps(), file=stdout, flush=False)
    stdout.flush()
    return 0


def cmd_screen(args: argparse.Namespace) -> int:
    import logging

    from bot.cli import _settings

    logging.getLogger("bot.hotline.lexicon").setLevel(logging.ERROR)
    settings = _settings()
    return run_screen(settings.database_url, args.text, sys.stdin, sys.stdout, sys.stderr)
