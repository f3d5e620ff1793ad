"""The answer interpreter on the corpus (tests/data/answers.yaml): rate, misses, time per answer.

Run: .venv/bin/python benchmarks/interpreter.py [--runs 5]
Prints the share of answers interpreted as expected, the misses by category, and the time per
answer (median and 95th percentile over every answer of the corpus, each timed `--runs` times,
the median of its runs kept). The bot's budget is 1 ms per answer.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.answer_corpus import interpret, interpreter, load_cases, report, run

BUDGET_MS = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    started = time.perf_counter()
    interp = interpreter()
    loaded = time.perf_counter() - started
    cases = load_cases()
    outcomes = run(interp, cases)
    print(report(outcomes))
    false_yes = [o.case.text for o in outcomes if o.false_yes]
    false_no = [o.case.text for o in outcomes if o.false_no]
    print(f"'no' taken for 'yes': {len(false_yes)} {false_yes or ''}")
    print(f"'yes' taken for 'no': {len(false_no)} {false_no or ''}")

    per_answer: list[tuple[float, str]] = []
    for case in cases:
        timings = []
        for _ in range(runs):
            begin = time.perf_counter()
            interpret(interp, case)
            timings.append(time.perf_counter() - begin)
        per_answer.append((statistics.median(timings) * 1000, case.text))
    per_answer.sort()
    times = [ms for ms, _ in per_answer]
    p95 = times[min(len(times) - 1, round(0.95 * len(times)))]
    median = statistics.median(times)
    print(
        f"time per answer over {len(cases)} answers x {runs} runs: median {median:.3f} ms, "
        f"p95 {p95:.3f} ms, max {times[-1]:.3f} ms (budget {BUDGET_MS} ms)"
    )
    print("slowest: " + ", ".join(f"{text!r} {ms:.3f} ms" for ms, text in per_answer[-3:]))
    print(f"loading content/answers.yaml and building the interpreter: {loaded * 1000:.1f} ms")
    print("within budget" if p95 < BUDGET_MS else "OVER BUDGET")


if __name__ == "__main__":
    main()
