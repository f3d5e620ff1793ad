"""Two checkouts of this bot, run by turns against the same flood: the measure of a change.

Two runs of one commit on this noisy machine differ by more than most changes, so a change is
measured by alternating: A, B, A, B... each run the three processes of `end_to_end.py` (the
fake Bot API and load generator of this checkout, and `benchmarks/e2e_bots.py bot` of the
checkout under test, by long polling, limiter lifted). Printed per run: updates answered a
second, the share answered, p50 and p99 latency, and the bot process's CPU per update offered
(its own and its threads', from `wait4`).

    git worktree add /tmp/before <commit>
    python benchmarks/compare_commits.py /tmp/before . --rounds 4               # the ceiling
    python benchmarks/compare_commits.py /tmp/before . --rate 500 --seconds 10 --gap 1
    python benchmarks/compare_commits.py /tmp/before . --webhook --naive   # by webhook, and
        # the naive bot of end_to_end.py as a third turn (N): B's ratio to it, run by run
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def one_run(
    checkout: Path, kind: str, args: argparse.Namespace, database: Path
) -> dict[str, float]:
    port = free_port()
    fake_args = ["--rate", str(args.rate), "--seconds", str(args.seconds), "--gap", str(args.gap)]
    fake_args += ["--naive"] if kind == "naive" else []
    bot_args = []
    if args.webhook:
        hook_port = free_port()
        hook = f"http://127.0.0.1:{hook_port}/telegram"
        fake_args += ["--webhook", hook]
        bot_args = [hook, str(hook_port)]
    fake = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "fake_bot_api.py"), str(port), *fake_args],
        stdout=subprocess.PIPE,
        text=True,
    )
    bot = subprocess.Popen(
        [
            sys.executable,
            str(checkout / "benchmarks" / "e2e_bots.py"),
            kind,
            f"http://127.0.0.1:{port}/bot",
            str(database),
            "nolimits",
            *bot_args,
        ],
        cwd=checkout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    out, _ = fake.communicate()  # the fake ends by itself once its figures are printed
    bot.terminate()
    # python-telegram-bot's polling may not stop once the fake is gone: killed after 10 s
    killer = threading.Timer(10, bot.kill)
    killer.start()
    _, _, usage = os.wait4(bot.pid, 0)
    killer.cancel()
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    figures["cpu_ms"] = (usage.ru_utime + usage.ru_stime) * 1000 / figures["offered"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a", type=Path, help="the checkout before")
    parser.add_argument("b", type=Path, help="the checkout after")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=2000)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--gap", type=float, default=3600.0, help="3600: each update a new person")
    parser.add_argument("--webhook", action="store_true", help="updates posted to a webhook")
    parser.add_argument("--naive", action="store_true", help="and the naive bot (N), by turns")
    args = parser.parse_args()
    turns = [("A", args.a, "bot"), ("B", args.b, "bot")]
    turns += [("N", args.b, "naive")] if args.naive else []
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _, _ in turns}
    print("run  updates/s  answered     p50 ms     p99 ms  CPU ms/update", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.rounds):
            for label, checkout, kind in turns:
                database = Path(folder) / f"{label}-{round_}.sqlite3"  # a new database each run
                f = one_run(checkout.resolve(), kind, args, database)
                runs[label].append(f)
                print(
                    f"{label:3s} {f['per_second']:10.0f} {f['answered']:9.1%} "
                    f"{f['p50_ms']:10.1f} {f['p99_ms']:10.1f} {f['cpu_ms']:14.2f}",
                    flush=True,
                )
    for label, figures in runs.items():
        rate = statistics.median(f["per_second"] for f in figures)
        cpu = statistics.median(f["cpu_ms"] for f in figures)
        print(f"median {label}: {rate:.0f} updates/s, {cpu:.2f} ms of CPU per update")
    if args.naive:
        ratios = [
            b["per_second"] / n["per_second"] for b, n in zip(runs["B"], runs["N"], strict=True)
        ]
        print(f"B against N, run by run: {', '.join(f'{r:.2f}x' for r in ratios)}")


if __name__ == "__main__":
    main()
