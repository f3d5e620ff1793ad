"""Commune search and location look-up: time per query on the real content (65 communes).

Run: .venv/bin/python benchmarks/communes.py [--rounds 2000] [--runs 3]
Prints the median over the runs of the mean time per query, for each kind of answer people
type, and for a shared location. The bot's budget is 1 ms per query.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bot.content.loader import load_content
from bot.content.units import CommuneIndex

QUERIES = {
    "exact name": ["dong kinh", "Tân Tiến", "Phường Kỳ Lừa"],
    "part of a name": ["an", "dong", "tan"],
    "old commune name": ["mai pha", "kim dong", "hoa binh"],
    "commune, district": ["Tân Tiến, Tràng Định", "hoa binh, huu lung", "tan thanh huyen huu lung"],
    "typo": ["tan tein", "dong kihn", "hoagn van thu"],
    "district": ["huyen trang dinh", "trang dinh", "lang son"],
    "nothing": ["Hà Nội", "xyz", "thanh pho ho chi minh"],
}
POINTS = [(21.80, 106.78), (21.833, 106.7625), (21.0285, 105.8542)]


def per_call(action: Callable[[], object], calls: int, rounds: int) -> float:
    """Mean seconds per call over `rounds` repetitions of `calls` calls."""
    start = time.perf_counter()
    for _ in range(rounds):
        action()
    return (time.perf_counter() - start) / (rounds * calls)


def measure(index: CommuneIndex, rounds: int) -> dict[str, float]:
    figures = {}
    for kind, queries in QUERIES.items():
        figures[kind] = per_call(
            lambda qs=queries: [index.search(q) for q in qs], len(queries), rounds
        )
    figures["location"] = per_call(
        lambda: [index.nearest(lat, lon) for lat, lon in POINTS], len(POINTS), rounds
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    content = load_content(Path(__file__).parent.parent / "content")
    start = time.perf_counter()
    CommuneIndex(content.districts, content.communes)
    built = time.perf_counter() - start
    runs = [measure(content.units, args.rounds) for _ in range(args.runs)]
    keys = sum(1 + len(c.former) for c in content.communes)
    print(f"{len(content.communes)} communes, {keys} names; index built in {built * 1e3:.2f} ms")
    for kind in runs[0]:
        micro = statistics.median(run[kind] for run in runs) * 1e6
        print(f"{kind:<18} {micro:8.1f} µs per query")
    worst = max(statistics.median(run[k] for run in runs) for k in runs[0]) * 1e3
    print(f"slowest kind: {worst:.3f} ms per query (budget 1 ms): {'ok' if worst < 1 else 'OVER'}")


if __name__ == "__main__":
    main()
