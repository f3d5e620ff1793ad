"""Answers to received updates, committed with the state change they report.

A row is written in the engine's transaction (status 'sending': the process that wrote it
sends it at once, and holds it until `lease_until`). `parts` counts the messages of the
answer already sent, so a retry never repeats the first part of a split answer. At start-up,
'sending' rows a killed process left go back to 'pending' (with workers side by side, only
those whose lease ran out: the others' are being sent); the scheduler sends pending rows
whose time has come.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.storage.db import Database, Returned, Transaction

# How long a worker holds an answer it is sending. A send waits at most the limiter's 30 s
# and the HTTP timeouts (5 s to connect, 10 s to read); a throttled answer goes back to
# 'pending' before this runs out. A dead worker's answers are sent by the scheduler after it.
SENDING_LEASE = timedelta(seconds=60)


@dataclass(frozen=True)
class Answer:
    id: int
    channel: str
    address: str
    replies: str
    parts: int
    attempts: int


async def add(
    tx: Transaction, channel: str, address: str, replies: str, now: str, lease_until: str
) -> Returned:
    """The answer's row; its id (`.value()`) is there once the transaction committed."""
    return await tx.later_returning(
        """INSERT INTO answers (channel, address, replies, created_at, not_before, lease_until)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
        (channel, address, replies, now, now, lease_until),
    )


async def progress(tx: Transaction, marks: Sequence[tuple[int, int]]) -> None:
    """(answer id, parts sent) for answers still being sent."""
    await tx.later_many(
        "UPDATE answers SET parts = max(parts, ?) WHERE id = ?", [(n, i) for i, n in marks]
    )


async def finish(tx: Transaction, ids: Sequence[int]) -> None:
    """Sent (or given up): the row goes."""
    await tx.later_many("DELETE FROM answers WHERE id = ?", [(i,) for i in ids])


async def retry_later(tx: Transaction, answer_id: int, not_before: str, parts: int) -> None:
    await tx.execute(
        "UPDATE answers SET status = 'pending', not_before = ?, parts = max(parts, ?), "
        "attempts = attempts + 1 WHERE id = ?",
        (not_before, parts, answer_id),
    )


async def release(tx: Transaction, ids: Sequence[int]) -> None:
    """Claimed and not sent (the bot is stopping): back to the queue as they were."""
    await tx.execute_many("UPDATE answers SET status = 'pending' WHERE id = ?", [(i,) for i in ids])


async def requeue_interrupted(tx: Transaction) -> int:
    """Every answer left 'sending' (the only process was killed): back to the queue."""
    return await tx.execute("UPDATE answers SET status = 'pending' WHERE status = 'sending'")


async def requeue_expired(tx: Transaction, now: str) -> int:
    """Answers whose worker's lease ran out (it died sending them): back to the queue."""
    return await tx.execute(
        "UPDATE answers SET status = 'pending' WHERE status = 'sending' "
        "AND (lease_until IS NULL OR lease_until <= ?)",
        (now,),
    )


async def next_after(db: Database, now: str) -> str | None:
    """When the soonest answer waiting for a retry falls due after `now` (None: none waits)."""
    row = await db.fetch_one(
        "SELECT min(not_before) FROM answers WHERE status = 'pending' AND not_before > ?",
        (now,),
    )
    return None if row is None or row[0] is None else str(row[0])


async def claim_due(
    tx: Transaction, channels: Sequence[str], now: str, limit: int, lease_until: str
) -> list[Answer]:
    """Pending answers whose time has come, oldest first, claimed ('sending') until
    `lease_until`."""
    if not channels:
        return []
    marks = ", ".join("?" for _ in channels)
    rows = await tx.fetch_all(
        f"""UPDATE answers SET status = 'sending', lease_until = ?
            WHERE id IN (SELECT id FROM answers WHERE status = 'pending' AND not_before <= ?
                         AND channel IN ({marks}) ORDER BY id LIMIT ?{tx.dialect.skip_locked})
            RETURNING id, channel, address, replies, parts, attempts""",
        (lease_until, now, *channels, limit),
    )
    found = [Answer(int(r[0]), r[1], r[2], r[3], int(r[4]), int(r[5])) for r in rows]
    return sorted(found, key=lambda a: a.id)
