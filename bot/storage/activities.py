"""Activities officers log against the plan's tasks (`/activity`, migration 8)."""

from __future__ import annotations

import json

from bot.storage.db import Transaction


async def log(
    tx: Transaction,
    *,
    day: str,
    task_id: str,
    lead_agency: str,
    commune_code: str | None,
    participants: int,
    audiences: dict[str, int],
    note: str,
    photo: str | None,
    by: int,
    now: str,
) -> int:
    await tx.execute(
        """INSERT INTO activities (day, task_id, lead_agency, commune_code, kind, participants,
               audiences, note, photo, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            day,
            task_id,
            lead_agency,
            commune_code,
            task_id,
            participants,
            json.dumps(audiences, sort_keys=True),
            note,
            photo,
            by,
            now,
        ),
    )
    return int(await tx.fetch_value("SELECT MAX(id) FROM activities"))


async def per_task(tx: Transaction, year: int, commune_code: str | None) -> dict[str, int]:
    """Activities logged in a calendar year, per task (one commune's, or all)."""
    sql = "SELECT task_id, COUNT(*) FROM activities WHERE day LIKE ?"
    params: list[object] = [f"{year}-%"]
    if commune_code is not None:
        sql += " AND commune_code = ?"
        params.append(commune_code)
    rows = await tx.fetch_all(sql + " GROUP BY task_id", tuple(params))
    return {str(r[0]): int(r[1]) for r in rows}
