"""The PostgreSQL half of the suite: which backends to run, and a fresh schema per test.

`BOT_TEST_PG=1` runs every test that builds the app on SQLite and on PostgreSQL
(`scripts/test` sets it); `BOT_TEST_PG=only` runs the PostgreSQL half alone; unset or `0`,
SQLite only. The server is `BOT_TEST_PG_URL` (default: the local service, database `test`).
Each test gets a schema of its own, so tests stay independent; when the server cannot be
reached, the PostgreSQL half skips and says why.

Migrating a schema costs the server about 130 ms and dropping it 35 ms, more than most tests.
So `reused_schema` hands a test a schema that an earlier test of the same process used, emptied
(every table but `schema_migrations` truncated, numbering restarted): the app's start-up finds
it migrated. A schema whose tables or columns a test changed is dropped instead of reused.
Tests of migrations themselves take `fresh_schema`, empty. The harness's own statements
(creating, emptying and dropping schemas, snapshots) go over one connection of the process
(`on_admin`).
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import os
import secrets
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import asyncpg
import pytest

from bot.storage.migrations import MIGRATIONS

T = TypeVar("T")
PG_URL = os.environ.get("BOT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
_unreachable: list[str] = []  # the reason, once the server was found missing
_SPARE: list[str] = []  # emptied schemas this process may hand out again
_KEPT: list[str] = []  # schemas kept for the whole process (snapshots), dropped at its exit
_SHAPE: dict[str, object] = {}  # the tables and columns of a migrated schema, once seen


def backends() -> list[str]:
    wanted = os.environ.get("BOT_TEST_PG", "").strip().lower()
    if wanted == "only":
        return ["pg"]
    return ["sqlite", "pg"] if wanted not in ("", "0", "no", "false") else ["sqlite"]


# Server settings of every test connection. No parallel query: the tests' tables hold a few
# rows, but the catalogs of the test database swell as schemas come and go (a server without
# autovacuum keeps every dead row), and the planner then sends a catalog query to two parallel
# workers, processes it starts for the one query: 31 ms of the server's CPU for the shape of a
# schema (`_empty_for_reuse`, after every test), 1 ms without them.
SERVER_SETTINGS = {"synchronous_commit": "off", "max_parallel_workers_per_gather": "0"}


def with_schema(url: str, schema: str) -> str:
    """The URL with `search_path` and `SERVER_SETTINGS` set (asyncpg passes unknown URL
    parameters to the server)."""
    settings = "".join(f"&{name}={value}" for name, value in SERVER_SETTINGS.items())
    return f"{url}{'&' if '?' in url else '?'}search_path={schema}{settings}"


async def _connect() -> asyncpg.Connection:
    if _unreachable:
        pytest.skip(_unreachable[0])
    try:
        return await asyncpg.connect(PG_URL, timeout=5, server_settings=SERVER_SETTINGS)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        _unreachable.append(
            f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}: {exc}); "
            "set BOT_TEST_PG_URL or BOT_TEST_PG=0"
        )
        pytest.skip(_unreachable[0])


class _Admin:
    """One connection for the process's harness statements, on an event loop of its own
    thread: each test runs on a new event loop, which a connection cannot outlive, and a new
    connection's server process reads the catalog entries of every table it empties again
    (emptying a schema: 19.5 ms of the server's CPU on a new connection, 5 ms on this one)."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.conn: asyncpg.Connection | None = None
        self.lock: asyncio.Lock | None = None  # one statement at a time, on the admin loop

    def start(self) -> asyncio.AbstractEventLoop:
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
            threading.Thread(target=self.loop.run_forever, name="pg-admin", daemon=True).start()
        return self.loop

    async def run(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """On the admin loop: `work` with the connection, opened if need be."""
        self.lock = self.lock or asyncio.Lock()
        async with self.lock:
            if self.conn is None or self.conn.is_closed():
                self.conn = await _connect()
            return await work(self.conn)


_ADMIN = _Admin()


async def on_admin(work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """`work(connection)` on the process's harness connection (see `_Admin`)."""
    if _unreachable:
        pytest.skip(_unreachable[0])
    done = asyncio.run_coroutine_threadsafe(_ADMIN.run(work), _ADMIN.start())
    return await asyncio.wrap_future(done)


@asynccontextmanager
async def fresh_schema() -> AsyncIterator[str]:
    """A database URL whose tables live in a new, empty schema, dropped afterwards."""
    schema = await _create_schema()
    try:
        yield with_schema(PG_URL, schema)
    finally:
        await on_admin(lambda conn: conn.execute(f"DROP SCHEMA {schema} CASCADE"))


@asynccontextmanager
async def reused_schema() -> AsyncIterator[str]:
    """Like `fresh_schema`, but the schema may be an emptied one an earlier test migrated."""
    if not _SPARE:
        _SPARE.append(await _create_schema())
    schema = _SPARE.pop()
    try:
        yield with_schema(PG_URL, schema)
    finally:

        async def empty_or_drop(conn: asyncpg.Connection) -> bool:
            if await _empty_for_reuse(conn, schema):
                return True
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
            return False

        if await on_admin(empty_or_drop):
            _SPARE.append(schema)


async def _create_schema() -> str:
    schema = f"t_{secrets.token_hex(6)}"
    await on_admin(lambda conn: conn.execute(f"CREATE SCHEMA {schema}"))
    _clean_up_at_exit()
    return schema


def keep_until_exit(schema: str) -> None:
    """A schema that lives as long as the process (a snapshot): dropped at its exit."""
    _clean_up_at_exit()
    _KEPT.append(schema)


@functools.cache
def _clean_up_at_exit() -> None:
    atexit.register(_drop_at_exit)


def _drop_at_exit() -> None:
    """The process's spare schemas and snapshots go with it, not into the next run."""
    names = [*_SPARE, *_KEPT]
    if not names:
        return

    async def drop() -> None:
        conn = await asyncpg.connect(PG_URL, timeout=5)
        try:
            await conn.execute("".join(f"DROP SCHEMA IF EXISTS {n} CASCADE;" for n in names))
        finally:
            await conn.close()

    try:
        asyncio.run(drop())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        print(f"tests/pg.py: could not drop {len(names)} test schemas: {exc}", file=sys.stderr)


_SHAPE_SQL = """
    SELECT c.relname, c.relkind::text, a.attname, a.atttypid::int, a.attnotnull
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname = $1
    ORDER BY 1, 3
"""


async def _empty_for_reuse(conn: asyncpg.Connection, schema: str) -> bool:
    """Empties the schema's tables when its shape (relations, columns, indexes) is a
    migrated schema's; False when it is not (never migrated, or changed by the test)."""
    shape = [tuple(row) for row in await conn.fetch(_SHAPE_SQL, schema)]
    tables = sorted({str(row[0]) for row in shape if row[1] in ("r", "p")})
    if "schema_migrations" not in tables:
        return False
    applied = await conn.fetchval(f"SELECT COUNT(*) FROM {schema}.schema_migrations")
    if applied != len(MIGRATIONS) or shape != _SHAPE.setdefault("migrated", shape):
        return False
    emptied = [f"{schema}.{table}" for table in tables if table != "schema_migrations"]
    numbering = [f"{schema}.{row[0]}" for row in shape if row[1] == "S"]
    await _empty(conn, emptied, sorted(set(numbering)))
    return True


async def _empty(conn: asyncpg.Connection, tables: list[str], sequences: list[str]) -> None:
    """DELETE with the foreign keys' triggers off (a superuser's `replica` role) takes about
    10 ms for the schema's small tables; TRUNCATE, which makes new files, 100-200 ms. The
    numbering restarts with `setval`, which changes no catalog row: ALTER SEQUENCE ... RESTART
    gives each sequence a new file, a new pg_class row and a dead one, which the server
    without autovacuum keeps (and which every catalog read then walks)."""
    deletes = "".join(f"DELETE FROM {table};" for table in tables)
    named = ", ".join(f"'{sequence}'::regclass" for sequence in sequences)
    restarts = (
        f"SELECT setval(seqrelid, seqstart, false) FROM pg_sequence WHERE seqrelid IN ({named});"
        if sequences
        else ""
    )
    try:
        await conn.execute(
            f"SET session_replication_role = replica; {deletes} {restarts}"
            "RESET session_replication_role;"
        )
    except asyncpg.InsufficientPrivilegeError:
        await conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
