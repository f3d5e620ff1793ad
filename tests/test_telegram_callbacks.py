"""Button presses: always acknowledged, never twice, and a forged payload changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.engine import Answered
from bot.core.messages import Choice, Incoming, Kind, Reply
from tests import telegram_updates as updates
from tests.telegram_harness import Harness, Person, telegram_harness

EXPIRED = "That option has expired. Here is where we are now."


@pytest.fixture
async def tg(tmp_path: Path) -> AsyncIterator[Harness]:
    async with telegram_harness(tmp_path) as harness:
        yield harness


async def user_row(tg: Harness, person: Person) -> Any:
    return await tg.app.deps.db.fetch_one(
        "SELECT * FROM users WHERE channel = 'telegram' AND channel_user_id = ?", (str(person.id),)
    )


async def at_role_question(tg: Harness, user_id: int) -> tuple[Person, dict[str, Any]]:
    person = tg.person(user_id)
    await person.say("/start")
    await person.read()
    await person.press("I agree")
    await person.read(2)
    return person, person.keyboard_message("Resident")


async def test_a_payload_never_offered_changes_nothing(tg: Harness) -> None:
    lan, question = await at_role_question(tg, 6001)
    await lan.press_data(question, "aud:officer")  # forged: not a button of this message
    expired, again = await lan.read(2)
    assert expired.params["text"] == EXPIRED
    assert "Who are you?" in again.params["text"]  # asked again, with fresh buttons
    row = await user_row(tg, lan)
    assert row["audience"] is None and row["onboarded_at"] is None
    assert len(tg.fake.sent(method="answerCallbackQuery")) == 2  # every press is answered


async def test_another_persons_payload_changes_nothing(tg: Harness) -> None:
    lan, question = await at_role_question(tg, 6002)
    minh = tg.person(6003)
    await minh.say("/start")
    [consent] = await minh.read()
    await minh.press_data(question, "aud:teacher")  # Lan's question, pressed as Minh
    expired, again = await minh.read(2)
    assert expired.params["text"] == EXPIRED
    assert "Do you agree?" in again.params["text"]
    row = await user_row(tg, minh)
    assert row["consent_at"] is None and row["audience"] is None
    assert "reply_markup" in tg.fake.messages[(6002, question["message_id"])]  # Lan's, untouched
    assert len(tg.fake.sent(6002)) == lan.seen  # and nothing of Minh's went to Lan's chat
    await lan.press("Teacher")
    assert "Which commune" in await lan.read_text()
    assert (await user_row(tg, lan))["audience"] == "teacher"
    assert consent.params["reply_markup"]["inline_keyboard"]


async def test_a_stale_button_pressed_twice_counts_once(tg: Harness) -> None:
    lan = tg.person(6004)
    await lan.say("/start")
    await lan.read()
    old = await lan.press("I agree")
    await lan.read(2)
    await lan.press("I agree", message=old)  # the client still showed the old keyboard
    expired, again = await lan.read(2)
    assert expired.params["text"] == EXPIRED
    assert "Who are you?" in again.params["text"]
    thanks = [c for c in tg.fake.sent(6004) if "Thank you!" in c.params["text"]]
    assert len(thanks) == 1
    edits = tg.fake.called("editMessageReplyMarkup")
    assert [e.status for e in edits] == [200, 400]  # the second edit: nothing left to remove


async def test_a_press_without_data_is_only_acknowledged(tg: Harness) -> None:
    lan = updates.user(6005)
    press = updates.press(lan, updates.message(lan, text="hi"), "x")
    del press["callback_query"]["data"]
    press["callback_query"]["game_short_name"] = "quiz"
    await tg.fake.push(press)
    await tg.fake.wait_for(lambda: tg.fake.called("answerCallbackQuery"))
    await tg.person(6005).say("/help")
    assert "What I can do" in await tg.person(6005).read_text()
    assert len(tg.fake.sent(6005)) == 1


async def test_in_a_group_only_the_person_answered_removes_the_buttons(
    tg: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = -1001555000333
    answer = tg.app.engine.answer

    async def buttons_for_group_commands(
        incoming: Incoming, *, inbox_id: int | None = None, address: str | None = None
    ) -> Answered:
        if incoming.kind is Kind.COMMAND and not incoming.is_private:
            return Answered(None, [Reply("Pick one", choices=(Choice("Help", "cmd:help"),))])
        return await answer(incoming, inbox_id=inbox_id, address=address)

    monkeypatch.setattr(tg.app.engine, "answer", buttons_for_group_commands)
    lan, minh = tg.person(6101), tg.person(6102)
    await lan.send(updates.text(lan.user, "/help@LangSonPlasticBot", chat_id=group))
    [question] = await tg.fake.wait_for(lambda: tg.fake.sent(group))
    message = tg.fake.messages[(group, question.result["message_id"])]

    await minh.press_data(message, "cmd:help")  # someone else in the group presses
    await minh.say("/help")  # handled after Minh's press: each person's updates in order
    await minh.read()
    assert tg.fake.called("editMessageReplyMarkup") == []
    assert "reply_markup" in tg.fake.messages[(group, message["message_id"])]

    await lan.press_data(message, "cmd:help")  # the person it answered
    [edit] = await tg.fake.wait_for(lambda: tg.fake.called("editMessageReplyMarkup"))
    assert edit.params == {"chat_id": group, "message_id": message["message_id"]}
    assert len(tg.fake.sent(method="answerCallbackQuery")) == 2  # both presses acknowledged


async def test_the_answer_to_a_press_does_not_wait_for_its_acknowledgement(tg: Harness) -> None:
    """The acknowledgement and the keyboard's removal are two round trips to Telegram: they
    go while the engine judges the press, not before it."""
    lan = tg.person(6201)
    await lan.say("/start")
    await lan.read()
    question = lan.keyboard_message("I agree")
    tg.fake.hold("answerCallbackQuery")
    tg.fake.hold("editMessageReplyMarkup")
    await lan.press("I agree")
    answers = await lan.read(2)  # while both calls are still waiting for Telegram
    assert "Who are you?" in answers[-1].params["text"]
    assert sorted(c.method for c in tg.fake.held) == [
        "answerCallbackQuery",
        "editMessageReplyMarkup",
    ]
    assert tg.fake.called("editMessageReplyMarkup") == []
    await tg.fake.release()
    [edit] = await tg.fake.wait_for(lambda: tg.fake.called("editMessageReplyMarkup"))
    assert edit.params == {"chat_id": 6201, "message_id": question["message_id"]}
    assert [c.status for c in tg.fake.called("answerCallbackQuery")] == [200]
