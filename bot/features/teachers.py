"""/teacher registers a teacher (officers decide with /approvals, see approvals.py).

A teacher picks their school's commune, then their school (from the schools officers added
there, or proposes a missing one with its level), then says their subject. The registration
waits for an officer of the education department or of that commune (or an admin); nobody
decides their own. The teacher is told by an outbox notice (at most one a day). Approval
gives the TEACHER role (class campaigns) and makes a proposed school an active one.
"""

from __future__ import annotations

from typing import Any

from bot.content.model import Commune
from bot.core.auth import Role
from bot.core.clock import local_date, parse_iso
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import N_, Command, Router, State
from bot.domain.approvers import approvers, who_decides
from bot.domain.profile import level_choices
from bot.domain.schools import valid_school_name
from bot.steps.commune import SCHOOL, pick_commune
from bot.storage import schools, teachers
from bot.storage.schools import PROPOSED as PROPOSED_SCHOOL
from bot.storage.schools import School, fold_school_name
from bot.storage.teachers import APPROVED, PENDING

MAX_SCHOOLS = 10
REGISTRANTS = frozenset({Role.RESIDENT, Role.WORKER, Role.MEDIA, Role.TEACHER})
PENDING_ACTION = Payload("treg", "action")
SCHOOL_PICK = Payload("tsch", "school")  # a school's id, "new" or "commune"
NEW_LEVEL = Payload("tlvl", "level")


def _reg(ctx: Context) -> dict[str, object]:
    reg = ctx.convo.data.get("reg")
    if not isinstance(reg, dict):
        reg = ctx.convo.data["reg"] = {}
    return reg


# --- /teacher -------------------------------------------------------------------------------


async def teacher(ctx: Context) -> None:
    _ = ctx._
    registration = await teachers.get(ctx.tx, ctx.user.id)
    if registration is not None and registration.status == APPROVED:
        ctx.finish()
        ctx.say(
            _(
                "You are registered as a teacher of {school} ({subject}). Send /newclass to "
                "create a class campaign, or /myclasses to see yours.",
                school=registration.school_name,
                subject=registration.subject,
            )
        )
        return
    if registration is not None and registration.status == PENDING:
        ctx.ask(
            _(
                "Your registration no. {number} as a teacher of {school} has been waiting for "
                "an officer since {date}. I will tell you when it is decided.",
                number=registration.user_id,
                school=registration.school_name,
                date=_.date(local_date(parse_iso(registration.created_at))),
            ),
            [
                Choice(_("Keep waiting"), PENDING_ACTION.make("keep")),
                Choice(_("Register with another school"), PENDING_ACTION.make("again")),
            ],
            state="teachers.pending",
        )
        return
    ctx.say(
        _(
            "To register as a teacher, tell me your school and your subject. An officer of the "
            "education department or of your commune then approves it, and you can open "
            "class campaigns."
        )
    )
    await _pick_commune(ctx)


async def _pick_commune(ctx: Context) -> None:
    await pick_commune(ctx, then="teachers.commune", about=SCHOOL)


async def on_pending(ctx: Context) -> None:
    if PENDING_ACTION.parse(ctx.payload) == ("again",):
        await _pick_commune(ctx)
        return
    ctx.finish()
    ctx.say(ctx._("OK, your registration keeps waiting."))


async def prompt_pending(ctx: Context) -> None:
    await teacher(ctx)


async def _commune_picked(ctx: Context, commune: Any) -> None:
    assert isinstance(commune, Commune)
    ctx.goto("teachers.school", reg={"commune": commune.code})
    await ask_school(ctx)


def _school_choices(ctx: Context, found: list[School]) -> list[Choice]:
    _ = ctx._
    choices = []
    for school in found[:MAX_SCHOOLS]:
        label = school.name
        if school.status == PROPOSED_SCHOOL:
            label = _("{school} (proposed)", school=school.name)
        choices.append(Choice(label, SCHOOL_PICK.make(school.id)))
    choices.append(Choice(_("My school is not in the list"), SCHOOL_PICK.make("new")))
    choices.append(Choice(_("Another commune"), SCHOOL_PICK.make("commune")))
    return choices


async def ask_school(ctx: Context) -> None:
    _ = ctx._
    code = str(_reg(ctx).get("commune"))
    commune = ctx.deps.content.commune(code)
    found = await schools.in_commune(ctx.tx, code)
    name = commune.name if commune else "-"
    if not found:
        text = _("No school of {commune} is on the list yet.", commune=name)
    elif len(found) > MAX_SCHOOLS:
        text = _(
            "Which is your school in {commune}? Here are the first {shown}: type part of its "
            "name to find another.",
            commune=name,
            shown=MAX_SCHOOLS,
        )
    else:
        text = _("Which is your school in {commune}?", commune=name)
    ctx.ask(text, _school_choices(ctx, found))


