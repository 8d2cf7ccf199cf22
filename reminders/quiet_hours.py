"""Quiet hours in the recipient's time zone: a reminder due at night waits for morning."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_START = time(8, 0)
DEFAULT_END = time(21, 0)
DEFAULT_TZ = "Asia/Shanghai"


def _in_window(local: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # a window across midnight, e.g. 22:00-06:00


def next_allowed_send(
    at_utc: datetime,
    tz: str = DEFAULT_TZ,
    start: time = DEFAULT_START,
    end: time = DEFAULT_END,
) -> datetime:
    """The first moment at or after `at_utc` inside the allowed hours [start, end) in `tz`.

    `at_utc` must be aware; the result is aware UTC. Days on which `start` does not exist
    (a DST gap) use the first valid instant after it.
    """
    if at_utc.tzinfo is None:
        raise ValueError("at_utc must be timezone-aware")
    if start == end:
        return at_utc.astimezone(UTC)  # no quiet hours
    zone = ZoneInfo(tz)
    local = at_utc.astimezone(zone)
    if _in_window(local.timetz().replace(tzinfo=None), start, end):
        return at_utc.astimezone(UTC)
    day = local.date()
    for offset in (0, 1):
        candidate = _local_instant(datetime.combine(day + timedelta(days=offset), start), zone)
        if candidate >= at_utc:
            return candidate
    raise AssertionError("unreachable: the next start is at most a day away")  # pragma: no cover


def _local_instant(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone` as UTC; in a DST gap, the first valid minute after it."""
    probe = naive
    while _wall_clock(probe, zone) != probe:  # does not exist that day: a DST gap
        probe += timedelta(minutes=1)
    return probe.replace(tzinfo=zone).astimezone(UTC)


def _wall_clock(naive: datetime, zone: ZoneInfo) -> datetime:
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
