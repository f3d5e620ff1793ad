"""Three worker processes side by side on one PostgreSQL, Telegram by webhook behind a
load balancer that posts each update to the next worker; one worker SIGKILLed under load.
Every update a worker acknowledged (its 200) is answered; the killed worker's people are
taken over once their leases ran out; the others stop cleanly with nothing left.

Real processes under load: they run when BOT_KILL_TESTS=1 and PostgreSQL is there
(BOT_TEST_PG), like tests/test_failover.py.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sys
from contextlib import suppress

import asyncpg
import httpx
import pytest

from bot.channels.telegram.webhook import SECRET_HEADER
from tests import telegram_updates as updates
from tests.failover_load import ROOT, answers
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.pg import backends, fresh_schema
from tests.telegram_harness import the_spec

pytestmark = pytest.mark.skipif(
    os.environ.get("BOT_KILL_TESTS") != "1" or "pg" not in backends(),
    reason="slow: set BOT_KILL_TESTS=1 and BOT_TEST_PG=1 (PostgreSQL)",
)
HOOK = "/telegram/hook"
SECRET = "side_by_side_secret"
PROBES = 300


async def worker(fake: FakeTelegram, url: str, port: int) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_WEBHOOK_URL": f"https://bot.example.org{HOOK}",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "BOT_HTTP_HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def listening(fake: FakeTelegram, workers: int) -> None:
    """A worker sets the webhook once its web server listens."""
    await fake.wait_for(lambda: len(fake.called("setWebhook")) >= workers, within=60)


async def post(
    client: httpx.AsyncClient, ports: list[int], turn: int, body: dict[str, object]
) -> int:
    """Posts an update as Telegram does behind a load balancer: to the next worker, and
    again to the next one while it is refused (a dead worker); the port that took it."""
    for attempt in range(len(ports) * 3):
        port = ports[(turn + attempt) % len(ports)]
        with suppress(httpx.TransportError):
            reply = await client.post(
                f"http://127.0.0.1:{port}{HOOK}", json=body, headers={SECRET_HEADER: SECRET}
            )
            if reply.status_code == 200:
                return port
    raise AssertionError("no worker took the update")


async def test_killing_one_of_three_workers_loses_no_acknowledged_update() -> None:
    ports = [free_port() for _ in range(3)]
    async with fresh_schema() as url, FakeTelegram(the_spec()) as fake:
        async with httpx.AsyncClient(timeout=10) as client:
            workers = [await worker(fake, url, ports[0])]
            await listening(fake, 1)  # the first migrates the schema
            workers += [await worker(fake, url, port) for port in ports[1:]]
            await listening(fake, 3)
            rng = random.Random(5)
            taken: dict[int, int] = {}
            for number in range(1, PROBES + 1):
                person = updates.user(9000 + rng.randrange(60))
                body = {"update_id": number, **updates.text(person, f"/u{number}")}
                taken[number] = await post(client, ports, number, body)
                if number == PROBES // 3:
                    workers[0].kill()  # SIGKILL, in the middle of the load
                    await workers[0].wait()
            await fake.wait_for(lambda: set(taken) <= set(answers(fake)), within=150)
            # An answer the dead worker was sending comes back when its lease runs out (60 s)
            # and the scheduler's next round sends it: a repeat if it had gone out already.
            while (await leftovers(url))[1]:
                calls = len(fake.calls)
                await fake.wait_for(lambda c=calls: len(fake.calls) > c, within=120)  # type: ignore[misc]
            for process in workers[1:]:
                process.send_signal(signal.SIGTERM)
            codes = [await asyncio.wait_for(p.wait(), 15) for p in workers[1:]]
        waiting, unsent = await leftovers(url)
    assert codes == [0, 0]
    found = answers(fake)
    assert not [n for n in taken if not found[n]]  # every acknowledged update answered
    assert {taken[n] for n in taken} == set(ports)  # each worker took a share
    assert (waiting, unsent) == (0, 0)
    repeated = sum(count - 1 for count in found.values() if count > 1)
    assert repeated <= 8  # only the sends in flight at the kill can repeat
    print(f"\n{PROBES} probes over 3 workers, one SIGKILLed: {repeated} repeated sends")


async def leftovers(url: str) -> tuple[int, int]:
    conn = await asyncpg.connect(url)
    try:
        waiting = await conn.fetchval("SELECT count(*) FROM inbox WHERE status = 'new'")
        unsent = await conn.fetchval("SELECT count(*) FROM answers")
        return int(waiting), int(unsent)
    finally:
        with suppress(Exception):
            await conn.close()
