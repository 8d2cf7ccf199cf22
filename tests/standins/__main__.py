"""Run a stand-in in its own process.

    python -m tests.standins twilio [--port 0] [--record-file X] [--account-sid AC..]
                                    [--auth-token T]
    python -m tests.standins telegram [--port 0] [--record-file X] [--token 123:abc]

The first line on stdout is the port it listens on (127.0.0.1), printed once it accepts
connections. Recorded messages go to --record-file as JSON lines and to GET /_standin/messages.
Stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from starlette.applications import Starlette

from tests.standins.server import serve_until_signalled
from tests.standins.telegram_api import create_telegram_app
from tests.standins.telegram_state import DEFAULT_TOKEN, TelegramRecorder
from tests.standins.twilio_api import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_AUTH_TOKEN,
    TwilioRecorder,
    create_twilio_app,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.standins")
    kinds = parser.add_subparsers(dest="kind", required=True)
    for kind in ("twilio", "telegram"):
        sub = kinds.add_parser(kind)
        sub.add_argument("--port", type=int, default=0)
        sub.add_argument("--record-file", type=Path, default=None)
        if kind == "twilio":
            sub.add_argument("--account-sid", default=DEFAULT_ACCOUNT_SID)
            sub.add_argument("--auth-token", default=DEFAULT_AUTH_TOKEN)
        else:
            sub.add_argument("--token", default=DEFAULT_TOKEN)
    return parser


def _announce(port: int) -> None:
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    recorder: TwilioRecorder | TelegramRecorder
    app: Starlette
    if args.kind == "twilio":
        recorder = TwilioRecorder(args.account_sid, args.auth_token, args.record_file)
        app = create_twilio_app(recorder)
    else:
        recorder = TelegramRecorder(args.token, record_file=args.record_file)
        app = create_telegram_app(recorder)
    serve_until_signalled(app, args.port, _announce, recorder.close)


if __name__ == "__main__":
    main()
