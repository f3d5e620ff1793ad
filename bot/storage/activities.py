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
    row = await tx.fetch_one(
        """INSERT INTO activities (day, task_id, lead_agency, commune_code, kind, participants,
               audiences, note, photo, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
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
    assert row is not None
    return int(row[0])


async def per_task(
    tx: Transaction, year: int, commune_code: str | None
) -> dict[str, dict[str | None, int]]:
    """Activities logged in a calendar year: task -> commune (None: the whole province) ->
    count; one commune's, or all."""
    sql = "SELECT task_id, commune_code, COUNT(*) FROM activities WHERE day >= ? AND day < ?"
    params: list[object] = [f"{year}-01-01", f"{year + 1}-01-01"]
    if commune_code is not None:
        sql += " AND commune_code = ?"
        params.append(commune_code)
    found: dict[str, dict[str | None, int]] = {}
    for task, commune, count in await tx.fetch_all(
        sql + " GROUP BY task_id, commune_code", tuple(params)
    ):
        found.setdefault(str(task), {})[commune] = int(count)
    return found
