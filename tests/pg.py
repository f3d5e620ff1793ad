"""The PostgreSQL half of the suite: which backends to run, and a fresh schema per test.

`BOT_TEST_PG=1` runs every test that builds the app on SQLite and on PostgreSQL
(`scripts/test` sets it); `BOT_TEST_PG=only` runs the PostgreSQL half alone; unset or `0`,
SQLite only. The server is `BOT_TEST_PG_URL` (default: the local service, database `test`).
Each test gets a schema of its own, created empty and dropped after, so tests stay
independent; when the server cannot be reached, the PostgreSQL half skips and says why.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

PG_URL = os.environ.get("BOT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
_unreachable: list[str] = []  # the reason, once the server was found missing


def backends() -> list[str]:
    wanted = os.environ.get("BOT_TEST_PG", "").strip().lower()
    if wanted == "only":
        return ["pg"]
    return ["sqlite", "pg"] if wanted not in ("", "0", "no", "false") else ["sqlite"]


def with_schema(url: str, schema: str) -> str:
    """The URL with `search_path` set (asyncpg passes unknown URL parameters to the server)."""
    return f"{url}{'&' if '?' in url else '?'}search_path={schema}&synchronous_commit=off"


async def _connect() -> asyncpg.Connection:
    if _unreachable:
        pytest.skip(_unreachable[0])
    try:
        return await asyncpg.connect(PG_URL, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        _unreachable.append(
            f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}: {exc}); "
            "set BOT_TEST_PG_URL or BOT_TEST_PG=0"
        )
        pytest.skip(_unreachable[0])


@asynccontextmanager
async def fresh_schema() -> AsyncIterator[str]:
    """A database URL whose tables live in a new, empty schema, dropped afterwards."""
    schema = f"t_{secrets.token_hex(6)}"
    conn = await _connect()
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()
    try:
        yield with_schema(PG_URL, schema)
    finally:
        conn = await _connect()
        try:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await conn.close()
