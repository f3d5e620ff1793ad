"""Injectable time. Stored timestamps are UTC; people see Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock tests and the shell move by hand; it never moves on its own."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class OffsetClock:
    """Real time shifted by an offset: the shell's `:time` moves it, then it keeps ticking."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def set(self, moment: datetime) -> None:
        self._offset = moment.astimezone(UTC) - datetime.now(UTC)


def iso(moment: datetime) -> str:
    """The stored form of a timestamp: ISO 8601 in UTC, to the second (called for most
    statements: half the time of `astimezone(UTC).replace(microsecond=0).isoformat()`)."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def local_date(moment: datetime) -> date:
    return local(moment).date()


def school_year(day: date) -> str:
    """The school year a day belongs to, September to August: 2026-11-28 -> '2026-2027'."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def local_naive(value: str) -> datetime:
    """Parses 'YYYY-MM-DD HH:MM' as a local (Asia/Ho_Chi_Minh) time."""
    return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=LOCAL_TZ)
