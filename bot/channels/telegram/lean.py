"""The channel's python-telegram-bot `ExtBot`, with calls whose answers stay JSON.

python-telegram-bot turns every answer into its objects: an `Update` per update fetched
(~0.17 ms each here, and ~0.14 ms more to turn it back into the JSON the inbox stores), a
`Message` per message sent (~0.13 ms) that nobody reads. `call` makes the same request through
the same path (the rate limiter, the request objects, the errors mapped from the answer: see
`ExtBot._do_post`) and returns the answer's `result` as JSON. Parameters may be
python-telegram-bot objects (a keyboard, `LinkPreviewOptions`), serialised as its methods
serialise them; `None` values are left out.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import ExtBot


class LeanBot(ExtBot[int]):
    async def call(self, endpoint: str, params: dict[str, Any]) -> Any:
        """The Bot API method `endpoint` (camelCase), its result as JSON (a dict, list or
        bool); raises python-telegram-bot's errors (`RetryAfter`, `Forbidden`...)."""
        return await self._post(endpoint, dict(params))
