"""The daily tip's time: read as people write it, and saved (tips and /settings)."""

from __future__ import annotations

from datetime import time

from bot.core.clock import local
from bot.core.context import Context


def parse_time(ctx: Context, text: str) -> time | None:
    """'18:30', '18h30', '6 giờ sáng', '7h tối', 'trưa' -> a time (the answer interpreter);
    anything else (e.g. '25:99') -> None."""
    return ctx.deps.interpreter.time_of_day(text)


async def set_tip_time(ctx: Context, when: time) -> None:
    """Subscribes at `when`; if that time already passed today, the first tip is tomorrow's."""
    since = local(ctx.now).strftime("%Y-%m-%d %H:%M")
    await ctx.update_user(tip_time=when.strftime("%H:%M"), tip_since=since, reachable=1)
