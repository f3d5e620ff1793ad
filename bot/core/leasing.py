"""Workers side by side: which of them handles a person's stored updates.

On PostgreSQL every worker stores what its webhooks receive, and any of them may handle it.
A person's updates must still be handled once each and in order, so a worker handles a
person only while it holds their lease (`bot/storage/leases.py`): it takes the lease,
handles the person's stored updates oldest first, reading them from the database (where the
other workers' arrivals are too), hands the lease back, and looks once more for an update
that arrived meanwhile. A lease runs for `LeaseTerms.seconds` and is renewed while the
worker is busy with the person; a dead worker's people are taken by the others' sweep once
their leases ran out. A handler whose lease ran out in the middle is fenced off by the
inbox row itself: the engine finishes an update only if it is still new.

On SQLite there is one process and no leases: the inbox keeps its in-memory queues.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import timedelta

from bot.core.clock import Clock, iso
from bot.storage import leases
from bot.storage.db import Database

Person = tuple[str, str]  # (channel, person)


@dataclass(frozen=True)
class LeaseTerms:
    seconds: float = 10.0  # how long a person stays with a worker that went silent
    sweep_every: float = 1.0  # seconds between looks for people nobody holds
    sweep_batch: int = 500


def worker_name() -> str:
    """Unique per process life: host, pid and a random suffix (a restarted pid is new)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class PersonLeases:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        terms: LeaseTerms | None = None,
        worker: str | None = None,
    ) -> None:
        self.db, self.clock = db, clock
        self.terms = terms or LeaseTerms()
        self.worker = worker or worker_name()
        self._taken: dict[Person, float] = {}  # when (loop time) each lease was last taken

    async def take(self, person: Person) -> bool:
        """Takes (or renews) the person's lease; False while another worker holds it."""
        now = self.clock.now()
        until = now + timedelta(seconds=self.terms.seconds)
        async with self.db.transaction() as tx:
            won = await leases.take(tx, person[0], person[1], self.worker, iso(now), iso(until))
        if won:
            self._taken[person] = asyncio.get_running_loop().time()
        else:
            self._taken.pop(person, None)
        return won

    def renewal_due(self, person: Person) -> bool:
        """True once a third of the lease has gone by since it was taken."""
        taken = self._taken.get(person)
        if taken is None:
            return True
        return asyncio.get_running_loop().time() - taken > self.terms.seconds / 3

    async def release(self, person: Person) -> None:
        self._taken.pop(person, None)
        async with self.db.transaction() as tx:
            await leases.release(tx, person[0], person[1], self.worker)

    async def release_all(self) -> int:
        """At a stop: the others take this worker's people at once."""
        self._taken.clear()
        async with self.db.transaction() as tx:
            return await leases.release_all(tx, self.worker)

    async def orphans(self, channels: tuple[str, ...]) -> list[Person]:
        """People with stored updates whom no live lease covers (new, or a dead worker's)."""
        now = iso(self.clock.now())
        return await leases.unleased_waiting(self.db, channels, now, self.terms.sweep_batch)
