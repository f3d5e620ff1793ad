"""Which tips a person has had, so the next one is new to them."""

from __future__ import annotations

from bot.storage.db import Transaction


async def record(tx: Transaction, user_id: int, tip_id: str, now: str) -> None:
    await tx.later(
        "INSERT INTO tips_seen (user_id, tip_id, seen_at) VALUES (?, ?, ?)", (user_id, tip_id, now)
    )


async def recent(tx: Transaction, user_id: int, limit: int) -> list[str]:
    """Tip ids this person saw, most recent first."""
    rows = await tx.fetch_all(
        "SELECT tip_id FROM tips_seen WHERE user_id = ? ORDER BY seen_at DESC, id DESC LIMIT ?",
        (user_id, limit),
    )
    return [r[0] for r in rows]


async def history(tx: Transaction, user_id: int, limit: int) -> list[tuple[str, str]]:
    """(tip id, seen_at in UTC ISO) this person saw, most recent first."""
    rows = await tx.fetch_all(
        """SELECT tip_id, seen_at FROM tips_seen WHERE user_id = ?
           ORDER BY seen_at DESC, id DESC LIMIT ?""",
        (user_id, limit),
    )
    return [(r[0], r[1]) for r in rows]


async def last(tx: Transaction, user_id: int) -> tuple[str, str] | None:
    found = await history(tx, user_id, 1)
    return found[0] if found else None
