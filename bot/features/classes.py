"""Class campaigns for approved teachers: /newclass opens one (see myclasses.py for the rest).

A class gets a 6-character join code (and, when TELEGRAM_BOT_USERNAME is set, a t.me link).
The teacher first confirms that the school collected the consent of each student's parent
or guardian: without it no class is opened. What the class modules share lives in
bot.domain.campaigns; the dates come from the reusable date step (bot.steps.dates).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.core.auth import Role
from bot.core.choices import COMMAND
from bot.core.clock import local_date, school_year
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import N_, Command, MenuItem, Router, State
from bot.domain.campaigns import (
    ACTIVITY_LABELS,
    TEACHERS,
    approved_school,
    ask_enrolled,
    end_question,
    parse_enrolled,
)
from bot.domain.profile import level_choices
from bot.steps.dates import TODAY, When, pick_date
from bot.storage import classes

MAX_CLASS_NAME = 20
CONSENT = Payload("ccons", "answer")
CLASS_LEVEL = Payload("clvl", "level")
ACTIVITY = Payload("cact", "activity")


def class_school_year(starts: date) -> str:
    """The school year a class campaign belongs to, from its start date.

    Classes are opened in the summer for the coming school year: one that starts in August
    belongs to the school year starting that September (25/08/2026 -> '2026-2027'). Any other
    start date belongs to the school year it falls in (September to August).
    """
    if starts.month == 8:
        return f"{starts.year}-{starts.year + 1}"
    return school_year(starts)


def join_link(ctx: Context, code: str) -> str | None:
    username = ctx.deps.settings.telegram_bot_username
    return f"https://t.me/{username}?start={code}" if username else None


def _draft(ctx: Context) -> dict[str, object]:
    draft = ctx.convo.data.get("cls")
    return draft if isinstance(draft, dict) else {}


# --- /newclass ------------------------------------------------------------------------------


async def newclass(ctx: Context) -> None:
    school_id = await approved_school(ctx)
    if school_id is None:
        return
    ctx.goto("classes.consent", cls={"school": school_id})
    await ask_consent(ctx)


async def ask_consent(ctx: Context) -> None:
    _ = ctx._
    ctx.ask(
        _(
            "Students are mostly children: before they join, the school must have the consent "
            "of each student's parent or guardian. Has your school collected it for this class?"
        ),
        [
            Choice(_("Yes, the school collected it"), CONSENT.make("yes"), "yes"),
            Choice(_("Not yet"), CONSENT.make("no"), "no"),
        ],
    )


async def on_consent(ctx: Context) -> None:
    if CONSENT.parse(ctx.payload) != ("yes",):
        ctx.finish()
        ctx.say(
            ctx._(
                "Then please collect it first (a note to the parents is enough), and send "
                "/newclass again. Nothing was created."
            )
        )
        return
    ctx.goto("classes.name")
    await ask_name(ctx)


async def ask_name(ctx: Context) -> None:
    ctx.ask(ctx._("The class's name? For example: 7A."))


async def on_name(ctx: Context) -> None:
    name = ctx.text
    if len(name) > MAX_CLASS_NAME or not any(c.isalnum() for c in name):
        ctx.say(ctx._("Please give a short name, up to {limit} characters.", limit=MAX_CLASS_NAME))
        await ask_name(ctx)
        return
    _draft(ctx)["name"] = name
    ctx.goto("classes.level")
    await ask_level(ctx)


async def ask_level(ctx: Context) -> None:
    ctx.ask(ctx._("Which level is the class?"), level_choices(ctx, CLASS_LEVEL))


async def on_level(ctx: Context) -> None:
    (level,) = CLASS_LEVEL.parse(ctx.payload) or ("",)
    _draft(ctx)["level"] = level
    ctx.goto("classes.enrolled")
    await ask_enrolled(ctx)


async def on_enrolled(ctx: Context) -> None:
    enrolled = parse_enrolled(ctx, ctx.text)
    if enrolled is None:
        await ask_enrolled(ctx)
        return
    _draft(ctx)["enrolled"] = enrolled
    ctx.goto("classes.activity")
    await ask_activity(ctx)


async def ask_activity(ctx: Context) -> None:
    _ = ctx._
    choices = [Choice(_(label), ACTIVITY.make(key)) for key, label in ACTIVITY_LABELS.items()]
    choices.append(Choice(_("No activity: just the class quizzes"), ACTIVITY.make("none")))
    ctx.ask(
        _(
            "Is this class campaign part of a school activity? Rallies, contests, launch "
            "programmes and lessons count towards the plan's 5-10 school activities a year."
        ),
        choices,
    )


async def on_activity(ctx: Context) -> None:
    (activity,) = ACTIVITY.parse(ctx.payload) or ("none",)
    _draft(ctx)["activity"] = None if activity == "none" else activity
    await ask_starts(ctx)


async def ask_starts(ctx: Context) -> None:
    today = local_date(ctx.now)
    when = When.days(
        N_("When does the campaign start? Type a date such as 5/12/2026, or pick Today."),
        N_(
            "Please give a date as day/month/year, for example 5/12/2026, within a year from today."
        ),
        today - timedelta(days=60),
        today + timedelta(days=365),
        base=today,
        shortcut=TODAY,
        shortcut_label=N_("Today"),
    )
    await pick_date(ctx, when, then="classes.starts")


async def on_starts(ctx: Context, starts: Any) -> None:
    assert isinstance(starts, date)
    _draft(ctx)["starts"] = starts.isoformat()
    await pick_date(ctx, end_question(starts), then="classes.ends")


async def on_ends(ctx: Context, ends: Any) -> None:
    assert ends is None or isinstance(ends, date)
    await create_class(ctx, ends)


async def create_class(ctx: Context, ends: date | None) -> None:
    _ = ctx._
    draft = _draft(ctx)
    starts = date.fromisoformat(str(draft["starts"]))
    activity = draft.get("activity")
    made = await classes.create(
        ctx.tx,
        school_id=int(str(draft["school"])),
        teacher_id=ctx.user.id,
        name=str(draft["name"]),
        level=str(draft["level"]),
        enrolled=int(str(draft["enrolled"])),
        activity_type=str(activity) if activity else None,
        starts_on=starts.isoformat(),
        ends_on=ends.isoformat() if ends else None,
        school_year=class_school_year(starts),
        now=ctx.now_iso,
    )
    ctx.finish()
    text = _(
        "Class {name} is open. Its join code is {code}: students send /join {code} to this "
        "bot. They confirm that a parent or guardian agreed, and get a pseudonym such as "
        "“Student 1”: their names are never asked.",
        name=made.name,
        code=made.join_code,
    )
    link = join_link(ctx, made.join_code)
    if link:
        text += "\n" + _("On Telegram they can also open: {link}", link=link)
    ctx.ask(
        text,
        [
            Choice(_("My classes"), COMMAND.make("myclasses")),
            Choice(_("Open a contest"), COMMAND.make("newcontest")),
        ],
    )


def register(router: Router) -> None:
    router.add_command(
        Command(
            "newclass",
            newclass,
            TEACHERS,
            N_("open a class campaign with a join code"),
            order=41,
            explained_to=frozenset({Role.RESIDENT}),  # a teacher still waiting: told why
        )
    )
    router.add_menu_item(MenuItem("newclass", N_("Open a class campaign"), order=31))
    router.add_state(State("classes.consent", ask_consent, on_choice=on_consent))
    router.add_state(State("classes.name", ask_name, on_text=on_name))
    router.add_state(State("classes.level", ask_level, on_choice=on_level))
    router.add_state(State("classes.enrolled", ask_enrolled, on_text=on_enrolled))
    router.add_state(State("classes.activity", ask_activity, on_choice=on_activity))
    router.add_state(State("classes.starts", ask_starts, on_return=on_starts))
    router.add_state(State("classes.ends", ask_starts, on_return=on_ends))
