"""End to end through the Telegram channel: this bot and a naive bot, the same floods.

Three processes per run: the bot (benchmarks/e2e_bots.py: this project's bot with its durable
inbox and answers, or a naive python-telegram-bot application), and the lean fake Bot API
that is also the load generator (benchmarks/fake_bot_api.py), on 127.0.0.1. Updates reach
the bot by long polling or are posted to its webhook. The runs:

- `500/s`: `--rate` updates/s offered for `--seconds`; people follow a journey (onboarding
  buttons, the commune typed, tips, a quiz answered by button presses, small talk), one
  update a second each. Latency: from the offer to the first message the bot sends in that
  chat before the person's next update; an update with none is not answered.
- `ceiling`: `--flood-rate` updates/s for `--flood-seconds`, each from a new person (/start):
  how many updates a second each bot answers when offered more than it can take.
- `limited`: the bots' limiters at 30/s (this bot: Telegram's 30/s overall and 1/s per chat
  after a burst of 3; the naive bot: python-telegram-bot's AIORateLimiter at 30/s overall),
  at `--limited-rate` updates/s with 3 s between a person's updates.

The naive bot answers only /start and button presses, so its texts are sent as /start.
CPU is the bot processes' user+system time from the bot's first poll (or webhook set) to the
end of the run, per update offered; memory is the sum of the bot processes' peak resident
sets; the fake's CPU seconds show that the fake (which prints them) was not what set the pace.

Databases (`--dbs`): `sqlite` (a file of its own per run), `pg` (this bot only: a new schema
of `--database-url` per run, dropped after). On `pg`, `--workers 1,2` runs one worker, then
two processes on the same schema; by webhook each worker has a port of its own and the fake
posts to them in turn (it reports a worker that did not listen, and what each took); by
polling, whichever polls is served. `DB CPU ms` is the CPU time of the PostgreSQL server
processes of the run's connections (found by their application_name), per update offered.

Run: .venv/bin/python benchmarks/end_to_end.py [--rate 500] [--seconds 10]
     [--flood-rate 2000] [--flood-seconds 5] [--limited-rate 20]
     [--runs 500,ceiling,limited] [--bots bot,naive] [--modes polling,webhook]
     [--dbs sqlite,pg] [--workers 1,2] [--database-url postgresql://...] [--repeat 1]
`--repeat N` runs each setup N times, the setups in turn, and shows each figure's median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"  # the local server's database `test`


@dataclass(frozen=True)
class Run:
    name: str
    rate: float
    seconds: float
    gap: float
    limits: bool


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass(frozen=True)
class Setup:
    """What serves: which bot, how updates reach it, on which database, with how many
    worker processes (PostgreSQL only: they share its database)."""

    bot: str
    mode: str
    db: str  # "sqlite" or "pg"
    workers: int = 1

    @property
    def label(self) -> str:
        return self.db if self.db == "sqlite" else f"pg x{self.workers}"


@asynccontextmanager
async def fresh_schema(url: str) -> AsyncIterator[tuple[str, asyncpg.Connection]]:
    """A URL whose tables go to a new schema (dropped after); its connections are named after
    it (application_name), so that their server processes can be found for their CPU time."""
    schema = f"e2e_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        joiner = "&" if "?" in url else "?"
        yield f"{url}{joiner}search_path={schema}&application_name={schema}", admin
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


async def server_cpu(admin: asyncpg.Connection | None, url: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL server process serving the run's connections."""
    if admin is None:
        return {}
    name = dict(parse_qsl(urlsplit(url).query))["application_name"]
    rows = await admin.fetch("SELECT pid FROM pg_stat_activity WHERE application_name = $1", name)
    found = {}
    for row in rows:
        with suppress(OSError):  # a connection closed since
            found[row["pid"]] = cpu_seconds(row["pid"])
    return found


