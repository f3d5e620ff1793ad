"""A market report over Telegram (photo, shared location, buttons) and over Zalo (a photo
downloaded under the guards, numbered options typed as text)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests import telegram_updates as updates
from tests.reporting import jpeg_with_gps
from tests.telegram_harness import Harness, Person, telegram_harness
from tests.zalo_harness import Zalo


@pytest.fixture
async def tg(tmp_path: Path) -> AsyncIterator[Harness]:
    async with telegram_harness(tmp_path) as harness:
        yield harness


async def until(person: Person, text: str) -> str:
    """Waits for a message to this chat containing `text`; returns all texts read."""

    def found() -> bool:
        fresh = person.fake.sent(person.id)[person.seen :]
        return any(text in str(c.params.get("text", "")) for c in fresh)

    await person.fake.wait_for(found)
    calls = person.fake.sent(person.id)[person.seen :]
    person.seen = len(person.fake.sent(person.id))
    return "\n".join(str(c.params.get("text", c.params.get("caption", ""))) for c in calls)


async def test_a_report_over_telegram_with_a_location_and_a_photo(tg: Harness) -> None:
    lan = tg.person(6001, "en")
    await lan.say("/start")
    await until(lan, "Do you agree?")
    await lan.press("I agree")
    await until(lan, "Who are you?")
    await lan.press("Resident")
    await until(lan, "share your location")
    await lan.say("dong kinh")
    await until(lan, "You're all set")
    await lan.say("/report")
    await until(lan, "share your location")
    await lan.send(updates.location(lan.user, 21.853, 106.761))
    await until(lan, "The markets nearest to you")
    await lan.press("Kỳ Lừa")
    for number in range(1, 5):
        await until(lan, f"Question {number} of 4")
        await lan.press("Yes" if number == 3 else "No")
    await until(lan, "not people")
    tg.fake.files.update({"s": b"s", "m": b"m", "big": jpeg_with_gps()})
    await lan.send(updates.photo(lan.user, ("s", "m", "big")))
    await until(lan, "I have 1 photo.")
    await lan.press("Done")
    await until(lan, "Anything to add?")
    await lan.say("Bins at the north gate")
    summary = await until(lan, "Send it?")
    assert "Place: the location you shared" in summary and "• Sorting bins: yes" in summary
    await lan.press("Send")
    assert "Your report no. 1 is with the moderators" in await until(lan, "Thank you!")
    row = await tg.app.deps.db.fetch_one("SELECT market_id, latitude, note, photos FROM reports")
    assert row is not None and tuple(row)[:3] == ("ky-lua", 21.853, "Bins at the north gate")
    assert len(row[3]) > 64


async def test_a_report_over_zalo_with_a_downloaded_photo(zalo: Zalo) -> None:
    for text in ("/start", "1", "1", "dong kinh", "/lang en"):
        await zalo.say("z1", text)
    zalo.fake.files["stall.jpg"] = (jpeg_with_gps(), "image/jpeg")
    zalo.fake.push_photo("z1", f"{zalo.url}/cdn/stall.jpg")
    await zalo.poller.poll_once()
    assert "Report a market point with this photo?" in zalo.fake.texts("z1")[-1]
    assert "Which market are you reporting on?" in "\n".join(await zalo.say("z1", "có"))
    assert "Question 1 of 4" in "\n".join(await zalo.say("z1", "cho ba xa"))
    for answer in ("co", "khong", "co"):
        await zalo.say("z1", answer)
    answer = "\n".join(await zalo.say("z1", "không"))
    assert "I have 1 photo." in answer
    assert "Anything to add?" in "\n".join(await zalo.say("z1", "xong"))
    assert "Send it?" in "\n".join(await zalo.say("z1", "bỏ qua"))
    assert "is with the moderators" in "\n".join(await zalo.say("z1", "ok"))
    row = await zalo.app.deps.db.fetch_one("SELECT market_id, answers FROM reports")
    assert row is not None and row[0] == "ba-xa"
    answers = {"free_bags": True, "bag_stall": False, "sorting_bins": True, "sign": False}
    assert json.loads(row[1]) == answers