async def on_school_text(ctx: Context) -> None:
    code = str(_reg(ctx).get("commune"))
    wanted = fold_school_name(ctx.text)
    found = [
        s for s in await schools.in_commune(ctx.tx, code) if wanted in fold_school_name(s.name)
    ]
    if len(found) == 1 and wanted:
        await _school_chosen(ctx, found[0])
        return
    if not found or not wanted:
        ctx.say(ctx._("No school on the list matches “{query}”.", query=ctx.text[:60]))
        await ask_school(ctx)
        return
    ctx.ask(ctx._("Which one?"), _school_choices(ctx, found))


async def on_school_choice(ctx: Context) -> None:
    (what,) = SCHOOL_PICK.parse(ctx.payload) or ("",)
    if what == "commune":
        await _pick_commune(ctx)
        return
    if what == "new":
        ctx.goto("teachers.new_name")
        await ask_new_name(ctx)
        return
    school = await schools.get(ctx.tx, int(what)) if what.isdecimal() else None
    if school is None:
        await ask_school(ctx)
        return
    await _school_chosen(ctx, school)


async def ask_new_name(ctx: Context) -> None:
    ctx.ask(
        ctx._(
            "What is your school's full name? For example: Trường THCS Đông Kinh. An officer "
            "checks it when approving you."
        )
    )


async def on_new_name(ctx: Context) -> None:
    if not valid_school_name(ctx, ctx.text):
        await ask_new_name(ctx)
        return
    existing = await schools.find(ctx.tx, str(_reg(ctx).get("commune")), ctx.text)
    if existing is not None:
        ctx.say(ctx._("{school} is on the list already: I picked it.", school=existing.name))
        await _school_chosen(ctx, existing)
        return
    _reg(ctx)["new_name"] = ctx.text
    ctx.goto("teachers.new_level")
    await ask_new_level(ctx)


async def ask_new_level(ctx: Context) -> None:
    ctx.ask(ctx._("Which level is your school?"), level_choices(ctx, NEW_LEVEL))


async def on_new_level(ctx: Context) -> None:
    reg = _reg(ctx)
    (level,) = NEW_LEVEL.parse(ctx.payload) or ("",)
    school = await schools.propose(
        ctx.tx,
        str(reg.get("new_name")),
        level,
        str(reg.get("commune")),
        ctx.now_iso,
    )
    await _school_chosen(ctx, school)


async def _school_chosen(ctx: Context, school: School) -> None:
    _reg(ctx)["school"] = school.id
    ctx.goto("teachers.subject")
    await ask_subject(ctx)


async def ask_subject(ctx: Context) -> None:
    ctx.ask(
        ctx._("Which subject do you teach? For example: Biology, Geography, or homeroom teacher.")
    )


async def on_subject(ctx: Context) -> None:
    _ = ctx._
    subject = ctx.text
    if not any(c.isalpha() for c in subject) or not 2 <= len(subject) <= 60:
        ctx.say(_("Please write your subject in 2 to 60 characters."))
        await ask_subject(ctx)
        return
    school_id = _reg(ctx).get("school")
    assert isinstance(school_id, int)
    registration = await teachers.register(ctx.tx, ctx.user.id, school_id, subject, ctx.now_iso)
    deciders = await approvers(ctx.tx, registration.commune_code)
    ctx.finish()
    ctx.say(
        _(
            "Thank you! Your registration no. {number} as a teacher of {school} now waits for "
            "an officer's approval. I will tell you when it is decided; you may give them this "
            "number to speed it up.",
            number=registration.user_id,
            school=registration.school_name,
        )
        + " "
        + who_decides(_, ctx.deps.content, registration.commune_code, len(deciders))
    )


def register(router: Router) -> None:
    router.add_command(
        Command(
            "teacher", teacher, REGISTRANTS, N_("register as a teacher of your school"), order=40
        )
    )
    router.add_state(State("teachers.pending", prompt_pending, on_choice=on_pending))
    router.add_state(
        State("teachers.school", ask_school, on_text=on_school_text, on_choice=on_school_choice)
    )
    router.add_state(State("teachers.new_name", ask_new_name, on_text=on_new_name))
    router.add_state(State("teachers.new_level", ask_new_level, on_choice=on_new_level))
    router.add_state(State("teachers.subject", ask_subject, on_text=on_subject))
    router.add_state(State("teachers.commune", ask_school, on_return=_commune_picked))
