"""`python -m bot copy-to URL`: a SQLite deployment, made through the engine, copied into an
empty PostgreSQL; every row arrives, the numbering goes on after the copied ids."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from bot import cli
from bot.app import App, create_app
from bot.core.clock import FakeClock
from bot.settings import Settings
from bot.storage import media
from bot.storage.db import Database
from bot.storage.postgres import PgDatabase
from bot.storage.sqlite import SqliteDatabase
from tests.builders import make_officer
from tests.harness import ADMIN, Chat, RecordingSender, onboard
from tests.harness_app import open_app
from tests.pg import backends, fresh_schema
from tests.reporting import kept_photos, send_report

pytestmark = pytest.mark.skipif(
    "pg" not in backends(), reason="BOT_TEST_PG is not set: no PostgreSQL (see tests/pg.py)"
)
NOW = "2026-11-30T01:00:00+00:00"
PHOTO, JPEG = "ab" * 32, b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4  # a photo's name, bytes


async def deployment(tmp_path: Path, clock: FakeClock) -> Settings:
    """A SQLite deployment with people, their answers, a quiz, a report with a place and its
    photo (in the database: BOT_PHOTO_STORE=database), a file."""
    settings = Settings(db_path=str(tmp_path / "bot.sqlite3"), admins=frozenset({"shell:root"}))
    app = await create_app(
        settings, clock=clock, rng=random.Random(3), senders={"shell": RecordingSender()}
    )
    try:
        for name in ("an", "binh", "chi"):
            await onboard(Chat(app, name))
        await Chat(app, "an").send("/quiz")
        await Chat(app, "binh").send("/tip")
        await seed_report_and_file(app)
    finally:
        await app.close()
    return settings


async def seed_report_and_file(app: App) -> None:
    async with app.deps.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO reports (user_id, market_id, commune_code, answers, photos, note, "
            "latitude, longitude, status, day, created_at) "
            "VALUES (1, 'cho-dong-kinh', '05977', '{}', ?, 'ok', 21.8537, 106.7615, "
            "'pending', '2026-11-30', ?)",
            (f'["{PHOTO}"]', NOW),
        )
        await tx.execute("INSERT INTO photos (name, data) VALUES (?, ?)", (PHOTO, JPEG))
        file = media.StoredFile(bytes(range(256)), "image/png", "x.png")
        await media.add(tx, media.NewFile("tok", file, "shell", "an"), NOW, "2026-12-30")


async def every_row(db: Database) -> dict[str, list[tuple[object, ...]]]:
    return {
        t: sorted((tuple(r) for r in await db.fetch_all(f"SELECT * FROM {t}")), key=repr)
        for t in sorted(await db.table_names())
    }


async def test_every_row_is_copied_and_numbering_goes_on(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = await deployment(tmp_path, clock)
    async with fresh_schema() as url:
        assert await cli._copy_to(settings, url) == 0
        out = capsys.readouterr().out
        assert "users: 3/3 rows [####################]" in out
        assert "every table's count matches" in out
        source = await SqliteDatabase.connect(settings.db_path)
        target = await PgDatabase.connect(url)
        try:
            before, after = await every_row(source), await every_row(target)
            assert after == before
            assert len(before["users"]) == 3 and before["media"][0][3] == bytes(range(256))
            assert after["reports"][0][7:9] == (21.8537, 106.7615)  # double precision
            assert after["photos"] == [(PHOTO, JPEG)]  # bytea
            async with target.transaction() as tx:
                new_id = await tx.fetch_value(
                    "INSERT INTO users (channel, channel_user_id, chat_id, created_at) "
                    "VALUES ('shell', 'dung', 'dung', ?) RETURNING id",
                    (NOW,),
                )
            assert new_id == 4  # after the copied ids, not 1
            # A second copy into the same (now full) database is refused, and changes nothing.
            assert await cli._copy_to(settings, url) == 1
            assert "the target is not empty" in capsys.readouterr().err
            assert len((await every_row(target))["users"]) == 4
        finally:
            await source.close()
            await target.close()


async def test_the_bot_runs_on_the_copy(tmp_path: Path, clock: FakeClock) -> None:
    settings = await deployment(tmp_path, clock)
    async with fresh_schema() as url:
        assert await cli._copy_to(settings, url) == 0
        app = await create_app(
            Settings(database_url=url), clock=clock, senders={"shell": RecordingSender()}
        )
        try:
            chat = Chat(app, "an")
            await chat.send("/settings")
            assert "Phường Đông Kinh" in chat.text or "Dong Kinh" in chat.text, chat.text
        finally:
            await app.close()


async def test_photos_in_the_folder_follow_with_photos_to_db(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(db_path=str(tmp_path / "bot.sqlite3"), admins=frozenset({f"shell:{ADMIN}"}))
    app = await open_app(settings, clock=clock, senders={"shell": RecordingSender()})
    try:
        alice = Chat(app, "alice")
        await onboard(alice)
        await send_report(alice)
        [(name, data)] = (await kept_photos(app)).items()  # in the folder, SQLite's default
    finally:
        await app.close()
    async with fresh_schema() as url:
        assert await cli._copy_to(settings, url) == 0
        assert "run `python -m bot photos-to-db` to move them" in capsys.readouterr().out
        on_pg = replace(settings, database_url=url)  # photos in the database: PostgreSQL's default
        assert await cli._photos_to_db(on_pg) == 0
        assert "photos moved: 1" in capsys.readouterr().out
        app = await open_app(on_pg, clock=clock, senders={"shell": RecordingSender()})
        try:
            assert await kept_photos(app) == {name: data}  # and none left in the folder
            env = await make_officer(app, "env", "Sở NN&MT")
            await env.send("/queue")
            assert [r.photo.data for r in env.replies if r.photo is not None] == [data]
        finally:
            await app.close()
