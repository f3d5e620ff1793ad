"""The daily tip's broadcast killed mid-run again and again: every subscriber gets it once.

Each life delivers until its sender dies at a random moment (the process is killed: nothing
of it runs any more), then the next life starts on the same database with the fake clock:
it puts back what the dead one had claimed and goes on.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.clock import LOCAL_TZ, FakeClock
from bot.core.messages import Capabilities, Reply
from tests.conftest import AppFactory
from tests.harness import Chat, onboard

SUBSCRIBERS = 20


@dataclass
class DyingSender:
    """Sends until its `life`-th message; then the process dies: before that message leaves,
    or (`in_flight`) once it left but before the bot could record it."""

    sent: list[str]
    life: int
    in_flight: bool = False
    capabilities: Capabilities = field(default_factory=lambda: Capabilities(buttons=False))
    dead: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        if self.dead.is_set() or self.life <= 0:
            if self.in_flight and not self.dead.is_set():
                self.sent.append(chat_id)
            self.dead.set()
            await asyncio.Event().wait()  # killed: never returns
        self.life -= 1
        self.sent.append(chat_id)


async def broadcast_with_kills(
    make_app: AppFactory, clock: FakeClock, modes: list[bool]
) -> Counter[str]:
    """Lives killed as `modes` says (True: with a message in flight), then one that ends."""
    first = await make_app()
    for n in range(SUBSCRIBERS):
        chat = Chat(first, f"s{n}")
        await onboard(chat)
        await chat.send("/subscribe 07:00")
    clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL_TZ))
    sent: list[str] = []
    rng = random.Random(5)
    app = first
    for in_flight in modes:
        await app.outbox.recover()
        await app.outbox.run_jobs()
        sender = DyingSender(sent, rng.randrange(1, 5), in_flight)
        app.senders["shell"] = sender
        run = asyncio.create_task(app.outbox.deliver_due())
        await sender.dead.wait()
        run.cancel()
        with suppress(asyncio.CancelledError):
            await run
        app = await make_app()  # the next process, on the same database
    await app.outbox.recover()
    app.senders["shell"] = DyingSender(sent, 10**6)
    await app.outbox.run_jobs()
    stats = await app.outbox.deliver_due()
    assert stats.failed == 0 and stats.dropped == 0
    rows = await app.deps.db.fetch_all("SELECT status, count(*) FROM deliveries GROUP BY status")
    assert [tuple(r) for r in rows] == [("sent", SUBSCRIBERS)]
    return Counter(sent)


async def test_a_broadcast_killed_between_messages_reaches_everyone_exactly_once(
    make_app: AppFactory, clock: FakeClock
) -> None:
    got = await broadcast_with_kills(make_app, clock, [False] * 5)
    assert got == Counter({f"s{n}": 1 for n in range(SUBSCRIBERS)})


async def test_a_kill_with_a_message_in_flight_repeats_that_one_message_only(
    make_app: AppFactory, clock: FakeClock
) -> None:
    got = await broadcast_with_kills(make_app, clock, [True, False, True, True, False])
    assert set(got) == {f"s{n}" for n in range(SUBSCRIBERS)}
    repeated = [chat for chat, times in got.items() if times > 1]
    assert len(repeated) == 3 and all(got[c] == 2 for c in repeated)  # one per such kill
