"""Cross-thread change notification for stand-in recorders.

A stand-in server runs its own event loop (in a thread or another process) while the test
awaits on a different loop. `ChangeSignal` lets either side wait for "something changed"
without sleeping: async waiters are woken with `loop.call_soon_threadsafe(event.set)`,
sync waiters with a `threading.Condition`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextlib import suppress

_Waiter = tuple[asyncio.AbstractEventLoop, asyncio.Event]


class ChangeSignal:
    """Broadcasts "state changed" to waiters on any thread or event loop."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._waiters: set[_Waiter] = set()

    def notify_all(self) -> None:
        """Wake every waiter. Call it after releasing any lock the predicates take."""
        with self._condition:
            self._condition.notify_all()
            waiters = list(self._waiters)
        for loop, event in waiters:
            with suppress(RuntimeError):  # the waiter's loop is already closed
                loop.call_soon_threadsafe(event.set)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float | None,
    ) -> bool:
        """Await until `predicate()` holds; False if it still fails after `timeout` seconds."""
        waiter: _Waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._condition:
            self._waiters.add(waiter)
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await waiter[1].wait()
                    waiter[1].clear()
            return True
        except TimeoutError:
            return predicate()
        finally:
            with self._condition:
                self._waiters.discard(waiter)

    def wait_until_sync(self, predicate: Callable[[], bool], timeout: float | None) -> bool:
        """Block the calling thread until `predicate()` holds or `timeout` seconds pass."""
        with self._condition:
            return self._condition.wait_for(predicate, timeout)
