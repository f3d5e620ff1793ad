"""Which tip comes next: the order rule and the local share (issue: content for 2026).

- A person's first three tips are practical habits, never a fine or a legal duty (`kind:
  law`); after that, at most one such tip in any seven days.
- At least a third are local: after two tips that were not, the next one is local whenever a
  fresh local tip suits the person; the first local tips take the person's own commune or
  market. A seasonal tip (harvests, festivals) comes only in its months.
- A tip dated for today goes first if the rules allow it; nothing seen lately comes back while
  a fresh tip remains.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.content.model import Tip

HABITS_FIRST = 3  # the first three tips are habits (the fourth may be a law)
LAW_SPACING_DAYS = 7
LOCAL_EVERY = 3  # at least one local tip in every three
PERSONAL = frozenset({"commune", "market"})


@dataclass(frozen=True)
class Seen:
    tip_id: str
    day: date  # the local day it was seen


def law_allowed(history: Sequence[Seen], by_id: Callable[[str], Tip | None], today: date) -> bool:
    """No law among the first three tips, and none within seven days of the last one."""
    if len(history) < HABITS_FIRST:
        return False
    for seen in history:
        tip = by_id(seen.tip_id)
        if tip is not None and tip.kind == "law":
            return (today - seen.day).days >= LAW_SPACING_DAYS
    return True


def local_due(history: Sequence[Seen], by_id: Callable[[str], Tip | None]) -> bool:
    """True when the last two tips were not local (or the person has none yet)."""
    last = [by_id(s.tip_id) for s in history[: LOCAL_EVERY - 1]]
    return not any(t is not None and t.local for t in last)


def choose(
    suitable: Sequence[Tip],
    history: Sequence[Seen],
    by_id: Callable[[str], Tip | None],
    today: date,
    rng: random.Random,
    allowed: Callable[[Tip], bool] = lambda tip: True,
) -> Tip | None:
    """The next tip among `suitable` (most recent first in `history`), or None if none fits."""
    law_ok = law_allowed(history, by_id, today)
    fits = [
        t for t in suitable if allowed(t) and t.in_season(today) and (law_ok or t.kind != "law")
    ]
    recent = [s.tip_id for s in history]
    dated = [t for t in fits if t.on and t.on.matches(today) and t.id not in recent[:5]]
    if dated:
        return dated[0]
    undated = [t for t in fits if t.on is None]
    fresh = [t for t in undated if t.id not in recent]
    if len(history) < HABITS_FIRST:
        fresh = [t for t in fresh if t.kind == "habit"] or fresh
    if local_due(history, by_id):
        local = [t for t in fresh if t.local]
        if len(history) < HABITS_FIRST:  # a first tip speaks of the person's own place
            local = [t for t in local if t.placeholders & PERSONAL] or local
        fresh = local or fresh
    if fresh:
        return rng.choice(fresh)
    if not undated:
        return None
    # Everything was seen lately: the one seen longest ago.
    order = {tip_id: age for age, tip_id in enumerate(recent)}
    return max(undated, key=lambda t: order.get(t.id, len(order)))
