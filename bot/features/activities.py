"""/activity: an officer logs an activity against a task of the plan (a training conference,
a radio programme, panels or posters, a clean-up campaign, a publication, press coverage):
its task, date, participants (in all and by audience), a note and an optional photo.

The unit is the officer's commune; a province officer is asked which commune (typed, accents
optional, or picked by former district) or the whole province. The lead body is the
officer's agency as it is today; /plan counts the activities of the year for their task.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from bot.content.model import AUDIENCES, Commune
from bot.core.auth import STAFF
from bot.core.clock import local_date
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import N_, Command, Router, State
from bot.core.text import fold
from bot.steps.commune import ACTIVITY, pick_commune
from bot.steps.dates import TODAY, When, pick_date
from bot.storage import activities
from bot.storage.photo_stores import photo_store
from bot.storage.photos import PhotoRefused

TASK = Payload("acttask", "task")
SKIP = Payload("actskip")
MAX_PARTICIPANTS = 1_000_000
# Words that name an audience in "người dân 30, học sinh 20" (accent-free, lower case).
AUDIENCE_WORDS = {
    "resident": ("nguoi dan", "dan", "resident"),
    "student": ("hoc sinh", "hs", "sinh vien", "student"),
    "teacher": ("giao vien", "gv", "teacher"),
    "worker": ("can bo", "cong chuc", "lao dong", "worker"),
    "media": ("phong vien", "bao", "truyen thanh", "media", "press"),
    "trader": ("tieu thuong", "ban hang", "trader"),
}
_PART = re.compile(r"[,;\n]+")


def _draft(ctx: Context) -> dict[str, Any]:
    found = ctx.convo.data.setdefault("activity", {})
    assert isinstance(found, dict)
    return found


async def activity(ctx: Context) -> None:
    ctx.goto("activities.task", activity={})
    await ask_task(ctx)


async def ask_task(ctx: Context) -> None:
    plan = ctx.deps.content.plan_for(local_date(ctx.now))
    choices = [
        Choice(f"{t.number}. {t.text.get(ctx.locale)[:50]}…", TASK.make(t.id)) for t in plan.tasks
    ]
    ctx.ask(ctx._("Which task of the plan was the activity for?"), choices)


async def on_task(ctx: Context) -> None:
    (task_id,) = TASK.parse(ctx.payload) or ("",)
    plan = ctx.deps.content.plan_for(local_date(ctx.now))
    if task_id not in {t.id for t in plan.tasks}:
        await ask_task(ctx)
        return
    _draft(ctx)["task"] = task_id
    if ctx.user.officer_commune:  # a commune's officer logs for their commune
        _draft(ctx)["commune"] = ctx.user.officer_commune
        await ask_day(ctx)
        return
    await pick_commune(ctx, then="activities.unit", about=ACTIVITY, whole_province=True)


async def on_unit(ctx: Context, commune: Any) -> None:
    """The commune a province officer named, or None for the whole province."""
    assert commune is None or isinstance(commune, Commune)
    _draft(ctx)["commune"] = commune.code if commune else None
    await ask_day(ctx)


async def ask_day(ctx: Context) -> None:
    today = local_date(ctx.now)
    when = When.days(
        N_("When did it take place? Type a date such as 5/11/2026, or pick Today."),
        N_("Please give a date as day/month/year, within the last year and not after today."),
        today - timedelta(days=365),
        today,
        base=today,
        shortcut=TODAY,
        shortcut_label=N_("Today"),
    )
    await pick_date(ctx, when, then="activities.day")


async def on_day(ctx: Context, day: Any) -> None:
    assert isinstance(day, date)
    _draft(ctx)["day"] = day.isoformat()
    ctx.goto("activities.participants")
    await ask_participants(ctx)


async def ask_participants(ctx: Context) -> None:
    ctx.ask(ctx._("How many people took part? (a number; 0 for a publication or a broadcast)"))


async def on_participants(ctx: Context) -> None:
    number = ctx.deps.interpreter.number(ctx.text)
    if number is None or not 0 <= number <= MAX_PARTICIPANTS:
        await ask_participants(ctx)
        return
    _draft(ctx)["participants"] = number
    ctx.goto("activities.audiences")
    await ask_audiences(ctx)


async def ask_audiences(ctx: Context) -> None:
    ctx.ask(
        ctx._("Who were they? For example: người dân 30, học sinh 20, cán bộ 5. Or pick Skip."),
        [Choice(ctx._("Skip"), SKIP.make())],
    )


def parse_audiences(text: str) -> dict[str, int] | None:
    """'người dân 30, học sinh 20' -> {'resident': 30, 'student': 20}; None if a part is not
    understood."""
    found: dict[str, int] = {}
    for part in _PART.split(fold(text)):
        if not part.strip():
            continue
        numbers = re.findall(r"\d+", part)
        words = re.sub(r"\d+", " ", part).split()
        key = " ".join(words)
        audience = next(
            (
                a
                for a in AUDIENCES
                if any(key == w or key.startswith(w + " ") for w in AUDIENCE_WORDS[a])
            ),
            None,
        )
        if audience is None or len(numbers) != 1:
            return None
        found[audience] = found.get(audience, 0) + int(numbers[0])
    return found or None


async def on_audiences(ctx: Context) -> None:
    found = parse_audiences(ctx.text)
    if found is None:
        await ask_audiences(ctx)
        return
    _draft(ctx)["audiences"] = found
    await _to_note(ctx)


async def skip_audiences(ctx: Context) -> None:
    await _to_note(ctx)


async def _to_note(ctx: Context) -> None:
    ctx.goto("activities.note")
    await ask_note(ctx)


async def ask_note(ctx: Context) -> None:
    ctx.ask(
        ctx._("A short note (where, what was done)? Or pick Skip."),
        [Choice(ctx._("Skip"), SKIP.make())],
    )


async def on_note(ctx: Context) -> None:
    _draft(ctx)["note"] = ctx.text.strip()[:500]
    await _to_photo(ctx)


async def _to_photo(ctx: Context) -> None:
    ctx.goto("activities.photo")
    await ask_photo(ctx)


async def ask_photo(ctx: Context) -> None:
    ctx.ask(
        ctx._("A photo of the activity? Send it, or pick Skip."),
        [Choice(ctx._("Skip"), SKIP.make())],
    )


async def on_photo(ctx: Context) -> None:
    photo = ctx.incoming.photo
    if photo is None:
        await ask_photo(ctx)
        return
    try:
        name = await photo_store(ctx.deps.settings, ctx.tx).save(photo.data, photo.cleaned)
    except PhotoRefused:
        ctx.say(ctx._("I could not keep this photo: please send another, or pick Skip."))
        await ask_photo(ctx)
        return
    await save(ctx, name)


async def skip_photo(ctx: Context) -> None:
    await save(ctx, None)


async def save(ctx: Context, photo: str | None) -> None:
    draft = _draft(ctx)
    heirs = ctx.deps.content.successor(ctx.user.officer_agency or "", local_date(ctx.now))
    lead = heirs[0].key if heirs else (ctx.user.officer_agency or "admin")
    await activities.log(
        ctx.tx,
        day=str(draft["day"]),
        task_id=str(draft["task"]),
        lead_agency=lead,
        commune_code=draft.get("commune") or None,
        participants=int(draft.get("participants", 0)),
        audiences=dict(draft.get("audiences") or {}),
        note=str(draft.get("note") or ""),
        photo=photo,
        by=ctx.user.id,
        now=ctx.now_iso,
    )
    ctx.finish()
    commune = ctx.deps.content.commune(draft.get("commune"))
    ctx.say(
        ctx._(
            "Logged: an activity of {unit} for task {task} on {day}, {participants} taking "
            "part. /plan counts it.",
            unit=commune.name if commune else ctx._("the whole province"),
            task=next(
                t.number
                for t in ctx.deps.content.plan_for(local_date(ctx.now)).tasks
                if t.id == draft["task"]
            ),
            day=ctx._.date(date.fromisoformat(str(draft["day"]))),
            participants=ctx._.number(int(draft.get("participants", 0))),
        )
    )


def register(router: Router) -> None:
    router.add_command(
        Command(
            "activity",
            activity,
            STAFF,
            N_("log an activity of the plan (a conference, a programme, a clean-up...)"),
            order=61,
        )
    )
    router.add_state(State("activities.task", ask_task, on_choice=on_task))
    router.add_state(State("activities.unit", ask_task, on_return=on_unit))
    router.add_state(State("activities.day", ask_task, on_return=on_day))
    router.add_state(State("activities.participants", ask_participants, on_text=on_participants))
    router.add_state(
        State("activities.audiences", ask_audiences, on_text=on_audiences, on_choice=skip_audiences)
    )
    router.add_state(State("activities.note", ask_note, on_text=on_note, on_choice=_to_photo))
    router.add_state(State("activities.photo", ask_photo, on_photo=on_photo, on_choice=skip_photo))
