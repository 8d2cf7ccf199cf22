"""`/_standin/...` HTTP routes: query and program a stand-in from another thread or process.

GET    /_standin/messages                      {"messages": [...]}
GET    /_standin/count[?at_least=N&timeout=T]   {"count": n, "reached": bool} (waits up to T s)
GET    /_standin/attempts                      {"attempts": [...]} every API request and its status
GET    /_standin/script                        {"pending": [...]}
POST   /_standin/script   JSON Scripted or list  {"pending": [...]}
DELETE /_standin/script                        clear the script
POST   /_standin/reset                         forget records, attempts and script
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.standins.recorder import Recorder, records_json
from tests.standins.script import Scripted

PREFIX = "/_standin"
MAX_WAIT_S = 120.0


def control_routes(recorder: Recorder[Any]) -> list[Route]:
    async def messages(request: Request) -> JSONResponse:
        return JSONResponse({"messages": records_json(recorder.records())})

    async def attempts(request: Request) -> JSONResponse:
        return JSONResponse({"attempts": records_json(recorder.attempts())})

    async def count(request: Request) -> JSONResponse:
        try:
            at_least = int(request.query_params.get("at_least", "0"))
            timeout = min(float(request.query_params.get("timeout", "0")), MAX_WAIT_S)
        except ValueError:
            return JSONResponse({"error": "at_least and timeout must be numbers"}, 400)
        reached = await recorder.wait_until(
            lambda: recorder.closed or recorder.count() >= at_least, timeout
        )
        n = recorder.count()
        return JSONResponse({"count": n, "reached": reached and n >= at_least})

    async def get_script(request: Request) -> JSONResponse:
        return JSONResponse({"pending": records_json(recorder.script.pending())})

    async def post_script(request: Request) -> JSONResponse:
        try:
            payload = json.loads(await request.body())
            items = payload if isinstance(payload, list) else [payload]
            entries = [Scripted.from_json(item) for item in items]
        except (ValueError, TypeError, AttributeError) as error:
            return JSONResponse({"error": str(error)}, 400)
        recorder.script.add(*entries)
        return await get_script(request)

    async def delete_script(request: Request) -> JSONResponse:
        recorder.script.clear()
        return await get_script(request)

    async def reset(request: Request) -> JSONResponse:
        recorder.reset()
        return JSONResponse({"count": recorder.count()})

    return [
        Route(f"{PREFIX}/messages", messages, methods=["GET"]),
        Route(f"{PREFIX}/attempts", attempts, methods=["GET"]),
        Route(f"{PREFIX}/count", count, methods=["GET"]),
        Route(f"{PREFIX}/script", get_script, methods=["GET"]),
        Route(f"{PREFIX}/script", post_script, methods=["POST"]),
        Route(f"{PREFIX}/script", delete_script, methods=["DELETE"]),
        Route(f"{PREFIX}/reset", reset, methods=["POST"]),
    ]
