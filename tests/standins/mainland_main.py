"""Run a mainland stand-in in its own process, for trying `careline serve --demo` by hand:

    python -m tests.standins.mainland_main aliyun|tencent|wecom [--port 0]

The first stdout line is the port. The SMS stand-ins accept every template code (the demo
registry's codes are fictional); the WeCom one knows the demo's user ids. Each request is
logged to stdout as one JSON line. Stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.standins.mainland_sms import ProviderState, _aliyun_app, _tencent_app
from tests.standins.server import serve_until_signalled
from tests.standins.wecom_api import WeComState, _app


def logged(app: ASGIApp) -> ASGIApp:
    """Print each request (path, query, JSON body) as one JSON line on stdout."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        line = {"path": scope["path"], "query": unquote(scope["query_string"].decode())}
        if body:
            line["body"] = body.decode(errors="replace")
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await app(scope, replay, send)

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.standins.mainland_main")
    parser.add_argument("kind", choices=("aliyun", "tencent", "wecom"))
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.kind == "wecom":
        users = {"lizhuren", "wangzhuren", "chenrexian", "zhoududao"}
        app = _app(WeComState(users=users))
    else:
        state = ProviderState(args.kind, accept_any=True)
        app = (_aliyun_app if args.kind == "aliyun" else _tencent_app)(state)

    def started(port: int) -> None:
        sys.stdout.write(f"{port}\n")
        sys.stdout.flush()

    def stopped() -> None:
        sys.stdout.write(json.dumps({"stopped": args.kind}) + "\n")

    serve_until_signalled(logged(app), args.port, started, stopped)


if __name__ == "__main__":
    main()
