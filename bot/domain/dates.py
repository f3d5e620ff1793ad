"""Dates and moments as people type them in Vietnam: day first, the year optional."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from bot.core.clock import LOCAL_TZ

_DAY = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MOMENT = re.compile(r"^(?:(.+?)\s+)?(\d{1,2})\s*[:hH]\s*(\d{2})$")


def parse_day(text: str, today: date) -> date | None:
    """'2026-12-05', '5/12/2026', '5.12.2026' or '5/12' (this year): day first, as in Vietnam."""
    value = text.strip()
    try:
        if found := _ISO_DAY.match(value):
            return date(int(found[1]), int(found[2]), int(found[3]))
        if found := _DAY.match(value):
            return date(int(found[3] or today.year), int(found[2]), int(found[1]))
    except ValueError:
        return None
    return None


def parse_moment(text: str, day: date) -> datetime | None:
    """'5/12/2026 08:00', '2026-12-05 8h30' or '17:00' (on `day`), Vietnam time."""
    found = _MOMENT.match(text.strip())
    if not found:
        return None
    when = parse_day(found[1], day) if found[1] else day
    hour, minute = int(found[2]), int(found[3])
    if when is None or hour > 23 or minute > 59:
        return None
    return datetime.combine(when, time(hour, minute), tzinfo=LOCAL_TZ)
