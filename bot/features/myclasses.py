"""/myclasses: a teacher's classes with their figures; change the numbers, close a class.

Each class shows: joined, finished a quiz (reached in the class's school year), the average
of the members' best scores, the share of the enrolled students reached, and the pseudonyms
(with the nicknames only the teacher sees) of those who have not finished a quiz yet and are
still here. Only the class's own teacher can manage it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.choices import COMMAND
from bot.core.clock import local_date
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import N_, Command, MenuItem, Router, State
from bot.domain.campaigns import (
    TEACHERS,
    activity_label,
    approved_school,
    ask_enrolled,
    end_question,
    parse_enrolled,
    percent,
    pseudonym,
)
from bot.domain.profile import level_label
from bot.steps.dates import pick_date
from bot.storage import classes
from bot.storage.classes import Class, Figures

MAX_LISTED = 8  # classes offered to manage
MANAGE = Payload("mcls", "class")
ACTION = Payload("mng", "action")
CLOSE = Payload("cclose", "answer")


def class_status(ctx: Context, cls: Class) -> str:
    _ = ctx._
    if cls.status != classes.OPEN:
        return _("closed")
    if cls.ends_on is None:
        return _("open, no end date")
    ends = date.fromisoformat(cls.ends_on)
    if ends < local_date(ctx.now):
        return _("ended on {date}", date=_.date(ends))
    return _("open until {date}", date=_.date(ends))


def class_block(ctx: Context, cls: Class, figures: Figures) -> str:
    _ = ctx._
    lines = [
        f"• {cls.name} · {level_label(_, cls.level)} · {cls.school_name}",
        _("Join code: {code} ({status})", code=cls.join_code, status=class_status(ctx, cls)),
        _(
            "Joined: {joined} · finished a quiz: {reached} · average score: {average}",
            joined=_.number(figures.joined),
            reached=_.number(figures.reached),
            average=_.number(round(figures.average, 1)) + "/10"
            if figures.average is not None
            else "-",
        ),
        _(
            "Reached: {reached} of {enrolled} enrolled ({percent})",
            reached=_.number(figures.reached),
            enrolled=_.number(cls.enrolled),
            percent=percent(_, figures.reached, cls.enrolled),
        ),
    ]
    if cls.activity_type:
        lines.append(_("Activity: {activity}", activity=activity_label(_, cls.activity_type)))
    if figures.waiting:
        names = [
            pseudonym(_, number) + (f" ({nickname})" if nickname else "")
            for number, nickname in figures.waiting
        ]
        lines.append(_("Not finished a quiz yet: {names}", names=", ".join(names)))
    return "\n".join(lines)


async def myclasses(ctx: Context) -> None:
    _ = ctx._
    if await approved_school(ctx) is None:
        return
    mine = await classes.of_teacher(ctx.tx, ctx.user.id)
    if not mine:
        ctx.ask(
            _("You have no class yet."),
            [Choice(_("Open a class campaign"), COMMAND.make("newclass"))],
        )
        return
    blocks = [_("Your classes:")]
    for cls in mine:
        blocks.append(class_block(ctx, cls, await classes.figures(ctx.tx, cls.id)))
    open_ones = [c for c in mine if c.status == classes.OPEN][:MAX_LISTED]
    choices = [Choice(_("Manage {name}", name=c.name), MANAGE.make(c.id)) for c in open_ones]
    choices.append(Choice(_("Open a class campaign"), COMMAND.make("newclass")))
    ctx.ask("\n\n".join(blocks), choices, state="classes.list")


async def on_pick(ctx: Context) -> None:
    class_id = MANAGE.parse_int(ctx.payload, "class")
    cls = await classes.get(ctx.tx, class_id) if class_id is not None else None
    if cls is None or cls.teacher_id != ctx.user.id:
        ctx.finish()
        return
    ctx.goto("classes.manage", manage=cls.id)
    await ask_manage(ctx)


async def _managed(ctx: Context) -> Class | None:
    class_id = ctx.convo.data.get("manage")
    cls = await classes.get(ctx.tx, class_id) if isinstance(class_id, int) else None
    if cls is None or cls.teacher_id != ctx.user.id or cls.status != classes.OPEN:
        ctx.finish()
        return None
    return cls


async def ask_manage(ctx: Context) -> None:
    _ = ctx._
    cls = await _managed(ctx)
    if cls is None:
        return
    ctx.ask(
        _("What would you like to change in {name}?", name=cls.name),
        [
            Choice(_("The number enrolled"), ACTION.make("enrolled")),
            Choice(_("The end date"), ACTION.make("ends")),
            Choice(_("Close the class"), ACTION.make("close")),
            Choice(_("Nothing"), ACTION.make("done")),
        ],
    )


async def on_manage(ctx: Context) -> None:
    _ = ctx._
    cls = await _managed(ctx)
    if cls is None:
        return
    (what,) = ACTION.parse(ctx.payload) or ("",)
    if what == "enrolled":
        ctx.goto("classes.set_enrolled")
        await ask_enrolled(ctx)
    elif what == "ends":
        starts = date.fromisoformat(cls.starts_on) if cls.starts_on else local_date(ctx.now)
        await pick_date(ctx, end_question(starts), then="classes.set_ends")
    elif what == "close":
        ctx.goto("classes.close")
        await ask_close(ctx)
    else:
        ctx.finish()
        ctx.say(_("OK."))


async def on_set_enrolled(ctx: Context) -> None:
    _ = ctx._
    cls = await _managed(ctx)
    if cls is None:
        return
    enrolled = parse_enrolled(ctx, ctx.text)
    joined = await classes.joined(ctx.tx, cls.id)
    if enrolled is not None and enrolled < joined:
        ctx.say(
            _(
                "{joined} students have joined {name} already: the number enrolled cannot be "
                "smaller.",
                joined=joined,
                name=cls.name,
            )
        )
        enrolled = None
    if enrolled is None:
        await ask_enrolled(ctx)
        return
    await classes.set_enrolled(ctx.tx, cls.id, enrolled)
    ctx.finish()
    ctx.say(_("Saved: {name} has {count} students enrolled.", name=cls.name, count=enrolled))


async def on_set_ends(ctx: Context, day: Any) -> None:
    assert day is None or isinstance(day, date)
    cls = await _managed(ctx)
    if cls is not None:
        await _save_ends(ctx, cls, day)


async def _save_ends(ctx: Context, cls: Class, day: date | None) -> None:
    await classes.set_ends_on(ctx.tx, cls.id, day.isoformat() if day else None)
    ctx.finish()
    ctx.say(
        ctx._(
            "Saved: {name} is {status}.",
            name=cls.name,
            status=class_status(ctx, await _reload(ctx, cls)),
        )
    )


async def _reload(ctx: Context, cls: Class) -> Class:
    fresh = await classes.get(ctx.tx, cls.id)
    assert fresh is not None
    return fresh


async def on_close(ctx: Context) -> None:
    cls = await _managed(ctx)
    if cls is None:
        return
    ctx.finish()
    if CLOSE.parse(ctx.payload) != ("yes",):
        ctx.say(ctx._("OK, {name} stays open.", name=cls.name))
        return
    await classes.close(ctx.tx, cls.id)
    ctx.say(ctx._("{name} is closed. Its figures stay in /myclasses.", name=cls.name))


async def ask_close(ctx: Context) -> None:
    _ = ctx._
    cls = await _managed(ctx)
    if cls is None:
        return
    ctx.ask(
        _(
            "Close {name}? Its join code stops working and quizzes no longer count for it. "
            "Its figures stay.",
            name=cls.name,
        ),
        [
            Choice(_("Yes, close it"), CLOSE.make("yes"), "yes"),
            Choice(_("No"), CLOSE.make("no"), "no"),
        ],
    )


def register(router: Router) -> None:
    router.add_command(
        Command("myclasses", myclasses, TEACHERS, N_("your classes and their figures"), order=42)
    )
    router.add_menu_item(MenuItem("myclasses", N_("My classes"), order=30))
    router.add_state(State("classes.list", myclasses, on_choice=on_pick))
    router.add_state(State("classes.manage", ask_manage, on_choice=on_manage))
    router.add_state(State("classes.set_enrolled", ask_enrolled, on_text=on_set_enrolled))
    router.add_state(State("classes.set_ends", ask_manage, on_return=on_set_ends))
    router.add_state(State("classes.close", ask_close, on_choice=on_close))
