"""Engine and outbox figures: per-message latency, throughput, daily-tip delivery rate, memory.

Run: .venv/bin/python benchmarks/engine.py [--users 300] [--subscribers 5000] [--runs 3]
Prints the median of each figure over the runs (this machine is noisy: compare ratios
measured in one run, not figures from different days).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.app import App, create_app
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.core.messages import Capabilities, Incoming, Reply
from bot.settings import Settings

JOURNEY = ("/start", "1", "1", "dong kinh", "/tip", "/tip", "/subscribe 07:00", "/settings", "5")


class NullSender:
    capabilities = Capabilities(buttons=True)

    def __init__(self) -> None:
        self.count = 0

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        self.count += 1


async def build(folder: Path, sender: NullSender) -> tuple[App, FakeClock]:
    clock = FakeClock(datetime(2026, 11, 30, 6, 0, tzinfo=LOCAL_TZ))
    settings = Settings(db_path=str(folder / "bench.sqlite3"))
    app = await create_app(settings, clock=clock, rng=random.Random(1), senders={"shell": sender})
    return app, clock


async def conversations(app: App, users: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    started = time.perf_counter()
    for number in range(users):
        for text in JOURNEY:
            incoming = Incoming.from_text("shell", f"user{number}", text)
            t0 = time.perf_counter()
            await app.engine.handle(incoming)
            latencies.append(time.perf_counter() - t0)
    return latencies, time.perf_counter() - started


async def daily_tips(app: App, clock: FakeClock, sender: NullSender) -> tuple[int, float]:
    clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL_TZ))
    started = time.perf_counter()
    await app.outbox.run_jobs()
    while (await app.outbox.deliver_due(limit=1000)).sent:
        pass
    return sender.count, time.perf_counter() - started


async def one_run(users: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        sender = NullSender()
        app, clock = await build(Path(folder), sender)
        try:
            latencies, elapsed = await conversations(app, users)
            delivered, delivery_time = await daily_tips(app, clock, sender)
        finally:
            await app.close()
    latencies.sort()
    return {
        "message median (ms)": statistics.median(latencies) * 1000,
        "message p95 (ms)": latencies[int(len(latencies) * 0.95)] * 1000,
        "messages per second": len(latencies) / elapsed,
        "daily tips delivered": delivered,
        "deliveries per second": delivered / delivery_time,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--users", type=int, default=300, help="simulated people (each also subscribes)"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [asyncio.run(one_run(args.users)) for _ in range(args.runs)]
    print(f"engine benchmark: {args.users} people x {len(JOURNEY)} messages, {args.runs} runs")
    for key in runs[0]:
        values = [run[key] for run in runs]
        middle = statistics.median(values)
        print(f"  {key:24s} median {middle:10.2f}   runs {[round(v, 2) for v in values]}")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {'peak memory (MiB)':24s} {peak_mib:10.1f}")


if __name__ == "__main__":
    main()
