"""The counts officers give so that percentage targets show a percentage (migration 8):
`media` (reporters, editors and radio staff of the province, scope ''), `workers` (people
working for an agency, scope: the agency's code)."""

from __future__ import annotations

from bot.storage.db import Transaction

MEDIA, WORKERS = "media", "workers"


async def set_value(tx: Transaction, kind: str, scope: str, value: int, by: int, now: str) -> None:
    await tx.execute(
        """INSERT INTO denominators (kind, scope, value, set_by, set_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (kind, scope) DO UPDATE SET value = excluded.value,
               set_by = excluded.set_by, set_at = excluded.set_at""",
        (kind, scope, value, by, now),
    )


async def total(tx: Transaction, kind: str) -> int | None:
    """The sum over every scope of a kind; None when none was given."""
    found = await tx.fetch_value("SELECT SUM(value) FROM denominators WHERE kind = ?", (kind,))
    return None if found is None else int(found)
