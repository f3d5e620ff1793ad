"""Telegram's webhook: the secret checked in constant time, the update stored, then the 200.

Telegram retries anything but a 2xx, so the 200 is given only once the update is committed
to the inbox (`Store`); a body that is not a Telegram update gets a 400 and one log line,
and is never stored. The 200 may carry a Bot API call (`Reply`): Telegram makes it as if the
bot had called the method itself (the bot is not told how it went), one HTTP round trip less.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.core import jsons
from bot.web_post import Answer, Headers, PostRoute, media_type

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
Store = Callable[[dict[str, Any]], Awaitable[bool]]
Check = Callable[[dict[str, Any]], bool]
Reply = Callable[[dict[str, Any]], dict[str, Any] | None]


def webhook_route(
    path: str, secret: str, store: Store, valid: Check, reply: Reply | None = None
) -> PostRoute:
    """`valid` says whether a JSON object is a Telegram update; `store` stores it; `reply`
    gives the Bot API call to answer it with (`{"method": ..., params...}`), if any."""
    expected = secret.encode()

    def check(headers: Headers) -> Answer | None:
        given = headers.get(SECRET_HEADER.lower(), "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("a Telegram webhook call with a wrong secret")
            return Answer.text(403, "forbidden")
        if media_type(headers.get("content-type", "")) != "application/json":
            log.warning("a Telegram webhook call that is not JSON")
            return Answer.text(415, "expected application/json")
        return None

    async def handle(_headers: Headers, body: bytes) -> Answer:
        try:
            data = jsons.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not well_formed(data) or not valid(data):
            log.warning("a Telegram webhook body that is not an update")
            return Answer.text(400, "not a Telegram update")
        await store(data)
        call = reply(data) if reply is not None else None
        return Answer(200) if call is None else Answer.json(call)

    return PostRoute(path, check, handle)


PARTS = ("message", "edited_message", "callback_query", "my_chat_member")


def well_formed(data: dict[str, Any]) -> bool:
    """The fields the bot relies on have Telegram's types: python-telegram-bot reads an
    update without checking them (a chat type of 5 passes), so they are checked here."""
    if type(data.get("update_id")) is not int:
        return False
    for name in PARTS:
        part = data.get(name)
        if part is None:
            continue
        if not isinstance(part, dict) or not _user_ok(part.get("from"), required=False):
            return False
        if name == "callback_query":
            if not isinstance(part.get("id"), str) or part.get("from") is None:
                return False
            continue
        chat = part.get("chat")
        if not isinstance(chat, dict) or type(chat.get("id")) is not int:
            return False
        if not isinstance(chat.get("type"), str) or type(part.get("date")) is not int:
            return False
        if name != "my_chat_member" and type(part.get("message_id")) is not int:
            return False
    return True


def _user_ok(user: Any, *, required: bool) -> bool:
    if user is None:
        return not required
    return isinstance(user, dict) and type(user.get("id")) is int


def acknowledge(update: dict[str, Any]) -> dict[str, Any] | None:
    """The answer to a webhook call that brought a press: Telegram acknowledges the press
    (the button's spinner stops) as soon as it is stored, with no request of the bot's."""
    query = update.get("callback_query")
    if not isinstance(query, dict):
        return None
    return {"method": "answerCallbackQuery", "callback_query_id": query["id"]}
