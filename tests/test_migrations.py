"""Numbered, append-only migrations: a blank database gets the schema; twice changes nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.storage import conversations, counters, deliveries, invites, migrations, tips_seen, users
from bot.storage.conversations import Conversation
from bot.storage.db import Database
from bot.storage.dialect import POSTGRESQL
from bot.storage.migrations import MIGRATIONS, Migration, migrate
from bot.storage.postgres import PgDatabase
from tests.pg import fresh_schema

NOW = "2026-11-30T01:00:00+00:00"
LATER = "2026-12-01T01:00:00+00:00"

# The tables each migration creates. Written out by hand: a new migration must be listed here.
EXPECTED_TABLES: dict[int, set[str]] = {
    1: {"users", "conversations", "tips_seen", "invites", "deliveries", "counters"},
    2: {
        "schools",
        "school_enrolments",
        "teachers",
        "classes",
        "class_members",
        "contests",
        "contest_classes",
        "quiz_attempts",
    },
    3: {"channel_seen", "media"},
    4: set(),  # indexes only
    5: {"pledges", "pledge_checkins"},
    6: {"markets", "model_points", "reports", "report_decisions", "reporters"},
    7: set(),
    8: {
        "school_year_figures",
        "school_month_reach",
        "activities",
        "denominators",
        "annual_reports",
    },
    9: {"inbox", "answers", "code_misses"},
    10: set(),  # a column
    11: set(),  # an index and two columns
    12: {"person_leases"},
    13: {"photos"},
}


@pytest.fixture
async def db(tmp_path: Path, backend: str) -> AsyncIterator[Database]:
    """A blank database: a SQLite file, or an empty PostgreSQL schema."""
    if backend == "sqlite":
        database = await Database.open(tmp_path / "blank.sqlite3")
        yield database
        await database.close()
        return
    async with fresh_schema() as url:
        database = await PgDatabase.connect(url)
        yield database
        await database.close()


def errors(db: Database, sqlite_error: type[Exception], pg_error: type[Exception]) -> Any:
    return pytest.raises(pg_error if db.dialect is POSTGRESQL else sqlite_error)


async def tables(db: Database) -> set[str]:
    if db.dialect is POSTGRESQL:
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {r[0] for r in await db.fetch_all(sql)}


async def schema(db: Database) -> list[tuple[object, ...]]:
    if db.dialect is POSTGRESQL:
        rows = await db.fetch_all(
            """SELECT table_name, column_name, data_type, column_default, is_nullable
               FROM information_schema.columns WHERE table_schema = current_schema()
               ORDER BY table_name, ordinal_position"""
        )
        rows += await db.fetch_all(
            """SELECT tablename, indexname, indexdef, '', '' FROM pg_indexes
               WHERE schemaname = current_schema() ORDER BY indexname"""
        )
    else:
        sql = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
        rows = await db.fetch_all(sql)
    return [tuple(r) for r in rows]


async def count(db: Database, table: str) -> int:
    row = await db.fetch_one(f"SELECT count(*) FROM {table}")
    assert row is not None
    return int(row[0])


def test_versions_are_numbered_without_gaps_and_all_listed_here() -> None:
    versions = [m.version for m in MIGRATIONS]
    assert versions == list(range(1, versions[-1] + 1))
    assert versions == sorted(EXPECTED_TABLES), (
        "a migration was added or removed: list the tables it creates in EXPECTED_TABLES "
        "in tests/test_migrations.py"
    )


async def test_a_blank_database_gets_exactly_the_expected_tables(db: Database) -> None:
    assert await tables(db) == set()
    assert await migrate(db, NOW) == [m.version for m in MIGRATIONS]
    expected = set().union(*EXPECTED_TABLES.values()) | {"schema_migrations"}
    assert await tables(db) == expected
    recorded = await db.fetch_all("SELECT version, name, applied_at FROM schema_migrations")
    assert sorted(tuple(r) for r in recorded) == [(m.version, m.name, NOW) for m in MIGRATIONS]


async def test_each_migration_adds_its_own_tables(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upgrading step by step, as a database made by an older release would be."""
    expected = {"schema_migrations"}
    for index, migration in enumerate(MIGRATIONS):
        monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[: index + 1])
        assert await migrate(db, NOW) == [migration.version]
        expected |= EXPECTED_TABLES.get(migration.version, set())
        assert await tables(db) == expected, migration.version


