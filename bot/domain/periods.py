"""The year an officer asks figures for: `2026` or `2026-2027` after the command."""

from __future__ import annotations

from bot.core.clock import local_date, school_year
from bot.core.context import Context
from bot.stats.overview import Period, parse_period


def this_period(ctx: Context) -> Period:
    """This calendar year and the school year that started in it (or starts this September)."""
    return Period(int(school_year(local_date(ctx.now))[:4]))


def wanted_period(ctx: Context) -> Period | None:
    """The year after the command, or this year's; says how to write it if it is wrong."""
    text = ctx.incoming.args.strip()
    if not text:
        return this_period(ctx)
    period = parse_period(text)
    if period is None:
        ctx.say(ctx._("Please give a year, for example 2026 or 2026-2027."))
    return period
