"""Writes that need no answer (`later`, `later_many`), `read_both`, and how many hops to
SQLite's thread a transaction takes: on both backends, the same results and the same
all-or-nothing commit."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.app import App
from bot.settings import Settings
from bot.storage import sqlite as sqlite_backend
from bot.storage import sqlite_tx
from bot.storage.db import Database, NotChanged, Read
from bot.storage.sqlite import SqliteDatabase
from tests.harness_app import AppFactory

NOW = "2026-11-30T01:00:00+00:00"
ADD_USER = "INSERT INTO users (channel, channel_user_id, chat_id, created_at) VALUES (?, ?, ?, ?)"


@pytest.fixture
async def db(make_app: AppFactory) -> AsyncIterator[Database]:
    app: App = await make_app()
    yield app.deps.db


async def names(db: Database) -> list[str]:
    rows = await db.fetch_all("SELECT channel_user_id FROM users ORDER BY channel_user_id")
    return [str(r[0]) for r in rows]


async def test_later_writes_are_seen_by_the_next_statement_and_committed(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.later(ADD_USER, ("shell", "ann", "ann", NOW))
        await tx.later_many(ADD_USER, [("shell", n, n, NOW) for n in ("bob", "cat")])
        assert await tx.fetch_value("SELECT count(*) FROM users") == 3
        await tx.later("UPDATE users SET locale = 'en' WHERE channel_user_id = ?", ("bob",))
    assert await names(db) == ["ann", "bob", "cat"]
    english = await db.fetch_all("SELECT channel_user_id FROM users WHERE locale = 'en'")
    assert [r[0] for r in english] == ["bob"]


async def test_a_write_that_changed_other_rows_than_expected_rolls_everything_back(
    db: Database,
) -> None:
    class Gone(NotChanged):
        pass

    with pytest.raises(Gone):
        async with db.transaction() as tx:
            await tx.later(ADD_USER, ("shell", "ann", "ann", NOW))
            await tx.later(
                "UPDATE users SET locale = 'en' WHERE channel_user_id = ?",
                ("nobody",),
                expect_changed=1,
                raising=Gone,
            )
    assert await names(db) == []
    async with db.transaction() as tx:  # the connection is usable: nothing was left open
        await tx.later(ADD_USER, ("shell", "bob", "bob", NOW))
    assert await names(db) == ["bob"]


async def test_a_later_write_that_fails_fails_the_transaction_and_keeps_what_was_saved(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        await tx.later(ADD_USER, ("shell", "ann", "ann", NOW))
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        async with db.transaction() as tx:
            await tx.later(ADD_USER, ("shell", "bob", "bob", NOW))
            await tx.later(ADD_USER, ("shell", "ann", "ann", NOW))  # the same person again
    assert await names(db) == ["ann"]


async def test_a_transaction_asked_for_while_another_commits_starts_after_the_commit(
    db: Database,
) -> None:
    """The second task is ready before the first one's COMMIT is queued to the thread."""

    async def second() -> None:
        async with db.transaction() as tx:
            assert await tx.fetch_value("SELECT count(*) FROM users") == 1  # ann's, committed
            await tx.later(ADD_USER, ("shell", "bob", "bob", NOW))

    waiting: list[asyncio.Task[None]] = []
    async with db.transaction() as tx:
        await tx.later(ADD_USER, ("shell", "ann", "ann", NOW))
        waiting.append(asyncio.create_task(second()))
    await waiting[0]
    assert await names(db) == ["ann", "bob"]


async def test_fetch_first_reads_or_creates(db: Database) -> None:
    """The first statement that returns a row wins; the later ones do not run."""
    find = ("SELECT channel_user_id FROM users WHERE channel_user_id = ?", ("ann",))
    create = (ADD_USER + " RETURNING 'created'", ("shell", "ann", "ann", NOW))
    async with db.transaction() as tx:
        found, row = await tx.fetch_first(find, create)
        assert (found, row and row[0]) == (1, "created")
        found, row = await tx.fetch_first(find, create)  # found: no second INSERT
        assert (found, row and row[0]) == (0, "ann")
        assert await tx.fetch_first(("SELECT 1 WHERE 1 = 0", ())) == (-1, None)
    assert await names(db) == ["ann"]


