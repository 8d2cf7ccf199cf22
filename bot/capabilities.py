"""The capabilities built on the core shell (storage, channels, outbox, service, engine),
each installed from one place.

A capability module (visits, hotline, reminders, console ...) offers:
- `install(app)` (`app` is a `bot.host.Host`; its settings passed in by `build_app`, which
  reads them all): register effect handlers, context and pre-step hooks, scheduler jobs;
- optionally `add_commands(subparsers)`: its `careline` subcommands;
- optionally `routers(app)`: its HTTP routes.
Add one line per capability below; nothing registers itself at import time.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.host import Host
    from bot.hotline.config import HotlineConfig
    from bot.reminders.config import ReminderSettings


def modules() -> list[ModuleType]:
    """The capabilities, listed once: installed in this order, their routes in this order."""
    import bot.reminders
    from bot import inbound_retry, loops
    from bot.childfile import install as childfile
    from bot.hotline import install as hotline
    from bot.mainland import install as mainland
    from bot.privacy import install as privacy
    from bot.visits import install as visits
    from bot.web import console

    return [
        visits,
        hotline,
        bot.reminders,
        console,
        mainland,
        inbound_retry,
        loops,
        childfile,
        privacy,
    ]


def install_all(
    app: Host, *, hotline_config: HotlineConfig, reminder_settings: ReminderSettings
) -> None:
    """Install every capability (in the order of `modules()`), each with the settings
    `build_app` read for it; `build_app` then connects them to each other."""
    given: dict[str, tuple[object, ...]] = {
        "bot.hotline.install": (hotline_config,),
        "bot.reminders": (reminder_settings,),
    }
    for module in modules():
        module.install(app, *given.get(module.__name__, ()))


def command_modules() -> list[ModuleType]:
    """Where each capability's `add_commands` lives: modules light to import (a command imports
    what it needs when it runs), so that every `careline` command starts in well under a
    second. The same adders as the capability modules' own `add_commands` (a unit test checks)."""
    from bot.hotline import commands as hotline
    from bot.mainland import cli as mainland
    from bot.privacy import cli as privacy
    from bot.reminders import cli as reminders
    from bot.web.console import commands as console

    return [hotline, reminders, console, mainland, privacy]


def command_adders() -> list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]]:
    return [m.add_commands for m in command_modules()]


def all_routers(app: Host) -> list[APIRouter]:
    routers: list[APIRouter] = []
    for module in modules():
        if hasattr(module, "routers"):
            routers.extend(module.routers(app))
    return routers
