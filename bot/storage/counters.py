"""Aggregate participation figures that outlive the people behind them.

When someone erases their data, their rows go, but what officers already counted (how many
joined, how many tips were delivered) stays here, keyed by period, commune and audience only.
"""

from __future__ import annotations

from bot.storage.db import Transaction

# Metrics: "reached" (finished a quiz, once per school year), "trained" (press or radio staff who
# finished the officials' quiz, once per school year: the plan's 100% training target).
REACHED, TRAINED = "reached", "trained"


async def increment(
    tx: Transaction,
    metric: str,
    period: str,
    commune_code: str | None = None,
    audience: str | None = None,
    by: int = 1,
) -> None:
    await tx.later(
        """INSERT INTO counters (metric, period, commune_code, audience, value)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (metric, period, commune_code, audience)
           DO UPDATE SET value = counters.value + excluded.value""",
        (metric, period, commune_code or "", audience or "", by),
    )


async def total(tx: Transaction, metric: str, period: str | None = None) -> int:
    sql = "SELECT COALESCE(SUM(value), 0) FROM counters WHERE metric = ?"
    params: tuple[str, ...] = (metric,)
    if period is not None:
        sql += " AND period = ?"
        params = (metric, period)
    return int(await tx.fetch_value(sql, params))
