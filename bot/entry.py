"""The `careline` console script: first checks that Careline's top-level packages are its
own, then runs `bot.cli.main`.

`pip install careline` puts five generic top-level names on the path (`bot`, `dialogs`,
`reminders`, `content`, `storage`). Installed in a shared environment, another distribution
or a local directory of the same name can shadow one of them, and the failure would be an
odd ImportError far away. All five are always installed side by side, so each must be found
in the directory `bot` came from. `importlib.util.find_spec` locates a package without
running it.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path

PACKAGES = ("bot", "dialogs", "reminders", "content", "storage")


def foreign_packages(home: Path | None = None) -> list[tuple[str, str]]:
    """(name, where it was found) for each top-level package not in Careline's directory."""
    root = home or Path(__file__).resolve().parents[1]
    wrong: list[tuple[str, str]] = []
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin is None or Path(origin).resolve().parents[1] != root:
            wrong.append((name, origin or "not found"))
    return wrong


def main(argv: Sequence[str] | None = None) -> int:
    wrong = foreign_packages()
    if wrong:
        print(
            "careline: these top-level packages are not Careline's own: "
            + "; ".join(f"{name} from {where}" for name, where in wrong)
            + ". Install Careline in its own virtual environment "
            "(python3 -m venv .venv && . .venv/bin/activate && pip install careline).",
            file=sys.stderr,
        )
        return 2
    from bot.cli import main as cli_main

    return cli_main(argv)
