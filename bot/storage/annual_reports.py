"""Who made the yearly report (`/annualreport`), so that reminders stop for their body.

A body is an agency and a commune (none for the province): when one of its officers has made
the report of a year, its other officers are not reminded either.
"""

from __future__ import annotations

from bot.storage.db import Transaction

_NOT_MADE = """NOT EXISTS (
    SELECT 1 FROM annual_reports r JOIN users o ON o.id = r.user_id
    WHERE r.year = ? AND o.officer_agency = u.officer_agency
      AND COALESCE(o.officer_commune, '') = COALESCE(u.officer_commune, ''))"""


async def made(tx: Transaction, user_id: int, year: int, now: str) -> None:
    await tx.execute(
        """INSERT INTO annual_reports (user_id, year, made_at) VALUES (?, ?, ?)
           ON CONFLICT (user_id, year) DO UPDATE SET made_at = excluded.made_at""",
        (user_id, year, now),
    )


async def officers_still_due(tx: Transaction, year: int) -> list[int]:
    rows = await tx.fetch_all(
        "SELECT u.id FROM users u WHERE u.officer_agency IS NOT NULL AND u.reachable = 1 "
        "AND u.consent_at IS NOT NULL AND " + _NOT_MADE + " ORDER BY u.id",
        (year,),
    )
    return [int(r[0]) for r in rows]


async def still_due(tx: Transaction, user_id: int, year: int) -> bool:
    found = await tx.fetch_value(
        "SELECT COUNT(*) FROM users u WHERE u.id = ? AND " + _NOT_MADE, (user_id, year)
    )
    return bool(found)
