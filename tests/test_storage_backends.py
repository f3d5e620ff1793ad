"""Both backends behave alike behind `Database`: rows, row counts, RETURNING, rollback, and
`python -m bot migrate` on either."""

from __future__ import annotations

import pytest

from bot import cli
from bot.app import create_app
from bot.settings import Settings, load_settings
from bot.storage.db import as_dict, open_database
from bot.storage.migrations import MIGRATIONS
from tests.pg import backends, fresh_schema

NOW = "2026-11-30T01:00:00+00:00"


async def test_rows_counts_returning_and_rollback_behave_alike(settings: Settings) -> None:
    app = await create_app(settings)
    db = app.deps.db
    try:
        async with db.transaction() as tx:
            first = await tx.fetch_value(
                "INSERT INTO users (channel, channel_user_id, chat_id, created_at) "
                "VALUES (?, ?, ?, ?) RETURNING id",
                ("shell", "ann", "ann", NOW),
            )
            await tx.execute_many(
                "INSERT INTO users (channel, channel_user_id, chat_id, created_at) "
                "VALUES (?, ?, ?, ?)",
                [("shell", name, name, NOW) for name in ("bob", "cat")],
            )
            changed = await tx.execute("UPDATE users SET locale = ? WHERE id > ?", ("en", 0))
        assert isinstance(first, int) and changed == 3
        row = await db.fetch_one(
            "SELECT id, channel_user_id, locale FROM users WHERE id = ?", (first,)
        )
        assert row is not None
        assert (row["id"], row[1], row["locale"]) == (first, "ann", "en")
        assert list(row.keys()) == ["id", "channel_user_id", "locale"]
        assert tuple(row) == (first, "ann", "en") and len(row) == 3
        assert as_dict(row) == {"id": first, "channel_user_id": "ann", "locale": "en"}
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("DELETE FROM users")
                raise RuntimeError("rolled back")
        assert (await db.fetch_one("SELECT count(*) FROM users"))[0] == 3  # type: ignore[index]
    finally:
        await app.close()


@pytest.mark.skipif("pg" not in backends(), reason="BOT_TEST_PG is not set (see tests/pg.py)")
async def test_migrate_command_on_postgresql(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with fresh_schema() as url:
        monkeypatch.setenv("DATABASE_URL", url)
        assert await cli._dispatch(cli.parse_args(["migrate"]), load_settings()) == 0
        assert await cli._dispatch(cli.parse_args(["migrate"]), load_settings()) == 0
        db = await open_database(Settings(database_url=url))
        try:
            versions = await db.fetch_all("SELECT version FROM schema_migrations ORDER BY 1")
        finally:
            await db.close()
    assert [r[0] for r in versions] == [m.version for m in MIGRATIONS]
    assert capsys.readouterr().out.count("database ready: postgresql://") == 2
