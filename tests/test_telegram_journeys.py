"""Journeys from the foundation, replayed over Telegram through the fake Bot API server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests import telegram_updates as updates
from tests.telegram_harness import Harness, telegram_harness


@pytest.fixture
async def tg(tmp_path: Path) -> AsyncIterator[Harness]:
    async with telegram_harness(tmp_path) as harness:
        yield harness


async def onboard(tg: Harness, user_id: int) -> None:
    person = tg.person(user_id)
    await person.say("/start")
    await person.read()
    await person.press("I agree")
    await person.read(2)
    await person.press("Resident")
    await person.read(2)  # the commune question, and the "share my location" keyboard
    await person.say("dong kinh")
    await person.read(2)


async def test_onboarding_tip_and_subscription(tg: Harness) -> None:
    lan = tg.person(5001, "en")
    await lan.say("/start")
    [greeting] = await lan.read()
    assert "Do you agree?" in greeting.params["text"]
    assert greeting.buttons == ["I agree", "No, thanks", "Tiếng Việt"]

    pressed = await lan.press("I agree")
    thanks, who = await lan.read(2)
    assert thanks.params["text"].startswith("Thank you! A few quick questions: who you are")
    assert "Who are you?" in who.params["text"]
    assert "Resident" in who.buttons
    [answer] = tg.fake.sent(method="answerCallbackQuery")
    assert answer.params["callback_query_id"].startswith("cq")
    [edit] = tg.fake.sent(method="editMessageReplyMarkup")
    assert edit.params == {"chat_id": 5001, "message_id": pressed["message_id"]}
    assert "reply_markup" not in tg.fake.messages[(5001, pressed["message_id"])]

    await lan.press("Resident")
    commune, share = await lan.read(2)
    assert "Which commune or ward" in commune.params["text"]
    assert len(commune.buttons) > 5  # the former districts
    assert share.params["text"] == "Or share your location with the button below."
    assert share.params["reply_markup"]["keyboard"][0][0]["request_location"] is True
    await lan.say("dong kinh")
    [chosen] = await lan.read()
    assert "Phường Đông Kinh" in chosen.params["text"]
    assert chosen.params["reply_markup"] == {"remove_keyboard": True}
    [done] = await lan.read()
    assert "You're all set!" in done.params["text"]
    assert done.buttons == [
        "A tip now",
        "A quiz",
        "A tip every day",
        "Take a pledge",
        "My pledges",
        "Report on a market",
        "Settings",
        "Everything I can do",
    ]

    await lan.say("/tip")
    tip = await lan.read_text()
    assert tip.startswith("💡") and "Source:" in tip
    await lan.say("/subscribe 18:30")
    assert "one tip every day at 6:30" in await lan.read_text()
    assert len(tg.fake.sent(method="answerCallbackQuery")) == 2


async def test_menu_buttons_and_vietnamese_by_default(tg: Harness) -> None:
    await onboard(tg, 5002)
    lan = tg.person(5002)
    lan.seen = len(tg.fake.sent(5002))
    await lan.press("A tip now")
    assert (await lan.read_text()).startswith("💡")

    hoa = tg.person(5003, language=None)
    await hoa.say("/start")
    [greeting] = await hoa.read()
    assert "Bạn có đồng ý không?" in greeting.params["text"]
    assert greeting.buttons[:2] == ["Tôi đồng ý", "Không, cảm ơn"]


async def test_deep_link_start_code_makes_an_officer(tmp_path: Path) -> None:
    async with telegram_harness(tmp_path, admins=frozenset({"telegram:9000"})) as tg:
        admin = tg.person(9000)
        await admin.say("/start")  # an admin agrees first, like everyone
        await admin.read()
        await admin.press("I agree")
        await admin.read(2)
        await admin.say("/invite officer")
        await admin.read()
        await admin.press("Sở NN&MT")
        await admin.read()
        await admin.press("The whole province")
        invite = await admin.read_text()
        code = re.search(r"/start (\S+)", invite)
        assert code is not None, invite

        tuan = tg.person(9001)
        await tuan.say(f"/start {code[1]}")  # what t.me/<bot>?start=<code> sends
        assert "Do you agree?" in await tuan.read_text()
        await tuan.press("I agree")
        assert "You are now an officer" in await tuan.read_text(2)


async def test_in_groups_only_commands_for_this_bot_are_answered(tg: Harness) -> None:
    group = -1001555000111
    lan = updates.user(5004)
    await tg.fake.push(updates.text(lan, "hello everyone", chat_id=group))
    await tg.fake.push(updates.text(lan, "/help@OtherBot", chat_id=group))
    await tg.fake.push(updates.text(lan, "/start@LangSonPlasticBot", chat_id=group))
    await tg.fake.push(updates.text(lan, "/help@LangSonPlasticBot", chat_id=group))
    await tg.fake.wait_for(lambda: len(tg.fake.sent(group)) >= 2)
    private, help_text = (c.params["text"] for c in tg.fake.sent(group))
    assert private == "Please write to me in a private chat for /start."
    assert help_text.startswith("What I can do for you:")
    assert tg.fake.sent(5004) == []
    row = await tg.app.deps.db.fetch_one(
        "SELECT chat_id FROM users WHERE channel = 'telegram' AND channel_user_id = '5004'"
    )
    assert row is not None and row[0] == "5004"  # tips would go to the private chat, not the group


async def test_command_menus_per_language_and_scope(tmp_path: Path) -> None:
    async with telegram_harness(tmp_path, admins=frozenset({"telegram:9000"})) as tg:
        menus = tg.fake.commands
    default = '{"type": "default"}'
    assert {key[1] for key in menus if key[0] == default} == {"", "vi", "en"}
    names = [c["command"] for c in menus[(default, "en")]]
    assert names[:3] == ["menu", "start", "help"] and "tip" in names and "invite" not in names
    descriptions = {c["command"]: c["description"] for c in menus[(default, "en")]}
    vietnamese = {c["command"]: c["description"] for c in menus[(default, "vi")]}
    assert descriptions["tip"] != vietnamese["tip"]
    assert menus[(default, "")] == menus[(default, "vi")]
    groups = [c["command"] for c in menus[('{"type": "all_group_chats"}', "en")]]
    assert groups == ["help"]
    admin = [c["command"] for c in menus[('{"chat_id": 9000, "type": "chat"}', "en")]]
    assert "invite" in admin
