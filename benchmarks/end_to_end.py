"""End to end through the Telegram channel: this bot and a naive bot, the same flood.

A load generator (this process) pushes updates into the fake Bot API on 127.0.0.1 (also
this process) at a fixed rate; the bot runs in its own process, by long polling or, for
this bot, by webhook (the generator posts each update to it). The mix: /start from new
people (onboarding: user, conversation), and presses of a menu button (`cmd:help`) from
people who started. Latency is from the push (or the post) to the first reply message the
fake receives in that chat. CPU is the bot process's user+system time per update.

Run: .venv/bin/python benchmarks/end_to_end.py [--rate 500] [--seconds 10]
     [--modes polling,webhook,naive,limited,polling-pg,webhook-pg]
A mode ending in -pg runs this bot on PostgreSQL (a fresh schema of BENCH_PG_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import telegram_updates as updates  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.telegram_spec import Spec, spec_path  # noqa: E402


class TimedCalls(list[Any]):
    """The fake's call list, with the time each call arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, item: Any) -> None:
        self.times.append(time.perf_counter())
        super().append(item)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def flood(
    fake: FakeTelegram, rate: int, seconds: float, post: httpx.AsyncClient | None
) -> dict[int, float]:
    """Pushes rate*seconds updates evenly; returns the push time per chat."""
    pushed: dict[int, float] = {}
    total = int(rate * seconds)
    started = time.perf_counter()
    bot_message = {"message_id": 1, "date": 0, "chat": {"id": 0, "type": "private"}, "text": "x"}
    for n in range(total):
        person = 100_000 + n
        user = updates.user(person)
        if n % 3 == 2:
            message = {**bot_message, "chat": {"id": person, "type": "private"}}
            update = updates.press(user, message, "cmd:help")
        else:
            update = updates.text(user, "/start")
        pushed[person] = time.perf_counter()
        if post is None:
            await fake.push(update)
        else:
            update = {"update_id": n + 1, **update}
            await post.post(
                "/telegram",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": "bench_secret"},
            )
        delay = started + (n + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    return pushed


@asynccontextmanager
async def database_for(mode: str) -> AsyncIterator[dict[str, str]]:
    """The bot process's environment: for a `-pg` mode, DATABASE_URL on a fresh schema of
    BENCH_PG_URL (default: the local service's database `test`), dropped after the run."""
    if not mode.endswith("-pg"):
        yield {}
        return
    import asyncpg

    server = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
    schema = f"bench_{os.getpid()}"
    conn = await asyncpg.connect(server)
    await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    try:
        joiner = "&" if "?" in server else "?"
        yield {"DATABASE_URL": f"{server}{joiner}search_path={schema}"}
    finally:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        await conn.close()


async def one_run(spec: Spec, mode: str, rate: int, seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        fake = FakeTelegram(spec)
        fake.calls = TimedCalls()
        async with fake, database_for(mode) as env:
            port = free_port()
            mode = mode.removesuffix("-pg")
            kind = "naive" if mode == "naive" else "bot"
            args = [kind, fake.base_url, str(Path(folder) / "b.sqlite3")]
            if mode == "limited":
                args.append("limits")
            if mode == "webhook":
                args += ["nolimits", f"http://127.0.0.1:{port}/telegram", str(port)]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(ROOT / "benchmarks" / "e2e_bots.py"),
                *args,
                cwd=ROOT,
                env={**os.environ, **env},
            )
            ready = "setWebhook" if mode == "webhook" else "getUpdates"
            await fake.wait_for(lambda: fake.called(ready), within=60)
            client = (
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}")
                if mode == "webhook"
                else None
            )
            pushed = await flood(fake, rate, seconds, client)
            wanted = set(pushed)

            first: dict[int, float] = {}
            scanned = 0

            def answered() -> int:
                """Chats answered so far (scans only the calls not seen before)."""
                nonlocal scanned
                calls, times = fake.calls, fake.calls.times
                for index in range(scanned, len(times)):
                    call = calls[index]
                    if call.method == "sendMessage" and call.status == 200:
                        chat = int(call.params["chat_id"])
                        if chat in wanted and chat not in first:
                            first[chat] = times[index]
                scanned = len(times)
                return len(first)

            with suppress(TimeoutError):
                await fake.wait_for(lambda: answered() >= len(wanted), within=180)
            answered()
            process.terminate()
            await process.wait()
            if client is not None:
                await client.aclose()
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
    latencies = sorted((first[c] - pushed[c]) * 1000 for c in first)
    span = max(first.values()) - min(pushed.values())
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "answered": len(first) / len(pushed),
        "per_second": len(first) / span,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "cpu_ms": cpu * 1000 / len(pushed),
        "rss_mb": after.ru_maxrss / 1024,
    }


async def main(rate: int, seconds: float, modes: list[str]) -> None:
    path = spec_path()
    if not path.is_file():
        sys.exit(f"Telegram Bot API spec not found at {path}: set TELEGRAM_SPEC_PATH")
    spec = Spec(path)
    print(f"{rate} updates/s offered for {seconds:.0f} s; mix: 2/3 /start, 1/3 button presses")
    head = ("mode", "answered", "upd/s", "p50 ms", "p99 ms", "CPU ms/upd")
    print("{:10s} {:>8s} {:>8s} {:>8s} {:>9s} {:>10s}".format(*head))
    for mode in modes:
        figures = await one_run(spec, mode, rate, seconds)
        print(
            f"{mode:10s} {figures['answered']:8.1%} {figures['per_second']:8.1f} "
            f"{figures['p50_ms']:8.1f} {figures['p99_ms']:9.1f} {figures['cpu_ms']:10.2f}"
        )
    print(json.dumps({"python": sys.version.split()[0]}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--modes", default="naive,polling,webhook")
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds, args.modes.split(",")))
