"""Class campaigns for approved teachers: /newclass opens one (see myclasses.py for the rest).

A class gets a 6-character join code (and, when TELEGRAM_BOT_USERNAME is set, a t.me link).
The teacher first confirms that the school collected the consent of each student's parent
or guardian: without it no class is opened. The helpers here (pseudonyms, percentages,
dates) serve the other class and contest modules too.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.core.auth import Role
from bot.core.clock import local_date, school_year
from bot.core.context import Context
from bot.core.i18n import Translator
from bot.core.messages import Choice
from bot.core.router import N_, Command, MenuItem, Router, State
from bot.features.schools import level_choices
from bot.storage import classes, teachers

MIN_ENROLLED, MAX_ENROLLED = 1, 100
MAX_CLASS_NAME = 20
ACTIVITY_LABELS = {
    "rally": N_("Rally"),
    "contest": N_("Contest"),
    "launch": N_("Launch programme"),
    "lesson": N_("Lesson"),
}
TEACHERS = frozenset({Role.TEACHER})
_DAY = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def pseudonym(_: Translator, number: int) -> str:
    """How a student is shown outside their own chat: 'Học sinh 12'."""
    return _("Student {number}", number=number)


def percent(_: Translator, part: int, whole: int) -> str:
    if whole <= 0:
        return "-"
    return _.number(round(100 * part / whole, 1)) + "%"


def activity_label(_: Translator, activity: str | None) -> str:
    return _(ACTIVITY_LABELS[activity]) if activity in ACTIVITY_LABELS else "-"


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


async def approved_school(ctx: Context) -> int | None:
    """The school of the person's approved registration; says what to do if there is none."""
    registration = await teachers.get(ctx.tx, ctx.user.id)
    if registration is None or registration.status != teachers.APPROVED:
        ctx.say(
            ctx._(
                "Class campaigns are for teachers whose registration an officer approved. "
                "Send /teacher to register."
            )
        )
        return None
    return registration.school_id


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
            Choice(_("Yes, the school collected it"), "ccons:yes", "yes"),
            Choice(_("Not yet"), "ccons:no", "no"),
        ],
    )


async def on_consent(ctx: Context) -> None:
    if ctx.payload != "ccons:yes":
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
    ctx.ask(ctx._("Which level is the class?"), level_choices(ctx, "clvl"))


async def on_level(ctx: Context) -> None:
    _draft(ctx)["level"] = ctx.payload.removeprefix("clvl:")
    ctx.goto("classes.enrolled")
    await ask_enrolled(ctx)


async def ask_enrolled(ctx: Context) -> None:
    ctx.ask(ctx._("How many students are enrolled in the class? (1 to 100)"))


def parse_enrolled(ctx: Context, text: str) -> int | None:
    value = text.strip()
    if not value.isdigit() or not MIN_ENROLLED <= int(value) <= MAX_ENROLLED:
        ctx.say(
            ctx._(
                "“{value}” is not possible: a class has from 1 to 100 students. Please give "
                "the number enrolled.",
                value=value[:20],
            )
        )
        return None
    return int(value)


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
    choices = [Choice(_(label), f"cact:{key}") for key, label in ACTIVITY_LABELS.items()]
    choices.append(Choice(_("No activity: just the class quizzes"), "cact:none"))
    ctx.ask(
        _(
            "Is this class campaign part of a school activity? Rallies, contests, launch "
            "programmes and lessons count towards the plan's 5-10 school activities a year."
        ),
        choices,
    )


async def on_activity(ctx: Context) -> None:
    activity = ctx.payload.removeprefix("cact:")
    _draft(ctx)["activity"] = None if activity == "none" else activity
    ctx.goto("classes.starts")
    await ask_starts(ctx)


async def ask_starts(ctx: Context) -> None:
    ctx.ask(
        ctx._("When does the campaign start? Type a date such as 5/12/2026, or pick Today."),
        [Choice(ctx._("Today"), "cday:today")],
    )


async def on_starts_choice(ctx: Context) -> None:
    await _set_start(ctx, local_date(ctx.now))


async def on_starts_text(ctx: Context) -> None:
    today = local_date(ctx.now)
    day = parse_day(ctx.text, today)
    if day is None or not today - timedelta(days=60) <= day <= today + timedelta(days=365):
        ctx.say(
            ctx._(
                "Please give a date as day/month/year, for example 5/12/2026, within a year "
                "from today."
            )
        )
        await ask_starts(ctx)
        return
    await _set_start(ctx, day)


async def _set_start(ctx: Context, day: date) -> None:
    _draft(ctx)["starts"] = day.isoformat()
    ctx.goto("classes.ends")
    await ask_ends(ctx)


async def ask_ends(ctx: Context) -> None:
    ctx.ask(
        ctx._(
            "When does it end? After that day the join code stops working. Type a date, or "
            "pick No end date."
        ),
        [Choice(ctx._("No end date"), "cday:none")],
    )


def check_end(ctx: Context, text: str, starts: date) -> date | None:
    day = parse_day(text, starts)
    if day is None or not starts <= day <= starts + timedelta(days=366):
        ctx.say(
            ctx._(
                "Please give a date from {start} to a year later, as day/month/year.",
                start=ctx._.date(starts),
            )
        )
        return None
    return day


async def on_ends_text(ctx: Context) -> None:
    starts = date.fromisoformat(str(_draft(ctx)["starts"]))
    day = check_end(ctx, ctx.text, starts)
    if day is None:
        await ask_ends(ctx)
        return
    await create_class(ctx, day)


async def on_ends_choice(ctx: Context) -> None:
    await create_class(ctx, None)


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
        [Choice(_("My classes"), "cmd:myclasses"), Choice(_("Open a contest"), "cmd:newcontest")],
    )


def register(router: Router) -> None:
    router.add_command(
        Command(
            "newclass", newclass, TEACHERS, N_("open a class campaign with a join code"), order=41
        )
    )
    router.add_menu_item(MenuItem("newclass", N_("Open a class campaign"), order=31))
    router.add_state(State("classes.consent", ask_consent, on_choice=on_consent))
    router.add_state(State("classes.name", ask_name, on_text=on_name))
    router.add_state(State("classes.level", ask_level, on_choice=on_level))
    router.add_state(State("classes.enrolled", ask_enrolled, on_text=on_enrolled))
    router.add_state(State("classes.activity", ask_activity, on_choice=on_activity))
    router.add_state(
        State("classes.starts", ask_starts, on_text=on_starts_text, on_choice=on_starts_choice)
    )
    router.add_state(
        State("classes.ends", ask_ends, on_text=on_ends_text, on_choice=on_ends_choice)
    )
