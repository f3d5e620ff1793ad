"""Durable ingestion: how fast the inbox stores updates (one commit per batch), and what
`synchronous=FULL` costs against `NORMAL` (WAL mode either way).

Run: .venv/bin/python benchmarks/ingestion.py [--updates 20000] [--rate 500]
Prints, per setting: stores per second with every update offered at once (the ceiling), and
the p50/p99 time from `put` to its commit when `--rate` updates a second arrive.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.clock import SystemClock
from bot.core.inbox import Inbox
from bot.storage.db import Database
from bot.storage.inbox import Stored
from bot.storage.migrations import migrate

PAYLOAD = '{"update_id": 1, "message": {"text": "/start", "chat": {"id": 1}}}'


async def handled(_item: Stored) -> None:
    """Nothing: this measures storing, not handling."""


async def inbox_with(folder: str, synchronous: str) -> tuple[Database, Inbox]:
    db = await Database.open(Path(folder) / f"{synchronous}.sqlite3")
    await db.fetch_all(f"PRAGMA synchronous={synchronous}")
    await migrate(db, "2026-11-29T00:00:00+00:00")
    inbox = Inbox(db, SystemClock())
    inbox.register("telegram", handled)
    await inbox.start()
    return db, inbox


async def ceiling(folder: str, synchronous: str, count: int) -> float:
    db, inbox = await inbox_with(folder, synchronous)
    started = time.perf_counter()
    await asyncio.gather(
        *(inbox.put("telegram", str(n), str(n % 500), PAYLOAD) for n in range(count))
    )
    rate = count / (time.perf_counter() - started)
    await inbox.stop(2.0)
    await db.close()
    return rate


async def paced(folder: str, synchronous: str, count: int, rate: int) -> tuple[float, float]:
    db, inbox = await inbox_with(folder, synchronous)
    waits: list[float] = []

    async def one(n: int) -> None:
        started = time.perf_counter()
        await inbox.put("telegram", f"p{n}", str(n % 500), PAYLOAD)
        waits.append((time.perf_counter() - started) * 1000)

    tasks = []
    begin = time.perf_counter()
    for n in range(count):
        tasks.append(asyncio.create_task(one(n)))
        delay = begin + (n + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    await asyncio.gather(*tasks)
    await inbox.stop(2.0)
    await db.close()
    waits.sort()
    return statistics.median(waits), waits[int(len(waits) * 0.99) - 1]


async def main(count: int, rate: int) -> None:
    print(f"{count} updates at once; {rate * 10} at {rate}/s")
    print(f"{'synchronous':12s} {'stores/s':>10s} {'p50 ms':>8s} {'p99 ms':>8s}")
    with tempfile.TemporaryDirectory() as folder:
        for synchronous in ("NORMAL", "FULL"):
            top = await ceiling(folder, synchronous, count)
            p50, p99 = await paced(folder, synchronous, rate * 10, rate)
            print(f"{synchronous:12s} {top:10.0f} {p50:8.2f} {p99:8.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=20000)
    parser.add_argument("--rate", type=int, default=500)
    args = parser.parse_args()
    asyncio.run(main(args.updates, args.rate))
