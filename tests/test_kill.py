"""The real process, killed at random moments under load, then restarted (SIGKILL, SIGTERM).

A load generator pushes updates into the fake Bot API on loopback: onboarding steps and
probes (`/u<n>`, an unknown command whose answer names it). The bot is killed after a random
number of its sends, again and again, then runs to the end. Every update the bot
acknowledged to Telegram (its polling offset moved past it) must be answered; after a
SIGTERM nothing is repeated; after a SIGKILL only a send the kill cut off may be repeated
by the next process (Telegram has no idempotency key), never twice by one process; and the
database passes `PRAGMA integrity_check`.

They take minutes: they run when BOT_KILL_TESTS=1. Not in CI yet: the SIGTERM run once left
one stored update unhandled at its last stop (handled at the next start, so not lost, but the
test's final check is stricter than that); see issue 12.
"""

from __future__ import annotations

import asyncio
import bisect
import os
import random
import re
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import pytest

from tests import telegram_updates as updates
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.telegram_harness import the_spec

ROOT = Path(__file__).resolve().parent.parent
RUN = os.environ.get("BOT_KILL_TESTS") == "1"
pytestmark = pytest.mark.skipif(not RUN, reason="slow and not yet steady: set BOT_KILL_TESTS=1")
PROBE = re.compile(r"/u(\d+)\b")
PEOPLE = 200


@asynccontextmanager
async def bot_process(fake: FakeTelegram, db: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "BOT_DB_PATH": str(db),
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def load(fake: FakeTelegram, pushed: dict[int, int], stop: asyncio.Event) -> None:
    """About 20 updates a second (Telegram lets a bot send 30 a second): a third onboarding
    steps, the rest probes."""
    rng = random.Random(12)
    number = 0
    while not stop.is_set():
        person = 7000 + rng.randrange(PEOPLE)
        user = updates.user(person)
        if rng.random() < 0.3:
            await fake.push(updates.text(user, rng.choice(["/start", "1", "dong kinh", "/tip"])))
        else:
            number += 1
            update_id = await fake.push(updates.text(user, f"/u{number}"))
            pushed[number] = update_id
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.04)


def answers(fake: FakeTelegram) -> Counter[int]:
    return Counter(n for n, _ in sends(fake))


def sends(fake: FakeTelegram) -> list[tuple[int, int]]:
    """(probe, index of the call) of every answer to a probe."""
    found = []
    for index, call in enumerate(fake.calls):
        if call.method == "sendMessage" and call.status == 200:
            match = PROBE.search(str(call.params.get("text", "")))
            if match:
                found.append((int(match[1]), index))
    return found


async def run_with_kills(tmp_path: Path, kills: int, sig: signal.Signals) -> None:
    db = tmp_path / "kill.db"
    rng = random.Random(kills)
    async with FakeTelegram(the_spec()) as fake:
        pushed: dict[int, int] = {}
        stop = asyncio.Event()
        producer = asyncio.create_task(load(fake, pushed, stop))
        cuts: list[int] = []  # how many calls the fake had seen at each stop
        try:
            for _ in range(kills):
                async with bot_process(fake, db) as process:
                    target = len(fake.calls) + rng.randrange(5, 80)
                    await fake.wait_for(lambda t=target: len(fake.calls) >= t, within=60)  # type: ignore[misc]
                    process.send_signal(sig)
                    await asyncio.wait_for(process.wait(), 15)
                    cuts.append(len(fake.calls))
        finally:
            stop.set()
            await producer
        last = max(pushed)
        async with bot_process(fake, db) as process:  # runs to the end
            await fake.wait_for(lambda: fake.acked > pushed[last], within=120)
            acknowledged = [n for n, update_id in pushed.items() if update_id < fake.acked]
            await fake.wait_for(lambda: set(acknowledged) <= set(answers(fake)), within=120)
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 15) == 0
    found = answers(fake)
    missing = [n for n in acknowledged if not found[n]]
    repeated = sum(c - 1 for c in found.values() if c > 1)
    assert not missing
    assert len(acknowledged) == len(pushed)
    if sig is signal.SIGTERM:
        assert repeated == 0  # a graceful stop repeats nothing
    lives: dict[int, list[int]] = {}
    for probe, index in sends(fake):
        lives.setdefault(probe, []).append(bisect.bisect(cuts, index))
    # A probe is answered at most once per process life: a repeat is a send a kill cut off.
    assert all(len(set(life)) == len(life) for life in lives.values())
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        waiting = check.execute("SELECT count(*) FROM inbox WHERE status = 'new'").fetchone()
        assert waiting == (0,)
    print(f"\n{sig.name}: {len(pushed)} probes, {repeated} repeated sends after {kills} stops")


async def test_sigkill_at_random_moments_loses_no_acknowledged_update(tmp_path: Path) -> None:
    await run_with_kills(tmp_path, 20, signal.SIGKILL)


async def test_sigterm_under_load_loses_nothing(tmp_path: Path) -> None:
    await run_with_kills(tmp_path, 5, signal.SIGTERM)
