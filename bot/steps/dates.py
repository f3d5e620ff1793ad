"""The reusable step "pick a date" (or a date and time): a shortcut button (today, now, no
end date), a typed date, and the range check, written once for classes and contests.

`pick_date(ctx, When(...), then=STATE)` asks; `then`'s on_return gets a `date`, a
`datetime` (Vietnam time) when `with_time`, or None for the "no end date" shortcut.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from bot.core.clock import local_date
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import Router, State
from bot.domain.dates import parse_day, parse_moment

STEP = "steps.date"
TODAY, NOW, NONE = "today", "now", "none"
SHORTCUT = Payload("when", "which")


@dataclass(frozen=True)
class When:
    """What the date step asks and which answers it takes.

    `question`, `problem` and `shortcut_label` are message ids (marked with N_); `problem` may
    name `{start}`, the earliest answer accepted. Bounds are ISO dates, or ISO datetimes when
    `with_time`. `base` is the day that completes a partial answer: the year of '5/12', the
    day of '17:00'.
    """

    question: str
    problem: str
    earliest: str
    latest: str
    base: str
    after: bool = False  # the earliest itself is refused (an end strictly after its start)
    with_time: bool = False
    shortcut: str = ""  # TODAY, NOW or NONE: offered as a button
    shortcut_label: str = ""

    @classmethod
    def days(cls, question: str, problem: str, earliest: date, latest: date, **more: Any) -> When:
        base = more.pop("base", earliest)
        return cls(
            question, problem, earliest.isoformat(), latest.isoformat(), base.isoformat(), **more
        )

    @classmethod
    def moments(
        cls, question: str, problem: str, earliest: datetime, latest: datetime, **more: Any
    ) -> When:
        base = more.pop("base", local_date(earliest))
        return cls(
            question,
            problem,
            earliest.isoformat(),
            latest.isoformat(),
            base.isoformat(),
            with_time=True,
            **more,
        )


async def pick_date(ctx: Context, when: When, *, then: str) -> None:
    await ctx.call(STEP, then=then, when=asdict(when))


def _when(ctx: Context) -> When:
    return When(**ctx.convo.data["when"])


async def ask_date(ctx: Context) -> None:
    when = _when(ctx)
    choices = []
    if when.shortcut:
        choices.append(Choice(ctx._(when.shortcut_label), SHORTCUT.make(when.shortcut)))
    ctx.ask(ctx._(when.question), choices)


async def on_shortcut(ctx: Context) -> None:
    which = SHORTCUT.parse(ctx.payload)
    result: date | datetime | None = None
    if which == (TODAY,):
        result = local_date(ctx.now)
    elif which == (NOW,):
        result = ctx.now
    await ctx.give_back(result)


def _parse(when: When, text: str) -> date | datetime | None:
    base = date.fromisoformat(when.base)
    if not when.with_time:
        return parse_day(text, base)
    return parse_moment(text, base)


def _in_range(when: When, value: date | datetime) -> bool:
    if isinstance(value, datetime):
        low: date | datetime = datetime.fromisoformat(when.earliest)
        high: date | datetime = datetime.fromisoformat(when.latest)
    else:
        low, high = date.fromisoformat(when.earliest), date.fromisoformat(when.latest)
    if isinstance(value, datetime) != isinstance(low, datetime):
        return False
    return (low < value if when.after else low <= value) and value <= high


async def on_date_text(ctx: Context) -> None:
    when = _when(ctx)
    value = _parse(when, ctx.text)
    if value is None or not _in_range(when, value):
        _ = ctx._
        earliest = (
            _.datetime(datetime.fromisoformat(when.earliest))
            if when.with_time
            else _.date(date.fromisoformat(when.earliest))
        )
        ctx.say(_(when.problem, start=earliest))
        await ask_date(ctx)
        return
    await ctx.give_back(value)


def register(router: Router) -> None:
    router.add_state(State(STEP, ask_date, on_text=on_date_text, on_choice=on_shortcut))
