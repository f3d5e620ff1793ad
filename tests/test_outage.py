"""A Bot API outage of a minute: nothing lost, everything caught up, no tight retry loop.

The fake Bot API fails every request for a minute of the fake clock: 5xx, 504 gateway
timeouts, and storms of 429 with retry_after. The limiter, the poller and the answers'
retries wait on the injected sleep (which moves the fake clock), so the minute passes
without real waiting, and the requests made during it can be counted against the backoff.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.channels.telegram.channel import MAX_POLL_BACKOFF
from bot.core.answers import backoff
from tests.fake_telegram import Call, Fault, server_error, too_many
from tests.telegram_harness import FAST, Harness, telegram_harness

OUTAGE = timedelta(minutes=1)
HELP = "Send /help"  # not in the answer to /help itself
STORM: list[Fault] = [
    server_error("any", 500),
    too_many("any", retry_after=5),
    too_many("any", retry_after=5),
    too_many("any", retry_after=5),
    server_error("any", 502),
    server_error("any", 504),  # a timeout at Telegram's gateway
]


@dataclass
class Outage:
    """Fails the calls of `methods` until `until` on the fake clock, cycling through STORM."""

    tg: Harness
    methods: set[str] = field(default_factory=set)
    until: datetime | None = None
    failed: list[Call] = field(default_factory=list)
    _storm: Iterator[Fault] = field(default_factory=lambda: itertools.cycle(STORM))

    def fault(self, call: Call) -> Fault | None:
        if self.until is None or self.tg.clock.now() >= self.until:
            return None
        if call.method not in self.methods:
            return None
        self.failed.append(call)
        return next(self._storm)


def attempts_within(window: float) -> int:
    """How many times an answer is tried within `window` seconds: at once, then after each
    backoff (the limiter's own retries in between only make the gaps longer)."""
    tried, at = 0, 0.0
    while at < window:
        tried, at = tried + 1, at + backoff(tried).total_seconds()
    return tried


def polls_within(window: float) -> int:
    """getUpdates calls within `window` seconds: the poller waits 1, 2, 4... up to 30 s."""
    polls, at = 0, 0.0
    while at < window:
        polls += 1
        at += min(MAX_POLL_BACKOFF, 0.5 * 2**polls)
    return polls


async def test_a_minute_of_outage_loses_nothing_and_never_hammers_the_api(tmp_path: Path) -> None:
    async with telegram_harness(tmp_path) as tg:
        outage = Outage(tg, {"sendMessage"})
        tg.fake._fault = outage.fault  # type: ignore[method-assign]
        outage.until = tg.clock.now() + OUTAGE
        early = [tg.person(8100 + n) for n in range(5)]  # received, their answers fail
        for person in early:
            await person.say("/u1")
        await tg.fake.wait_for(lambda: len(outage.failed) >= len(early), within=30)
        outage.methods.add("getUpdates")  # now nothing comes in either
        late = [tg.person(8200 + n) for n in range(5)]
        for person in late:
            await person.say("/u2")
        for _ in range(200):  # the scheduler's resends, every 5 s of the fake clock
            if tg.clock.now() >= outage.until:
                break
            await tg.app.door.answers.resend_due()
            await tg.sleep(5)
        assert tg.clock.now() >= outage.until
        during = len(outage.failed)
        for _ in range(50):  # the outage is over: the catch-up
            await tg.app.door.answers.resend_due()
            await tg.app.inbox.drain()
            if all(len(tg.fake.sent(p.id)) == 1 for p in early + late):
                break
            await tg.sleep(5)

        for person in early + late:  # each answered exactly once
            [answer] = tg.fake.sent(person.id)
            assert "/u" in answer.params["text"] and HELP in answer.params["text"]
        waiting = await tg.app.deps.db.fetch_one("SELECT count(*) FROM answers")
        stored = await tg.app.deps.db.fetch_one("SELECT count(*) FROM inbox WHERE status = 'new'")
        assert waiting is not None and stored is not None and (waiting[0], stored[0]) == (0, 0)
        # No tight loop: each answer tried as its backoff allows, each try retried by the
        # limiter at most max_retries times; the poller backs off to 30 s.
        tries = 1 + FAST.limits.max_retries
        seconds = OUTAGE.total_seconds()
        bound = len(early) * attempts_within(seconds) * tries + polls_within(seconds)
        print(f"\n{during} requests failed during the outage (bound {bound})")
        assert len(early) < during <= bound
