"""The SQLite backend (aiosqlite): one writing connection, WAL, writers serialised by an
asyncio lock and `BEGIN IMMEDIATE`.

Each statement is a hop to aiosqlite's thread and back, and the way back waits for the event
loop: at the bot's ceiling the loop is busy, and a transaction held the one writer's lock for
about ten such waits (README, Benchmarks). So a transaction gathers what needs no answer and
sends it with the next statement that does, all in one hop: BEGIN goes with the first
statement, and writes given to `later` go with the next statement or with the COMMIT. A
transaction of writes only (marking answers sent) is one hop.

Reads outside a transaction (`fetch_all`: the inbox reading a person's waiting updates back,
a person's language) go through a second, read-only connection on a thread of its own, and
do not take the writers' lock: in WAL mode they see the last commit and never wait for a
writer. Under a flood the inbox's reads had held the lock 20-57% of the time.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

import aiosqlite

from bot.storage.db import Database, NotChanged, Params, Returned, Row, Transaction
from bot.storage.dialect import SQLITE

T = TypeVar("T")


class SqliteDatabase(Database):
    """One aiosqlite connection for the writes, with serialised transactions, and one for
    the reads outside them.

    All writes go through `transaction()`, which holds an asyncio lock so that two
    conversations handled concurrently never interleave inside one SQLite transaction.
    """

    dialect = SQLITE

    def __init__(
        self, conn: aiosqlite.Connection, path: str, reader: aiosqlite.Connection | None = None
    ) -> None:
        self._conn = conn
        self._reader = reader  # None for an in-memory database: reads take the lock
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def connect(cls, path: str | Path) -> SqliteDatabase:
        target = str(path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        conn = await _open(target)
        await conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before it returns, so what the bot acknowledged survives
        # a power cut too. Its price, measured: 10-16% of the end-to-end ceiling, little below
        # it (benchmarks/end_to_end.py, benchmarks/ingestion.py); see the README.
        await conn.execute("PRAGMA synchronous=FULL")
        reader = None
        if target != ":memory:":  # another connection would open another empty database
            reader = await _open(target)
            await reader.execute("PRAGMA query_only=ON")
        return cls(conn, target, reader)

    async def close(self) -> None:
        if self._reader is not None:
            await self._reader.close()
        await self._conn.close()

    def transaction(self) -> _Scope:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK if the block raises (see `_Scope`)."""
        return _Scope(self._lock, self._conn)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """A read outside any transaction: a consistent snapshot of the last commit."""
        if self._reader is not None:
            return cast(list[Row], list(await self._reader.execute_fetchall(sql, params)))
        async with self._lock:
            return cast(list[Row], list(await self._conn.execute_fetchall(sql, params)))


class _Scope:
    """A transaction holding the writers' lock (a class rather than an
    `@asynccontextmanager` generator: it runs once or twice per message).

    The lock passes to the next transaction as soon as the COMMIT is queued to the thread,
    not once it returned: the thread runs what it is given in order, so the next
    transaction's statements run after the COMMIT, and the wait for the event loop to see the
    COMMIT return is no longer the next one's wait too. The COMMIT is queued before the lock
    is released, in the same step (`queue_work`): neither a task that was ready before it can
    queue its BEGIN first (tests/test_transactions.py), nor does the lock wait for a turn of
    the event loop, which at the bot's ceiling is long."""

    __slots__ = ("_conn", "_lock", "_tx")

    def __init__(self, lock: asyncio.Lock, conn: aiosqlite.Connection) -> None:
        self._lock = lock
        self._conn = conn

    async def __aenter__(self) -> Transaction:
        await self._lock.acquire()
        self._tx = SqliteTransaction(self._conn)
        return self._tx

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            try:
                await self._tx.rollback()
            finally:
                self._lock.release()
            return  # the block's exception goes on
        try:
            committing = self._tx.queue_commit()
        finally:
            self._lock.release()
        if committing is not None:
            await committing


