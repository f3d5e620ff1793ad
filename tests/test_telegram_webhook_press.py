"""A press that comes by webhook is acknowledged in the answer to the webhook call itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from bot.channels.telegram.webhook import SECRET_HEADER
from bot.web import build_web_app
from tests import telegram_updates as updates
from tests.telegram_harness import telegram_harness

SECRET = "s3cret_value-1"
HOOK: dict[str, Any] = {
    "telegram_webhook_url": "https://bot.example.org/telegram/hook",
    "telegram_webhook_secret": SECRET,
}


async def test_a_press_is_acknowledged_in_the_webhooks_answer_not_by_a_request(
    tmp_path: Path,
) -> None:
    async with telegram_harness(tmp_path, **HOOK) as tg:
        transport = httpx.ASGITransport(app=build_web_app(tg.channel.routes()))
        lan = tg.person(7401)
        headers = {SECRET_HEADER: SECRET}
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            start = {"update_id": 1, **updates.text(lan.user, "/start")}
            answer = await client.post("/telegram/hook", json=start, headers=headers)
            assert (answer.status_code, answer.content) == (200, b"")  # nothing to acknowledge
            await lan.read()
            question = lan.keyboard_message("I agree")
            data = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            press = {"update_id": 2, **updates.press(lan.user, question, data)}
            answer = await client.post("/telegram/hook", json=press, headers=headers)
            assert answer.status_code == 200
            assert answer.json() == {
                "method": "answerCallbackQuery",
                "callback_query_id": press["callback_query"]["id"],
            }
            assert "Who are you?" in await lan.read_text(2)  # the press was handled
        assert tg.fake.called("answerCallbackQuery") == []  # no request of the bot's
        [removed] = tg.fake.called("editMessageReplyMarkup")  # the keyboard still goes
        assert removed.params["message_id"] == question["message_id"]