async def test_read_both_gives_each_read_its_own_rows(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.later_many(ADD_USER, [("shell", n, n, NOW) for n in ("ann", "bob")])
        count = Read("SELECT count(*) FROM users", (), lambda rows: int(rows[0][0]))
        named = Read(
            "SELECT channel_user_id FROM users WHERE channel_user_id > ? ORDER BY 1",
            ("a",),
            lambda rows: [str(r[0]) for r in rows],
        )
        assert await tx.read_both(count, named) == (2, ["ann", "bob"])
        assert await tx.read(named) == ["ann", "bob"]


async def test_on_sqlite_a_message_like_transaction_takes_two_hops(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BEGIN goes with the first read; the writes that need no answer go with the COMMIT."""
    if settings.database_url:
        pytest.skip("PostgreSQL runs each statement on the server: no thread hops")
    hops: list[Any] = []
    real = sqlite_tx.queue_work

    def counted(conn: aiosqlite.Connection, work: Any) -> Any:
        hops.append(work)
        return real(conn, work)

    monkeypatch.setattr(sqlite_tx, "queue_work", counted)
    monkeypatch.setattr(sqlite_backend, "queue_work", counted)
    async with db.transaction() as tx:
        assert await tx.fetch_value("SELECT count(*) FROM users") == 0
        await tx.later(ADD_USER, ("shell", "ann", "ann", NOW))
        await tx.later("UPDATE users SET locale = 'vi'")
        await tx.later_many(ADD_USER, [("shell", "bob", "bob", NOW)])
    assert len(hops) == 2
    assert await names(db) == ["ann", "bob"]
    hops.clear()
    async with db.transaction() as tx:  # writes only: one hop, BEGIN to COMMIT
        await tx.later("DELETE FROM users WHERE channel_user_id = ?", ("bob",))
    assert len(hops) == 1
    assert await names(db) == ["ann"]
    hops.clear()
    async with db.transaction() as tx:  # read, else create: one hop, then the COMMIT
        await tx.fetch_first(
            ("SELECT 1 FROM users WHERE channel_user_id = ?", ("cid",)),
            (ADD_USER + " RETURNING id", ("shell", "cid", "cid", NOW)),
        )
    assert len(hops) == 2
    assert await names(db) == ["ann", "cid"]
    hops.clear()
    async with db.transaction() as tx:  # two reads together: one hop, then the COMMIT
        first = Read("SELECT count(*) FROM users", (), lambda rows: rows[0][0])
        await tx.read_both(first, first)
        await tx.later("DELETE FROM users WHERE channel_user_id = ?", ("cid",))
    assert len(hops) == 2


async def test_on_sqlite_a_read_outside_a_transaction_does_not_wait_for_the_writer(
    db: Database, settings: Settings
) -> None:
    """It sees the last commit, through its own connection: never what a transaction still
    holds, and never waiting for the writers' lock (this task holds it here)."""
    if settings.database_url:
        pytest.skip("SQLite only: PostgreSQL's reads never took the writers' lock")
    async with db.transaction() as tx:
        await tx.execute(ADD_USER, ("shell", "ann", "ann", NOW))
        assert await asyncio.wait_for(names(db), 10) == []
    assert await names(db) == ["ann"]
    with pytest.raises(aiosqlite.OperationalError, match="readonly"):
        await db.fetch_all("DELETE FROM users RETURNING id")  # the reading side never writes


async def test_many_transactions_at_once_each_commit_or_roll_back_whole(db: Database) -> None:
    """Tasks interleave at every hop: reads, gathered writes, writes whose count is checked,
    failures in the block and at the COMMIT. What committed is exactly what was meant to.
    (The lock's hand-over at the COMMIT is checked by the two-task test above: with many
    tasks waiting, the lock goes to the first waiter and never to a newcomer.)"""
    rng = random.Random(5)
    committed: set[str] = set()
    meant: set[str] = set()  # those whose plan is to commit

    async def one(name: str) -> None:
        plan = rng.choice(["ok", "ok", "ok", "raise", "not_changed", "duplicate"])
        if plan == "ok":
            meant.add(name)
        for _ in range(rng.randrange(8)):  # arrive at the lock at any turn of the loop
            await asyncio.sleep(0)
        try:
            async with db.transaction() as tx:
                if rng.random() < 0.5:
                    await tx.fetch_value("SELECT count(*) FROM users")
                await tx.later(ADD_USER, ("shell", name, name, NOW))
                if rng.random() < 0.5:
                    assert await tx.fetch_value(
                        "SELECT count(*) FROM users WHERE channel_user_id = ?", (name,)
                    )
                if plan == "raise":
                    raise LookupError(name)
                if plan == "not_changed":
                    await tx.later("UPDATE users SET locale = 'vi' WHERE id < 0", expect_changed=1)
                if plan == "duplicate":
                    await tx.later(ADD_USER, ("shell", name, name, NOW))
                await asyncio.sleep(0)
            committed.add(name)
        except Exception as exc:  # the plan's failures: LookupError, NotChanged, a duplicate
            assert plan != "ok", exc

    await asyncio.gather(*(one(f"p{n}") for n in range(200)))
    assert set(await names(db)) == committed == meant
    assert 50 < len(meant) < 150


async def test_on_sqlite_writers_in_line_share_a_commit_and_each_returns_committed(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty writers at once: fewer COMMITs (disk syncs) than writers, at most sixteen to a
    group, and when a writer's block returns, what it wrote is committed (read through the
    reading connection, which sees only commits)."""
    if settings.database_url:
        pytest.skip("SQLite only: PostgreSQL commits each transaction on the server")
    commits: list[int] = []
    real = sqlite_tx.commit_group

    def counted(conn: Any, group: Any) -> None:
        commits.append(1)
        real(conn, group)

    monkeypatch.setattr(sqlite_tx, "commit_group", counted)
    monkeypatch.setattr(sqlite_backend, "commit_group", counted)
    seen_committed: list[bool] = []

    async def one(name: str) -> None:
        async with db.transaction() as tx:
            await tx.fetch_value("SELECT count(*) FROM users")
            await tx.later(ADD_USER, ("shell", name, name, NOW))
        seen_committed.append(name in await names(db))

    await asyncio.gather(*(one(f"w{n:02d}") for n in range(20)))
    assert seen_committed == [True] * 20
    assert 2 <= len(commits) < 20
    assert len(await names(db)) == 20


async def test_on_sqlite_a_writer_cancelled_at_its_commit_leaves_the_group_committed(
    db: Database, settings: Settings
) -> None:
    """The last writer of a group, cancelled while its hop (its writes and the COMMIT) runs:
    the COMMIT still runs on the thread, and the writer before it returns normally."""
    if settings.database_url:
        pytest.skip("SQLite only: group commit")
    b_ready = asyncio.Event()

    async def first() -> None:
        async with db.transaction() as tx:
            await tx.execute(ADD_USER, ("shell", "ann", "ann", NOW))
            await b_ready.wait()
            for _ in range(3):  # the second writer reaches the lock and waits for it
                await asyncio.sleep(0)

    async def last() -> None:
        b_ready.set()
        me = asyncio.current_task()
        assert me is not None
        async with db.transaction() as tx:
            await tx.later(ADD_USER, ("shell", "bob", "bob", NOW))
            asyncio.get_running_loop().call_soon(me.cancel)  # while it awaits its hop

    ending = asyncio.create_task(last())
    await first()  # not cancelled: returns once the shared COMMIT is on disk
    with pytest.raises(asyncio.CancelledError):
        await ending
    assert await names(db) == ["ann", "bob"]


async def test_on_sqlite_a_begin_that_fails_leaves_the_next_writers_their_own(
    db: Database, settings: Settings
) -> None:
    """Another process holds the database: the group's first writer fails at its BEGIN; the
    writers after it in the same group begin it themselves once the database is free."""
    if settings.database_url:
        pytest.skip("SQLite only: group commit")
    async with db.transaction() as tx:
        await tx.execute("PRAGMA busy_timeout=50")  # the first writer gives up quickly
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    released = asyncio.Event()
    started = asyncio.Event()

    async def refused() -> None:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            async with db.transaction() as tx:
                started.set()
                for _ in range(3):  # the others reach the lock and wait for it
                    await asyncio.sleep(0)
                await tx.execute(ADD_USER, ("shell", "ann", "ann", NOW))
        other.rollback()
        released.set()

    async def after(name: str) -> None:
        await started.wait()
        async with db.transaction() as tx:
            await released.wait()
            await tx.execute(ADD_USER, ("shell", name, name, NOW))

    await asyncio.gather(refused(), after("bob"), after("cid"))
    other.close()
    assert await names(db) == ["bob", "cid"]


async def test_on_sqlite_closing_waits_for_the_writer_inside(tmp_path: Path) -> None:
    """`close` while a writer is half-way through its block: the writer finishes, and all it
    wrote is committed, not half of it."""
    path = tmp_path / "closing.sqlite3"
    db = await SqliteDatabase.connect(path)
    async with db.transaction() as tx:
        await tx.execute("CREATE TABLE t (x TEXT)")
    inside, go = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES ('first half')")
            inside.set()
            await go.wait()
            await tx.execute("INSERT INTO t VALUES ('second half')")

    writing = asyncio.create_task(writer())
    await inside.wait()
    closing = asyncio.create_task(db.close())
    for _ in range(3):  # close waits for the lock
        await asyncio.sleep(0)
    go.set()
    await asyncio.gather(writing, closing)
    with sqlite3.connect(path) as check:
        found = check.execute("SELECT x FROM t ORDER BY x").fetchall()
    assert found == [("first half",), ("second half",)]
