"""The inbox table: every update a channel received, stored before it is acknowledged.

A row is unique per (channel, update key), so a platform that sends an update twice (a
webhook retried, a poll repeated) stores it once. Status: new -> done. A done row keeps its
key (not its payload) for a day, long enough to recognise a repeat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.db import Database, NotChanged, Returned, Transaction


@dataclass(frozen=True)
class Stored:
    """A waiting update as the workers see it."""

    id: int
    channel: str
    person: str
    payload: str


@dataclass(frozen=True)
class Arrival:
    channel: str
    key: str
    person: str
    payload: str


STORE_SQL = """INSERT INTO inbox (channel, update_key, person, payload, received_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (channel, update_key) DO NOTHING
           RETURNING id"""


async def add_all(tx: Transaction, arrivals: Sequence[Arrival], now: str) -> list[Returned]:
    """Stores each update, as writes that go with the COMMIT: on SQLite the whole batch is one
    hop to the database thread. Each row id (None: the same update was stored before)
    is read after the commit."""
    return [await tx.later_returning(STORE_SQL, _row(a, now)) for a in arrivals]


def _row(arrival: Arrival, now: str) -> tuple[str, str, str, str, str]:
    return (arrival.channel, arrival.key, arrival.person, arrival.payload, now)


async def finish(tx: Transaction, ids: Sequence[int]) -> None:
    """Done: the payload goes, the key stays to recognise a repeat."""
    await tx.later_many(
        "UPDATE inbox SET status = 'done', payload = NULL WHERE id = ?", [(i,) for i in ids]
    )


class FinishedElsewhere(NotChanged):
    """The stored update was finished by another worker (this one's lease on the person ran
    out while it was handling it): this transaction must not commit."""


async def finish_new(tx: Transaction, update_id: int) -> None:
    """Done, if nobody finished it first; else `FinishedElsewhere` is raised, at the latest
    when the transaction commits (the write goes with the transaction's next statement)."""
    await tx.later(
        "UPDATE inbox SET status = 'done', payload = NULL WHERE id = ? AND status = 'new'",
        (update_id,),
        expect_changed=1,
        raising=FinishedElsewhere,
    )


async def waiting_people(db: Database) -> list[tuple[str, str]]:
    """(channel, person) of everyone with updates stored and not finished."""
    rows = await db.fetch_all(
        "SELECT DISTINCT channel, person FROM inbox WHERE status = 'new' ORDER BY channel"
    )
    return [(str(r[0]), str(r[1])) for r in rows]


async def waiting_for(
    db: Database, channel: str, person: str, after: int, limit: int
) -> list[Stored]:
    """One person's unfinished updates after row `after`, oldest first."""
    rows = await db.fetch_all(
        """SELECT id, channel, person, payload FROM inbox
           WHERE status = 'new' AND channel = ? AND person = ? AND id > ?
           ORDER BY id LIMIT ?""",
        (channel, person, after, limit),
    )
    return [Stored(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


async def prune(tx: Transaction, before: str) -> int:
    """Forgets finished updates received before `before`."""
    return await tx.execute(
        "DELETE FROM inbox WHERE status = 'done' AND received_at < ?", (before,)
    )


async def count_waiting(db: Database) -> int:
    row = await db.fetch_one("SELECT count(*) FROM inbox WHERE status = 'new'")
    return 0 if row is None else int(row[0])
