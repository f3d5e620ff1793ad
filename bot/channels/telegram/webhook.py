"""Telegram's webhook: the secret checked in constant time, the update stored, then the 200.

Telegram retries anything but a 2xx, so the 200 is given only once the update is committed
to the inbox (`Store`); a body that is not a Telegram update gets a 400 and one log line,
and is never stored.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.web import WebRoute, read_json

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
Store = Callable[[dict[str, Any]], Awaitable[bool]]
Check = Callable[[dict[str, Any]], bool]


def webhook_route(path: str, secret: str, store: Store, valid: Check) -> WebRoute:
    """`valid` says whether a JSON object is a Telegram update; `store` stores it."""
    expected = secret.encode()

    async def endpoint(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("webhook call with a wrong secret from %s", request.client)
            return PlainTextResponse("forbidden", status_code=403)
        data = await read_json(request)
        if isinstance(data, Response):
            log.warning("a malformed Telegram webhook body (%d)", data.status_code)
            return data
        if not isinstance(data.get("update_id"), int) or not valid(data):
            log.warning("a Telegram webhook body that is not an update")
            return PlainTextResponse("not a Telegram update", status_code=400)
        await store(data)
        return Response(status_code=200)

    return WebRoute(path, endpoint)
