"""Start-up time and memory of `python -m bot run`, against the lean fake Bot API on 127.0.0.1.

- Start-up: from spawning `python -m bot run` (Telegram by long polling, a new database, then
  the same database again) to its first getUpdates: the moment it can take an update.
- Memory: the bot's resident set 2 s after it is ready, then after `--updates` updates
  (100,000 by default) were offered by polling at `--rate` updates/s and handled (the inbox
  has none waiting), and its peak. The updates come from `--people` people (10,000: ten
  each, along the onboarding, tips and quiz journey of benchmarks/fake_bot_api.py). This bot
  is the same `serve` with Telegram's limits lifted (benchmarks/e2e_bots.py): at 30 messages
  a second, 100,000 updates would take over an hour to answer.

Run: .venv/bin/python benchmarks/footprint.py [--updates 100000] [--rate 300]
     [--people 10000] [--starts 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAH-fake-token-for-tests_0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def memory_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class Bot:
    """`python -m bot run` and the fake Bot API that feeds it."""

    def __init__(
        self, db: Path, rate: float, updates: int, people: int, *, limits: bool = True
    ) -> None:
        self.db, self.rate, self.updates, self.people = db, rate, updates, people
        self.limits = limits

    async def start(self) -> float:
        """Starts both; returns the seconds from spawning the bot to its first poll."""
        port = free_port()
        seconds = self.updates / self.rate
        self.fake = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "benchmarks" / "fake_bot_api.py"),
            str(port),
            *("--rate", str(self.rate), "--seconds", str(seconds)),
            *("--gap", str(self.people / self.rate), "--hold"),
            *("--drain", "36000", "--quiet", "36000"),
            stdout=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.PIPE,
        )
        env = os.environ | {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
            "BOT_DB_PATH": str(self.db),
            "LOG_LEVEL": "WARNING",
        }
        for name in ("TELEGRAM_WEBHOOK_URL", "ZALO_BOT_TOKEN", "PUBLIC_BASE_URL"):
            env.pop(name, None)
        command = ["-m", "bot", "run"]
        if not self.limits:  # the same `serve`, Telegram's limits lifted (benchmarks/e2e_bots.py)
            base = env["TELEGRAM_API_BASE_URL"]
            command = ["benchmarks/e2e_bots.py", "bot", base, str(self.db), "nolimits"]
        spawned = time.monotonic()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, *command, cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        line = await self.line()
        if not line.startswith("ready"):
            raise SystemExit(f"the fake Bot API said {line!r}")
        return float(line.split()[1]) - spawned

    async def line(self) -> str:
        assert self.fake.stdout is not None
        return (await self.fake.stdout.readline()).decode()

    async def flood(self) -> float:
        """Offers the updates; returns when every one is handled, its duration in seconds."""
        assert self.fake.stdin is not None
        started = time.monotonic()
        self.fake.stdin.write(b"go\n")
        await self.fake.stdin.drain()
        flood = await self.line()
        assert flood.startswith("flood"), flood
        while self.waiting() > 0:  # noqa: ASYNC110 (another process's database, no event)
            await asyncio.sleep(1)
        return time.monotonic() - started

    def waiting(self) -> int:
        """Updates offered and not yet handled: not stored yet, or stored and not done."""
        with sqlite3.connect(self.db, timeout=30) as conn:
            stored, new = conn.execute(
                "SELECT count(*), sum(status = 'new') FROM inbox WHERE channel = 'telegram'"
            ).fetchone()
        return self.updates - int(stored) + int(new or 0)

    async def stop(self) -> None:
        for process in (self.process, self.fake):
            if process.returncode is None:
                process.terminate()
            await process.wait()


async def start_up(folder: Path, starts: int) -> tuple[list[float], list[float]]:
    """Seconds to ready with a new database, then with the same database again."""
    new, again = [], []
    for n in range(starts):
        db = folder / f"start{n}.sqlite3"
        for found in (new, again):
            bot = Bot(db, 1, 1, 1)
            found.append(await bot.start())
            await bot.stop()
    return new, again


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        new, again = await start_up(Path(folder), args.starts)
        print(f"start-up to the first poll, {args.starts} starts each (median, all):")
        print(f"  new database      {statistics.median(new):6.2f} s  {[round(s, 2) for s in new]}")
        print(
            f"  existing database {statistics.median(again):6.2f} s  {[round(s, 2) for s in again]}"
        )
        db = Path(folder) / "footprint.sqlite3"
        bot = Bot(db, args.rate, args.updates, args.people, limits=False)
        await bot.start()
        try:
            await asyncio.sleep(2)
            at_rest = memory_mib(bot.process.pid, "VmRSS")
            took = await bot.flood()
            after = memory_mib(bot.process.pid, "VmRSS")
            peak = memory_mib(bot.process.pid, "VmHWM")
        finally:
            await bot.stop()
    print(f"memory (resident set) of the bot, limits lifted, {args.updates:,} updates:")
    print(f"  after start                 {at_rest:6.0f} MiB")
    print(f"  after the updates, handled  {after:6.0f} MiB (in {took:.0f} s)")
    print(f"  peak                        {peak:6.0f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--starts", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
