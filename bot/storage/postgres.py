"""The PostgreSQL backend (asyncpg), chosen by `DATABASE_URL=postgresql://...`.

A pool of connections. Reads outside a transaction run on any free connection, side by side.
A writing transaction keeps SQLite's guarantee, one writer at a time: within a process an
asyncio lock, across processes (several workers on one database) a transaction-scoped
advisory lock taken right after BEGIN (see `bot.storage.dialect`). Query parameters go to
the server typed, so a caller passing "5" for an INTEGER column is told so here, where SQLite
would have stored the text.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any, cast

import asyncpg

from bot.settings import safe_url
from bot.storage.db import Database, Params, Row, Transaction
from bot.storage.dialect import POSTGRESQL, WRITER_LOCK_SQL, lock_key, rowcount

POOL_SIZE = 10


async def _keep(conn: asyncpg.Connection) -> None:
    """A connection goes back to the pool as it is: the bot changes no session state (its
    locks are transaction-scoped), so asyncpg's RESET ALL round trip would buy nothing."""


class PgDatabase(Database):
    dialect = POSTGRESQL

    def __init__(self, pool: asyncpg.Pool, url: str, schema: str) -> None:
        self._pool = pool
        self._url = url
        self._lock = asyncio.Lock()
        self._writer_key = lock_key(schema, "writers")
        self.schema = schema
        self.path = safe_url(url)

    @classmethod
    async def connect(cls, url: str, pool_size: int = POOL_SIZE) -> PgDatabase:
        """Query parameters of the URL other than libpq's are server settings (asyncpg),
        e.g. `?search_path=bot` keeps the bot's tables in the schema `bot`."""
        pool = await asyncpg.create_pool(url, min_size=1, max_size=pool_size, reset=_keep)
        schema = str(await pool.fetchval("SELECT current_schema()"))
        return cls(pool, url, schema)

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._lock, self._pool.acquire() as conn:
            started = conn.transaction()
            await started.start()
            try:
                await conn.execute(WRITER_LOCK_SQL, self._writer_key)
                yield PgTransaction(conn)
            except BaseException:
                await started.rollback()
                raise
            await started.commit()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(POSTGRESQL.translate(sql), *params)
        return cast(list[Row], rows)

    async def vacuum_analyze(self, tables: list[str]) -> None:
        """After a bulk load: the visibility map (index-only scans) and the planner's
        statistics. VACUUM cannot run in a transaction, so it has a statement of its own."""
        async with self._pool.acquire() as conn:
            for table in tables:
                await conn.execute(f"VACUUM (ANALYZE) {table}")

    async def dedicated_connection(self) -> asyncpg.Connection:
        """A connection outside the pool, for a session-level lock (`bot.storage.leader`);
        the caller closes it."""
        return await asyncpg.connect(self._url)


class PgTransaction(Transaction):
    dialect = POSTGRESQL

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        return rowcount(await self._conn.execute(POSTGRESQL.translate(sql), *params))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(POSTGRESQL.translate(sql), [tuple(r) for r in rows])

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return cast(list[Row], await self._conn.fetch(POSTGRESQL.translate(sql), *params))
