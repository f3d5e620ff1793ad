"""/newcontest opens a contest across classes or schools (results: see contest_results.py).

A teacher opens a contest for their own open classes; an officer of the education
department (or an admin) for schools of their area (every open class of the contest's level
in the schools picked takes part). The questions are drawn once from the level's bank and
stored with the contest: during it, `/quiz` gives everyone the same questions in another
order (see bot.features.quiz). A class is in one contest at a time.

After the end, each participant gets their own result in their chat, and /contests shows
the leaderboard by class and by school with the students who opted in, under their class
pseudonym only; officers and teachers see which classes took part (contest_results.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.content.model import LEVELS
from bot.core.auth import Role
from bot.core.choices import COMMAND
from bot.core.clock import iso, local_date, parse_iso, school_year
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import N_, Command, Router, State
from bot.core.text import fold
from bot.domain.areas import EDUCATION_AGENCY, Area
from bot.domain.profile import level_label
from bot.steps.dates import NOW, When, pick_date
from bot.storage import classes, contests, schools

QUESTIONS = 10
MAX_CHOICES = 12
MAX_DAYS = 30
ORGANISERS = frozenset({Role.TEACHER, Role.OFFICER})
CONTEST_LEVEL = Payload("ctlv", "level")
PICK = Payload("ctpk", "item")  # a class's or school's id, "all" or "done"
CONFIRM = Payload("ctok", "answer")


def contest_area(ctx: Context) -> Area | None:
    """Where this person may open contests across schools: admins everywhere, education
    department officers in their area."""
    if ctx.role is Role.ADMIN:
        return Area(None)
    if ctx.role is Role.OFFICER and ctx.user.officer_agency == EDUCATION_AGENCY:
        return Area(ctx.user.officer_commune)
    return None


def _draft(ctx: Context) -> dict[str, object]:
    draft = ctx.convo.data.get("ct")
    return draft if isinstance(draft, dict) else {}


def _picked(ctx: Context) -> list[int]:
    picked = _draft(ctx).get("picked")
    return [int(p) for p in picked] if isinstance(picked, list) else []


# --- /newcontest ----------------------------------------------------------------------------


async def newcontest(ctx: Context) -> None:
    _ = ctx._
    if ctx.role is Role.TEACHER:
        mine = [
            c for c in await classes.of_teacher(ctx.tx, ctx.user.id) if c.status == classes.OPEN
        ]
        if not mine:
            ctx.say(_("You have no open class: open one with /newclass first."))
            return
        draft: dict[str, object] = {"mode": "teacher"}
    else:
        area = contest_area(ctx)
        if area is None:
            ctx.say(
                _(
                    "Contests are opened by teachers for their classes, and by officers of the "
                    "Department of Education and Training for schools of their area."
                )
            )
            return
        draft = {"mode": "area", "area": area.commune}
    ctx.goto("contests.name", ct=draft)
    await ask_name(ctx)


async def ask_name(ctx: Context) -> None:
    ctx.ask(ctx._("The contest's name? For example: Plastic-free school 2026."))


async def on_name(ctx: Context) -> None:
    if not 3 <= len(ctx.text) <= 80 or not any(c.isalpha() for c in ctx.text):
        ctx.say(ctx._("Please give a name of 3 to 80 characters."))
        await ask_name(ctx)
        return
    _draft(ctx)["name"] = ctx.text
    ctx.goto("contests.level")
    await ask_level(ctx)


async def _levels(ctx: Context) -> list[str]:
    """The levels the organiser can pick: a teacher's open classes' levels, or all."""
    if _draft(ctx).get("mode") != "teacher":
        return list(LEVELS)
    mine = await classes.of_teacher(ctx.tx, ctx.user.id)
    found = {c.level for c in mine if c.status == classes.OPEN}
    return [level for level in LEVELS if level in found]


async def ask_level(ctx: Context) -> None:
    _ = ctx._
    choices = [Choice(level_label(_, lv), CONTEST_LEVEL.make(lv)) for lv in await _levels(ctx)]
    ctx.ask(_("For which level? The questions come from that level's quiz bank."), choices)


async def on_level(ctx: Context) -> None:
    draft = _draft(ctx)
    (draft["level"],) = CONTEST_LEVEL.parse(ctx.payload) or ("",)
    draft["picked"] = []
    draft["filter"] = ""
    ctx.goto("contests.pick")
    await ask_pick(ctx)


async def _candidates(ctx: Context) -> list[tuple[int, str]]:
    """(id, label) of what the organiser picks from: their classes, or schools with classes."""
    draft = _draft(ctx)
    level = str(draft.get("level"))
    if draft.get("mode") == "teacher":
        mine = await classes.of_teacher(ctx.tx, ctx.user.id)
        return [(c.id, c.name) for c in mine if c.status == classes.OPEN and c.level == level]
    area = draft.get("area")
    found = await schools.in_area(ctx.tx, str(area) if area else None)
    with_classes = {
        c.school_id for c in await classes.open_in_schools(ctx.tx, [s.id for s in found], level)
    }
    wanted = fold(str(draft.get("filter") or ""))
    return [
        (s.id, s.name)
        for s in found
        if s.id in with_classes and (not wanted or wanted in fold(s.name))
    ]


async def ask_pick(ctx: Context) -> None:
    _ = ctx._
    teacher = _draft(ctx).get("mode") == "teacher"
    found = await _candidates(ctx)
    picked = set(_picked(ctx))
    if not found and not picked:
        ctx.finish()
        ctx.say(
            _("No open class of this level takes part yet: a teacher opens one with /newclass.")
            if not teacher
            else _("You have no open class of this level.")
        )
        return
    choices = [
        Choice(("✓ " if item in picked else "") + label, PICK.make(item))
        for item, label in found[:MAX_CHOICES]
    ]
    choices.append(Choice(_("All of these"), PICK.make("all")))
    choices.append(Choice(_("Done"), PICK.make("done")))
    if teacher:
        text = _("Which of your classes take part? Pick each one (again to remove it), then Done.")
    else:
        text = _(
            "Which schools take part? Every open class of this level in them joins the "
            "contest. Pick each one (again to remove it), then Done. You can also type part "
            "of a school's name."
        )
    ctx.ask(text + "\n" + _("Picked: {count}", count=len(picked)), choices)


async def on_pick_text(ctx: Context) -> None:
    _draft(ctx)["filter"] = ctx.text[:60]
    await ask_pick(ctx)


async def on_pick(ctx: Context) -> None:
    (what,) = PICK.parse(ctx.payload) or ("",)
    picked = _picked(ctx)
    if what == "all":
        picked = sorted({*picked, *(item for item, _label in await _candidates(ctx))})
    elif what == "done":
        if not picked:
            ctx.say(ctx._("Please pick at least one."))
            await ask_pick(ctx)
            return
        await ask_starts(ctx)
        return
    elif what.isdecimal():
        item = int(what)
        picked = [p for p in picked if p != item] if item in picked else [*picked, item]
    _draft(ctx)["picked"] = picked
    await ask_pick(ctx)


async def ask_starts(ctx: Context) -> None:
    when = When.moments(
        N_("When does it start? Type a date and time, for example 5/12/2026 08:00, or pick Now."),
        N_("Please give a date and time from now to a year ahead, for example 5/12/2026 08:00."),
        ctx.now - timedelta(minutes=5),
        ctx.now + timedelta(days=365),
        base=local_date(ctx.now),
        shortcut=NOW,
        shortcut_label=N_("Now"),
    )
    await pick_date(ctx, when, then="contests.starts")


async def on_starts(ctx: Context, moment: Any) -> None:
    assert isinstance(moment, datetime)
    starts = max(moment, ctx.now)
    _draft(ctx)["starts"] = iso(starts)
    when = When.moments(
        N_(
            "When does it end? A date and time, for example 5/12/2026 17:00 (or only the "
            "time, on the starting day). Up to 30 days."
        ),
        N_("Please give a time after the start ({start}) and at most 30 days later."),
        starts,
        starts + timedelta(days=MAX_DAYS),
        after=True,
    )
    await pick_date(ctx, when, then="contests.ends")


async def on_ends(ctx: Context, moment: Any) -> None:
    assert isinstance(moment, datetime)
    _draft(ctx)["ends"] = iso(moment)
    ctx.goto("contests.confirm")
    await ask_confirm(ctx)


async def _class_ids(ctx: Context) -> list[int]:
    draft = _draft(ctx)
    picked = _picked(ctx)
    if draft.get("mode") == "teacher":
        mine = {c.id: c for c in await classes.of_teacher(ctx.tx, ctx.user.id)}
        return [p for p in picked if p in mine and mine[p].status == classes.OPEN]
    found = await classes.open_in_schools(ctx.tx, picked, str(draft.get("level")))
    return [c.id for c in found]


async def ask_confirm(ctx: Context) -> None:
    _ = ctx._
    draft = _draft(ctx)
    count = len(await _class_ids(ctx))
    ctx.ask(
        _.plural(
            "Open the contest “{name}” ({level}) for {count} class, from {start} to {end}? "
            "Students of this class play it with /quiz during that time, once each.",
            "Open the contest “{name}” ({level}) for {count} classes, from {start} to {end}? "
            "Students of these classes play it with /quiz during that time, once each.",
            count,
            name=str(draft.get("name")),
            level=level_label(_, str(draft.get("level"))),
            start=_.datetime(parse_iso(str(draft["starts"]))),
            end=_.datetime(parse_iso(str(draft["ends"]))),
        ),
        [
            Choice(_("Open the contest"), CONFIRM.make("yes"), "yes"),
            Choice(_("Cancel"), CONFIRM.make("no"), "no"),
        ],
    )


async def on_confirm(ctx: Context) -> None:
    _ = ctx._
    if CONFIRM.parse(ctx.payload) != ("yes",):
        ctx.finish()
        ctx.say(_("Cancelled: no contest was opened."))
        return
    draft = _draft(ctx)
    class_ids = await _class_ids(ctx)
    starts, ends = str(draft["starts"]), str(draft["ends"])
    busy = await contests.clashes(ctx.tx, class_ids, starts, ends)
    if busy:
        ctx.say(
            _(
                "These classes are in another contest at that time: {classes}. Please choose "
                "another time.",
                classes=", ".join(f"{cls} (“{name}”)" for cls, name in busy),
            )
        )
        await ask_starts(ctx)
        return
    level = str(draft["level"])
    bank = [q.id for q in ctx.deps.quizzes.bank(level)]
    if not class_ids or not bank:
        ctx.finish()
        ctx.say(
            _("No contest was opened: no class takes part.")
            if not class_ids
            else _("No contest was opened: the quiz bank for this level is not ready yet.")
        )
        return
    contest = await contests.create(
        ctx.tx,
        name=str(draft["name"]),
        created_by=ctx.user.id,
        level=level,
        question_ids=ctx.deps.rng.sample(bank, min(QUESTIONS, len(bank))),
        starts_at=starts,
        ends_at=ends,
        school_year=school_year(local_date(parse_iso(starts))),
        class_ids=class_ids,
        now=ctx.now_iso,
    )
    ctx.finish()
    ctx.ask(
        _.plural(
            "The contest “{name}” is open for {count} class, from {start} to {end}. Tell "
            "your students: during that time, /quiz gives them the contest's {questions} "
            "questions. Results come when it ends.",
            "The contest “{name}” is open for {count} classes, from {start} to {end}. Tell "
            "your students: during that time, /quiz gives them the contest's {questions} "
            "questions. Results come when it ends.",
            len(class_ids),
            name=contest.name,
            start=_.datetime(parse_iso(contest.starts_at)),
            end=_.datetime(parse_iso(contest.ends_at)),
            questions=len(contest.question_ids),
        ),
        [Choice(_("Contests"), COMMAND.make("contests"))],
    )


def register(router: Router) -> None:
    router.add_command(
        Command(
            "newcontest",
            newcontest,
            ORGANISERS,
            N_("open a contest for classes or schools"),
            order=44,
        )
    )
    router.add_state(State("contests.name", ask_name, on_text=on_name))
    router.add_state(State("contests.level", ask_level, on_choice=on_level))
    router.add_state(State("contests.pick", ask_pick, on_text=on_pick_text, on_choice=on_pick))
    router.add_state(State("contests.starts", ask_starts, on_return=on_starts))
    router.add_state(State("contests.ends", ask_starts, on_return=on_ends))
    router.add_state(State("contests.confirm", ask_confirm, on_choice=on_confirm))
