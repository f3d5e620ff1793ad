"""The storage interface: the one place that knows which database we talk to.

`Database` and `Transaction` are what the rest of the bot sees. Two backends implement them:
SQLite through aiosqlite (`bot.storage.sqlite`, the embedded default) and PostgreSQL through
asyncpg (`bot.storage.postgres`, chosen by `DATABASE_URL=postgresql://...`). SQL elsewhere is
standard and uses `?` parameters; `bot.storage.dialect` turns it into what each backend runs.
Rows of both behave alike: `row["col"]`, `row[0]`, `row.keys()`, iteration over the values.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from bot.storage.dialect import SQLITE, Dialect

if TYPE_CHECKING:
    from bot.settings import Settings

Params = Sequence[Any]
SQLITE_DIALECT = {"pk": SQLITE.pk}  # kept for older callers: use `bot.storage.dialect` instead


class Row(Protocol):
    """A result row: by column name or position (sqlite3.Row and asyncpg.Record both are)."""

    def __getitem__(self, key: int | str | slice, /) -> Any: ...

    def keys(self) -> Iterable[str]: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...


class NotChanged(Exception):
    """A write given to `Transaction.later` with `expect_changed` changed another number of
    rows: the transaction is rolled back."""


class Returned:
    """What a write given to `Transaction.later_returning` returned: its first row, there
    once the write ran (at the latest when the transaction committed)."""

    def __init__(self) -> None:
        self.row: Row | None = None
        self.ran = False

    def value(self) -> Any:
        """The first column of the row (None when the statement returned no row)."""
        if not self.ran:
            raise RuntimeError("the write has not run yet: read it after the commit")
        return None if self.row is None else self.row[0]


A = TypeVar("A")
B = TypeVar("B")


@dataclass(frozen=True)
class Read(Generic[A]):
    """A read and what its rows become: a repository function can hand its read out, so that
    a caller sends two reads together (`Transaction.read_both`)."""

    sql: str
    params: Params
    parse: Callable[[list[Row]], A]


class Transaction(ABC):
    """The handle that repository functions receive: every write goes through one."""

    dialect: Dialect = SQLITE

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Runs a statement and returns the number of rows it changed."""

    @abstractmethod
    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None: ...

    @abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def table_names(self) -> set[str]:
        return {str(r[0]) for r in await self.fetch_all(self.dialect.tables_sql)}

    async def later(
        self,
        sql: str,
        params: Params = (),
        *,
        expect_changed: int | None = None,
        raising: type[NotChanged] = NotChanged,
    ) -> None:
        """A write whose result the caller does not need. SQLite runs it together with the
        transaction's next statement or its COMMIT, in one hop to the database thread (an
        error is raised there); PostgreSQL runs it now. With `expect_changed`, another count
        of changed rows raises `raising`, and the transaction is rolled back."""
        changed = await self.execute(sql, params)
        if expect_changed is not None and changed != expect_changed:
            raise raising(sql)

    async def later_many(self, sql: str, rows: Iterable[Params]) -> None:
        """`execute_many` as `later` runs it."""
        await self.execute_many(sql, rows)

    async def later_returning(self, sql: str, params: Params = ()) -> Returned:
        """A write with a RETURNING clause, run as `later` runs it: its row is read from the
        result once it ran (so an INSERT's id can go with the COMMIT on SQLite)."""
        returned = Returned()
        returned.row = await self.fetch_one(sql, params)
        returned.ran = True
        return returned

    async def fetch_all_of(self, statements: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        """The rows of each statement: on SQLite in one hop to the database thread."""
        return [await self.fetch_all(sql, params) for sql, params in statements]

    async def read(self, read: Read[A]) -> A:
        return read.parse(await self.fetch_all(read.sql, read.params))

    async def read_both(self, first: Read[A], second: Read[B]) -> tuple[A, B]:
        """Two reads that do not depend on each other, in one hop on SQLite: a hop costs
        more than most statements, and the writers' lock is held across it."""
        rows = await self.fetch_all_of([(first.sql, first.params), (second.sql, second.params)])
        return first.parse(rows[0]), second.parse(rows[1])

    async def fetch_first(self, *statements: tuple[str, Params]) -> tuple[int, Row | None]:
        """Runs the statements in order until one returns a row: (its index, that row), or
        (-1, None) if none did. Read-or-create in one go (a SELECT, then an INSERT ...
        RETURNING only where the SELECT found nothing): on SQLite in one hop to the database
        thread, where a second statement would cost a hop of its own."""
        for index, (sql, params) in enumerate(statements):
            row = await self.fetch_one(sql, params)
            if row is not None:
                return index, row
        return -1, None


class Database(ABC):
    """A database with serialised writing transactions (one writer at a time)."""

    dialect: Dialect = SQLITE
    path: str = ""  # what to show in messages: the SQLite file, or the server without password

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Opens (creating if needed) a SQLite database file."""
        from bot.storage.sqlite import SqliteDatabase

        return await SqliteDatabase.connect(path)

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """BEGIN ... COMMIT holding the writers' lock, or ROLLBACK if the block raises."""

    @abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """A read outside any transaction (a consistent snapshot on both backends)."""

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def table_names(self) -> set[str]:
        """The tables of the database (of its schema, on PostgreSQL)."""
        return {str(r[0]) for r in await self.fetch_all(self.dialect.tables_sql)}

    def render(self, sql: str) -> str:
        """Fills the dialect placeholders of a migration statement."""
        return self.dialect.render(sql)


async def open_database(settings: Settings) -> Database:
    """PostgreSQL when `DATABASE_URL` is set, else the SQLite file `BOT_DB_PATH`."""
    if settings.database_url:
        from bot.storage.postgres import PgDatabase

        return await PgDatabase.connect(settings.database_url)
    return await Database.open(settings.db_path)


def as_dict(row: Row) -> dict[str, Any]:
    """A row as a column -> value mapping (iterating a Row yields values, not keys)."""
    return {key: row[key] for key in row.keys()}  # noqa: SIM118
