"""A small client for the Zalo Bot API.

Every answer is an envelope `{"ok", "result", "error_code", "description"}`; a failure can
come with HTTP 200, so `ok` is always read whatever the status. The token is part of the URL
path, so it never appears in an error message or a log line: errors name only the method.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from bot.core.sending import PermanentFailure, RecipientGone, TemporaryFailure, Throttled
from bot.logsafe import register_secret

log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
IDLE = 408  # getUpdates' "Request timeout": nothing new, not an error


class ZaloApiError(Exception):
    def __init__(self, method: str, code: int, description: str) -> None:
        super().__init__(f"Zalo {method} failed: {code} {description}")
        self.method, self.code, self.description = method, code, description


class ZaloApi:
    def __init__(
        self, token: str, base_url: str = DEFAULT_BASE_URL, client: httpx.AsyncClient | None = None
    ) -> None:
        register_secret(token)
        self._url = f"{base_url.rstrip('/')}/bot{token}"
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(45.0, connect=10.0))

    async def close(self) -> None:
        await self._client.aclose()

    async def call(self, method: str, payload: dict[str, Any] | None = None) -> Any:
        """Calls a method and returns its `result`, or raises ZaloApiError.

        Network failures become ZaloApiError with code 0 (the URL, and so the token, is
        dropped from the message).
        """
        try:
            response = await self._client.post(f"{self._url}/{method}", json=payload or {})
        except httpx.TimeoutException:
            raise ZaloApiError(method, 0, "timeout") from None
        except httpx.HTTPError as exc:
            raise ZaloApiError(method, 0, type(exc).__name__) from None
        try:
            envelope = response.json()
        except (json.JSONDecodeError, ValueError):
            raise ZaloApiError(method, response.status_code, "not a JSON answer") from None
        if not isinstance(envelope, dict):
            raise ZaloApiError(method, response.status_code, "unexpected answer")
        if envelope.get("ok") is True:
            return envelope.get("result")
        code = envelope.get("error_code")
        code = code if isinstance(code, int) else response.status_code
        raise ZaloApiError(method, code, str(envelope.get("description", ""))[:200])


def send_error(exc: ZaloApiError) -> Exception:
    """Maps a Zalo failure to the send errors all channels share."""
    text = exc.description.lower()
    if exc.code in (410, 403) or ("chat_id" in text and ("invaild" in text or "invalid" in text)):
        return RecipientGone(exc.description or "chat unreachable")
    if exc.code == 429:
        return Throttled(5.0, exc.description or "too many requests")
    if exc.code in (0, 401, IDLE) or exc.code >= 500:
        # 401: a token problem is the operator's to fix; the delivery waits, it is not dropped.
        return TemporaryFailure(str(exc))
    return PermanentFailure(str(exc))
