"""Outgoing traffic under Telegram's limits, with retries that never hammer the API.

python-telegram-bot's `AIORateLimiter` throttles the whole bot (~30 requests/s) and each group
(20/min). This limiter keeps those two, as leaky buckets like the `aiolimiter` ones that
reference implementation uses (`Bucket`, the same arithmetic on the injected clock), and adds
what it lacks:

- ~1 message/s in each private chat (a short burst of a few is allowed, as Telegram does);
- a bot-wide pause after a 429: every request waits `retry_after`, and once a pause is longer
  than `max_wait` requests fail fast with `RetryAfter` instead of being sent, so the outbox can
  reschedule them on its own clock;
- retries of timeouts and 5xx with capped exponential backoff (`BadRequest` is never retried);
- injectable `sleep` and `now` for the pauses, backoffs and buckets alike, so tests wait for
  nothing and see every wait the limiter decided on.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Now = Callable[[], float]
ApiResult = bool | dict[str, Any] | list[dict[str, Any]]
MAX_CHAT_LIMITERS = 1024
T = TypeVar("T")


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


class Bucket:
    """A leaky bucket: `max_rate` acquisitions per `period` seconds, in bursts of up to
    `max_rate`, waiters served first come, first served. Time is `now`; waiting is `sleep`."""

    def __init__(self, max_rate: float, period: float, now: Now, sleep: Sleep) -> None:
        self.max_rate = max_rate
        self._per_second = max_rate / period
        self._now, self._sleep = now, sleep
        self._level = 0.0
        self._checked = now()
        self._turn = asyncio.Lock()  # FIFO: a later request never overtakes a waiting one

    def _leak(self) -> None:
        now = self._now()
        self._level = max(0.0, self._level - (now - self._checked) * self._per_second)
        self._checked = now

    def has_capacity(self, amount: float = 1) -> bool:
        self._leak()
        # The tolerance absorbs float rounding of the clock (a thousandth of a request), so
        # a wait of exactly the computed time is always enough.
        return self._level + amount <= self.max_rate + 1e-3

    async def acquire(self) -> None:
        async with self._turn:
            while not self.has_capacity():
                await self._sleep((self._level + 1 - self.max_rate) / self._per_second)
            self._level += 1

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *exc: object) -> None:
        return None


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
        self._overall = self._bucket(self.limits.overall_per_second, 1)
        self._chats: dict[str, Bucket] = {}

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
                return await _through(
                    self._limiters(data.get("chat_id")), lambda: callback(*args, **kwargs)
                )
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

    def _limiters(self, chat_id: object) -> tuple[Bucket, ...]:
        kind = chat_kind(chat_id)
        if kind is None:
            return ()
        key = str(chat_id)
        chat = self._chats.get(key)
        if chat is None:
            chat = self._new_chat_limiter(kind)
            if chat is not None:
                self._forget_idle_chats()
                self._chats[key] = chat
        return tuple(x for x in (chat, self._overall) if x is not None)

    def _new_chat_limiter(self, kind: str) -> Bucket | None:
        limits = self.limits
        if kind == "group":
            return self._bucket(limits.group_per_minute, 60)
        if not limits.private_per_second:
            return None
        burst = max(1, limits.private_burst)
        return self._bucket(burst, burst / limits.private_per_second)

    def _bucket(self, rate: float, period: float) -> Bucket | None:
        return Bucket(rate, period, self._now, self._sleep) if rate and period else None

    def _forget_idle_chats(self) -> None:
        if len(self._chats) < MAX_CHAT_LIMITERS:
            return
        for key, limiter in list(self._chats.items()):
            if limiter.has_capacity(limiter.max_rate):
                del self._chats[key]


async def _through(limiters: tuple[Bucket, ...], call: Callable[[], Awaitable[T]]) -> T:
    """`call()` once each of `limiters` let it through (an `AsyncExitStack` per call cost
    more than the buckets themselves)."""
    if not limiters:
        return await call()
    async with limiters[0]:
        return await _through(limiters[1:], call)
