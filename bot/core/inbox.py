"""The durable inbox: the one door from the channels into the engine.

`put` returns once the update is committed to the database; only then may the channel
acknowledge it (answer the webhook, move the polling offset, mark a Zalo message seen).
Updates that arrive within the same few milliseconds share one commit.

Workers take the updates out again: one person's updates in order, different people in
parallel (`workers` at once). Memory is bounded: at most `per_person` updates of one person
and `held` in all are kept in memory; the rest wait in the database and are read back when
their person's turn comes. So a person who floods the bot waits for their own updates while
everyone else's are handled. At start-up, what was stored and not finished is handled first.

A handler that changes the database marks its update done in the same transaction
(`finish_in`); otherwise the inbox marks it done after the handler returned, batched.

The marks of answers being sent (`mark`: parts sent, answer done) share the same batched
commits, and `mark` returns only once its mark is committed: a sender waits for the mark of
one message before it sends the next, so a kill can repeat only the sends in flight at that
instant (one per worker at most), never a backlog of sent-but-unrecorded messages.

`stop` finishes what was stored before it returns: every stored update is handled, within a
grace period; see there.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core.clock import Clock, iso
from bot.storage import answers
from bot.storage import inbox as store
from bot.storage.db import Database, Transaction
from bot.storage.inbox import Arrival, Stored

if TYPE_CHECKING:
    from bot.core.leasing import PersonLeases

__all__ = ["Handler", "Inbox", "InboxLimits", "Stored"]

log = logging.getLogger(__name__)
Handler = Callable[[Stored], Awaitable[None]]
Person = tuple[str, str]  # (channel, person)
Watch = asyncio.Future[None]
KEEP_KEYS = timedelta(days=1)


@dataclass(frozen=True)
class InboxLimits:
    workers: int = 32
    held: int = 2000  # updates kept in memory, all people together
    per_person: int = 16
    batch: int = 256  # updates written in one commit at most
    window: float = 0.002  # seconds a write waits for companions to share its commit


@dataclass
class _Queue:
    items: deque[Stored] = field(default_factory=deque)
    mark: int = 0  # the highest row id of this person read into memory
    spilled: int = 0  # bumped whenever an update of theirs was left in the database
    running: bool = False


class Inbox:
    leases: PersonLeases | None = None  # workers side by side: see bot/core/shared_inbox.py

    def __init__(self, db: Database, clock: Clock, limits: InboxLimits | None = None) -> None:
        self.db, self.clock = db, clock
        self.limits = limits = limits or InboxLimits()
        self.handlers: dict[str, Handler] = {}
        self._writes: deque[tuple[Arrival, asyncio.Future[bool], Watch | None]] = deque()
        self._watches: dict[int, Watch] = {}
        self._done: list[int] = []
        self._answer_parts: list[tuple[int, int]] = []
        self._answers_done: list[int] = []
        self._marked: list[asyncio.Future[None]] = []  # `mark` calls waiting for the commit
        self._wake = asyncio.Event()
        self._room = asyncio.Semaphore(limits.batch * 4)  # writes waiting for their commit
        self._queues: dict[Person, _Queue] = {}
        self._spilled: set[Person] = set()
        self._held = 0
        self._slots = asyncio.Semaphore(limits.workers)
        self._tasks: set[asyncio.Task[None]] = set()
        self._writer: asyncio.Task[None] | None = None
        self._closing = False  # no new update is accepted (stopping)
        self._halting = False  # workers take no new update (the grace period is over)
        self.sending = True  # False late in a stop: answers wait in the outbox, stored
        self._last_write = False  # set once the workers stopped: the writer flushes and ends
        self._progress = asyncio.Event()  # set whenever an update was stored or handled
        self._writing = 0  # batches taken off the queues and not yet committed
        self.handled = 0

    @property
    def held(self) -> int:
        """Updates read into memory and not handled yet: at most `limits.held`, and one per
        worker reading a spilled person's next update back."""
        return self._held

    def register(self, channel: str, handler: Handler) -> None:
        self.handlers[channel] = handler

    async def start(self) -> int:
        """Starts the writer and takes up what a stopped or killed process left; how many."""
        if self._writer is not None:
            return 0  # started already (a second channel of the same app)
        self._writer = asyncio.create_task(self._write_loop(), name="inbox-writer")
        left = await store.waiting_people(self.db)
        for person in left:
            if person[0] in self.handlers:
                self._spill(person)
        waiting = await store.count_waiting(self.db)
        if waiting:
            log.info("handling %d stored updates left by the last run", waiting)
        self._schedule_all()
        return waiting

    async def put(
        self, channel: str, key: str, person: str, payload: str, *, handled: Watch | None = None
    ) -> bool:
        """Stores an update durably; False if it was stored before (a repeat).

        `handled`, if given, is resolved once a worker has handled this update."""
        if self._closing:
            raise RuntimeError("the inbox is closed")
        async with self._room:
            future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            self._writes.append((Arrival(channel, key, person, payload), future, handled))
            self._wake.set()
            return await future

    async def mark(
        self, *, answer_parts: tuple[int, int] | None = None, answer_done: int | None = None
    ) -> None:
        """Records how far an answer was sent; returns once that is committed (batched with
        the other marks and writes of the same few milliseconds)."""
        if self._writer is None or self._writer.done():  # not started, or stopped: at once
            async with self.db.transaction() as tx:
                if answer_parts is not None:
                    await answers.progress(tx, [answer_parts])
                if answer_done is not None:
                    await answers.finish(tx, [answer_done])
            return
        if answer_parts is not None:
            self._answer_parts.append(answer_parts)
        if answer_done is not None:
            self._answers_done.append(answer_done)
        committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marked.append(committed)
        self._wake.set()
        await committed

    async def finish_in(self, tx: Transaction, update_id: int) -> None:
        """Marks an update done inside the handler's own transaction."""
        await store.finish(tx, [update_id])

    # -- writing ----------------------------------------------------------------------
    async def _write_loop(self) -> None:
        pruned = 0
        while True:
            await self._wake.wait()
            if self.limits.window:
                await asyncio.sleep(self.limits.window)
            self._wake.clear()
            while self._pending_writes():
                try:
                    await self._write_batch()
                except Exception:
                    log.exception("could not store received updates; retrying")
                    await asyncio.sleep(0.5)
            pruned += 1
            if pruned >= 1000:
                pruned = 0
                await self._prune()
            if self._last_write and not self._pending_writes():
                return

    def _pending_writes(self) -> bool:
        """Anything for the next commit: updates, marks, or someone waiting for a commit."""
        return bool(
            self._writes or self._done or self._answer_parts or self._answers_done or self._marked
        )

    async def _write_batch(self) -> None:
        batch = [self._writes.popleft() for _ in range(min(len(self._writes), self.limits.batch))]
        done, self._done = self._done, []
        parts, self._answer_parts = self._answer_parts, []
        sent, self._answers_done = self._answers_done, []
        marked, self._marked = self._marked, []
        now = iso(self.clock.now())
        self._writing += 1  # off the queues, not committed yet: drain() waits for it too
        try:
            async with self.db.transaction() as tx:
                rows = await store.add_all(tx, [arrival for arrival, _, _ in batch], now)
                if done:
                    await store.finish(tx, done)
                if parts:
                    await answers.progress(tx, parts)
                if sent:
                    await answers.finish(tx, sent)
        except BaseException:
            self._writes.extendleft(reversed(batch))
            self._done.extend(done)
            self._answer_parts.extend(parts)
            self._answers_done.extend(sent)
            self._marked.extend(marked)
            raise
        finally:
            self._writing -= 1
            self._progress.set()
        for committed in marked:
            if not committed.done():
                committed.set_result(None)
        for (arrival, future, watch), row in zip(batch, rows, strict=True):
            if (row_id := row.value()) is not None:
                if watch is not None:
                    self._watches[row_id] = watch
                self._admit(Stored(row_id, arrival.channel, arrival.person, arrival.payload))
            if not future.done():
                future.set_result(row_id is not None)
        self._progress.set()

    async def _prune(self) -> None:
        async with self.db.transaction() as tx:
            await store.prune(tx, iso(self.clock.now() - KEEP_KEYS))

    # -- dispatching ------------------------------------------------------------------
    def _admit(self, item: Stored) -> None:
        if item.channel not in self.handlers:
            return  # a channel not served by this process: the update waits, stored
        person = (item.channel, item.person)
        queue = self._queues.get(person)
        if queue is None:
            queue = self._queues[person] = _Queue()
        if (
            person in self._spilled
            or len(queue.items) >= self.limits.per_person
            or self._held >= self.limits.held
        ):
            self._spill(person)
        else:
            queue.items.append(item)
            queue.mark = item.id
            self._held += 1
        self._schedule(person)

    def _spill(self, person: Person) -> None:
        self._spilled.add(person)
        queue = self._queues.get(person)
        if queue is None:
            queue = self._queues[person] = _Queue()
        queue.spilled += 1

    def _schedule_all(self) -> None:
        for person in list(self._queues):
            self._schedule(person)

    def _schedule(self, person: Person) -> None:
        queue = self._queues.get(person)
        if queue is None or queue.running or self._halting:
            return
        queue.running = True
        task = asyncio.create_task(self._serve(person, queue))
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._progress.set()

    async def _serve(self, person: Person, queue: _Queue) -> None:
        """Handles one person's updates in order, one worker slot per update."""
        try:
            while not self._halting:
                async with self._slots:  # a spilled update is read back only once its turn came
                    if not queue.items and person in self._spilled:
                        await self._refill(person, queue)
                    if not queue.items:
                        break
                    item = queue.items[0]
                    await self._handle(item)
                    queue.items.popleft()
                    self._held -= 1
        finally:
            self._progress.set()
            queue.running = False
            if not queue.items and person not in self._spilled:
                self._queues.pop(person, None)
            elif not self._halting and queue.items:
                self._schedule(person)

    async def _refill(self, person: Person, queue: _Queue) -> None:
        generation = queue.spilled
        room = max(1, min(self.limits.per_person, self.limits.held - self._held))
        items = await store.waiting_for(self.db, person[0], person[1], queue.mark, room)
        for item in items:
            queue.items.append(item)
            queue.mark = item.id
            self._held += 1
        if len(items) < room and queue.spilled == generation:
            self._spilled.discard(person)

    async def _handle(self, item: Stored) -> None:
        handler = self.handlers.get(item.channel)
        try:
            if handler is not None:
                await handler(item)
        except Exception:
            log.exception("a %s update failed; it is not tried again", item.channel)
        self.handled += 1
        watch = self._watches.pop(item.id, None)
        if watch is not None and not watch.done():
            watch.set_result(None)
        self._done.append(item.id)
        self._wake.set()
        self._progress.set()

    # -- stopping ---------------------------------------------------------------------
    @property
    def closing(self) -> bool:
        """True once `stop` began: the scheduler starts no new resend."""
        return self._closing

    @property
    def busy(self) -> bool:
        return any(q.running for q in self._queues.values())

    async def drain(self) -> None:
        """Waits until nothing is waiting in memory or in the database (tests, benchmarks)."""
        while (
            self._writes
            or self._writing
            or self._tasks
            or self._spilled
            or self._done
            or self._answer_parts
            or self._answers_done
        ):
            self._progress.clear()
            await self._progress.wait()

    async def stop(self, within: float, *, send_for: float | None = None) -> int:
        """Finishes every stored update before the process exits, within `within` seconds.

        No new update is accepted; the ones being written are committed; then the workers go
        on until nothing stored is left, each person's updates in order. For the first
        `send_for` seconds (three quarters of `within` by default) answers are sent as usual.
        After that the updates are still handled (the engine is fast, the platform's rate
        limit is not), but their answers wait in the outbox (`sending` is False), sent at the
        next start. An update still being handled at `within` is cut short (rolled back) and,
        with any not reached, handled at the next start. Returns how many were left so.
        """
        if self._halting:
            return 0  # stopped before
        loop = asyncio.get_running_loop()
        self._closing = True
        deadline = loop.time() + within
        send_for = within * 0.75 if send_for is None else min(send_for, within)
        if not await self._settle(send_for):
            self.sending = False
            log.info("stopping: the remaining updates are handled, their answers sent later")
            await self._settle(deadline - loop.time())
        self._halting = True
        tasks = set(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._last_write = True
        self._wake.set()
        if self._writer is not None:
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._writer), 2.0)
            self._writer.cancel()
            with suppress(asyncio.CancelledError):
                await self._writer
        left = await self._left() if self._writer is not None else 0
        if left:
            log.warning("%d stored updates are left for the next start", left)
        return left

    async def _left(self) -> int:
        try:
            return await store.count_waiting(self.db)
        except Exception:  # the database is gone already (closed): nothing more to say
            log.debug("could not count the updates left", exc_info=True)
            return 0

    async def _settle(self, within: float) -> bool:
        """Waits until nothing is left to handle or write; False if `within` ran out first."""
        try:
            await asyncio.wait_for(self.drain(), max(within, 0.0))
        except TimeoutError:
            return False
        return True
