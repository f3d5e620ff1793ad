"""Real-world update shapes: none crashes the bot, each gets the answer it deserves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests import telegram_updates as updates
from tests.telegram_harness import Harness, telegram_harness

UNSUPPORTED = "Sorry, I can only read text messages and photos."


@pytest.fixture
async def tg(tmp_path: Path) -> AsyncIterator[Harness]:
    async with telegram_harness(tmp_path) as harness:
        yield harness


async def test_photo_largest_size_is_downloaded(tg: Harness) -> None:
    tg.fake.files.update(
        {"p-small": b"s", "p-medium": b"m" * 10, "p-large": b"\xff\xd8" + b"L" * 50}
    )
    lan = tg.person(7001)
    await lan.send(updates.photo(lan.user, ("p-small", "p-medium", "p-large"), "chợ Đông Kinh"))
    assert await lan.read_text() == "Thanks, but I can't use a photo here."
    [get_file] = tg.fake.called("getFile")
    assert get_file.params == {"file_id": "p-large"}


async def test_documents_images_count_as_photos_big_files_are_refused(tg: Harness) -> None:
    tg.fake.files.update({"doc-png": b"\x89PNG...", "doc-csv": b"name,level\n"})
    lan = tg.person(7002)
    await lan.send(updates.image_document(lan.user, "doc-png", "image/png", 7))
    assert await lan.read_text() == "Thanks, but I can't use a photo here."
    await lan.send(updates.image_document(lan.user, "doc-csv", "text/csv", 11))
    assert await lan.read_text() == "Thanks, but I can't use a file here."
    await lan.send(updates.image_document(lan.user, "doc-big", "image/jpeg", 30 * 1024 * 1024))
    too_big = "This file is too big for me: please send one of less than 10 MB."
    assert await lan.read_text() == too_big
    hoa = tg.person(7012, language="vi")
    await hoa.send(updates.image_document(hoa.user, "doc-big", "application/pdf", 10**8))
    vietnamese = "Tệp này quá lớn với mình: bạn vui lòng gửi tệp nhỏ hơn 10 MB nhé."
    assert await hoa.read_text() == vietnamese
    assert [c.params["file_id"] for c in tg.fake.called("getFile")] == ["doc-png", "doc-csv"]


async def test_location_sticker_voice(tg: Harness) -> None:
    lan = tg.person(7003)
    await lan.send(updates.location(lan.user, 21.853, 106.761))
    assert await lan.read_text() == "Thanks, but I can't use a location here."
    await lan.send(updates.sticker(lan.user))
    assert (await lan.read_text()).startswith(UNSUPPORTED)
    await lan.send(updates.voice(lan.user))
    assert (await lan.read_text()).startswith(UNSUPPORTED)


async def test_edited_messages_and_channel_posts_are_ignored(tg: Harness) -> None:
    lan = tg.person(7004)
    await lan.send(updates.edited(lan.user, "/start"))
    await tg.fake.push(updates.channel_post())
    await tg.fake.push(
        updates.membership(lan.user, "left", "member", chat_id=-1009)
    )  # added to a group
    await lan.say("/help")
    assert (await lan.read_text()).startswith("What I can do for you:")
    assert len(tg.fake.sent()) == 1


async def test_blocking_unsubscribes_and_returning_is_welcomed(tg: Harness) -> None:
    lan = tg.person(7005)
    await lan.say("/start")
    await lan.read()
    await lan.press("I agree")
    await lan.read(2)
    await lan.press("Resident")
    await lan.read(2)  # the commune question, and the "share my location" keyboard
    await lan.say("dong kinh")
    await lan.read(2)
    await lan.say("/subscribe 07:00")
    await lan.read()
    await lan.send(updates.membership(lan.user, "member", "kicked"))
    await lan.send(updates.membership(lan.user, "kicked", "member"))
    assert (await lan.read_text()).startswith("Welcome back!")
    row = await tg.app.deps.db.fetch_one(
        "SELECT reachable, tip_time FROM users WHERE channel_user_id = '7005'"
    )
    assert row is not None and (row[0], row[1]) == (1, None)  # reachable again, not subscribed
