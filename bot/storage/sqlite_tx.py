"""A writer's transaction on SQLite: its statements in as few hops to aiosqlite's thread as
can be, inside a savepoint of a group's shared SQLite transaction (`bot.storage.sqlite`).

Each statement is a hop to aiosqlite's thread and back, and the way back waits for the event
loop: at the bot's ceiling the loop is busy. So a transaction gathers what needs no answer and
sends it with the next statement that does, all in one hop: BEGIN (for the group's first) and
its SAVEPOINT go with the first statement, and writes given to `later` go with the next
statement or with the RELEASE. A transaction of writes only (marking answers sent) is one hop.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

import aiosqlite

from bot.storage.db import NotChanged, Params, Returned, Row, Transaction

T = TypeVar("T")


class LostTransaction(sqlite3.OperationalError):
    """SQLite ended the group's transaction by itself (it does on some I/O errors): nothing
    more may run, as it would run outside any transaction."""


@dataclass
class Group:
    """The writers' transactions that share one SQLite transaction, each in a savepoint of
    its own, one after the other: one COMMIT, so one disk sync, for all of them."""

    done: asyncio.Future[None]  # the COMMIT's outcome
    begun: bool = False  # a writer queued its first statements: a COMMIT is to be queued
    turns: int = 0  # transactions that ended in it
    opened: bool = False  # BEGIN IMMEDIATE ran: read and written on the database thread only


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


SAVEPOINT = _Write("SAVEPOINT w", ())  # one name: members run one after the other


class SqliteTransaction(Transaction):
    """Statements that need an answer (`execute`, `fetch_*`) take one hop each, carrying the
    writes gathered before them; `later` and `later_many` only gather."""

    def __init__(self, conn: aiosqlite.Connection, group: Group) -> None:
        self._conn = conn
        self.group = group
        self._gathered: list[_Write] = []
        self._started = False  # its SAVEPOINT is queued

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

    async def fetch_all_of(self, statements: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        def each(conn: sqlite3.Connection) -> list[list[Row]]:
            return [cast(list[Row], conn.execute(sql, p).fetchall()) for sql, p in statements]

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

    def queue_end(self, *, commit: bool) -> asyncio.Future[BaseException | None] | None:
        """The gathered writes and RELEASE, queued to the thread now as one hop, and the
        group's COMMIT with them when `commit`. A failure of its own writes rolls back to its
        savepoint (the group's other members keep their work) and is returned, not raised;
        the future raises only what fails the group (its COMMIT). None if it did nothing."""
        if not self._started and not self._gathered:
            return None
        writes, first = self._take_writes()

        def end(conn: sqlite3.Connection) -> BaseException | None:
            _enter(conn, self.group, first)
            failed: BaseException | None = None
            try:
                for write in writes:
                    write.run(conn)
                conn.execute("RELEASE w")
            except Exception as exc:
                _rollback_member(conn)
                failed = exc
            if commit:
                commit_group(conn, self.group)
            return failed

        return queue_work(self._conn, end)

    def queue_rollback(self) -> asyncio.Future[None] | None:
        """Back to the savepoint (the block raised); None if nothing was queued yet."""
        self._gathered = []
        if not self._started:
            return None
        return queue_work(self._conn, _rollback_member)

    async def _hop(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await self._queue(work)

    def _queue(self, work: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        writes, first = self._take_writes()

        def after_writes(conn: sqlite3.Connection) -> T:
            _enter(conn, self.group, first)
            for write in writes:
                write.run(conn)
            return work(conn)

        return queue_work(self._conn, after_writes)

    def _take_writes(self) -> tuple[tuple[_Write, ...], bool]:
        """What to run before the next statement: the SAVEPOINT the first time, then the
        gathered writes; and whether this is the first time (`_enter`)."""
        first = not self._started
        self.group.begun = self._started = True
        writes, self._gathered = ((SAVEPOINT,) if first else ()) + tuple(self._gathered), []
        return writes, first


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


def commit_group(conn: sqlite3.Connection, group: Group) -> None:
    """The group's COMMIT (none if its BEGIN never ran); ROLLBACK if it fails (every member
    then fails with it)."""
    if not group.opened:
        return
    if not conn.in_transaction:
        raise LostTransaction("the shared transaction ended before its COMMIT")
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _enter(conn: sqlite3.Connection, group: Group, first: bool) -> None:
    """Before a writer's statements, on the database thread: the group's BEGIN IMMEDIATE if
    it has not run (a writer whose BEGIN failed, on a database another process holds, leaves
    it to the next one), and never a statement outside the shared transaction (SQLite ends
    it by itself on some I/O errors; a SAVEPOINT would then open a deferred one)."""
    if conn.in_transaction:
        return
    if group.opened or not first:
        raise LostTransaction("the shared transaction ended before its COMMIT")
    conn.execute("BEGIN IMMEDIATE")
    group.opened = True


def _rollback_member(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK TO w")
        conn.execute("RELEASE w")
