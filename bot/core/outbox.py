"""Delivers what the bot sends on its own (daily tips, later notifications).

The scheduler's jobs enqueue deliveries (unique per person, kind and day); `deliver_due`
claims each one, renders it in the person's language and hands it to their channel's sender.
A split delivery remembers how many of its messages were sent (`parts`, committed after
each), so a retry sends only the rest. Send errors map to a few outcomes: gone (mark
unreachable, unsubscribe), throttled (retry after the delay asked), temporary (retry with
backoff, then give up), permanent (drop).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import iso, parse_iso
from bot.core.deps import Deps
from bot.core.messages import Reply
from bot.core.router import Router
from bot.core.sending import (
    PartSender,
    PermanentFailure,
    RecipientGone,
    Sender,
    TemporaryFailure,
    Throttled,
)
from bot.storage import counters, deliveries, users
from bot.storage.deliveries import Delivery

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    dropped: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min... capped at 30 minutes."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 1800))


class Outbox:
    def __init__(self, deps: Deps, router: Router, senders: Mapping[str, Sender]) -> None:
        self.deps = deps
        self.router = router
        self.senders = senders

    async def recover(self) -> int:
        """At start-up, puts back deliveries a killed process left half-way."""
        async with self.deps.db.transaction() as tx:
            return await deliveries.requeue_interrupted(tx)

    async def next_due(self) -> datetime | None:
        """When the soonest delivery still to come falls due (a tip at its hour, a retry)."""
        when = await deliveries.next_after(self.deps.db, iso(self.deps.clock.now()))
        return None if when is None else parse_iso(when)

    async def run_jobs(self) -> int:
        return sum([await job(self.deps) for job in self.router.jobs])

    async def deliver_due(self, limit: int = 500, concurrency: int = 1) -> DeliveryStats:
        """Delivers what is due.

        One at a time by default: if the process is killed, at most one message was in
        flight, so a restart repeats nobody else. A higher `concurrency` sends faster over a
        slow network (the channels' limiters keep each chat within its limit), at the price
        of up to that many possible repeats after a kill.
        """
        stats = DeliveryStats()
        async with self.deps.db.transaction() as tx:
            batch = await deliveries.due(
                tx, iso(self.deps.clock.now()), limit, sorted(self.senders)
            )
        slots = asyncio.Semaphore(concurrency)

        async def deliver(delivery: Delivery) -> None:
            async with slots:
                await self._deliver(delivery, stats)

        await asyncio.gather(*(deliver(d) for d in batch if d.channel in self.senders))
        return stats

    async def _deliver(self, delivery: Delivery, stats: DeliveryStats) -> None:
        render = self.router.renderers[delivery.kind]
        try:
            async with self.deps.db.transaction() as tx:
                if not await deliveries.claim(tx, delivery.id):
                    return
                rendered = await render(self.deps, tx, delivery)
                if not rendered:
                    await deliveries.finish(tx, delivery.id, "dropped", self._now(), "empty")
            # Slow work that needs no database runs after the claim committed.
            replies = await rendered() if callable(rendered) else rendered
        except Exception:
            # A content or code error must not stop the other deliveries of the batch: the
            # delivery goes back to the queue (its claim rolled back, or given back here) and
            # is tried again in an hour.
            log.exception("could not render delivery %s (%s)", delivery.id, delivery.kind)
            await self._retry(delivery, timedelta(hours=1), "render failed")
            stats.retried += 1
            return
        if not replies:
            stats.dropped += 1
            return
        try:
            await self._send(self.senders[delivery.channel], delivery, replies)
        except RecipientGone as exc:
            await self._gone(delivery, str(exc))
            stats.dropped += 1
        except Throttled as exc:
            delay = timedelta(seconds=exc.retry_after)
            await self._retry(delivery, delay, str(exc), counts=False)
            stats.retried += 1
        except TemporaryFailure as exc:
            if delivery.attempts + 1 >= MAX_ATTEMPTS:
                await self._finish(delivery, "failed", str(exc))
                stats.failed += 1
            else:
                await self._retry(delivery, backoff(delivery.attempts + 1), str(exc))
                stats.retried += 1
        except PermanentFailure as exc:
            log.warning("delivery %s refused for good: %s", delivery.id, exc)
            await self._finish(delivery, "failed", str(exc))
            stats.failed += 1
        else:
            await self._finish(delivery, "sent")
            stats.sent += 1

    async def _send(self, sender: Sender, delivery: Delivery, replies: list[Reply]) -> None:
        """Sends it; a channel that can resume a split message is told how many of its
        messages an earlier attempt sent, and each one sent now is committed before the next."""
        if not isinstance(sender, PartSender):
            await sender.send(delivery.chat_id, replies)
            return

        async def progress(count: int) -> None:
            async with self.deps.db.transaction() as tx:
                await deliveries.progress(tx, delivery.id, count)

        await sender.send_parts(delivery.chat_id, replies, delivery.parts, progress)

    def _now(self) -> str:
        return iso(self.deps.clock.now())

    async def _finish(self, delivery: Delivery, status: str, error: str | None = None) -> None:
        async with self.deps.db.transaction() as tx:
            await deliveries.finish(tx, delivery.id, status, self._now(), error)
            if status == "sent":  # by the person's commune, so that /stats can say it per unit
                commune = await tx.fetch_value(
                    "SELECT commune_code FROM users WHERE id = ?", (delivery.user_id,)
                )
                await counters.increment(
                    tx, f"delivered.{delivery.kind}", delivery.day[:4], commune or None
                )

    async def _retry(
        self, delivery: Delivery, delay: timedelta, error: str, *, counts: bool = True
    ) -> None:
        async with self.deps.db.transaction() as tx:
            not_before = iso(self.deps.clock.now() + delay)
            await deliveries.retry_later(tx, delivery.id, not_before, error[:200], counts=counts)

    async def _gone(self, delivery: Delivery, error: str) -> None:
        async with self.deps.db.transaction() as tx:
            await deliveries.finish(tx, delivery.id, "dropped", self._now(), error[:200])
            await users.update(tx, delivery.user_id, reachable=0, tip_time=None)
            await deliveries.drop_pending_for(tx, delivery.user_id, "recipient gone")
