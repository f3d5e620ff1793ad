"""The delivery outbox: everything the bot sends on its own, each recorded exactly once.

A row is unique per (person, kind, day), so enqueuing is idempotent: a scheduler that runs
twice, or restarts half-way, cannot create a second delivery for the same person and day.
Status moves pending -> sending -> sent | failed | dropped. `parts` counts the messages of a
split delivery already sent (committed after each), so a retry sends only the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.db import Database, Row, Transaction, as_dict


@dataclass(frozen=True)
class Delivery:
    id: int
    user_id: int
    kind: str
    day: str
    payload: str
    attempts: int
    channel: str
    chat_id: str
    locale: str | None
    address: str = "ban"  # the form of address (core.auth.address_of), for the renderer
    parts: int = 0  # messages of it sent by an earlier attempt


async def enqueue(
    tx: Transaction, user_id: int, kind: str, day: str, payload: str, now: str
) -> bool:
    """Records a delivery; False if one already exists for this person, kind and day."""
    changed = await tx.execute(
        """INSERT INTO deliveries (user_id, kind, day, payload, not_before, created_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (user_id, kind, day) DO NOTHING""",
        (user_id, kind, day, payload, now, now),
    )
    return changed == 1


def _delivery(row: Row) -> Delivery:
    return Delivery(**as_dict(row))


async def due(tx: Transaction, now: str, limit: int, channels: Sequence[str]) -> list[Delivery]:
    """Pending deliveries whose time has come, to reachable people on these channels.

    Only channels this process serves: a full queue for a channel that is not running must
    not keep the others waiting.
    """
    if not channels:
        return []
    marks = ", ".join("?" for _ in channels)
    rows = await tx.fetch_all(
        f"""SELECT d.id, d.user_id, d.kind, d.day, d.payload, d.attempts, d.parts,
                  u.channel, u.chat_id, u.locale,
                  CASE WHEN u.address_form IS NOT NULL THEN u.address_form
                       WHEN u.officer_agency IS NOT NULL THEN 'ongba' ELSE 'ban' END AS address
           FROM deliveries d JOIN users u ON u.id = d.user_id
           WHERE d.status = 'pending' AND d.not_before <= ? AND u.reachable = 1
             AND u.channel IN ({marks})
           ORDER BY d.not_before, d.id
           LIMIT ?""",
        (now, *channels, limit),
    )
    return [_delivery(r) for r in rows]


async def next_after(db: Database, now: str) -> str | None:
    """When the soonest pending delivery falls due after `now` (None: nothing is waiting)."""
    row = await db.fetch_one(
        "SELECT min(not_before) FROM deliveries WHERE status = 'pending' AND not_before > ?",
        (now,),
    )
    return None if row is None or row[0] is None else str(row[0])


async def claim(tx: Transaction, delivery_id: int) -> bool:
    """pending -> sending; False if another worker got there first."""
    changed = await tx.execute(
        "UPDATE deliveries SET status = 'sending', attempts = attempts + 1 "
        "WHERE id = ? AND status = 'pending'",
        (delivery_id,),
    )
    return changed == 1


async def progress(tx: Transaction, delivery_id: int, parts: int) -> None:
    """The first `parts` messages of this delivery were sent."""
    await tx.execute(
        "UPDATE deliveries SET parts = ? WHERE id = ? AND parts < ?", (parts, delivery_id, parts)
    )


async def finish(
    tx: Transaction, delivery_id: int, status: str, now: str, error: str | None = None
) -> None:
    sent_at = now if status == "sent" else None
    await tx.execute(
        "UPDATE deliveries SET status = ?, sent_at = ?, error = ? WHERE id = ?",
        (status, sent_at, error, delivery_id),
    )


async def retry_later(
    tx: Transaction, delivery_id: int, not_before: str, error: str, *, counts: bool = True
) -> None:
    """Back to the queue. `counts=False` (throttled, or the bot stopping) gives back the
    attempt the claim took, so waiting never brings a delivery closer to giving up."""
    await tx.execute(
        "UPDATE deliveries SET status = 'pending', not_before = ?, error = ?, "
        "attempts = attempts - ? WHERE id = ?",
        (not_before, error, 0 if counts else 1, delivery_id),
    )


async def requeue_interrupted(tx: Transaction) -> int:
    """At start-up: deliveries a killed process left in 'sending' go back to the queue."""
    return await tx.execute("UPDATE deliveries SET status = 'pending' WHERE status = 'sending'")


async def drop_pending_for(tx: Transaction, user_id: int, reason: str) -> None:
    await tx.execute(
        "UPDATE deliveries SET status = 'dropped', error = ? "
        "WHERE user_id = ? AND status IN ('pending', 'sending')",
        (reason, user_id),
    )
