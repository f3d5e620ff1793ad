"""Updates are handled concurrently, but each person's updates strictly in order.

One slow answer (a person's chat is limited to ~1 message/s) must not hold up everybody
else, and two quick presses by the same person must not race through the engine.

python-telegram-bot's `BaseUpdateProcessor.process_update` takes its semaphore *before*
`do_process_update` runs, so a person's lock taken in there would be waited for while holding
a shared slot: 64 quick messages from one person would fill all 64 slots while queueing
behind each other. So that semaphore is made too large to ever be waited on, and the real
limit is taken here, after the person's lock: someone waiting for their own earlier update
holds no slot, and the others are still served.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# python-telegram-bot's own slots: never the limit (it already keeps a task per update).
UNLIMITED = sys.maxsize


def person_of(update: object) -> int | None:
    """Whose update this is: the sender, else the chat."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


class PerPersonProcessor(BaseUpdateProcessor):
    """At most `max_concurrent_updates` handled at once (python-telegram-bot's own property of
    that name reports its unlimited semaphore)."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(UNLIMITED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._in_turn(person_of(update), coroutine)
        except BaseException:
            if (
                inspect.iscoroutine(coroutine)
                and inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED
            ):
                coroutine.close()  # cancelled before its turn: it never started
            raise
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def _in_turn(self, key: int | None, coroutine: Awaitable[Any]) -> None:
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._slots:  # the person's turn first, then a shared slot
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key], self._locks[key]

    async def cancel_pending(self) -> int:
        """At exit, out of time: cancels the updates not finished; returns how many."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return len(tasks)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: the application waits for the updates in progress."""
