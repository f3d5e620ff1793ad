"""The daily tip to 100,000 subscribers through the delivery outbox, as `bot run` sends it.

100,000 people who agreed, onboarded and asked for a tip at 07:00 are written to a new
database; at 07:00 the real scheduler loop of `bot run` (`bot.runner.run_scheduler`: the
tips job enqueues, the outbox claims, renders, sends and records each delivery) runs:

1. limiter on: through python-telegram-bot and the Telegram channel's flood limiter (30/s)
   to the fake Bot API on 127.0.0.1 (in this process);
2. no limiter, the same stack (the fake server's work counts in this process's CPU);
3. no limiter, a sender that only counts: the bot's own ceiling (database, rendering).

Sending 100,000 tips at 30/s takes 55 minutes, so each run is timed over a window of real
time (`--window`, 60 s by default for the limiter, after `--warmup` seconds that hold the
limiter's opening burst of 30), and the rest is not sent. The achieved rate is the sends
counted in the window divided by its length. CPU is this process's user+system time in the
window per delivery; memory is the resident set after the enqueue and the peak.

Run: .venv/bin/python benchmarks/broadcast.py [--subscribers 100000] [--window 60]
     [--fast-window 20] [--warmup 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import App, create_app
from bot.channels.telegram import Limits, TelegramChannel, Tuning
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.core.messages import Capabilities, Reply
from bot.core.sending import Sender
from bot.runner import run_scheduler
from bot.settings import Settings
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.telegram_spec import Spec, spec_path

LIMIT = 30.0  # Telegram's overall limit, messages per second


class Counting:
    """Wraps a sender (or none: sends nothing) and records when each send finished."""

    def __init__(self, inner: Sender | None) -> None:
        self.inner = inner
        self.capabilities = inner.capabilities if inner else Capabilities(buttons=True)
        self.times: list[float] = []

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        if self.inner is not None:
            await self.inner.send(chat_id, replies)
        self.times.append(time.perf_counter())


@dataclass
class Figures:
    enqueued: int
    enqueue_s: float
    rate: float
    cpu_ms: float
    rss_after_enqueue_mib: float
    peak_mib: float


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def subscribe(app: App, count: int) -> None:
    """`count` subscribers at 07:00 in the province's communes, written in one statement."""
    communes = [c.code for c in app.deps.content.communes]
    now = "2026-11-29T01:00:00+00:00"
    rows = [
        (str(500_000 + n), str(500_000 + n), now, now, "vi", "resident", communes[n % 65], now)
        for n in range(count)
    ]
    async with app.deps.db.transaction() as tx:
        await tx.execute_many(
            """INSERT INTO users (channel, channel_user_id, chat_id, created_at, consent_at,
                                  locale, audience, commune_code, onboarded_at,
                                  tip_time, tip_since)
               VALUES ('telegram', ?, ?, ?, ?, ?, ?, ?, ?, '07:00', '2026-11-29 08:00')""",
            rows,
        )


async def broadcast(app: App, sender: Counting, warmup: float, window: float) -> Figures:
    """Enqueues at 07:00, then runs the scheduler loop for warmup + window seconds."""
    assert isinstance(app.deps.clock, FakeClock)
    app.deps.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL_TZ))
    started = time.perf_counter()
    enqueued = await app.outbox.run_jobs()
    enqueue_s = time.perf_counter() - started
    after_enqueue = rss_mib()
    stop = asyncio.Event()
    scheduler = asyncio.create_task(run_scheduler(app, stop, 1.0))
    await asyncio.sleep(warmup)
    begin, cpu_begin = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.sleep(window)
    end, cpu_end = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    stop.set()
    scheduler.cancel()
    with suppress(asyncio.CancelledError):
        await scheduler
    sent = sum(1 for t in sender.times if begin <= t < end)
    cpu = (cpu_end.ru_utime + cpu_end.ru_stime) - (cpu_begin.ru_utime + cpu_begin.ru_stime)
    return Figures(
        enqueued=enqueued,
        enqueue_s=enqueue_s,
        rate=sent / (end - begin),
        cpu_ms=cpu * 1000 / max(sent, 1),
        rss_after_enqueue_mib=after_enqueue,
        peak_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


async def run(
    spec: Spec | None, limits: Limits | None, count: int, warmup: float, window: float
) -> Figures:
    """One broadcast: through the Telegram channel (`spec` given) or to a counting sender."""
    with tempfile.TemporaryDirectory() as folder:
        clock = FakeClock(datetime(2026, 11, 30, 8, 0, tzinfo=LOCAL_TZ))
        settings = Settings(
            db_path=str(Path(folder) / "broadcast.sqlite3"),
            telegram_token=TOKEN,
            telegram_api_base_url="http://127.0.0.1:9/",
        )
        if spec is None:
            sender = Counting(None)
            app = await create_app(
                settings, clock=clock, rng=random.Random(1), senders={"telegram": sender}
            )
            try:
                await subscribe(app, count)
                return await broadcast(app, sender, warmup, window)
            finally:
                await app.close()
        async with FakeTelegram(spec) as fake:
            settings = replace(settings, telegram_api_base_url=fake.base_url)
            app = await create_app(settings, clock=clock, rng=random.Random(1))
            channel = TelegramChannel(app.door, settings, Tuning(limits=limits, poll_timeout=1))
            await channel.start()
            sender = Counting(app.senders["telegram"])
            app.senders["telegram"] = sender
            try:
                await subscribe(app, count)
                return await broadcast(app, sender, warmup, window)
            finally:
                await channel.stop()
                await app.close()


async def main(count: int, window: float, fast_window: float, warmup: float) -> None:
    path = spec_path()
    if not path.is_file():
        sys.exit(f"Telegram Bot API spec not found at {path}: set TELEGRAM_SPEC_PATH")
    spec = Spec(path)
    unlimited = Limits(overall_per_second=0, private_per_second=0, group_per_minute=0)
    runs = [
        ("limiter at 30/s, Telegram stack", spec, Limits(), window),
        ("no limiter, Telegram stack", spec, unlimited, fast_window),
        ("no limiter, counting sender", None, None, fast_window),
    ]
    print(f"daily tip to {count:,} subscribers; warm-up {warmup:.0f} s, then a timed window")
    head = ("run", "window s", "sent/s", "% of 30/s", "CPU ms/send", "RSS MiB", "peak MiB")
    print("{:33s} {:>8s} {:>8s} {:>9s} {:>11s} {:>8s} {:>8s}".format(*head))
    for name, which, limits, seconds in runs:
        figures = await run(which, limits, count, warmup, seconds)
        print(
            f"{name:33s} {seconds:8.0f} {figures.rate:8.1f} {figures.rate / LIMIT:9.1%} "
            f"{figures.cpu_ms:11.2f} {figures.rss_after_enqueue_mib:8.0f} "
            f"{figures.peak_mib:8.0f}"
        )
        print(f"  enqueued {figures.enqueued:,} deliveries in {figures.enqueue_s:.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--window", type=float, default=60, help="seconds, limiter on")
    parser.add_argument("--fast-window", type=float, default=20, help="seconds, no limiter")
    parser.add_argument("--warmup", type=float, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.subscribers, args.window, args.fast_window, args.warmup))
