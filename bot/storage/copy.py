"""`python -m bot copy-to DATABASE_URL`: a SQLite deployment copied into an empty PostgreSQL.

Both databases are migrated first (so both have the same schema), the target must hold no
rows, and then every table is copied in the order of its foreign keys (a table after those it
refers to), in batches, all in one PostgreSQL transaction: a failure leaves the target as
empty as it was. Values SQLite kept loosely typed (an integer stored as text) are converted to
the column's type, or the copy stops naming the table, column and value. At the end the row
counts of every table are compared, and the identity sequences are moved past the highest id,
so that the next row PostgreSQL numbers does not collide with a copied one, and every table
is vacuumed and analysed, so that the planner knows the copied data from the first query on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Database, Params, Transaction
from bot.storage.postgres import PgDatabase

BATCH = 1000
Progress = Callable[[str], None]


class CopyError(RuntimeError):
    """The copy cannot start or did not match; the message says why."""


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


async def copy_database(source: Database, target: Database, say: Progress) -> list[Copied]:
    """Copies every row of `source` (SQLite) into `target` (PostgreSQL, migrated, empty)."""
    if not isinstance(target, PgDatabase):
        raise CopyError("the target must be a PostgreSQL database (postgresql://...)")
    tables = await copy_order(source)
    missing = [t for t in tables if t not in await target.table_names()]
    if missing:
        raise CopyError(f"the target has no table {', '.join(missing)}: migrate it first")
    sizes = {t: await _count(source, t) for t in tables}
    async with target.transaction() as tx:
        full = [t for t in tables if t != "schema_migrations" and await _tx_count(tx, t)]
        if full:
            raise CopyError(f"the target is not empty: {', '.join(full)} hold rows")
        await tx.execute("DELETE FROM schema_migrations")
        for table in tables:
            await _copy_table(source, tx, table, sizes[table], say)
        await _reset_sequences(tx, tables)
    # The planner's statistics and the visibility map: without them a fresh copy's plans are
    # guesses and counts read every row (/stats measured 3x slower).
    await target.vacuum_analyze(tables)
    copied = [Copied(t, await _count(target, t)) for t in tables]
    wrong = [f"{c.table} {sizes[c.table]} → {c.rows}" for c in copied if c.rows != sizes[c.table]]
    if wrong:
        raise CopyError("row counts differ after the copy: " + "; ".join(wrong))
    return copied


async def copy_order(db: Database) -> list[str]:
    """The SQLite tables, each after the tables its foreign keys refer to."""
    tables = sorted(await db.table_names())
    refers: dict[str, set[str]] = {}
    for table in tables:
        rows = await db.fetch_all(f"PRAGMA foreign_key_list({table})")
        refers[table] = {str(r["table"]) for r in rows} - {table}
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and refers[t] <= set(ordered)]
        if not ready:
            raise CopyError(f"foreign keys form a cycle among {set(tables) - set(ordered)}")
        ordered += ready
    return ordered


async def _copy_table(
    source: Database, tx: Transaction, table: str, total: int, say: Progress
) -> None:
    types = await _column_types(tx, table)
    done, last = 0, None
    while True:
        after = "" if last is None else "WHERE rowid > ?"
        rows = await source.fetch_all(
            f"SELECT rowid AS copy_rowid, * FROM {table} {after} ORDER BY rowid LIMIT {BATCH}",
            () if last is None else (last,),
        )
        if not rows:
            break
        columns = [c for c in rows[0].keys() if c != "copy_rowid"]  # noqa: SIM118
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        batch: list[Params] = [
            tuple(_convert(table, c, types[c], r[c]) for c in columns) for r in rows
        ]
        await tx.execute_many(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
        done, last = done + len(rows), rows[-1]["copy_rowid"]
        say(f"{table}: {done:,}/{total:,} rows {_bar(done, total)}")
    if total == 0:
        say(f"{table}: 0 rows")


def _bar(done: int, total: int, width: int = 20) -> str:
    filled = width * done // total if total else width
    return "[" + "#" * filled + "." * (width - filled) + "]"


async def _column_types(tx: Transaction, table: str) -> dict[str, str]:
    rows = await tx.fetch_all(
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = ?""",
        (table,),
    )
    return {str(r[0]): str(r[1]) for r in rows}


def _convert(table: str, column: str, kind: str, value: Any) -> Any:
    """A SQLite value as the PostgreSQL column's type wants it."""
    if value is None:
        return None
    try:
        if kind in ("integer", "bigint", "smallint"):
            return int(value)
        if kind in ("double precision", "real", "numeric"):
            return float(value)
        if kind == "bytea":
            return bytes(value) if not isinstance(value, str) else value.encode()
        return value if isinstance(value, str) else str(value)
    except (TypeError, ValueError) as exc:
        raise CopyError(f"{table}.{column}: {value!r} is not {kind}") from exc


async def _reset_sequences(tx: Transaction, tables: list[str]) -> None:
    rows = await tx.fetch_all(
        """SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND is_identity = 'YES'"""
    )
    for table, column in ((str(r[0]), str(r[1])) for r in rows if r[0] in tables):
        await tx.fetch_all(
            f"""SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                              COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL)
                FROM {table}"""
        )


async def _count(db: Database, table: str) -> int:
    row = await db.fetch_one(f"SELECT COUNT(*) FROM {table}")
    return int(row[0]) if row else 0


async def _tx_count(tx: Transaction, table: str) -> int:
    return int(await tx.fetch_value(f"SELECT COUNT(*) FROM {table}"))
