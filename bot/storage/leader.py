"""One worker at a time for a role (the poller, the scheduler), chosen by the database.

On PostgreSQL a role is a session-level advisory lock (`pg_try_advisory_lock`) held on a
connection of its own, outside the pool: whoever holds it does the work. When that worker
dies, its connection closes and the server frees the lock at once; another worker's next
`try_lead()` (every few seconds) takes it over. A holder checks `still_leading()` before each
round of work, so a worker cut off from the database stops as soon as it notices.

On SQLite there is one process, so it always leads.

`bot run` uses one role, "worker": on PostgreSQL, several workers started against one database
are one active worker and hot standbys (`wait_to_lead`); the active one gives up and stops as
soon as it loses the role (`watch`), so two never serve at once for longer than one check.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

import asyncpg

from bot.storage.db import Database
from bot.storage.dialect import lock_key
from bot.storage.postgres import PgDatabase

log = logging.getLogger(__name__)


KEEPALIVES = (
    "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3"
)


class Leadership:
    """A named role held by at most one worker among those sharing the database."""

    def __init__(self, db: Database, role: str) -> None:
        self.role = role
        self._pg = db if isinstance(db, PgDatabase) else None
        self._key = lock_key(self._pg.schema, f"role:{role}") if self._pg else 0
        self._conn: Any = None

    @property
    def leading(self) -> bool:
        return self._pg is None or self._conn is not None

    async def try_lead(self) -> bool:
        """Takes the role if nobody holds it; True while this worker holds it."""
        if self._pg is None:
            return True
        if self._conn is not None:
            return await self.still_leading()
        try:
            conn = await self._pg.dedicated_connection()
        except (OSError, asyncpg.PostgresError) as exc:  # the database away: try again later
            log.warning("cannot reach the database to lead %s: %s", self.role, exc)
            return False
        try:
            # A machine that dies sends no FIN: the server learns it from keepalives, after
            # about 5 + 3 x 2 = 11 s instead of the system's default two hours.
            await conn.execute(KEEPALIVES)
            won = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key))
        except (OSError, asyncpg.PostgresError):
            await conn.close()
            return False
        if not won:
            await conn.close()
            return False
        self._conn = conn
        log.info("this worker now leads %s", self.role)
        return True

    async def still_leading(self) -> bool:
        """False (and the role given up) when the lock's connection was lost."""
        if self._pg is None:
            return True
        if self._conn is None:
            return False
        try:
            await self._conn.fetchval("SELECT 1")
        except Exception:  # a lost session surfaces as several asyncpg and OS errors
            log.warning("lost the connection holding %s; another worker takes over", self.role)
            self._conn.terminate()
            self._conn = None
            return False
        return True

    async def resign(self) -> None:
        """Gives the role up (at a graceful stop), so another worker takes it at once."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.fetchval("SELECT pg_advisory_unlock($1)", self._key)
            finally:
                await conn.close()


async def wait_to_lead(leader: Leadership, stop: asyncio.Event, every: float) -> bool:
    """Stands by until this worker leads (True) or is told to stop first (False)."""
    announced = False
    while not stop.is_set():
        if await leader.try_lead():
            return True
        if not announced:
            log.info("standing by: another worker serves; trying every %.0f s to take over", every)
            announced = True
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
    return False


async def watch(leader: Leadership, stop: asyncio.Event, every: float) -> bool:
    """While serving, checks the role is still held; when it is lost, asks the worker to stop
    (another may lead by now) and returns True."""
    while not stop.is_set():
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        if not stop.is_set() and not await leader.still_leading():
            stop.set()
            return True
    return False
