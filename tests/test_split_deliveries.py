"""A delivery split into several messages remembers which were sent: a retry sends only the rest."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.app import App
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.core.messages import Capabilities, Reply
from bot.core.sending import Progress, TemporaryFailure
from tests.harness import Chat, onboard


@dataclass
class LineSender:
    """A channel whose messages are one line each; message numbers in `fail_at` fail once."""

    capabilities: Capabilities = field(default_factory=lambda: Capabilities(buttons=False))
    sent: list[str] = field(default_factory=list)
    fail_at: set[int] = field(default_factory=set)

    def messages(self, replies: Sequence[Reply]) -> list[str]:
        return [line for r in replies for line in r.text.splitlines() if line.strip()]

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        await self.send_parts(chat_id, replies, 0, _ignore)

    async def send_parts(
        self, chat_id: str, replies: Sequence[Reply], skip: int, progress: Progress
    ) -> None:
        messages = self.messages(replies)
        for number, text in enumerate(messages, 1):
            if number <= skip:
                continue
            if number in self.fail_at:
                self.fail_at.discard(number)
                raise TemporaryFailure("502 Bad Gateway")
            self.sent.append(text)
            if number < len(messages):
                await progress(number)


async def _ignore(count: int) -> None:
    """No record to keep."""


async def test_a_split_tip_whose_second_part_failed_is_retried_from_the_second_part(
    alice: Chat, app: App, clock: FakeClock
) -> None:
    await onboard(alice)
    await alice.send("/subscribe 18:30")
    sender = LineSender(fail_at={2})
    app.senders["shell"] = sender
    clock.set(datetime(2026, 11, 30, 18, 30, tzinfo=LOCAL_TZ))
    await app.outbox.run_jobs()
    stats = await app.outbox.deliver_due()
    assert (stats.sent, stats.retried) == (0, 1)
    assert len(sender.sent) == 1 and sender.sent[0].startswith("Your tip for today")
    row = await app.deps.db.fetch_one("SELECT status, parts, attempts FROM deliveries")
    assert row is not None and tuple(row) == ("pending", 1, 1)

    clock.advance(timedelta(minutes=1))  # after the backoff
    stats = await app.outbox.deliver_due()
    assert stats.sent == 1
    whole = LineSender().messages([Reply(t) for t in sender.sent])
    assert len(whole) >= 3  # the tip, its source...: several messages
    assert sender.sent.count(sender.sent[0]) == 1  # the first part went out once
    row = await app.deps.db.fetch_one("SELECT status, parts FROM deliveries")
    assert row is not None and row[0] == "sent"


async def test_a_delivery_killed_after_its_first_part_resumes_after_it(
    alice: Chat, app: App, clock: FakeClock
) -> None:
    """The part mark is committed as soon as the part is sent: a kill right after it (the
    sender never returns) leaves a delivery that resumes at the second part."""
    await onboard(alice)
    await alice.send("/subscribe 18:30")
    first = LineSender()

    class Killed(BaseException):
        pass

    async def dies_after_first(
        chat_id: str, replies: Sequence[Reply], skip: int, progress: Progress
    ) -> None:
        first.sent.append(first.messages(replies)[0])
        await progress(1)
        raise Killed

    first.send_parts = dies_after_first  # type: ignore[method-assign]
    app.senders["shell"] = first
    clock.set(datetime(2026, 11, 30, 18, 30, tzinfo=LOCAL_TZ))
    await app.outbox.run_jobs()
    with contextlib.suppress(Killed):
        await app.outbox.deliver_due()
    assert await app.outbox.recover() == 1  # the next start: 'sending' goes back to the queue
    second = LineSender()
    app.senders["shell"] = second
    assert (await app.outbox.deliver_due()).sent == 1
    assert first.sent[0] not in second.sent
    assert first.sent + second.sent == LineSender().messages(
        [Reply(t) for t in first.sent + second.sent]
    )