async def _open(target: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(target, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA busy_timeout=5000")
    await conn.execute("PRAGMA foreign_keys=ON")
    return conn


@dataclass(frozen=True)
class _Write:
    sql: str
    params: Params | list[Params]
    many: bool = False
    expect_changed: int | None = None
    raising: type[NotChanged] = NotChanged
    returned: Returned | None = None

    def run(self, conn: sqlite3.Connection) -> None:
        if self.many:
            conn.executemany(self.sql, cast(list[Params], self.params))
            return
        cursor = conn.execute(self.sql, self.params)
        if self.returned is not None:
            self.returned.row = cast(Row | None, cursor.fetchone())
            self.returned.ran = True
        changed = cursor.rowcount
        if self.expect_changed is not None and changed != self.expect_changed:
            raise self.raising(self.sql)


BEGIN = _Write("BEGIN IMMEDIATE", ())


class SqliteTransaction(Transaction):
    """Statements that need an answer (`execute`, `fetch_*`) take one hop each, carrying the
    writes gathered before them; `later` and `later_many` only gather."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._gathered: list[_Write] = [BEGIN]

    async def execute(self, sql: str, params: Params = ()) -> int:
        return await self._hop(lambda conn: conn.execute(sql, params).rowcount)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        batch = list(rows)
        await self._hop(lambda conn: conn.executemany(sql, batch))

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._hop(lambda conn: cast(list[Row], conn.execute(sql, params).fetchall()))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """Reads every row the statement returns: give it a statement that returns one."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_each(self, sql: str, rows: Iterable[Params]) -> list[Row | None]:
        batch = list(rows)

        def each(conn: sqlite3.Connection) -> list[Row | None]:
            return [cast(Row | None, conn.execute(sql, params).fetchone()) for params in batch]

        return await self._hop(each)

    async def fetch_first(self, *statements: tuple[str, Params]) -> tuple[int, Row | None]:
        def first(conn: sqlite3.Connection) -> tuple[int, Row | None]:
            for index, (sql, params) in enumerate(statements):
                row = cast(Row | None, conn.execute(sql, params).fetchone())
                if row is not None:
                    return index, row
            return -1, None

        return await self._hop(first)

    async def later(
        self,
        sql: str,
        params: Params = (),
        *,
        expect_changed: int | None = None,
        raising: type[NotChanged] = NotChanged,
    ) -> None:
        self._gathered.append(_Write(sql, params, expect_changed=expect_changed, raising=raising))

    async def later_many(self, sql: str, rows: Iterable[Params]) -> None:
        self._gathered.append(_Write(sql, list(rows), many=True))

    async def later_returning(self, sql: str, params: Params = ()) -> Returned:
        returned = Returned()
        self._gathered.append(_Write(sql, params, returned=returned))
        return returned

    async def commit(self) -> None:
        committing = self.queue_commit()
        if committing is not None:
            await committing

    def queue_commit(self) -> asyncio.Future[None] | None:
        """The gathered writes and COMMIT, queued to the thread now as one hop (on a failure
        there, ROLLBACK in it); None if the transaction did nothing."""
        if self._gathered == [BEGIN]:
            return None  # nothing to begin or commit
        return self._queue(_commit, rollback_on_error=True)

    async def rollback(self) -> None:
        self._gathered = []
        await _in_aiosqlite_thread(self._conn, _rollback)

    async def _hop(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await self._queue(work)

    def _queue(
        self, work: Callable[[sqlite3.Connection], T], *, rollback_on_error: bool = False
    ) -> asyncio.Future[T]:
        writes, self._gathered = tuple(self._gathered), []

        def after_writes(conn: sqlite3.Connection) -> T:
            try:
                for write in writes:
                    write.run(conn)
                return work(conn)
            except BaseException:
                if rollback_on_error:
                    _rollback(conn)
                raise

        return queue_work(self._conn, after_writes)


async def _in_aiosqlite_thread(
    conn: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]
) -> T:
    return await queue_work(conn, work)


def queue_work(
    conn: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]
) -> asyncio.Future[T]:
    """Queues `work` to the connection's own thread, where its statements run, and returns
    the future of its result: what aiosqlite's `Connection._execute` does, without the
    coroutine around it, so that a COMMIT is queued before the writers' lock passes on
    (`_Scope`). It reads aiosqlite's private queue: the version is pinned in pyproject.toml,
    and every test that touches the database runs through here."""
    if not conn._running or conn._connection is None:
        raise ValueError("Connection closed")
    future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    conn._tx.put_nowait((future, functools.partial(work, conn._connection)))
    return future


def _commit(conn: sqlite3.Connection) -> None:
    conn.execute("COMMIT")


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")
