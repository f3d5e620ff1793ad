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
CPU is the bot process's user+system time from the bot's first poll (or webhook set) to the
end of the run, per update offered; memory is the bot process's peak resident set; the fake's
CPU seconds show that the fake (which prints them) was not what set the pace.

Run: .venv/bin/python benchmarks/end_to_end.py [--rate 500] [--seconds 10]
     [--flood-rate 2000] [--flood-seconds 5] [--limited-rate 20]
     [--runs 500,ceiling,limited] [--bots bot,naive] [--modes polling,webhook]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


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


async def one(run: Run, bot: str, mode: str, folder: Path) -> dict[str, Any]:
    api_port, hook_port = free_port(), free_port()
    hook = f"http://127.0.0.1:{hook_port}/telegram"
    fake_args = [str(api_port), "--rate", str(run.rate), "--seconds", str(run.seconds)]
    fake_args += ["--gap", str(run.gap)] + (["--webhook", hook] if mode == "webhook" else [])
    fake_args += ["--naive"] if bot == "naive" else []
    fake = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "benchmarks" / "fake_bot_api.py"),
        *fake_args,
        stdout=asyncio.subprocess.PIPE,
    )
    db = folder / f"{bot}-{mode}-{run.name}.sqlite3"
    bot_args = [bot, f"http://127.0.0.1:{api_port}/bot", str(db)]
    bot_args += ["limits" if run.limits else "nolimits"]
    bot_args += [hook, str(hook_port)] if mode == "webhook" else []
    log = (folder / f"{bot}-{mode}-{run.name}.log").open("w")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "benchmarks" / "e2e_bots.py"),
        *bot_args,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    assert fake.stdout is not None
    cpu_start = 0.0
    figures: dict[str, Any] = {}
    try:
        while line := (await fake.stdout.readline()).decode():
            if line.startswith("ready"):
                cpu_start = cpu_seconds(process.pid)
            elif line.startswith("{"):
                figures = json.loads(line)
                figures["cpu_ms"] = (cpu_seconds(process.pid) - cpu_start) * 1000
                figures["cpu_ms"] /= max(figures["offered"], 1)
                figures["peak_mib"] = peak_mib(process.pid)
    finally:
        for child in (process, fake):
            if child.returncode is None:
                child.terminate()
            try:  # python-telegram-bot may not stop while its server is gone: then kill it
                await asyncio.wait_for(child.wait(), 10)
            except TimeoutError:
                child.kill()
                await child.wait()
        log.close()
    if not figures:
        tail = (folder / f"{bot}-{mode}-{run.name}.log").read_text()[-2000:]
        sys.exit(f"{bot} by {mode} ({run.name}) gave no figures; its log ends:\n{tail}")
    return figures


async def main(args: argparse.Namespace) -> None:
    runs = {
        "500": Run("500", args.rate, args.seconds, 1.0, limits=False),
        "ceiling": Run("ceiling", args.flood_rate, args.flood_seconds, 3600.0, limits=False),
        "limited": Run("limited", args.limited_rate, args.seconds * 2, 3.0, limits=True),
    }
    head = ("run", "bot", "mode", "offered/s", "answered", "upd/s", "p50 ms", "p99 ms", "CPU ms")
    print("{:8s} {:6s} {:8s} {:>9s} {:>8s} {:>7s} {:>8s} {:>8s} {:>7s} {:>8s} {:>10s}".format(
        *head, "peak MiB", "fake CPU s"))  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for name in args.runs.split(","):
            run = runs[name]
            for mode in args.modes.split(","):
                for bot in args.bots.split(","):
                    f = await one(run, bot, mode, Path(folder))
                    print(
                        f"{name:8s} {bot:6s} {mode:8s} {f['offered_per_s']:9.0f} "
                        f"{f['answered']:8.1%} {f['per_second']:7.0f} {f['p50_ms']:8.1f} "
                        f"{f['p99_ms']:8.1f} {f['cpu_ms']:7.2f} {f['peak_mib']:8.0f} "
                        f"{f['fake_cpu_s']:10.1f}",
                        flush=True,
                    )


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
    asyncio.run(main(parser.parse_args()))
