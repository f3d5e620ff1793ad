"""Numbered, append-only, transactional schema migrations.

Never edit a migration that has shipped: add a new one at the end of `schema_next.py`. Each
is a list of statements run in one transaction together with its row in `schema_migrations`.
`{pk}` stands for the dialect's auto-increment primary key (see `db.py`).
Timestamps are ISO 8601 UTC text; dates are ISO `YYYY-MM-DD` text.
"""

from __future__ import annotations

from bot.storage.db import Database
from bot.storage.migration import Migration
from bot.storage.schema_first import FIRST
from bot.storage.schema_next import NEXT

MIGRATIONS: tuple[Migration, ...] = (*FIRST, *NEXT)
__all__ = ["MIGRATIONS", "Migration", "migrate"]


async def applied_versions(db: Database) -> set[int]:
    async with db.transaction() as tx:
        await tx.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )"""
        )
        rows = await tx.fetch_all("SELECT version FROM schema_migrations")
    return {int(r[0]) for r in rows}


async def migrate(db: Database, now_iso: str) -> list[int]:
    """Applies every migration not yet applied, in order. Returns the versions applied."""
    done = await applied_versions(db)
    applied: list[int] = []
    for migration in MIGRATIONS:
        if migration.version in done:
            continue
        async with db.transaction() as tx:
            if await tx.fetch_value(  # another worker, starting at the same time, did it
                "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", (migration.version,)
            ):
                continue
            for statement in migration.statements:
                await tx.execute(db.render(statement))
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, now_iso),
            )
        applied.append(migration.version)
    return applied
