"""Outgoing traffic under Telegram's limits, with retries that never hammer the API.

python-telegram-bot's `AIORateLimiter` throttles the whole bot (~30 requests/s) and each group
(20/min). This limiter keeps those two, built on the same `aiolimiter` leaky buckets, and adds
what that reference implementation lacks:

- ~1 message/s in each private chat (a short burst of a few is allowed, as Telegram does);
- a bot-wide pause after a 429: every request waits `retry_after`, and once a pause is longer
  than `max_wait` requests fail fast with `RetryAfter` instead of being sent, so the outbox can
  reschedule them on its own clock;
- retries of timeouts and 5xx with capped exponential backoff (`BadRequest` is never retried);
- injectable `sleep` and `now`, so tests wait for nothing.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Now = Callable[[], float]
ApiResult = bool | dict[str, Any] | list[dict[str, Any]]
MAX_CHAT_LIMITERS = 1024


@dataclass(frozen=True)
class Limits:
    """Telegram's published limits; tests pass bigger numbers to stay fast (0 = no limit)."""

    overall_per_second: float = 30
    private_per_second: float = 1
    private_burst: int = 3
    group_per_minute: float = 20
    max_retries: int = 3
    max_wait: float = 30.0
    backoff_base: float = 0.5
    backoff_cap: float = 8.0


def retry_seconds(exc: RetryAfter) -> float:
    """`RetryAfter.retry_after` without python-telegram-bot's int/timedelta deprecation noise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def chat_kind(chat_id: object) -> str | None:
    """'private' for a person's chat, 'group' for groups and channels, None without a chat."""
    if chat_id is None:
        return None
    try:
        return "private" if int(str(chat_id)) > 0 else "group"
    except ValueError:
        return "group"  # an @username: only groups and channels have them as chat ids


class TelegramRateLimiter(BaseRateLimiter[int]):
    """`rate_limit_args` (an int) overrides `Limits.max_retries` for one call."""

    def __init__(
        self, limits: Limits | None = None, *, sleep: Sleep = asyncio.sleep, now: Now | None = None
    ) -> None:
        self.limits = limits or Limits()
        self.max_wait = self.limits.max_wait
        self._sleep = sleep
        self._now = now or time.monotonic
        self._paused_until = 0.0
        self._overall = _limiter(self.limits.overall_per_second, 1)
        self._chats: dict[str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        """Nothing to set up: the buckets are created on first use."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, ApiResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> ApiResult:
        retries = self.limits.max_retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            await self._respect_pause()
            try:
                async with AsyncExitStack() as stack:
                    for limiter in self._limiters(data.get("chat_id")):
                        await stack.enter_async_context(limiter)
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                delay = retry_seconds(exc)
                self._pause(delay)
                if attempt >= retries or delay > self.max_wait:
                    raise
                log.info("Telegram asked to wait %.0f s (%s); all requests pause", delay, endpoint)
            except BadRequest:
                raise
            except NetworkError as exc:
                if attempt >= retries:
                    raise
                wait = min(self.limits.backoff_cap, self.limits.backoff_base * 2**attempt)
                log.warning("%s failed (%s); retrying in %.1f s", endpoint, exc, wait)
                await self._sleep(wait)
            attempt += 1

    def _pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._now() + seconds)

    async def _respect_pause(self) -> None:
        remaining = self._paused_until - self._now()
        if remaining <= 0:
            return
        if remaining > self.max_wait:
            raise RetryAfter(math.ceil(remaining))
        await self._sleep(remaining)

    def _limiters(self, chat_id: object) -> list[AsyncLimiter]:
        kind = chat_kind(chat_id)
        if kind is None:
            return []
        key = str(chat_id)
        chat = self._chats.get(key)
        if chat is None:
            chat = self._new_chat_limiter(kind)
            if chat is not None:
                self._forget_idle_chats()
                self._chats[key] = chat
        return [x for x in (chat, self._overall) if x is not None]

    def _new_chat_limiter(self, kind: str) -> AsyncLimiter | None:
        limits = self.limits
        if kind == "group":
            return _limiter(limits.group_per_minute, 60)
        if not limits.private_per_second:
            return None
        burst = max(1, limits.private_burst)
        return AsyncLimiter(burst, burst / limits.private_per_second)

    def _forget_idle_chats(self) -> None:
        if len(self._chats) < MAX_CHAT_LIMITERS:
            return
        for key, limiter in list(self._chats.items()):
            if limiter.has_capacity(limiter.max_rate):
                del self._chats[key]


def _limiter(rate: float, period: float) -> AsyncLimiter | None:
    return AsyncLimiter(rate, period) if rate and period else None