async def test_migrating_twice_changes_nothing(db: Database) -> None:
    await migrate(db, NOW)
    before = await schema(db)
    recorded = await db.fetch_all("SELECT * FROM schema_migrations ORDER BY version")
    assert await migrate(db, LATER) == []
    assert await schema(db) == before
    again = await db.fetch_all("SELECT * FROM schema_migrations ORDER BY version")
    assert [tuple(r) for r in again] == [tuple(r) for r in recorded]


async def test_a_failing_migration_leaves_nothing_half_done(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await migrate(db, NOW)
    before = await schema(db)
    broken = Migration(
        MIGRATIONS[-1].version + 1,
        "broken",
        ("CREATE TABLE half_done (id {pk})", "ALTER TABLE no_such_table ADD COLUMN x TEXT"),
    )
    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, broken))
    with errors(db, sqlite3.OperationalError, asyncpg.UndefinedTableError):
        await migrate(db, LATER)
    assert await schema(db) == before
    assert "half_done" not in await tables(db)
    assert await count(db, "schema_migrations") == len(MIGRATIONS)


async def test_wal_and_foreign_keys_on_a_file_database(db: Database, tmp_path: Path) -> None:
    if db.dialect is POSTGRESQL:
        pytest.skip("SQLite only: WAL and PRAGMA foreign_keys (PostgreSQL always checks keys)")
    await migrate(db, NOW)
    journal = await db.fetch_one("PRAGMA journal_mode")
    keys = await db.fetch_one("PRAGMA foreign_keys")
    assert journal is not None and journal[0] == "wal"
    assert keys is not None and keys[0] == 1
    assert (tmp_path / "blank.sqlite3-wal").exists()
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as tx:
            await tips_seen.record(tx, 12345, "nobody-has-this-id", NOW)
    assert await count(db, "tips_seen") == 0


async def test_foreign_keys_are_enforced(db: Database) -> None:
    await migrate(db, NOW)
    with errors(db, sqlite3.IntegrityError, asyncpg.ForeignKeyViolationError):
        async with db.transaction() as tx:
            await tips_seen.record(tx, 12345, "nobody-has-this-id", NOW)
    assert await count(db, "tips_seen") == 0


async def test_deleting_a_user_cascades_to_their_rows(db: Database) -> None:
    await migrate(db, NOW)
    async with db.transaction() as tx:
        user = await users.get_or_create(tx, "shell", "alice", "alice", NOW)
        other = await users.get_or_create(tx, "shell", "bob", "bob", NOW)
        for person in (user, other):
            await conversations.save(tx, person.id, Conversation("profile.role"), NOW)
            await tips_seen.record(tx, person.id, "reuse-bags", NOW)
            await deliveries.enqueue(tx, person.id, "daily_tip", "2026-11-30", "", NOW)
        code = await invites.create(
            tx,
            role="officer",
            agency="so-tnmt",
            commune_code=None,
            created_by="shell:admin",
            now=NOW,
            expires_at=LATER,
        )
        assert await invites.redeem(tx, code, user.id, NOW) is not None
        await counters.increment(tx, "joined", "2026", "05977", "resident")

    async with db.transaction() as tx:
        await users.delete(tx, user.id)

    for table in ("conversations", "tips_seen", "deliveries"):
        mine = await db.fetch_one(f"SELECT count(*) FROM {table} WHERE user_id = ?", (user.id,))
        assert mine is not None and mine[0] == 0, table
        assert await count(db, table) == 1, table  # bob's row stays
    assert await count(db, "users") == 1
    invite = await db.fetch_one("SELECT used_by, used_at FROM invites")
    assert invite is not None and (invite[0], invite[1]) == (None, NOW)  # used, by nobody now
    total = await db.fetch_one("SELECT value FROM counters WHERE metric = 'joined'")
    assert total is not None and total[0] == 1
