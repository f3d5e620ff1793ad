"""The SQLite backend (aiosqlite): one writing connection, WAL, writers serialised by an
asyncio lock and `BEGIN IMMEDIATE`.

Group commit. With `synchronous=FULL` each COMMIT waits for the disk, and at the bot's
ceiling the COMMITs were most of the writing thread's time. So writers that queue for the
lock share one SQLite transaction, each in a savepoint of its own (`sqlite_tx.py`): a writer
that ends while another waits releases its savepoint and passes the lock on; the last one in
line (or the sixteenth) queues the COMMIT. Each writer's `async with db.transaction()` returns
only once that COMMIT is on disk, so nothing is confirmed before it is durable; a writer
that fails rolls back to its savepoint and the others keep their work; a COMMIT that fails
fails every writer of the group. A transaction's statements go to the thread in as few hops
as can be (`sqlite_tx.py`).

Reads outside a transaction (`fetch_all`: the inbox reading a person's waiting updates back,
a person's language) go through a second, read-only connection on a thread of its own, and
do not take the writers' lock: in WAL mode they see the last commit and never wait for a
writer. Under a flood the inbox's reads had held the lock 20-57% of the time.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Any, cast

import aiosqlite

from bot.storage.db import Database, Params, Row, Transaction
from bot.storage.dialect import SQLITE
from bot.storage.sqlite_tx import Group, SqliteTransaction, commit_group, queue_work

MAX_GROUP = 16  # writers in one group at most: the first waits for the others' work


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
        self._group: Group | None = None  # the shared transaction writers join
        self._waiting = 0  # writers waiting for the lock
        # In memory, reads share the writers' connection: they must not see a group's
        # uncommitted work, so each transaction commits at once.
        self._group_size = MAX_GROUP if reader is not None else 1

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
        """Once the writer inside and those waiting are done (the last of them commits)."""
        async with self._lock:
            group = self._group
            if group is not None:
                self._close(group, None)
        try:
            if group is not None:
                await asyncio.shield(group.done)
        finally:
            try:
                if self._reader is not None:
                    await self._reader.close()
            finally:
                await self._conn.close()

    def transaction(self) -> _Scope:
        """A savepoint in the group's transaction, committed with it, or rolled back if the
        block raises (see `_Scope` and the module's notes)."""
        return _Scope(self)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """A read outside any transaction: a consistent snapshot of the last commit."""
        if self._reader is not None:
            return cast(list[Row], list(await self._reader.execute_fetchall(sql, params)))
        async with self._lock:
            return cast(list[Row], list(await self._conn.execute_fetchall(sql, params)))

    def _last_turn(self, group: Group) -> bool:
        """A writer is done with the lock: whether the group ends with it (nobody waits for
        the lock, or the group is full); if not, the next writer joins it."""
        group.turns += 1
        return self._waiting == 0 or group.turns >= self._group_size

    def _close(self, group: Group, ending: asyncio.Future[Any] | None) -> None:
        """The group ends: its COMMIT is in `ending` (the last writer's hop), or queued now."""
        if self._group is group:
            self._group = None
        if ending is None:
            if not group.begun:
                group.done.set_result(None)  # nothing was written: nothing to commit
                return
            ending = queue_work(self._conn, functools.partial(commit_group, group=group))
        ending.add_done_callback(functools.partial(_settle, group.done))

    def _gave_up_waiting(self) -> None:
        """A writer stopped waiting for the lock (cancelled): if it was the one the group
        counted on to end it, the group's COMMIT is queued now."""
        group = self._group
        if group is not None and self._waiting == 0 and not self._lock.locked():
            self._close(group, None)


class _Scope:
    """A writer's turn: the lock, a savepoint in the group's transaction, and the wait for
    the group's COMMIT (a class rather than an `@asynccontextmanager` generator: it runs
    once or twice per message).

    What the writer queued (its RELEASE, or its ROLLBACK TO) and the COMMIT if it is the last
    in line are queued to the thread before the lock is released, in the same step
    (`queue_work`): the thread runs them in that order, before the next writer's statements,
    and the lock never waits for the thread nor for a turn of the event loop."""

    __slots__ = ("_db", "_tx")

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def __aenter__(self) -> Transaction:
        db = self._db
        db._waiting += 1
        try:
            await db._lock.acquire()
        except BaseException:
            db._waiting -= 1
            db._gave_up_waiting()
            raise
        db._waiting -= 1
        if db._group is None:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.add_done_callback(_retrieved)  # its error is each writer's: none may await it
            db._group = Group(done)
        self._tx = SqliteTransaction(db._conn, db._group)
        return self._tx

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        db, tx = self._db, self._tx
        group = tx.group
        ending: asyncio.Future[Any] | None
        try:
            last = db._last_turn(group)
            if kind is not None:
                ending = tx.queue_rollback()
                if last:
                    db._close(group, None)
            else:
                ending = tx.queue_end(commit=last)
                if last:
                    db._close(group, ending)
        finally:
            db._lock.release()
        if ending is None:
            return
        # Back to its savepoint; or its writes, and the COMMIT if it was the last (shielded:
        # the thread runs it anyway, and the group's outcome must not be cancelled with it).
        failed: BaseException | None = await asyncio.shield(ending)
        if kind is not None:
            return  # the block's exception goes on
        if failed is not None:
            raise failed
        if not last:
            await asyncio.shield(group.done)  # on disk with the group's COMMIT


async def _open(target: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(target, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA busy_timeout=5000")
    await conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _settle(done: asyncio.Future[None], ending: asyncio.Future[object]) -> None:
    """The group's outcome from the hop that holds its COMMIT: a writer's own failure there
    is returned, not raised, and is not the group's."""
    if done.done():
        return
    if ending.cancelled():
        done.cancel()
    elif (error := ending.exception()) is not None:
        done.set_exception(error)
    else:
        done.set_result(None)


def _retrieved(done: asyncio.Future[None]) -> None:
    if not done.cancelled():
        done.exception()
