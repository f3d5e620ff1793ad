"""Telegram delivery rate against the fake Bot API server on 127.0.0.1, flood limiter on.

Run: .venv/bin/python benchmarks/telegram_delivery.py [--messages 300] [--runs 3]
Prints the median of each figure over the runs:
- the sender alone: one message to each of N different private chats, sent concurrently
  (the limiter's ~30/s overall is the ceiling), and without the limiter (the stack's own speed);
- the daily-tip outbox end to end (claim, render, send, record), as `bot run` delivers it;
- one chat: N messages to the same private chat (the ~1/s per chat limit, after a burst of 3).
The fake server checks every request against the Bot API spec, as in the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import App, create_app
from bot.channels.telegram import Limits, TelegramChannel, Tuning
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.core.messages import Reply
from bot.settings import Settings
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.telegram_spec import Spec, spec_path
from tests.test_telegram_delivery import subscribers

Figure = Callable[[App, TelegramChannel, int], Awaitable[float]]


async def sender_spread(_app: App, channel: TelegramChannel, count: int) -> float:
    """Messages per second, one each to `count` chats, 64 at a time."""
    gate = asyncio.Semaphore(64)

    async def one(chat: int) -> None:
        async with gate:
            await channel.sender.send(str(chat), [Reply("💡 Mang túi vải khi đi chợ.")])

    started = time.perf_counter()
    await asyncio.gather(*(one(200_000 + n) for n in range(count)))
    return count / (time.perf_counter() - started)


async def one_chat(_app: App, channel: TelegramChannel, count: int) -> float:
    started = time.perf_counter()
    await channel.sender.send("300000", [Reply(f"{n}") for n in range(count)])
    return count / (time.perf_counter() - started)


async def outbox(app: App, _channel: TelegramChannel, count: int) -> float:
    await subscribers(app, count)
    assert isinstance(app.deps.clock, FakeClock)
    app.deps.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL_TZ))
    started = time.perf_counter()
    await app.outbox.run_jobs()
    sent = 0
    while sent < count:
        stats = await app.outbox.deliver_due()
        sent += stats.sent
        if not stats.sent:
            break
    return sent / (time.perf_counter() - started)


async def measure(spec: Spec, figure: Figure, count: int, limits: Limits) -> float:
    with tempfile.TemporaryDirectory() as folder:
        async with FakeTelegram(spec) as fake:
            settings = Settings(
                db_path=str(Path(folder) / "bench.sqlite3"),
                telegram_token=TOKEN,
                telegram_api_base_url=fake.base_url,
            )
            clock = FakeClock(datetime(2026, 11, 30, 8, 0, tzinfo=LOCAL_TZ))
            app = await create_app(settings, clock=clock, rng=random.Random(1))
            channel = TelegramChannel(app.door, settings, Tuning(limits=limits, poll_timeout=1))
            await channel.start()
            try:
                rate = await figure(app, channel, count)
            finally:
                await channel.stop()
                await app.close()
            assert not fake.violations, fake.violations[:3]
            return rate


async def main(count: int, runs: int) -> None:
    path = spec_path()
    if not path.is_file():
        sys.exit(f"Telegram Bot API spec not found at {path}: set TELEGRAM_SPEC_PATH")
    spec = Spec(path)
    telegram = Limits()
    unlimited = Limits(overall_per_second=0, private_per_second=0, group_per_minute=0)
    figures: list[tuple[str, Figure, int, Limits]] = [
        ("sender, distinct chats, limiter on (msg/s)", sender_spread, count, telegram),
        ("sender, distinct chats, no limiter (msg/s)", sender_spread, count, unlimited),
        ("daily tips through the outbox, limiter on (msg/s)", outbox, count, telegram),
        ("one private chat, limiter on (msg/s)", one_chat, 8, telegram),
    ]
    print(f"{runs} runs, {count} messages each; medians")
    for name, figure, size, limits in figures:
        rates = [await measure(spec, figure, size, limits) for _ in range(runs)]
        print(f"{name:55s} {statistics.median(rates):8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.runs))
