"""Who made the yearly report (`/annualreport`), so that reminders stop for their body.

A body is an agency and a commune (none for the province): when one of its officers has made
the report of a year, its other officers are not reminded either, and task 4 of the plan is
done for it (`bot.stats.plan`).
"""

from __future__ import annotations

from bot.storage.db import Transaction

_NOT_MADE = """NOT EXISTS (
    SELECT 1 FROM annual_reports r
    WHERE r.year = ? AND r.agency = u.officer_agency
      AND COALESCE(r.commune_code, '') = COALESCE(u.officer_commune, ''))"""


async def made(
    tx: Transaction, user_id: int, year: int, now: str, agency: str, commune: str | None
) -> None:
    """The report of `year` made by an officer for their body (their agency as recorded: the
    plan maps it to the body doing its work today). It stays when the officer's account is
    erased: only who made it is forgotten."""
    await tx.execute(
        """INSERT INTO annual_reports (user_id, year, made_at, agency, commune_code)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (user_id, year) DO UPDATE SET made_at = excluded.made_at,
               agency = excluded.agency, commune_code = excluded.commune_code""",
        (user_id, year, now, agency, commune),
    )


Body = tuple[str, str | None]  # agency, commune (None: the province)


async def bodies_made(tx: Transaction, year: int) -> set[Body]:
    """The bodies that made the yearly report of `year` (task 4 of the plan)."""
    rows = await tx.fetch_all(
        "SELECT DISTINCT agency, commune_code FROM annual_reports WHERE year = ?",
        (year,),
    )
    return {(str(r[0]), r[1]) for r in rows}


async def bodies_with_officers(tx: Transaction) -> set[Body]:
    """The bodies that have an officer today: the ones the plan expects a report from."""
    rows = await tx.fetch_all(
        """SELECT DISTINCT officer_agency, officer_commune FROM users
           WHERE officer_agency IS NOT NULL AND consent_at IS NOT NULL"""
    )
    return {(str(r[0]), r[1]) for r in rows}


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
