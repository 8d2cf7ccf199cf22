"""`careline` command line: serve, db upgrade, demo, chat (and the capability commands)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.backup import add_commands as add_backup_commands
from bot.capabilities import command_adders
from bot.config import Settings, settings_or_exit
from bot.logs import configure_logging
from bot.telegram_failed import add_commands as add_telegram_commands

if TYPE_CHECKING:
    from bot.host import Host

log = logging.getLogger("careline")


def _open_host(settings: Settings) -> AbstractAsyncContextManager[Host]:
    """The app factory every command gets as `args.open_host` (bot.app imported on use)."""
    from bot.app import open_host

    return open_host(settings)


def _logging(level: str) -> None:
    configure_logging(level)


async def _load_demo(settings: Settings) -> bool:
    from bot.demo import load_demo
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        from bot.clock import SystemClock

        now = SystemClock().now()
        async with db.transaction() as session:
            loaded = await load_demo(
                session, now, now.astimezone(ZoneInfo(settings.timezone)).date()
            )
            if loaded:  # the fictional SMS template registry and WeCom links (bot/mainland)
                from bot.mainland.registry import seed_demo_mainland

                await seed_demo_mainland(session, now)
            return loaded
    finally:
        await db.dispose()


async def _demo_refused(settings: Settings) -> str | None:
    from bot.demo import non_demo_data
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        async with db.transaction() as session:
            return await non_demo_data(session)
    finally:
        await db.dispose()


def cmd_serve(args: argparse.Namespace) -> int:
    overrides: dict[str, object] = {}
    if args.demo:
        overrides["simulator"] = True
    if args.host:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    settings = settings_or_exit(**overrides)
    _logging(settings.log_level)
    from bot.web.simulator_guard import simulator_problem

    problem = simulator_problem(settings)
    if problem:
        print(f"careline: {problem}", file=sys.stderr)
        return 2
    # The port first: a serve that cannot listen must leave the database alone (a second
    # `serve --demo` on a taken port would otherwise reset the running demo's passwords).
    try:
        sock = _listen(settings.host, settings.port)
    except OSError as exc:
        print(
            f"careline: cannot listen on {settings.host}:{settings.port} ({exc.strerror}); "
            "the port is taken or not allowed: set CARELINE_PORT (or --port) to a free port, "
            "or CARELINE_HOST",
            file=sys.stderr,
        )
        return 2
    try:
        lock = _hold_database(settings)
        if lock is None:
            return 2
        with lock:
            return _serve_on(sock, settings, demo=args.demo)
    finally:
        sock.close()


def _hold_database(settings: Settings) -> AbstractContextManager[object] | None:
    """The shared lock on `<db>.lock` for this process's lifetime, so that `careline restore`
    refuses while it runs (bot/dblock.py); None (after one line on stderr) when it cannot be
    taken. PostgreSQL: nothing to hold."""
    from bot.dblock import hold_shared
    from content.errors import SetupError

    try:
        lock = hold_shared(settings.database_url)
    except SetupError as exc:
        print(f"careline: {exc}", file=sys.stderr)
        return None
    return nullcontext() if lock is None else lock


def _serve_on(sock: socket.socket, settings: Settings, *, demo: bool) -> int:
    import uvicorn

    from bot.app import build_app, check_database
    from bot.host import NotMigrated
    from bot.web.server import create_web_app

    try:
        asyncio.run(check_database(settings))
    except NotMigrated as exc:
        print(f"careline: {exc}", file=sys.stderr)
        return 2
    accounts: Future[None] | None = None
    if demo:
        refused = asyncio.run(_demo_refused(settings))
        if refused:
            print(
                f"careline: --demo refuses this database: it holds {refused}; "
                "use an empty database (e.g. another CARELINE_DATABASE_URL) for the demo",
                file=sys.stderr,
            )
            return 2
        loaded = asyncio.run(_load_demo(settings))
        log.info("demo data %s", "loaded" if loaded else "already present")
        from bot.web.console.demo_accounts import announce_demo_accounts

        # Their password hashes (argon2, in C) are made while the app is built (Python).
        hashing = ThreadPoolExecutor(1, "demo-accounts")
        accounts = hashing.submit(announce_demo_accounts, settings)
        hashing.shutdown(wait=False)  # the thread ends with its one task
    # The checks above ran on event loops of their own: the app is built for uvicorn's.
    app = build_app(settings)
    log.info("channels live: %s", ", ".join(app.live_channels))
    base = f"http://{settings.host}:{settings.port}"
    if settings.simulator:
        log.info("simulator: %s/simulator   (or: careline chat --as +8613800000002)", base)
    web = create_web_app(app)
    config = uvicorn.Config(
        web,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=20,
    )
    server = uvicorn.Server(config)
    if accounts is not None:
        accounts.result()  # printed, and any error raised, before the server listens
    log.info("Careline listening on %s (health: %s/healthz)", base, base)
    # uvicorn drains on SIGTERM/SIGINT, then re-raises the signal: after a clean drain,
    # exit 0 rather than "killed by signal".
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _exit_cleanly)
    server.run(sockets=[sock])
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a taken port is one clear line, not a
    traceback from inside uvicorn."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _exit_cleanly(signum: int, frame: object) -> None:
    log.info("stopped after %s", signal.Signals(signum).name)
    raise SystemExit(0)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.db import upgrade_sync

    settings = settings_or_exit()
    upgrade_sync(settings.database_url)
    print("database is at the latest schema")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from storage.db import upgrade_sync

    settings = settings_or_exit()
    upgrade_sync(settings.database_url)
    refused = asyncio.run(_demo_refused(settings))
    if refused:
        print(f"careline: demo data refused: the database holds {refused}", file=sys.stderr)
        return 2
    loaded = asyncio.run(_load_demo(settings))
    print("demo data loaded" if loaded else "demo data already present")
    return 0


def _interrupted(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.terminal_chat import quiet_logs, run_chat

    settings = settings_or_exit(simulator=True)
    lock = _hold_database(settings)  # chat writes the conversation: restore must wait for it
    if lock is None:
        return 2
    with lock:
        chat_log = quiet_logs()  # never a log line in the conversation
        print(f"(log lines go to {chat_log.path}; kept only if a warning or error is logged)")
        crashed = interrupted = False
        # SIGTERM ends the chat as Ctrl-C does (the log is kept or removed, no traceback)
        signal.signal(signal.SIGTERM, _interrupted)
        try:
            return asyncio.run(run_chat(settings, args.as_phone))
        except KeyboardInterrupt:
            interrupted = True
            return 130
        except Exception:
            crashed = True  # the lines before it may tell why
            raise
        finally:
            kept = chat_log.finish(keep=crashed)
            if kept is not None:
                print(f"(warnings or errors were logged: see {kept})", file=sys.stderr)
            if interrupted:
                # the input thread still waits on stdin: leave without waiting for it (at
                # the interpreter's shutdown it would hold stdin's lock)
                print(flush=True)
                sys.stderr.flush()
                os._exit(130)  # the shell's code for an interrupted program


def cmd_vaccines(args: argparse.Namespace) -> int:
    import json
    from datetime import UTC, datetime

    from bot.core_data import load_dose_names, load_schedule
    from reminders.dates import parse_date
    from reminders.dose_names import parse_given
    from reminders.immunization import vaccines_report

    settings = settings_or_exit()
    as_of = args.as_of or datetime.now(UTC).astimezone(ZoneInfo(settings.timezone)).date()
    sex = {"f": "f", "girl": "f", "female": "f", "m": "m", "boy": "m", "male": "m"}.get(
        (args.sex or "").lower()
    )
    if args.sex and sex is None:
        print("careline vaccines: --sex takes f or m", file=sys.stderr)
        return 2
    try:
        as_of_date, birth = parse_date(as_of), parse_date(args.birth)
    except ValueError as exc:
        print(f"careline vaccines: {exc} (dates are YYYY-MM-DD)", file=sys.stderr)
        return 2
    try:
        schedule = load_schedule()
        given = parse_given(args.given or "", schedule, load_dose_names(), as_of=as_of_date)
        report = vaccines_report(birth, sex, given, as_of_date, schedule=schedule)
    except ValueError as exc:  # DoseNameError names the accepted names
        print(f"careline vaccines: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, ensure_ascii=False, indent=2))
    for warning in report["warnings"]:  # also where a person reads it, not only in the JSON
        print(f"careline vaccines: warning: {warning}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="careline", description="Careline child-welfare assistant"
    )
    parser.set_defaults(open_host=_open_host)  # the app factory for commands that need one
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser(
        "serve", help="run HTTP, the outbox dispatcher, Telegram and the scheduler"
    )
    serve.add_argument(
        "--demo", action="store_true", help="load fictional demo data and turn on the simulator"
    )
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply Alembic migrations")
    up.set_defaults(func=cmd_db_upgrade)

    demo = sub.add_parser("demo", help="load the fictional demo data")
    demo.set_defaults(func=cmd_demo)

    chat = sub.add_parser("chat", help="talk to the bot in the terminal as a person")
    chat.add_argument("--as", dest="as_phone", required=True, help="phone, e.g. +8613800000002")
    chat.set_defaults(func=cmd_chat)
    vaccines = sub.add_parser(
        "vaccines", help="which doses a child still needs, and the catch-up batches (JSON)"
    )
    vaccines.add_argument("--birth", required=True, help="birth date, YYYY-MM-DD")
    vaccines.add_argument("--sex", help="f or m (HPV is for girls)")
    vaccines.add_argument(
        "--given",
        help="doses already given, with the date when known: HepB1@2026-01-05,卡介苗,百白破3",
    )
    vaccines.add_argument("--as-of", dest="as_of", help="date to evaluate (default: today)")
    vaccines.set_defaults(func=cmd_vaccines)
    add_backup_commands(sub)
    add_telegram_commands(sub)
    for add_commands in command_adders():
        add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
