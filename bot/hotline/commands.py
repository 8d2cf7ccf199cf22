"""The hotline's `careline` commands (`screen`, `hotline shifts`): light to import, so that
every `careline` command starts quickly; each command imports what it needs when it runs."""

from __future__ import annotations

from typing import Any


def add_commands(subparsers: Any) -> None:
    from bot.hotline.cli import add_screen_command
    from bot.hotline.rota_cli import add_hotline_command

    add_screen_command(subparsers)
    add_hotline_command(subparsers)
