"""Sends the answers the engine stored with its transaction, and retries those that failed.

The channel sends an answer at once (`deliver`); a throttled or failed send waits in the
database with the count of its parts already sent and is retried by the scheduler
(`resend_due`), so a stop or a kill delays an answer but never drops it or repeats a part.
Each mark (parts sent, answer done) is committed before the next message goes out (the
inbox's batched commits, awaited): a kill repeats at most the message in flight.
Late in a stop (`inbox.sending` is False) an answer is not sent: it waits for the next start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.core import jsons, reply_codec
from bot.core.clock import Clock, iso, parse_iso
from bot.core.inbox import Inbox
from bot.core.messages import Reply
from bot.core.sending import (
    AnswerSender,
    PermanentFailure,
    RecipientGone,
    SendError,
    TemporaryFailure,
    Throttled,
)
from bot.storage import answers
from bot.storage.answers import Answer
from bot.storage.db import Database

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
RESEND_CHATS = 8  # chats whose waiting answers are resent at once


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s... capped at 10 minutes: an answer is worth more when it is fresh."""
    return timedelta(seconds=min(5 * 2 ** max(attempts, 0), 600))


class Answers:
    def __init__(
        self, db: Database, clock: Clock, inbox: Inbox, senders: Mapping[str, AnswerSender]
    ) -> None:
        self.db, self.clock, self.inbox, self.senders = db, clock, inbox, senders
        self.held = 0  # answers left for the next start because the bot was stopping

    @property
    def shared(self) -> bool:
        """Workers side by side: another worker's 'sending' answers are its own to send."""
        return self.inbox.leases is not None

    async def recover(self) -> int:
        """At start-up: answers a killed process was sending go back to the queue (with
        workers side by side, only those whose worker's lease ran out)."""
        async with self.db.transaction() as tx:
            if self.shared:
                return await answers.requeue_expired(tx, iso(self.clock.now()))
            return await answers.requeue_interrupted(tx)

    async def deliver(
        self,
        channel: str,
        answer_id: int,
        address: str,
        replies: Sequence[Reply],
        *,
        skip: int = 0,
        attempts: int = 0,
    ) -> None:
        """Sends one stored answer; on a send error it is kept for a retry (or dropped, when
        it can never be sent) and the error is raised for the channel to act on."""
        if not self.inbox.sending:  # late in a stop: back in the queue, for the next start
            self.held += 1  # (or, with workers side by side, for another worker)
            async with self.db.transaction() as tx:
                await answers.release(tx, [answer_id])
            return
        sent = skip

        async def progress(count: int) -> None:
            nonlocal sent
            sent = count
            await self.inbox.mark(answer_parts=(answer_id, count))

        try:
            await self.senders[channel].send_answer(address, replies, skip, progress)
        except (RecipientGone, PermanentFailure):
            await self.inbox.mark(answer_done=answer_id)
            raise
        except (Throttled, TemporaryFailure) as exc:
            if attempts + 1 >= MAX_ATTEMPTS:
                log.warning("an answer was given up after %d attempts: %s", attempts + 1, exc)
                await self.inbox.mark(answer_done=answer_id)
                raise
            wait = timedelta(seconds=exc.retry_after) if isinstance(exc, Throttled) else None
            when = self.clock.now() + (wait or backoff(attempts))
            async with self.db.transaction() as tx:
                await answers.retry_later(tx, answer_id, iso(when), sent)
            raise
        await self.inbox.mark(answer_done=answer_id)

    async def next_due(self) -> datetime | None:
        """When the soonest answer waiting for a retry falls due."""
        when = await answers.next_after(self.db, iso(self.clock.now()))
        return None if when is None else parse_iso(when)

    async def resend_due(self, limit: int = 200) -> int:
        """Sends the answers waiting for a retry whose time has come; how many were sent.

        Each chat's answers in order, up to RESEND_CHATS chats at once: one chat's 1/s limit
        does not hold up the others'. Once the bot is stopping no new one is started; the
        claimed rest goes back to the queue."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            if self.shared:  # a dead worker's answers come back once their lease ran out
                await answers.requeue_expired(tx, iso(now))
            due = await answers.claim_due(
                tx, sorted(self.senders), iso(now), limit, iso(now + answers.SENDING_LEASE)
            )
        chats: dict[tuple[str, str], list[Answer]] = {}
        for answer in due:
            chats.setdefault((answer.channel, _chat(answer.address)), []).append(answer)
        slots = asyncio.Semaphore(RESEND_CHATS)
        results = await asyncio.gather(*(self._resend_chat(q, slots) for q in chats.values()))
        return sum(results)

    async def _resend_chat(self, queue: list[Answer], slots: asyncio.Semaphore) -> int:
        sent = 0
        async with slots:
            for number, answer in enumerate(queue):
                if self.inbox.closing:  # stopping: the rest wait for the next start, unsent
                    async with self.db.transaction() as tx:
                        await answers.release(tx, [a.id for a in queue[number:]])
                    break
                try:
                    await self.deliver(
                        answer.channel,
                        answer.id,
                        answer.address,
                        reply_codec.decode(answer.replies),
                        skip=answer.parts,
                        attempts=answer.attempts,
                    )
                except SendError as exc:
                    log.info("a stored answer could not be sent yet: %s", exc)
                    continue
                sent += 1
        return sent


def _chat(address: str) -> str:
    """The chat an address names (an answer's address is JSON with its chat)."""
    try:
        return str(jsons.loads(address).get("chat"))
    except (ValueError, AttributeError):
        return address
