"""Where the engine's time goes per message: a pyinstrument profile, SQL statements and
aiosqlite round trips (hops to the database thread) per message.

Each simulated person onboards (consent, audience, district and commune buttons, the commune
typed), asks for tips (a menu button, /tip, "mẹo"), takes a quiz of 10 questions answered by
button presses, types small talk inside the quiz, and subscribes. Every message goes through
`Engine.answer` as the channels call it: stored in the inbox first (not counted), marked done
and its replies stored for sending in the engine's one transaction.

Run: .venv/bin/python benchmarks/profile_engine.py [--people 100] [--lines 60]
The counting pass and the profiled pass are separate (the profiler slows what it watches);
the ms per message come from the counting pass.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite
from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.engine import NullSender
from bot.app import App, create_app
from bot.core.clock import LOCAL_TZ, FakeClock, iso
from bot.core.messages import Choice, Incoming, Kind
from bot.settings import Settings
from bot.storage import inbox, sqlite_tx
from bot.storage import sqlite as sqlite_backend

# (kind of message, what is sent): "#N" presses the N-th button last offered.
JOURNEY: tuple[tuple[str, str], ...] = (
    ("onboarding", "/start"),
    ("onboarding", "#0"),  # consent
    ("onboarding", "#0"),  # audience
    ("onboarding", "#0"),  # district
    ("onboarding", "dong kinh"),  # the commune, typed
    ("tip", "#0"),  # the menu's tip button
    ("tip", "/tip"),
    ("quiz", "/quiz"),
    *(("quiz answer", f"#{n % 3}") for n in range(5)),
    ("free text", "cảm ơn"),
    *(("quiz answer", f"#{n % 2}") for n in range(5)),
    ("free text", "mẹo"),
    ("subscribe", "/subscribe"),
    ("subscribe", "#0"),
)


class Counter:
    """Counts SQL statements (SQLite's trace callback) and hops to aiosqlite's thread."""

    def __init__(self) -> None:
        self.statements = 0
        self.hops = 0
        self.on = False

    def trace(self, _sql: str) -> None:
        if self.on:
            self.statements += 1

    def install(self) -> None:
        original = aiosqlite.Connection._execute
        counter = self

        async def counted(conn: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
            if counter.on:
                counter.hops += 1
            return await original(conn, fn, *args, **kwargs)

        aiosqlite.Connection._execute = counted  # type: ignore[method-assign]
        queued = sqlite_tx.queue_work

        def counted_queue(conn: aiosqlite.Connection, work: Any) -> Any:
            if counter.on:
                counter.hops += 1
            return queued(conn, work)

        # transactions queue their hops themselves; other reads go through aiosqlite's _execute
        sqlite_tx.queue_work = counted_queue
        sqlite_backend.queue_work = counted_queue  # type: ignore[attr-defined]


async def build(folder: Path) -> App:
    clock = FakeClock(datetime(2026, 11, 30, 6, 0, tzinfo=LOCAL_TZ))
    settings = Settings(db_path=str(folder / "profile.sqlite3"))
    return await create_app(
        settings, clock=clock, rng=random.Random(1), senders={"shell": NullSender()}
    )


Step = Callable[[str, str, str], Awaitable[None]]
Sample = dict[str, list[tuple[int, int, float]]]  # per kind: (statements, hops, seconds)


def person_steps(app: App, counter: Counter, sample: Sample) -> Step:
    """A function that sends one journey step for a person and records its figures."""
    offered: dict[str, list[Choice]] = {}
    update = 0

    async def step(person: str, kind: str, what: str) -> None:
        nonlocal update
        if what.startswith("#"):
            choices = offered.get(person, [])
            index = min(int(what[1:]), len(choices) - 1)
            payload = choices[index].payload
            incoming = Incoming("shell", person, person, Kind.CHOICE, payload=payload)
        else:
            incoming = Incoming.from_text("shell", person, what)
        update += 1
        now = iso(app.deps.clock.now())
        async with app.deps.db.transaction() as tx:
            arrival = inbox.Arrival("shell", str(update), person, "{}")
            (stored,) = await inbox.add_all(tx, [arrival], now)
        inbox_id = stored.value()
        counter.statements = counter.hops = 0
        counter.on = True
        started = time.perf_counter()
        answered = await app.engine.answer(incoming, inbox_id=inbox_id, address=person)
        elapsed = time.perf_counter() - started
        counter.on = False
        sample[kind].append((counter.statements, counter.hops, elapsed))
        for reply in answered.replies:
            if reply.choices:
                offered[person] = list(reply.choices)

    return step


async def journeys(step: Step, people: range) -> None:
    for number in people:
        for kind, what in JOURNEY:
            await step(f"p{number}", kind, what)


def report(sample: Sample) -> None:
    head = ("kind", "messages", "statements", "round trips", "median ms", "p95 ms")
    print("{:12s} {:>9s} {:>11s} {:>12s} {:>10s} {:>8s}".format(*head))
    everything = [figure for rows in sample.values() for figure in rows]
    for kind, rows in [*sample.items(), ("all", everything)]:
        times = sorted(r[2] * 1000 for r in rows)
        print(
            f"{kind:12s} {len(rows):9d} {statistics.mean(r[0] for r in rows):11.1f} "
            f"{statistics.mean(r[1] for r in rows):12.1f} {statistics.median(times):10.2f} "
            f"{times[int(len(times) * 0.95)]:8.2f}"
        )


async def main(people: int, lines: int) -> None:
    counter = Counter()
    counter.install()
    with tempfile.TemporaryDirectory() as folder:
        app = await build(Path(folder))
        try:
            await app.deps.db._conn.set_trace_callback(counter.trace)
            ignored: Sample = defaultdict(list)
            await journeys(person_steps(app, counter, ignored), range(10))  # warm-up
            sample: Sample = defaultdict(list)
            await journeys(person_steps(app, counter, sample), range(10, 10 + people))
            await app.deps.db._conn.set_trace_callback(None)
            print(f"{people} people x {len(JOURNEY)} messages through Engine.answer")
            report(sample)
            profiler = Profiler(interval=0.0002, async_mode="enabled")
            profiler.start()
            await journeys(person_steps(app, counter, ignored), range(10_000, 10_000 + people))
            profiler.stop()
        finally:
            await app.close()
    text = profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)
    print("\n".join(text.splitlines()[:lines]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--lines", type=int, default=60, help="lines of the profile printed")
    args = parser.parse_args()
    asyncio.run(main(args.people, args.lines))
