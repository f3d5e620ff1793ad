"""Which worker handles a person's stored updates: a lease per (channel, person).

Workers side by side on one PostgreSQL each store what their webhooks receive; whoever holds
a person's lease handles that person's updates, in order, and nobody else does. A lease
expires (`until`), so a dead worker's people come back to the others. Taking a lease is one
conditional upsert: it succeeds when nobody holds the person, when this worker holds them
already (a renewal), or when the holder's lease has run out. Times are ISO 8601 text, as
everywhere in the schema.
"""

from __future__ import annotations

from bot.storage.db import Database, Transaction


async def take(
    tx: Transaction, channel: str, person: str, worker: str, now: str, until: str
) -> bool:
    """Takes or renews the lease on a person; False while another worker holds it."""
    row = await tx.fetch_one(
        """INSERT INTO person_leases (channel, person, worker, until) VALUES (?, ?, ?, ?)
           ON CONFLICT (channel, person) DO UPDATE
           SET worker = excluded.worker, until = excluded.until
           WHERE person_leases.worker = excluded.worker OR person_leases.until <= ?
           RETURNING worker""",
        (channel, person, worker, until, now),
    )
    return row is not None


async def release(tx: Transaction, channel: str, person: str, worker: str) -> None:
    await tx.execute(
        "DELETE FROM person_leases WHERE channel = ? AND person = ? AND worker = ?",
        (channel, person, worker),
    )


async def release_all(tx: Transaction, worker: str) -> int:
    """Every lease of a worker that stops; how many."""
    return await tx.execute("DELETE FROM person_leases WHERE worker = ?", (worker,))


async def unleased_waiting(
    db: Database, channels: tuple[str, ...], now: str, limit: int
) -> list[tuple[str, str]]:
    """(channel, person) of people with stored updates that no live lease covers."""
    if not channels:
        return []
    marks = ", ".join("?" for _ in channels)
    rows = await db.fetch_all(
        f"""SELECT DISTINCT i.channel, i.person FROM inbox i
            LEFT JOIN person_leases l
              ON l.channel = i.channel AND l.person = i.person AND l.until > ?
            WHERE i.status = 'new' AND i.channel IN ({marks}) AND l.worker IS NULL
            LIMIT ?""",
        (now, *channels, limit),
    )
    return [(str(r[0]), str(r[1])) for r in rows]
