"""The durable inbox for workers side by side on one PostgreSQL (see `bot.core.leasing`).

It stores updates as `Inbox` does; what changes is who handles them. A worker handles a
person only while it holds their lease, and reads their updates from the database in order
(its own arrivals and the other workers' alike), instead of from its in-memory queues. A
sweep every second finds people nobody holds: arrivals the holder had not seen before it
handed back, and a dead worker's people once their leases ran out.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from bot.core.clock import Clock
from bot.core.inbox import Inbox, InboxLimits, Person, _Queue
from bot.core.leasing import LeaseTerms, PersonLeases
from bot.storage import inbox as store
from bot.storage.db import Database
from bot.storage.inbox import Stored

log = logging.getLogger(__name__)


class SharedInbox(Inbox):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        limits: InboxLimits | None = None,
        terms: LeaseTerms | None = None,
    ) -> None:
        super().__init__(db, clock, limits)
        self.held_leases = PersonLeases(db, clock, terms)
        self.leases = self.held_leases
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> int:
        waiting = await super().start()
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep_loop(), name="inbox-sweeper")
        return waiting

    async def sweep(self) -> int:
        """Schedules the people with stored updates whom no live lease covers; how many."""
        found = await self.held_leases.orphans(tuple(sorted(self.handlers)))
        for person in found:
            self._spill(person)
            self._schedule(person)
        return len(found)

    async def _sweep_loop(self) -> None:
        while not self._closing:
            try:
                await self.sweep()
            except Exception:
                log.exception("could not look for unattended updates; trying again")
            await asyncio.sleep(self.held_leases.terms.sweep_every)

    def _admit(self, item: Stored) -> None:
        """Only the person's turn is noted: their updates are read from the database, in
        order with what the other workers stored."""
        if item.channel not in self.handlers:
            return
        person = (item.channel, item.person)
        self._spill(person)
        self._schedule(person)

    async def _serve(self, person: Person, queue: _Queue) -> None:
        generation = queue.spilled
        try:
            while not self._halting:
                generation = queue.spilled
                if not await self.held_leases.take(person):
                    break  # another worker has them, and looks again before handing back
                try:
                    await self._serve_held(person, queue)
                finally:
                    if not self._halting:  # at a stop, `stop` hands every lease back
                        await self._committed()
                        await self.held_leases.release(person)
                if self._halting or not await self._waiting(person):
                    break
        finally:
            self._progress.set()
            queue.running = False
            if queue.spilled != generation and not self._halting:
                self._schedule(person)  # an arrival came after the last look
            else:
                self._spilled.discard(person)
                self._queues.pop(person, None)

    async def _serve_held(self, person: Person, queue: _Queue) -> None:
        """Handles the person's stored updates, oldest first, while the lease is held."""
        while not self._halting:
            items = await store.waiting_for(
                self.db, person[0], person[1], queue.mark, self.limits.per_person
            )
            if not items:
                return
            for item in items:
                if self._cut():
                    return
                if self.held_leases.renewal_due(person) and not await self.held_leases.take(person):
                    log.warning("lost the lease on a person to another worker")
                    return
                async with self._slots:
                    await self._handle(item)
                queue.mark = item.id

    def _cut(self) -> bool:
        """The grace period of a stop is over (it changes while handling)."""
        return self._halting

    async def _waiting(self, person: Person) -> bool:
        return bool(await store.waiting_for(self.db, person[0], person[1], 0, 1))

    async def _committed(self) -> None:
        """Waits until the updates finished without a transaction of their own are marked
        done in the database: the next holder must not handle them again."""
        if not (self._done or self._writing) or self._writer is None or self._writer.done():
            return
        committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marked.append(committed)
        self._wake.set()
        await committed

    async def stop(self, within: float, *, send_for: float | None = None) -> int:
        if self._halting:
            return 0
        if self._sweeper is not None:
            self._sweeper.cancel()
            with suppress(asyncio.CancelledError):
                await self._sweeper
        left = await super().stop(within, send_for=send_for)
        try:
            await self.held_leases.release_all()
        except Exception:  # the database is gone: the leases run out by themselves
            log.info("could not hand the leases back; they run out by themselves")
        return left
