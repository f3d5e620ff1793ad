"""The calls a button press gets besides its answer: the acknowledgement (`answerCallbackQuery`,
which stops the client's spinner) and the removal of the pressed keyboard, so that it cannot
be pressed twice. The channel makes them while the engine judges the press."""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any

from telegram.error import TelegramError

from bot.channels.telegram.inbound import Press
from bot.channels.telegram.lean import LeanBot

log = logging.getLogger(__name__)

Call = Coroutine[Any, Any, None]


def courtesies(bot: LeanBot, press: Press, *, sending: bool, webhook: bool) -> list[Call]:
    """By webhook the press was acknowledged in the answer to the webhook (`acknowledge` in
    `webhook.py`). Late in a stop (`sending` False) there are none: the press is only judged,
    its answer kept. In a group only the person the message answered removes its keyboard."""
    calls: list[Call] = []
    if sending and not webhook:
        calls.append(acknowledge(bot, press))
    if sending and press.has_keyboard and press.by_addressee:
        calls.append(remove_keyboard(bot, press))
    return calls


async def acknowledge(bot: LeanBot, press: Press) -> None:
    try:
        await bot.call("answerCallbackQuery", {"callback_query_id": press.query_id})
    except TelegramError as exc:
        log.info("could not answer a callback query: %s", exc)


async def remove_keyboard(bot: LeanBot, press: Press) -> None:
    where = {"chat_id": press.chat_id, "message_id": press.message_id}
    try:  # no reply_markup: the keyboard goes
        await bot.call("editMessageReplyMarkup", where)
    except TelegramError as exc:
        log.info("could not remove a pressed keyboard: %s", exc)
