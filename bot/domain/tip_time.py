"""The daily tip's time: read as people write it, and saved (tips and /settings)."""

from __future__ import annotations

import re
from datetime import time

from bot.core.clock import local
from bot.core.context import Context

_TIME = re.compile(r"^(\d{1,2})(?:\s*[:hH.]\s*(\d{2}))?\s*(?:[hH]|giờ)?$")


def parse_time(text: str) -> time | None:
    """'18:30', '7:05', '18h30', '7h', '7' -> a time; anything else (e.g. '25:99') -> None."""
    found = _TIME.match(text.strip())
    if not found:
        return None
    hour, minute = int(found[1]), int(found[2] or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


async def set_tip_time(ctx: Context, when: time) -> None:
    """Subscribes at `when`; if that time already passed today, the first tip is tomorrow's."""
    since = local(ctx.now).strftime("%Y-%m-%d %H:%M")
    await ctx.update_user(tip_time=when.strftime("%H:%M"), tip_since=since, reachable=1)