async def one(run: Run, setup: Setup, folder: Path, url: str) -> dict[str, Any]:
    if setup.db == "sqlite":
        return await measured(run, setup, folder, None, None)
    async with fresh_schema(url) as (schema_url, admin):
        return await measured(run, setup, folder, schema_url, admin)


Child = asyncio.subprocess.Process


async def start_fake(run: Run, setup: Setup, api_port: int, hooks: list[str]) -> Child:
    fake_args = [str(api_port), "--rate", str(run.rate), "--seconds", str(run.seconds)]
    fake_args += ["--gap", str(run.gap)] + (["--naive"] if setup.bot == "naive" else [])
    for hook in hooks if setup.mode == "webhook" else []:
        fake_args += ["--webhook", hook]
    script = str(ROOT / "benchmarks" / "fake_bot_api.py")
    return await asyncio.create_subprocess_exec(
        sys.executable, script, *fake_args, stdout=asyncio.subprocess.PIPE
    )


async def start_workers(
    run: Run, setup: Setup, api_port: int, hooks: list[str], name: Path, url: str | None
) -> tuple[list[Child], list[IO[str]]]:
    """The bot's processes (`name`-N.log their logs), each with a webhook port of its own."""
    env = dict(os.environ, DATABASE_URL=url or "")
    logs = [name.with_name(f"{name.name}-{n}.log").open("w") for n in range(len(hooks))]
    workers = []
    for hook, log in zip(hooks, logs, strict=True):
        bot_args = [setup.bot, f"http://127.0.0.1:{api_port}/bot", f"{name}.db"]
        bot_args += ["limits" if run.limits else "nolimits"]
        bot_args += [hook, str(urlsplit(hook).port)] if setup.mode == "webhook" else []
        script = str(ROOT / "benchmarks" / "e2e_bots.py")
        workers.append(
            await asyncio.create_subprocess_exec(
                sys.executable, script, *bot_args, cwd=ROOT, env=env, stdout=log, stderr=log
            )
        )
    return workers, logs


async def stop(fake: Child, workers: list[Child]) -> None:
    """The fake ends by itself after its figures (terminating it then would race asyncio's
    reaping of it); the workers are told to stop at once (a standby would take over)."""
    with suppress(TimeoutError):
        await asyncio.wait_for(fake.wait(), 5)
    children = [*workers, fake]
    for child in children:
        if child.returncode is None:
            child.terminate()
    for child in children:
        try:  # python-telegram-bot may not stop while its server is gone: then kill it
            await asyncio.wait_for(child.wait(), 10)
        except TimeoutError:
            child.kill()
            await child.wait()


async def measured(
    run: Run, setup: Setup, folder: Path, url: str | None, admin: asyncpg.Connection | None
) -> dict[str, Any]:
    """One run: the fake Bot API offering the flood, `setup.workers` bot processes serving
    it; the figures of the fake, with the bots' (and the database server's) CPU and memory."""
    api_port = free_port()
    hooks = [f"http://127.0.0.1:{free_port()}/telegram" for _ in range(setup.workers)]
    fake = await start_fake(run, setup, api_port, hooks)
    # a database file of its own each time: a repeat would find its updates seen before
    name = (
        folder
        / f"{setup.bot}-{setup.mode}-{setup.db}{setup.workers}-{run.name}-{secrets.token_hex(3)}"
    )
    workers, logs = await start_workers(run, setup, api_port, hooks, name, url)
    assert fake.stdout is not None
    cpu_start, server_start = 0.0, {}
    figures: dict[str, Any] = {}
    try:
        while line := (await fake.stdout.readline()).decode():
            if line.startswith("ready"):
                cpu_start = sum(cpu_seconds(w.pid) for w in workers)
                server_start = await server_cpu(admin, url or "")
            elif line.startswith("{"):
                figures = json.loads(line)
                offered = max(figures["offered"], 1)
                spent = sum(cpu_seconds(w.pid) for w in workers) - cpu_start
                figures["cpu_ms"] = spent * 1000 / offered
                server = await server_cpu(admin, url or "")
                spent = sum(t - server_start.get(pid, 0.0) for pid, t in server.items())
                figures["db_cpu_ms"] = spent * 1000 / offered
                figures["peak_mib"] = sum(peak_mib(w.pid) for w in workers)
    finally:
        await stop(fake, workers)
        for log in logs:
            log.close()
    if not figures:
        tail = (await asyncio.to_thread(Path(logs[0].name).read_text))[-2000:]
        sys.exit(f"{name.name} gave no figures; the first worker's log ends:\n{tail}")
    return figures


