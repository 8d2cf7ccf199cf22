"""Async HTTP client for the `/_standin` control routes of a stand-in in another thread or
process. Every call is one HTTP request; `wait_for_count` waits on the server side."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import httpx

from tests.standins.script import Scripted


class StandinClient:
    def __init__(self, base_url: str, client: httpx.AsyncClient | None = None) -> None:
        self._base = base_url.rstrip("/") + "/_standin"
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=None))
        self._owns_client = client is None

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._client.request(method, self._base + path, **kwargs)
        response.raise_for_status()
        return response.json()

    async def messages(self) -> list[dict[str, Any]]:
        return list((await self._json("GET", "/messages"))["messages"])

    async def attempts(self) -> list[dict[str, Any]]:
        return list((await self._json("GET", "/attempts"))["attempts"])

    async def count(self) -> int:
        return int((await self._json("GET", "/count"))["count"])

    async def wait_for_count(self, n: int, timeout: float) -> int:
        """Wait (server-side, no polling) until `n` messages were recorded; returns the count."""
        answer = await self._json("GET", "/count", params={"at_least": n, "timeout": timeout})
        if not answer["reached"]:
            raise TimeoutError(f"expected {n} recorded, got {answer['count']} after {timeout}s")
        return int(answer["count"])

    async def script(self, *entries: Scripted) -> list[dict[str, Any]]:
        payload = [entry.to_json() for entry in entries]
        return list((await self._json("POST", "/script", json=payload))["pending"])

    async def clear_script(self) -> None:
        await self._json("DELETE", "/script")

    async def reset(self) -> None:
        await self._json("POST", "/reset")

    async def push_update(self, update: dict[str, Any]) -> int:
        """Telegram stand-in only: queue an update for getUpdates."""
        return int((await self._json("POST", "/updates", json=update))["update_id"])

    async def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Telegram stand-in only: successful Bot API calls, optionally of one method."""
        params = {"method": method} if method else {}
        return list((await self._json("GET", "/calls", params=params))["calls"])

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
