"""The host port (bot/host.py): capabilities depend on it, never on bot.app (the wiring).

Imports under TYPE_CHECKING count here too: an annotation is a dependency a reader follows.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

from tests.support.paths import REPO

ROOT = REPO
# Who builds (or runs) the application: the wiring. Everything else gets a bot.host.Host.
WIRING = {
    "bot.app",
    "bot.entry",  # the `careline` script: checks the package names, then runs bot.cli
    "bot.cli",  # `careline serve`, and the app factory it hands commands (args.open_host)
    "bot.web.server",  # the FastAPI app around a built Application (start, drain)
    "bot.terminal_chat",  # `careline chat`: builds and runs the app in the terminal
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_only_the_wiring_imports_bot_app() -> None:
    importers = {
        module_name(path)
        for path in (ROOT / "bot").rglob("*.py")
        if any(m == "bot.app" or m.startswith("bot.app.") for m in imported_modules(path))
    }
    assert importers - WIRING == set()


def test_no_command_imports_the_private_cli_settings() -> None:
    offenders = {
        module_name(path)
        for path in (ROOT / "bot").rglob("*.py")
        if "bot.cli._settings" in imported_modules(path)
    }
    assert offenders == set()


def test_the_host_port_is_in_no_import_circle() -> None:
    graph = grimp.build_graph("bot", "dialogs", "reminders", "content", "storage")
    # bot.host reaches only the shell (and, for annotations, two runtime types); nothing it
    # reaches comes back to it: no capability import circles through the host.
    for module in graph.find_upstream_modules("bot.host"):
        assert graph.find_shortest_chain(importer=module, imported="bot.host") is None, module
    assert not graph.find_upstream_modules("bot.host") & {"bot.app", "bot.capabilities"}


def test_the_app_is_in_no_import_circle_with_a_capability() -> None:
    graph = grimp.build_graph("bot", "dialogs", "reminders", "content", "storage")
    assert graph.find_downstream_modules("bot.app") <= WIRING - {"bot.app"}
