"""Three worker processes on one PostgreSQL, under load; the active one SIGKILLed, again and
again: a standby takes over the polling within seconds, and every update acknowledged to
Telegram is answered, a probe never twice by one process life.

Real processes and minutes of load: they run when BOT_KILL_TESTS=1 and PostgreSQL is there
(BOT_TEST_PG), like tests/test_kill.py.
"""

from __future__ import annotations

import asyncio
import bisect
import os
import signal
import sys
import time
from contextlib import suppress

import asyncpg
import pytest

from tests.failover_load import ROOT, answers, load, sends
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.pg import backends, fresh_schema
from tests.telegram_harness import the_spec

pytestmark = pytest.mark.skipif(
    os.environ.get("BOT_KILL_TESTS") != "1" or "pg" not in backends(),
    reason="slow: set BOT_KILL_TESTS=1 and BOT_TEST_PG=1 (PostgreSQL)",
)
KILLS = 3


async def worker(fake: FakeTelegram, url: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL
    )


def polls(fake: FakeTelegram) -> int:
    return sum(1 for call in fake.calls if call.method == "getUpdates")


async def test_killing_the_active_worker_hands_polling_to_a_standby() -> None:
    async with fresh_schema() as url, FakeTelegram(the_spec()) as fake:
        workers = [await worker(fake, url)]
        await fake.wait_for(lambda: polls(fake) > 0, within=60)  # the first one serves
        workers += [await worker(fake, url), await worker(fake, url)]  # standbys
        pushed: dict[int, int] = {}
        stop = asyncio.Event()
        producer = asyncio.create_task(load(fake, pushed, stop))
        cuts: list[int] = []
        takeovers: list[float] = []
        try:
            for _ in range(KILLS):
                target = len(fake.calls) + 60
                await fake.wait_for(lambda t=target: len(fake.calls) >= t, within=60)  # type: ignore[misc]
                active = workers.pop(0)  # the oldest alive one serves
                active.kill()
                await active.wait()
                cuts.append(len(fake.calls))
                killed_at, seen = time.perf_counter(), polls(fake)
                await fake.wait_for(lambda s=seen: polls(fake) > s, within=30)  # type: ignore[misc]
                takeovers.append(time.perf_counter() - killed_at)
                if len(takeovers) < KILLS:  # a new standby for the next kill; none after the
                    # last, as a SIGTERM at the end could land in its Python imports (exit -15)
                    workers.append(await worker(fake, url))
        finally:
            stop.set()
            await producer
        last = max(pushed)
        await fake.wait_for(lambda: fake.acked > pushed[last], within=120)
        acknowledged = [n for n, update_id in pushed.items() if update_id < fake.acked]
        await fake.wait_for(lambda: set(acknowledged) <= set(answers(fake)), within=120)
        # and the rest stored (onboarding steps), a killed worker's people included once
        # their leases ran out (10 s): left for the next start, they would count below
        await handled_everything(url, within=120)
        for process in workers:
            process.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(p.wait(), 15) for p in workers]
        waiting = await waiting_updates(url)
    assert codes == [0] * len(workers)
    found = answers(fake)
    assert not [n for n in acknowledged if not found[n]]
    assert len(acknowledged) == len(pushed)
    lives: dict[int, list[int]] = {}
    for probe, index in sends(fake):
        lives.setdefault(probe, []).append(bisect.bisect(cuts, index))
    assert all(len(set(life)) == len(life) for life in lives.values())
    assert waiting == 0
    repeated = sum(c - 1 for c in found.values() if c > 1)
    print(
        f"\n{len(pushed)} probes, {KILLS} kills of the active worker, {repeated} repeated sends;"
        f" polling resumed after {', '.join(f'{t:.1f}' for t in takeovers)} s"
    )


async def handled_everything(url: str, within: float) -> None:
    deadline = time.perf_counter() + within
    while await waiting_updates(url):
        assert time.perf_counter() < deadline, "stored updates were never handled"
        await asyncio.sleep(0.2)


async def waiting_updates(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM inbox WHERE status = 'new'"))
    finally:
        with suppress(Exception):
            await conn.close()
