"""Direct answers: a 403 marks the person unreachable; group answers reply to the command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.sender import LocationKeyboards
from bot.core.messages import Reply
from tests import telegram_updates as updates
from tests.builders import subscribers
from tests.telegram_harness import Harness, telegram_harness

GROUP = -1001555000222
HELP = "Mình có thể giúp bạn"  # they chose Vietnamese


@pytest.fixture
async def tg(tmp_path: Path) -> AsyncIterator[Harness]:
    async with telegram_harness(tmp_path) as harness:
        yield harness


async def user_row(tg: Harness, user_id: int) -> Any:
    return await tg.app.deps.db.fetch_one(
        "SELECT reachable, tip_time FROM users WHERE channel_user_id = ?", (str(user_id),)
    )


async def test_a_403_on_an_answer_marks_the_person_unreachable(tg: Harness) -> None:
    lan_id, minh_id = await subscribers(tg.app, 2)
    lan, minh = tg.person(lan_id), tg.person(minh_id)
    tg.fake.blocked.add(lan_id)  # Lan blocked the bot right after writing to it
    await lan.say("/help")
    await tg.fake.wait_for(lambda: tg.fake.called("sendMessage"))
    tg.fake.blocked.discard(lan_id)
    await lan.say("/help")  # handled after the first one: each person's updates in order
    assert (await lan.read_text()).startswith(HELP)
    assert [c.status for c in tg.fake.called("sendMessage")] == [403, 200]
    assert tuple(await user_row(tg, lan_id)) == (0, None)  # as the outbox does on a 403

    tg.fake.blocked.add(GROUP)  # the bot was removed from a group: that is not Minh's doing
    await minh.send(updates.text(minh.user, "/help@LangSonPlasticBot", chat_id=GROUP))
    await minh.say("/help")
    assert (await minh.read_text()).startswith(HELP)
    assert tuple(await user_row(tg, minh_id)) == (1, "07:00")


async def test_a_group_answer_replies_to_the_command_it_answers(tg: Harness) -> None:
    lan = updates.user(7301)
    command = updates.text(lan, "/help@LangSonPlasticBot", chat_id=GROUP)
    await tg.fake.push(command)
    [answer] = await tg.fake.wait_for(lambda: tg.fake.sent(GROUP))
    message_id = command["message"]["message_id"]
    assert answer.params["reply_parameters"]["message_id"] == message_id
    assert answer.result["reply_to_message"]["from"]["id"] == 7301
    await tg.person(7301).say("/help")
    [private] = await tg.fake.wait_for(lambda: tg.fake.sent(7301))
    assert "reply_parameters" not in private.params  # private answers quote nothing


async def test_location_keyboards_are_remembered_for_a_bounded_number_of_chats(
    tg: Harness,
) -> None:
    sender = tg.channel.sender
    sender.location_keyboards = LocationKeyboards(limit=2)
    for chat in (81, 82, 81, 83):  # 82 was asked least recently: it is forgotten
        await sender.deliver(chat, [Reply("Where are you?", ask_location=True)])
    assert len(sender.location_keyboards) == 2
    for chat in (81, 82, 83):
        await sender.deliver(chat, [Reply("plain")])
    removed = [
        c.chat_id
        for c in tg.fake.sent()
        if c.params.get("reply_markup") == {"remove_keyboard": True}
    ]
    assert removed == [81, 83]
    assert len(sender.location_keyboards) == 0
