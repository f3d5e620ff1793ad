"""Reading a time of day as people write it: '6 giờ sáng', '7h tối', '18h30', 'trưa'.

Part of the answer interpreter (`bot.core.interpret`); the parts of the day are data in
`content/answers.yaml` (`periods`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from bot.core.text import fold

_CLOCK = re.compile(r"(?<!\d)(\d{1,2})\s*(?:h|g|gio|:)\s*(\d{1,2})?\s*(?:p|phut)?(?![a-z0-9])")
_HOUR_ONLY = re.compile(r"^(\d{1,2})$")
_HALF = re.compile(r"(?<!\d)(\d{1,2})\s*(?:h|g|gio)?\s*ruoi")
_TOKEN = re.compile(r"[a-z]+|[0-9]+")


@dataclass(frozen=True)
class Period:
    """A part of the day: 'tối' alone means `default`; '7 giờ tối' adds 12 h below `pm_below`."""

    word: str
    default: time
    pm_below: int


def time_of_day(periods: Sequence[Period], text: str) -> time | None:
    """'6 giờ sáng', '6h sáng', '7 giờ tối' (19:00), '18h30', '18:30', 'trưa' (11:30)."""
    folded = " ".join(_TOKEN.findall(fold(text.replace(":", " h "))))
    period = _period(periods, text, folded.split())
    hour, minute = _clock(folded)
    if hour is None:
        return period.default if period is not None else None
    if period is not None and hour < period.pm_below:
        hour = (hour + 12) % 24
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _period(periods: Sequence[Period], text: str, words: list[str]) -> Period | None:
    """The part of the day named. Accent-free 'toi' is also 'tôi' (I): it counts as 'tối'
    only after the time ('7 gio toi') or alone, unless the accents say which it is."""
    first_digit = next((i for i, w in enumerate(words) if w[:1].isdigit()), len(words))
    lowered = unicodedata.normalize("NFC", text.lower())
    accented = fold(lowered) != lowered
    for period in periods:
        for index, word in enumerate(words):
            if word != fold(period.word):
                continue
            if accented:
                if period.word in lowered:
                    return period
            elif index > first_digit or first_digit == len(words):
                return period
    return None


def _clock(folded: str) -> tuple[int | None, int]:
    half = _HALF.search(folded)
    if half:
        return int(half.group(1)), 30
    match = _CLOCK.search(folded)
    if match:
        return int(match.group(1)), int(match.group(2) or 0)
    digits = [w for w in folded.split() if _HOUR_ONLY.match(w)]
    if len(digits) == 1:
        return int(digits[0]), 0
    if len(digits) == 2:
        return int(digits[0]), int(digits[1])
    return None, 0
