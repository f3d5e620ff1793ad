"""Defects found under load and review, each pinned: admins' consent, erased files."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.app import App
from bot.core.clock import FakeClock
from tests.conftest import ADMIN
from tests.harness import Chat, onboard
from tests.zalo_harness import Zalo, make_zalo


async def test_an_admin_agrees_before_anything_of_theirs_is_stored(app: App) -> None:
    admin = Chat(app, ADMIN)
    await admin.send("/subscribe 06:30")
    assert "Please send /start" in admin.text
    await admin.send("/invite officer")
    assert "Please send /start" in admin.text
    row = await admin.row()
    assert row is not None and row["tip_time"] is None and row["consent_at"] is None
    assert await app.deps.db.fetch_one("SELECT 1 FROM invites") is None
    await admin.send("/start")
    await admin.press("I agree")
    await admin.send("/invite officer")
    assert "Which agency will the officer work for?" in admin.text


async def test_erasure_deletes_the_persons_files(zalo: Zalo) -> None:
    public = await make_zalo(zalo.app, zalo.fake, zalo.url, public="https://bot.example.org")
    try:
        for text in ("/start", "1", "1", "dong kinh", "/lang en", "/mydata"):
            await public.say("d1", text)
        export = next(t for t in zalo.fake.texts("d1") if "/media/" in t)
        token = re.search(r"/media/([\w-]+)", export)
        assert token is not None
        assert await public.channel.media.get(token[1]) is not None
        await public.say("d1", "/deleteme")
        await public.say("d1", "1")
        assert "I erased everything about you" in zalo.fake.texts("d1")[-1]
        assert await public.channel.media.get(token[1]) is None
        row = await zalo.app.deps.db.fetch_one("SELECT count(*) FROM media")
        assert row is not None and row[0] == 0
    finally:
        await public.channel.api.close()
        await public.channel.downloads.aclose()


@pytest.mark.parametrize("command", ["/redeem", "/join"])
async def test_wrong_codes_are_limited_then_cool_down(
    app: App, clock: FakeClock, command: str
) -> None:
    guesser = Chat(app, "guesser")
    await onboard(guesser, "Student")
    for guess in ("AAAAAAAA", "BBBBBBBB", "K7M2QA", "K7M2QB", "K7M2QC"):
        await guesser.send(f"{command} {guess}")
        assert "does not work" in guesser.text, guesser.text
    await guesser.send(f"{command} CCCCCCCC")
    assert "Too many wrong codes. Please wait 5 minutes, then try again." in guesser.text
    clock.advance(timedelta(minutes=4))
    await guesser.send(f"{command} DDDDDDDD")
    assert "Please wait 1 minute" in guesser.text
    clock.advance(timedelta(minutes=1, seconds=1))
    await guesser.send(f"{command} EEEEEEEE")
    assert "does not work" in guesser.text  # looked at again
    other = Chat(app, "other")  # someone else was never slowed down
    await onboard(other, "Student")
    await other.send(f"{command} FFFFFFFF")
    assert "does not work" in other.text


async def test_a_good_code_works_after_a_wrong_one(app: App) -> None:
    admin = Chat(app, ADMIN)
    await onboard(admin)
    await admin.send("/invite officer")
    await admin.press("Sở NN&MT")
    await admin.press("The whole province")
    code = re.search(r"/start ([A-Z0-9]{8})\b", admin.text)
    assert code is not None
    officer = Chat(app, "officer")
    await onboard(officer)
    await officer.send("/redeem ZZZZZZZZ")
    await officer.send(f"/redeem {code[1]}")
    assert "You are now an officer" in officer.text
