"""Wrong codes a person tried (/redeem, /join, /start CODE): counted to slow down guessing."""

from __future__ import annotations

from bot.storage.db import Transaction


async def add(tx: Transaction, user_id: int, now: str, forget_before: str) -> None:
    await tx.execute(
        "DELETE FROM code_misses WHERE user_id = ? AND at < ?", (user_id, forget_before)
    )
    await tx.execute("INSERT INTO code_misses (user_id, at) VALUES (?, ?)", (user_id, now))


async def since(tx: Transaction, user_id: int, start: str) -> list[str]:
    """The times of this person's misses since `start`, oldest first."""
    rows = await tx.fetch_all(
        "SELECT at FROM code_misses WHERE user_id = ? AND at >= ? ORDER BY at", (user_id, start)
    )
    return [str(r[0]) for r in rows]
