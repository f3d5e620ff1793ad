"""The one place that knows which database we talk to.

SQLite (through aiosqlite) is the embedded default. SQL elsewhere is standard and uses `?`
parameters; the few dialect bits (primary keys, pragmas) live here so that a PostgreSQL
backend can be added by translating them in this module only.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

Row = aiosqlite.Row
Params = Sequence[Any]

# Dialect bits used by migrations, spelled as placeholders in their SQL.
SQLITE_DIALECT = {"pk": "INTEGER PRIMARY KEY"}


class Database:
    """A single aiosqlite connection with serialised transactions.

    All writes go through `transaction()`, which holds an asyncio lock so that two
    conversations handled concurrently never interleave inside one SQLite transaction.
    """

    def __init__(self, conn: aiosqlite.Connection, cursor: aiosqlite.Cursor, path: str) -> None:
        self._conn = conn
        # One cursor, kept open, for BEGIN/COMMIT and every write: a statement is one hop to
        # aiosqlite's thread, not two (execute, then close a cursor of its own). The lock
        # below means only one transaction uses it at a time.
        self._cursor = cursor
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        target = str(path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(target, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        # FULL: a commit is on disk before it returns, so what the bot acknowledged survives
        # a power cut too. Measured with the batched inbox it costs nothing noticeable
        # (benchmarks/ingestion.py: 6,946 vs 7,146 stores/s); see the README.
        await conn.execute("PRAGMA synchronous=FULL")
        return cls(conn, await conn.cursor(), target)

    async def close(self) -> None:
        await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK if the block raises."""
        async with self._lock:
            await self._cursor.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._conn, self._cursor)
            except BaseException:
                await self._cursor.execute("ROLLBACK")
                raise
            await self._cursor.execute("COMMIT")

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """A read outside any transaction (SQLite gives it a consistent snapshot)."""
        async with self._lock:
            return list(await self._conn.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    def render(self, sql: str) -> str:
        """Fills the dialect placeholders of a migration statement."""
        return sql.format(**SQLITE_DIALECT)


def as_dict(row: Row) -> dict[str, Any]:
    """A row as a column -> value mapping (iterating a Row yields values, not keys)."""
    return {key: row[key] for key in row.keys()}  # noqa: SIM118


class Transaction:
    """The handle that repository functions receive: every write goes through one.

    Each call is one hop to aiosqlite's thread: a read runs and fetches its rows in that one
    hop (so `fetch_one` reads every row the statement returns: give it a statement that
    returns one), a write runs on the transaction's cursor.
    """

    def __init__(self, conn: aiosqlite.Connection, cursor: aiosqlite.Cursor) -> None:
        self._conn = conn
        self._cursor = cursor

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Runs a statement and returns the number of rows it changed."""
        await self._cursor.execute(sql, params)
        return self._cursor.rowcount

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        await self._cursor.executemany(sql, rows)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]
