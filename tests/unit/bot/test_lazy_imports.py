"""Start-up stays light: channels that are not configured are not imported (aiogram alone
costs seconds and ~155 MiB), no password hash is computed at import, and `careline`'s parser
is built from light modules. Behaviour (what is imported), not timing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot import capabilities

HEAVY = ("aiogram", "alibabacloud_dysmsapi20170525", "tencentcloud", "sklearn")


def imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def roots(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_cli_and_its_parser_import_no_channel_sdk_and_no_web_stack() -> None:
    mods = imported_after("import bot.cli\nbot.cli.build_parser()")
    assert not roots(mods) & {*HEAVY, "fastapi", "argon2", "numpy", "sqlalchemy", "alembic"}
    assert "bot.app" not in mods


def test_web_app_without_telegram_imports_no_aiogram_nor_mainland_sdk(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'lazy.db'}"
    code = (
        "from bot.app import build_app\n"
        "from bot.config import Settings\n"
        "from bot.web.server import create_web_app\n"
        f"app = build_app(Settings(_env_file=None, database_url={url!r}))\n"
        "create_web_app(app)\n"
    )
    mods = imported_after(code)
    assert not roots(mods) & set(HEAVY)
    # nor Twilio's client (aiohttp, requests), alembic (to check the revision), openpyxl
    # (until a workbook is made) or holidays (until a year's deadlines are computed)
    assert not roots(mods) & {"aiohttp", "requests", "alembic", "openpyxl", "holidays"}
    assert "twilio.rest" not in mods


def test_no_argon2_hash_is_made_at_import() -> None:
    from bot.web.console import auth

    code = "import bot.web.console.auth as a\nprint(a._DUMMY_HASH)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "None"
    assert auth.verify_password(None, "whatever-password") is False  # made on first use


def test_the_parser_has_every_capability_command() -> None:
    own = [m.add_commands for m in capabilities.modules() if hasattr(m, "add_commands")]
    light = capabilities.command_adders()
    assert len(own) == len(light)
    import argparse

    def names(adders: list) -> list[str]:  # type: ignore[type-arg]
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        for add in adders:
            add(sub)
        return list(sub.choices)

    assert names(own) == names(light)