def setups(args: argparse.Namespace, mode: str) -> list[Setup]:
    """The naive bot runs on SQLite only (it is an aiosqlite script)."""
    found = []
    for bot in args.bots.split(","):
        for db in args.dbs.split(","):
            if db == "sqlite":
                found.append(Setup(bot, mode, db))
            elif bot == "bot":
                found += [Setup(bot, mode, db, int(n)) for n in args.workers.split(",")]
    return found


def middle(repeats: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over the repeats (the first repeat's lists)."""
    return {
        key: statistics.median(r[key] for r in repeats) if isinstance(value, float | int) else value
        for key, value in repeats[0].items()
    }


def show(name: str, setup: Setup, f: dict[str, Any]) -> None:
    print(
        f"{name:8s} {setup.bot:6s} {setup.mode:8s} {setup.label:8s} "
        f"{f['offered_per_s']:9.0f} {f['answered']:8.1%} {f['per_second']:7.0f} "
        f"{f['p50_ms']:8.1f} {f['p99_ms']:8.1f} {f['cpu_ms']:7.2f} "
        f"{f['db_cpu_ms']:9.2f} {f['peak_mib']:8.0f} {f['fake_cpu_s']:10.1f}",
        flush=True,
    )
    if len(f.get("posted") or []) > 1:  # several workers by webhook
        print(f"{'':8s} taken per worker: {f['posted']}, not listening: {f['deaf']}", flush=True)


async def main(args: argparse.Namespace) -> None:
    runs = {
        "500": Run("500", args.rate, args.seconds, 1.0, limits=False),
        "ceiling": Run("ceiling", args.flood_rate, args.flood_seconds, 3600.0, limits=False),
        "limited": Run("limited", args.limited_rate, args.seconds * 2, 3.0, limits=True),
    }
    head = ("run", "bot", "mode", "database", "offered/s", "answered", "upd/s", "p50 ms")
    head += ("p99 ms", "CPU ms", "DB CPU ms", "peak MiB", "fake CPU s")
    print("{:8s} {:6s} {:8s} {:8s} {:>9s} {:>8s} {:>7s} {:>8s} {:>8s} {:>7s} {:>9s} {:>8s} "
          "{:>10s}".format(*head))  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for name in args.runs.split(","):
            run, where = runs[name], Path(folder)
            for mode in args.modes.split(","):
                found: dict[Setup, list[dict[str, Any]]] = {s: [] for s in setups(args, mode)}
                for _ in range(args.repeat):  # in turn, so that a busy spell hits them all
                    for setup, repeats in found.items():
                        repeats.append(await one(run, setup, where, args.database_url))
                for setup, repeats in found.items():
                    show(name, setup, middle(repeats))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--flood-rate", type=float, default=2000)
    parser.add_argument("--flood-seconds", type=float, default=5)
    parser.add_argument("--limited-rate", type=float, default=20)
    parser.add_argument("--runs", default="500,ceiling,limited")
    parser.add_argument("--bots", default="bot,naive")
    parser.add_argument("--modes", default="polling,webhook")
    parser.add_argument("--dbs", default="sqlite", help="sqlite, pg or both: sqlite,pg")
    parser.add_argument("--database-url", default=PG_URL, help="pg runs: a new schema each in it")
    parser.add_argument("--workers", default="1", help="worker processes on pg, e.g. 1,2")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; medians shown")
    asyncio.run(main(parser.parse_args()))
