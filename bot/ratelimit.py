"""Rate limits for the dispatcher: a token bucket per channel and a spacing per address."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock


class TokenBucket:
    """`rate` sends per second with a burst of max(1, rate); rate 0 means no limit."""

    def __init__(self, rate: float, clock: Clock) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.clock = clock
        self.updated = clock.now()
        self.paused_until: datetime | None = None

    def _refill(self) -> None:
        now = self.clock.now()
        elapsed = (now - self.updated).total_seconds()
        self.updated = now
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)

    def pause(self, seconds: float) -> None:
        """The provider said "retry after": hold the whole channel."""
        until = self.clock.now() + timedelta(seconds=seconds)
        if self.paused_until is None or until > self.paused_until:
            self.paused_until = until

    async def acquire(self) -> None:
        while True:
            now = self.clock.now()
            if self.paused_until is not None and now < self.paused_until:
                await self.clock.sleep((self.paused_until - now).total_seconds())
                continue
            if self.rate <= 0:
                return
            self._refill()
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return
            await self.clock.sleep((1.0 - self.tokens) / self.rate)


class AddressSpacing:
    """At most `rate` messages per second to one address (Telegram: 1 per chat per second)."""

    def __init__(self, rate: float) -> None:
        self.interval = timedelta(seconds=1.0 / rate) if rate > 0 else timedelta(0)
        self.next_at: dict[str, datetime] = {}

    def wait_for(self, address: str, now: datetime) -> float:
        """Seconds until this address may be sent to again (0: now)."""
        due = self.next_at.get(address)
        return max(0.0, (due - now).total_seconds()) if due else 0.0

    def reserve(self, address: str, now: datetime) -> float:
        """Take the address's next free slot: seconds to wait for it (0: now). Two sends to
        one address in flight at once (the alert loop and the main loop) get two slots."""
        due = self.next_at.get(address)
        slot = max(now, due) if due else now
        self.next_at[address] = slot + self.interval
        if len(self.next_at) > 100_000:
            self.next_at = {a: t for a, t in self.next_at.items() if t > now}
        return (slot - now).total_seconds()

    def mark(self, address: str, now: datetime) -> None:
        """Sent now: the next send waits a whole interval (or for a slot already taken)."""
        due = self.next_at.get(address)
        self.next_at[address] = max(due, now + self.interval) if due else now + self.interval
        if len(self.next_at) > 100_000:
            self.next_at = {a: t for a, t in self.next_at.items() if t > now}
