"""Sends the answers the engine stored with its transaction, and retries those that failed.

The channel sends an answer at once (`deliver`); a throttled or failed send waits in the
database with the count of its parts already sent and is retried by the scheduler
(`resend_due`), so a stop or a kill delays an answer but never drops it or repeats a part.
The marks (parts sent, answer done) are written in the inbox's batched commits.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta

from bot.core import reply_codec
from bot.core.clock import Clock, iso
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
from bot.storage.db import Database

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s... capped at 10 minutes: an answer is worth more when it is fresh."""
    return timedelta(seconds=min(5 * 2 ** max(attempts, 0), 600))


class Answers:
    def __init__(
        self, db: Database, clock: Clock, inbox: Inbox, senders: Mapping[str, AnswerSender]
    ) -> None:
        self.db, self.clock, self.inbox, self.senders = db, clock, inbox, senders

    async def recover(self) -> int:
        """At start-up: answers a killed process was sending go back to the queue."""
        async with self.db.transaction() as tx:
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
        sent = skip

        def progress(count: int) -> None:
            nonlocal sent
            sent = count
            self.inbox.later(answer_parts=(answer_id, count))

        try:
            await self.senders[channel].send_answer(address, replies, skip, progress)
        except (RecipientGone, PermanentFailure):
            self.inbox.later(answer_done=answer_id)
            raise
        except (Throttled, TemporaryFailure) as exc:
            if attempts + 1 >= MAX_ATTEMPTS:
                log.warning("an answer was given up after %d attempts: %s", attempts + 1, exc)
                self.inbox.later(answer_done=answer_id)
                raise
            wait = timedelta(seconds=exc.retry_after) if isinstance(exc, Throttled) else None
            when = self.clock.now() + (wait or backoff(attempts))
            async with self.db.transaction() as tx:
                await answers.retry_later(tx, answer_id, iso(when), sent)
            raise
        self.inbox.later(answer_done=answer_id)

    async def resend_due(self, limit: int = 200) -> int:
        """Sends the answers waiting for a retry whose time has come; how many were sent."""
        async with self.db.transaction() as tx:
            due = await answers.claim_due(tx, sorted(self.senders), iso(self.clock.now()), limit)
        sent = 0
        for answer in due:
            replies = reply_codec.decode(answer.replies)
            try:
                await self.deliver(
                    answer.channel,
                    answer.id,
                    answer.address,
                    replies,
                    skip=answer.parts,
                    attempts=answer.attempts,
                )
            except SendError as exc:
                log.info("a stored answer could not be sent yet: %s", exc)
                continue
            sent += 1
        return sent
