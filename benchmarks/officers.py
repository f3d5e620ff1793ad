"""The officers' figures at province scale: /stats, /plan, /classstats and /export through the
engine.

Run: .venv/bin/python benchmarks/province.py /tmp/p.sqlite3
     .venv/bin/python benchmarks/officers.py /tmp/p.sqlite3 [--runs 20]
         [--database-url postgresql://...]   (also on PostgreSQL, in the same run)
Prints the median and p95 of each command (in ms), as a province officer and as a commune
officer. The target (issue 10): p95 under 50 ms for /stats and /plan, under 5 s for /export;
/classstats is timed too (the province's from the figures kept per school, with every
school's file; one commune's with every class's).
/stats answers with its figures; its chart (about 0.2 s of matplotlib, in the chart worker
process) follows through the outbox and is timed apart.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import App, create_app
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.core.messages import Capabilities, Incoming, Reply
from bot.runner import settle_heap
from bot.settings import Settings
from bot.stats.overview import COMMUNE, PROVINCE, Period, Scope, build_overview
from bot.storage.copy import copy_database
from bot.storage.db import Database
from bot.storage.migrations import migrate
from bot.storage.postgres import PgDatabase

OFFICERS = {"province": ("so-gddt", None), "commune": ("ubnd-xa", "05977")}


class NullSender:
    capabilities = Capabilities(buttons=True)

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        return None


async def officers(app: App) -> None:
    async with app.deps.db.transaction() as tx:
        for name, (agency, commune) in OFFICERS.items():
            await tx.execute(
                """INSERT INTO users (channel, channel_user_id, chat_id, created_at, consent_at,
                       locale, audience, commune_code, officer_agency, officer_commune,
                       onboarded_at)
                   VALUES ('shell', ?, ?, ?, ?, 'vi', 'worker', '05977', ?, ?, ?)""",
                (name, name, "2026-11-01", "2026-11-01", agency, commune, "2026-11-01"),
            )


async def timed(app: App, clock: FakeClock, who: str, text: str, runs: int) -> list[float]:
    """Each run a second later, so that each /stats draws its chart (through the outbox,
    between the runs, outside the answer's time), as when officers ask one after another."""
    found = []
    for _ in range(runs):
        clock.advance(timedelta(seconds=1))
        started = time.perf_counter()
        await app.engine.handle(Incoming.from_text("shell", who, text))
        found.append(1000 * (time.perf_counter() - started))
        await app.outbox.deliver_due()
    return found


async def chart_delivery(app: App, clock: FakeClock, who: str, runs: int) -> list[float]:
    """The /stats chart, drawn and sent by the outbox after the answer (about 0.2 s)."""
    found = []
    for _ in range(runs):
        clock.advance(timedelta(seconds=1))  # one chart per request and second
        await app.engine.handle(Incoming.from_text("shell", who, "/stats"))
        started = time.perf_counter()
        await app.outbox.deliver_due()
        found.append(1000 * (time.perf_counter() - started))
    return found


async def figures_only(app: App, scope: Scope, runs: int) -> list[float]:
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        async with app.deps.db.transaction() as tx:
            await build_overview(app.deps.content, tx, scope, Period(2026))
        found.append(1000 * (time.perf_counter() - started))
    return found


def line(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(values)
    return f"{name:<34} median {median:8.1f} ms   p95 {p95:8.1f} ms   max {ordered[-1]:8.1f} ms"


async def copied_to_postgresql(path: Path, url: str) -> None:
    """The province, copied into the (empty) PostgreSQL database as `bot copy-to` would."""
    source, target = await Database.open(path), await PgDatabase.connect(url)
    try:
        now = "2026-11-30T02:00:00+00:00"
        await migrate(source, now)
        await migrate(target, now)
        await copy_database(source, target, lambda _: None)
    finally:
        await source.close()
        await target.close()


async def main(source: Path, runs: int, database_url: str | None) -> None:
    await run(source, runs, None)
    if database_url:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.sqlite3"
            shutil.copy(source, path)
            await copied_to_postgresql(path, database_url)
        await run(source, runs, database_url)


async def run(source: Path, runs: int, database_url: str | None) -> None:
    print(f"-- on {'PostgreSQL' if database_url else 'SQLite'}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        shutil.copy(source, path)
        clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ))
        settings = Settings(db_path=str(path), database_url=database_url)
        app = await create_app(
            settings, clock=clock, rng=random.Random(1), senders={"shell": NullSender()}
        )
        settle_heap()  # as `bot run` does after start-up
        try:
            await officers(app)
            print(
                line("figures of /stats, province", await figures_only(app, Scope(PROVINCE), runs))
            )
            print(
                line(
                    "figures of /stats, commune",
                    await figures_only(app, Scope(COMMUNE, "05977"), runs),
                )
            )
            for who in OFFICERS:
                print(line(f"/stats, {who}", await timed(app, clock, who, "/stats", runs)))
                charts = await chart_delivery(app, clock, who, 5)
                print(line(f"its chart via the outbox, {who}", charts))
                print(line(f"/plan, {who}", await timed(app, clock, who, "/plan", runs)))
                classstats = await timed(app, clock, who, "/classstats", runs)
                print(line(f"/classstats, {who}", classstats))
            one = await timed(app, clock, "province", "/classstats dong kinh", runs)
            print(line("/classstats dong kinh, province", one))
            print(line("/export, province", await timed(app, clock, "province", "/export", 3)))
        finally:
            await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db", type=Path, help="a database made by benchmarks/province.py")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--database-url",
        help="also run on this empty PostgreSQL database (the province is copied into it)",
    )
    args = parser.parse_args()
    asyncio.run(main(args.db, args.runs, args.database_url))
