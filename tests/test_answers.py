"""Answers are stored with the state change they report, and survive a failed send or a kill."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.app import App
from bot.core import reply_codec
from bot.core.clock import FakeClock
from bot.core.messages import Incoming, Reply
from bot.core.sending import Progress, TemporaryFailure, Throttled
from bot.runner import DUE_SLACK, scheduler_pause
from bot.storage import answers
from tests.conftest import AppFactory

ADDRESS = json.dumps({"chat": "ana"})


@dataclass
class StepSender:
    """Sends each reply as one message; fails the message numbers in `fail_at`, once each."""

    sent: list[str] = field(default_factory=list)
    fail_at: set[int] = field(default_factory=set)
    error: Exception = field(default_factory=lambda: TemporaryFailure("502"))

    async def send_answer(
        self, address: str, replies: Sequence[Reply], skip: int, progress: Progress
    ) -> None:
        for number, reply in enumerate(replies, 1):
            if number <= skip:
                continue
            if number in self.fail_at:
                self.fail_at.discard(number)
                raise self.error
            self.sent.append(reply.text)
            if number < len(replies):
                await progress(number)


async def waiting(app: App) -> list[tuple[int, str]]:
    rows = await app.deps.db.fetch_all("SELECT parts, status FROM answers ORDER BY id")
    return [(int(r[0]), str(r[1])) for r in rows]


async def stored_answer(app: App, sender: StepSender) -> list[Reply]:
    app.door.add_answer_sender("shell", sender)
    await app.inbox.start()
    incoming = Incoming.from_text("shell", "ana", "/start", language_hint="en")
    answered = await app.door.answer(incoming, None, ADDRESS)
    assert answered.id is not None and len(answered.replies) >= 1
    return answered.replies


async def throttled_once(app: App, sender: StepSender) -> list[Reply]:
    """A stored answer whose first send the platform throttled (as `sender` says)."""
    replies = await stored_answer(app, sender)
    row = await app.deps.db.fetch_one("SELECT id FROM answers")
    assert row is not None
    with pytest.raises(Throttled):
        await app.door.answers.deliver("shell", int(row[0]), ADDRESS, replies)
    return replies


async def test_a_failed_part_is_retried_without_repeating_the_parts_sent(
    app: App, clock: FakeClock
) -> None:
    sender = StepSender(fail_at={2})
    app.door.add_answer_sender("shell", sender)
    await app.inbox.start()
    replies = [Reply("one"), Reply("two"), Reply("three")]  # a split answer
    async with app.deps.db.transaction() as tx:
        row = await answers.add(tx, "shell", ADDRESS, reply_codec.encode(replies), "t", "t")
    with pytest.raises(TemporaryFailure):
        await app.door.answers.deliver("shell", int(row.value()), ADDRESS, replies)
    assert sender.sent == ["one"]
    assert await waiting(app) == [(1, "pending")]
    assert await app.door.answers.resend_due() == 0  # not before its backoff
    clock.advance(timedelta(seconds=6))
    assert await app.door.answers.resend_due() == 1
    await app.inbox.drain()
    assert sender.sent == ["one", "two", "three"]
    assert await waiting(app) == []


async def test_a_throttled_answer_waits_as_long_as_the_platform_asks(
    app: App, clock: FakeClock
) -> None:
    sender = StepSender(fail_at={1}, error=Throttled(40))
    replies = await throttled_once(app, sender)
    clock.advance(timedelta(seconds=30))
    assert await app.door.answers.resend_due() == 0
    clock.advance(timedelta(seconds=11))
    assert await app.door.answers.resend_due() == 1
    assert sender.sent == [r.text for r in replies]


async def test_the_scheduler_wakes_when_a_retry_falls_due_not_at_its_next_round(
    app: App, clock: FakeClock
) -> None:
    assert await scheduler_pause(app, 30.0) == 30.0  # nothing waits: the usual round
    await throttled_once(app, StepSender(fail_at={1}, error=Throttled(4)))
    assert await scheduler_pause(app, 30.0) == pytest.approx(4 + DUE_SLACK)
    assert await scheduler_pause(app, 2.0) == 2.0  # never longer than a round
    clock.advance(timedelta(seconds=3))
    assert await scheduler_pause(app, 30.0) == pytest.approx(1 + DUE_SLACK)
    clock.advance(timedelta(seconds=1))  # due now: it is sent, nothing is left to wake for
    assert await app.door.answers.resend_due() == 1
    assert await scheduler_pause(app, 30.0) == 30.0


async def test_an_answer_committed_before_a_kill_is_sent_after_the_restart(
    make_app: AppFactory, clock: FakeClock
) -> None:
    first = await make_app()
    replies = await stored_answer(first, StepSender())  # committed; the process dies unsent
    await first.deps.db.close()  # a kill: nothing else runs
    restarted = await make_app()
    sender = StepSender()
    restarted.door.add_answer_sender("shell", sender)
    if restarted.door.answers.shared:  # PostgreSQL: the dead worker's lease must run out
        assert await restarted.door.answers.recover() == 0
        clock.advance(answers.SENDING_LEASE)
    assert await restarted.door.answers.recover() == 1
    assert await restarted.door.answers.resend_due() == 1
    await restarted.inbox.start()
    await restarted.inbox.drain()
    assert sender.sent == [r.text for r in replies]
    assert await waiting(restarted) == []
