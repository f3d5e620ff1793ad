"""Taking and closing pledges, with the counts officers read later.

The counts (`pledges.taken`, `pledges.kept` weeks, `pledges.completed`, `pledges.dropped`) live
in `counters` by year, commune and audience, so they stay right after a person erases their
data. The weekly schedule is here too: a check-in is asked at the person's tip hour, or at
19:00 when they get no daily tip, on or after its due day.
"""

from __future__ import annotations

from datetime import date, datetime, time

from bot.content.model import DURATIONS
from bot.core.clock import iso, local, local_date
from bot.core.router import N_
from bot.storage import counters, pledges
from bot.storage.db import Transaction
from bot.storage.users import User

DEFAULT_CHECKIN_TIME = time(19, 0)
DURATION_LABELS = {
    "week": N_("A week"),
    "month": N_("A month"),
    "quarter": N_("Three months"),
    "ongoing": N_("Ongoing"),
}


def checkin_time(tip_time: str | None) -> time:
    if not tip_time:
        return DEFAULT_CHECKIN_TIME
    hour, minute = map(int, tip_time.split(":"))
    return time(hour, minute)


def is_due(due_day: date, tip_time: str | None, now: datetime) -> bool:
    """True once the person's check-in hour has come on `due_day` (or any day after it)."""
    moment = local(now)
    today = moment.date()
    return due_day < today or (due_day == today and moment.time() >= checkin_time(tip_time))


def completed(kept: int, weeks: int) -> bool:
    """Completed: kept at least three weeks in four (so every week of a one-week pledge, and
    10 of the 13 weeks of three months)."""
    return kept * 4 >= weeks * 3


def duration_of(weeks: int | None) -> str:
    return next(key for key, value in DURATIONS.items() if value == weeks)


async def count(tx: Transaction, user: User, metric: str, now: datetime) -> None:
    year = str(local_date(now).year)
    await counters.increment(tx, f"pledges.{metric}", year, user.commune_code, user.audience)


async def take(tx: Transaction, user: User, key: str, duration: str, now: datetime) -> int:
    """A new pledge from today; its first check-in is a week from now."""
    pledge_id = await pledges.take(tx, user.id, key, DURATIONS[duration], local_date(now), iso(now))
    await count(tx, user, "taken", now)
    return pledge_id


async def close(
    tx: Transaction, user: User, pledge: pledges.TakenPledge, status: str, now: datetime
) -> None:
    await pledges.close(tx, pledge.id, status, iso(now))
    if status in (pledges.COMPLETED, pledges.DROPPED):
        await count(tx, user, status, now)
