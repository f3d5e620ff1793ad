"""Where report photos live (BOT_PHOTO_STORE): workers of one database show each other's
photos, and a photo kept before the setting changed is still shown and still erased."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from bot import cli
from bot.app import App
from bot.core.clock import FakeClock
from bot.settings import Settings
from tests.builders import make_officer
from tests.harness import Chat, RecordingSender, onboard
from tests.harness_app import open_app
from tests.reporting import jpeg_with_gps, kept_photos, photos_by_store, send_report


@asynccontextmanager
async def worker(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    """One worker of the deployment: an app of its own on the test's database."""
    app = await open_app(
        settings, clock=clock, rng=random.Random(7), senders={"shell": RecordingSender()}
    )
    try:
        yield app
    finally:
        await app.close()


def folders_with_photos(top: Path) -> list[str]:
    return sorted(p.name for p in top.iterdir() if p.is_dir() and any(p.glob("*.jpg")))


def photos_shown(chat: Chat) -> list[bytes]:
    return [r.photo.data for r in chat.replies if r.photo is not None]


@pytest.mark.parametrize("photo_store", ["folder", "database"])
async def test_a_moderator_on_another_worker_sees_the_photos(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    """In the database, each worker may have a folder of its own (another machine); in a
    folder, the workers share it (a network mount)."""
    own = settings.photos_in_database
    first = replace(settings, photo_folder=tmp_path / ("a" if own else "shared"))
    second = replace(settings, photo_folder=tmp_path / ("b" if own else "shared"))
    async with worker(first, clock) as one, worker(second, clock) as two:
        alice = Chat(one, "alice")
        await onboard(alice)
        await send_report(alice, photos=(jpeg_with_gps((1, 2, 3)), jpeg_with_gps((4, 5, 6))))
        kept = await kept_photos(one)
        env = await make_officer(two, "env", "Sở NN&MT")
        await env.send("/queue")
        assert sorted(photos_shown(env)) == sorted(kept.values())
        await env.press("Approve")
        reader = Chat(two, "bob")
        await onboard(reader)
        await reader.send("/market ky lua")
        assert photos_shown(reader)[0] in kept.values()
        assert sorted(await kept_photos(two)) == sorted(kept)
    assert folders_with_photos(tmp_path) == ([] if own else ["shared"])


@pytest.mark.parametrize(("before", "after"), [("folder", "database"), ("database", "folder")])
async def test_photos_kept_before_the_store_changed_are_shown_and_erased(
    settings: Settings, clock: FakeClock, before: str, after: str
) -> None:
    earlier = jpeg_with_gps((7, 7, 7))
    async with worker(replace(settings, photo_store=before), clock) as app:
        alice = Chat(app, "alice")
        await onboard(alice)
        await send_report(alice, photos=(earlier,))
        [old] = await kept_photos(app)
    async with worker(replace(settings, photo_store=after), clock) as app:
        alice = Chat(app, "alice")
        await send_report(alice, market="ba xa", photos=(jpeg_with_gps((8, 8, 8)),))
        found = await photos_by_store(app)  # the new photo in the new store, the old one not
        assert [list(found[before]), len(found[after])] == [[old], 1]
        env = await make_officer(app, "env", "Sở NN&MT")
        await env.send("/queue")
        assert len(photos_shown(env)) == 1  # the first report's photo, from the old store
        await alice.send("/deleteme")
        await alice.press("Yes, erase")
        assert await photos_by_store(app) == {"folder": {}, "database": {}}


@pytest.mark.parametrize("photo_store", ["folder"])
async def test_photos_to_db_moves_the_folder_and_leaves_damaged_files(
    settings: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    async with worker(settings, clock) as app:
        alice = Chat(app, "alice")
        await onboard(alice)
        await send_report(alice, photos=(jpeg_with_gps((1, 1, 1)), jpeg_with_gps((2, 2, 2))))
        kept = await kept_photos(app)
    damaged = settings.photo_dir / f"{'0' * 64}.jpg"
    damaged.write_bytes(b"half a photo")
    (settings.photo_dir / "notes.txt").write_text("an operator's file stays")
    in_database = replace(settings, photo_store="database")
    assert await cli._photos_to_db(in_database) == 1
    out, err = capsys.readouterr()
    assert "photos: 2/3 moved" in out and "photos moved: 2" in out
    assert f"its bytes do not match its name: {damaged.name}" in err
    assert sorted(p.name for p in settings.photo_dir.iterdir()) == [damaged.name, "notes.txt"]
    async with worker(in_database, clock) as app:
        assert (await photos_by_store(app))["database"] == kept
        env = await make_officer(app, "env", "Sở NN&MT")
        await env.send("/queue")
        assert sorted(photos_shown(env)) == sorted(kept.values())
    assert await cli._photos_to_db(in_database) == 1  # again: nothing more to move
    assert "photos moved: 0" in capsys.readouterr().out
