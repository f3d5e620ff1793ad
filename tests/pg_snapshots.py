"""Snapshots of a PostgreSQL test schema's rows: the PostgreSQL side of `built_once`
(tests/harness_app.py), which on SQLite copies a database file.

The first test that asks for a name builds its data through the bot, and its schema's rows
are copied into a schema of their own (`CREATE TABLE ... AS TABLE`) with the state of each
numbering sequence; the next tests get their (migrated, empty) schema filled from that copy
in one round trip, instead of building it again (the authorisation matrix's cast of 11 people:
about 0.3 s a test). The copies are dropped when the process exits (tests/pg.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import asyncpg

from bot.settings import Settings
from bot.storage.db import open_database
from bot.storage.migrations import migrate
from tests.pg import keep_until_exit, on_admin

_TABLES = """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> 'schema_migrations'
             ORDER BY 1"""
_SEQUENCES = """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relkind = 'S' ORDER BY 1"""


@dataclass(frozen=True)
class _Saved:
    schema: str
    tables: list[str]
    numbering: list[tuple[str, int, bool]]  # sequence, last value, called


_SAVED: dict[str, _Saved] = {}


def schema_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["search_path"][0]


async def save(name: str, url: str) -> None:
    """Copies the rows of the URL's schema under `name`, for `restore`."""
    source, copy = schema_of(url), f"s_{secrets.token_hex(6)}"

    async def copy_rows(conn: asyncpg.Connection) -> _Saved:
        tables = [str(r[0]) for r in await conn.fetch(_TABLES, source)]
        numbering = []
        for (sequence,) in await conn.fetch(_SEQUENCES, source):
            row = await conn.fetchrow(f"SELECT last_value, is_called FROM {source}.{sequence}")
            assert row is not None
            numbering.append((str(sequence), int(row[0]), bool(row[1])))
        copies = "".join(f"CREATE TABLE {copy}.{t} AS TABLE {source}.{t};" for t in tables)
        await conn.execute(f"CREATE SCHEMA {copy};{copies}")
        return _Saved(copy, tables, numbering)

    saved = await on_admin(copy_rows)
    keep_until_exit(copy)
    _SAVED[name] = saved


async def restore(name: str, url: str, migrated_at: str) -> bool:
    """Fills the URL's schema (migrated first if it is new) with the rows saved under `name`;
    False when nothing was saved under that name yet in this process."""
    saved = _SAVED.get(name)
    if saved is None:
        return False
    db = await open_database(Settings(database_url=url))
    try:
        await migrate(db, migrated_at)
    finally:
        await db.close()
    target = schema_of(url)
    fills = "".join(
        f"DELETE FROM {target}.{t}; INSERT INTO {target}.{t} SELECT * FROM {saved.schema}.{t};"
        for t in saved.tables
    )
    numbers = "".join(
        f"SELECT setval('{target}.{sequence}', {value}, {str(called).lower()});"
        for sequence, value, called in saved.numbering
    )
    # The foreign keys' triggers off: the tables are filled in any order.
    await on_admin(
        lambda conn: conn.execute(
            f"SET session_replication_role = replica; {fills} {numbers}"
            "RESET session_replication_role;"
        )
    )
    return True
