"""Sending a report: it waits for a moderator, unless its sender is trusted.

Officers and admins, and anyone a moderator marked trusted, skip the queue: their report is
approved at once, recorded as a decision by nobody with the reason "trusted reporter".
Counters keep how many reports each commune sent and had approved, per month; they outlive
the reports of people who erase their data.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.auth import STAFF, Role
from bot.markets import MarketInfo
from bot.storage import counters, reports
from bot.storage.db import Transaction
from bot.storage.users import User

TRUSTED_REASON = "trusted reporter"


@dataclass(frozen=True)
class Draft:
    market: MarketInfo
    answers: dict[str, bool]
    photos: list[str]
    note: str
    place: tuple[float, float] | None


async def submit(
    tx: Transaction, user: User, role: Role, draft: Draft, day: str, now: str
) -> tuple[int, bool]:
    """Records the report; returns its number and whether it was published at once."""
    trusted, _banned = await reports.flags(tx, user.id)
    number = await reports.create(
        tx,
        user_id=user.id,
        market_id=draft.market.id,
        commune_code=draft.market.commune,
        answers=draft.answers,
        photos=draft.photos,
        note=draft.note,
        place=draft.place,
        day=day,
        now=now,
    )
    month = day[:7]
    await counters.increment(tx, "reports.sent", month, draft.market.commune)
    if trusted or role in STAFF:
        await reports.decide(tx, number, reports.APPROVED, TRUSTED_REASON, None, now)
        await counters.increment(tx, "reports.approved", month, draft.market.commune)
        return number, True
    return number, False
