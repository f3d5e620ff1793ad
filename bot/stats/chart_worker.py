"""The /stats chart, drawn in a worker process.

matplotlib holds about 50,000 objects once imported and allocates tens of thousands more per
figure. In the bot's process they doubled the heap that Python's full garbage collections
walk, and drawing a chart every few requests set one off: a pause of 40-80 ms that landed in
whatever conversation came next (the one slow /stats in twenty of the province benchmark).
Drawn here, in one long-lived worker started on first use, matplotlib never enters the bot's
process and the 0.2 s of drawing leaves the event loop free.

What the chart needs (`ChartSpec`: labels already translated, shares, months) is plain data,
so it crosses to the worker by pickling; the PNG comes back as bytes.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from bot.storage import summaries
from bot.storage.db import Transaction

MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8)  # a school year
MAX_UNITS = 12


@dataclass(frozen=True)
class ChartSpec:
    title: str
    units: list[tuple[str, float]]  # name, share reached in percent; the furthest behind first
    months: list[int]  # students first reached each month of MONTHS
    month_labels: list[str]
    share_label: str
    trend_title: str
    target: int | None


_pool: ProcessPoolExecutor | None = None


def _executor() -> ProcessPoolExecutor:
    """One worker, started on first use ('spawn': a fresh interpreter, not a fork of the bot's
    threads and connections); it ends when the bot's process ends."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


def _draw(spec: ChartSpec) -> bytes:
    """Runs in the worker: matplotlib is imported there, on the first chart."""
    from bot.stats.chart import chart_png

    return chart_png(spec)


async def draw(spec: ChartSpec) -> bytes:
    """The chart as PNG bytes. A worker that died (killed, out of memory) is replaced once."""
    global _pool
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_executor(), _draw, spec)
    except BrokenProcessPool:
        _pool = None
        return await loop.run_in_executor(_executor(), _draw, spec)


async def monthly_reached(tx: Transaction, school_year: str, school_ids: list[int]) -> list[int]:
    """Students first reached in a class each month of the school year, September first."""
    found = await summaries.months_of_year(tx, school_year, school_ids)
    return [found.get(month, 0) for month in MONTHS]
