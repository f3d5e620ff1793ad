"""The channel's python-telegram-bot `ExtBot`, with calls whose answers stay JSON.

python-telegram-bot turns every answer into its objects: an `Update` per update fetched
(~0.17 ms each here, and ~0.14 ms more to turn it back into the JSON the inbox stores), a
`Message` per message sent (~0.13 ms) that nobody reads. `call` makes the same request through
the same path (the rate limiter, the request objects, the errors mapped from the answer: see
`ExtBot._do_post`) and returns the answer's `result` as JSON. Parameters may be
python-telegram-bot objects (a keyboard, `LinkPreviewOptions`), serialised as its methods
serialise them; `None` values are left out.

When every parameter is already JSON (the sender's texts and keyboards, acknowledgements,
getUpdates), `call` skips turning each one into a `RequestParameter` and back, which cost
about a fifth of a call's CPU: the parameters go to the request object as they are
(`JsonData`), still through the rate limiter, `BaseRequest.post` and its error mapping.
"""

from __future__ import annotations

from typing import Any, cast

from telegram.ext import ExtBot
from telegram.request import RequestData

JSON_VALUES = (str, int, float, bool, dict, list)


class JsonData:
    """What the channel's request objects read of a `RequestData` (python-telegram-bot's final
    class) for a call without files: its parameters, already JSON."""

    contains_files = False

    def __init__(self, parameters: dict[str, Any]) -> None:
        self.parameters = parameters


class LeanBot(ExtBot[int]):
    async def call(self, endpoint: str, params: dict[str, Any]) -> Any:
        """The Bot API method `endpoint` (camelCase), its result as JSON (a dict, list or
        bool); raises python-telegram-bot's errors (`RetryAfter`, `Forbidden`...)."""
        data = {name: value for name, value in params.items() if value is not None}
        if not all(type(value) in JSON_VALUES for value in data.values()):
            return await self._post(endpoint, data)
        request = self._request[0] if endpoint == "getUpdates" else self._request[1]
        url = f"{self._base_url}/{endpoint}"

        async def post(*_: object, **__: object) -> Any:
            # Only AiohttpRequest and LeanRequest see it (aiohttp_request.py): they read no more.
            return await request.post(url, request_data=cast(RequestData, JsonData(data)))

        if endpoint == "getUpdates" or self.rate_limiter is None:
            return await post()
        return await self.rate_limiter.process_request(
            callback=post,
            args=(),
            kwargs={},
            endpoint=endpoint,
            data=data,
            rate_limit_args=None,
        )
