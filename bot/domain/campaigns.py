"""What the class modules share: pseudonyms, percentages, activities, the teacher check and
the number of students enrolled."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.auth import Role
from bot.core.clock import local_date, parse_iso
from bot.core.context import Context
from bot.core.i18n import Translator
from bot.core.router import N_
from bot.domain.approvers import approvers, who_decides
from bot.steps.dates import NONE, When
from bot.storage import teachers

MIN_ENROLLED, MAX_ENROLLED = 1, 100
TEACHERS = frozenset({Role.TEACHER})
ACTIVITY_LABELS = {
    "rally": N_("Rally"),
    "contest": N_("Contest"),
    "launch": N_("Launch programme"),
    "lesson": N_("Lesson"),
}


def pseudonym(_: Translator, number: int) -> str:
    """How a student is shown outside their own chat: 'Học sinh 12'."""
    return _("Student {number}", number=number)


def percent(_: Translator, part: int, whole: int) -> str:
    if whole <= 0:
        return "-"
    return _.number(round(100 * part / whole, 1)) + "%"


def activity_label(_: Translator, activity: str | None) -> str:
    return _(ACTIVITY_LABELS[activity]) if activity in ACTIVITY_LABELS else "-"


async def approved_school(ctx: Context) -> int | None:
    """The school of the person's approved registration; says what to do if there is none."""
    registration = await teachers.get(ctx.tx, ctx.user.id)
    if registration is not None and registration.status == teachers.PENDING:
        count = len(await approvers(ctx.tx, registration.commune_code))
        ctx.say(
            ctx._(
                "Your registration no. {number} as a teacher of {school} is waiting for an "
                "officer's approval since {date}; you can open class campaigns once it is "
                "approved.",
                number=registration.user_id,
                school=registration.school_name,
                date=ctx._.date(local_date(parse_iso(registration.created_at))),
            )
            + " "
            + who_decides(ctx._, ctx.deps.content, registration.commune_code, count)
        )
        return None
    if registration is None or registration.status != teachers.APPROVED:
        ctx.say(
            ctx._(
                "Class campaigns are for teachers whose registration an officer approved. "
                "Send /teacher to register."
            )
        )
        return None
    return registration.school_id


async def ask_enrolled(ctx: Context) -> None:
    ctx.ask(ctx._("How many students are enrolled in the class? (1 to 100)"))


def parse_enrolled(ctx: Context, text: str) -> int | None:
    """The class size as teachers type it: '38', '38 em', 'lớp có 38 học sinh'."""
    value = text.strip()
    number = ctx.deps.interpreter.number(value)
    if number is None or not MIN_ENROLLED <= number <= MAX_ENROLLED:
        ctx.say(
            ctx._(
                "“{value}” is not possible: a class has from 1 to 100 students. Please give "
                "the number enrolled.",
                value=value[:20],
            )
        )
        return None
    return number


def end_question(starts: date) -> When:
    """The end date of a class campaign: from its start to a year later, or none."""
    return When.days(
        N_(
            "When does it end? After that day the join code stops working. Type a date, or "
            "pick No end date."
        ),
        N_("Please give a date from {start} to a year later, as day/month/year."),
        starts,
        starts + timedelta(days=366),
        shortcut=NONE,
        shortcut_label=N_("No end date"),
    )
