"""Teacher registrations: a teacher of a school, waiting for approval, approved or refused."""

from __future__ import annotations

from bot.storage.db import Transaction


async def is_approved(tx: Transaction, user_id: int) -> bool:
    status = await tx.fetch_value("SELECT status FROM teachers WHERE user_id = ?", (user_id,))
    return status == "approved"
