"""Students join a class: /join CODE, /start CODE or the t.me link (also before onboarding).

Before joining, the student confirms that a parent or guardian agreed. In the class they are
"Student N" (Học sinh N), a number never given twice; they may add a nickname that only their
teacher sees. A wrong, closed or expired code, a full class, or a second class gets a clear
answer and changes nothing. Someone new who comes with a code agrees to the bot first, joins,
and then only gives their age group: the class tells their level and the school their commune.
"""

from __future__ import annotations

from datetime import date

from bot.core.auth import Role
from bot.core.clock import local_date
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import N_, CodeKind, Command, Router, State
from bot.domain.campaigns import pseudonym
from bot.steps.consent import FIRST_STEPS, agree_first, try_code
from bot.steps.profile import ONBOARDED, ask_profile
from bot.storage import classes
from bot.storage.classes import Class

JOINERS = frozenset({Role.GUEST, Role.RESIDENT, Role.STUDENT})
MAX_NICKNAME = 30
looks_like_join_code = classes.looks_like_join_code
PARENT = Payload("jpar", "answer")
NICKNAME = Payload("jnick", "action")


async def join(ctx: Context) -> None:
    code = ctx.incoming.args.split()[0] if ctx.incoming.args.strip() else ""
    if not code:
        ctx.say(ctx._("Send /join and the code your teacher gave you, for example: /join K7M2QP"))
        return
    if not ctx.user.consented:
        await agree_first(ctx, code)
        return
    await try_code(ctx, code, join_with_code)


async def _problem(ctx: Context, code: str) -> tuple[str | None, Class | None]:
    """Why this person cannot join with this code (None: they can), and the class."""
    _ = ctx._
    if ctx.role in (Role.TEACHER, Role.OFFICER):
        return _("Class codes are for students: teachers and officers do not join classes."), None
    if ctx.role not in JOINERS:
        return (
            _(
                "Class codes are for students: only students join classes. If you are a "
                "student, choose “Student” under “Who I am” in /settings, then send the code "
                "again."
            ),
            None,
        )
    cls = await classes.by_code(ctx.tx, code) if looks_like_join_code(code) else None
    if cls is None:
        return (
            _(
                "This class code does not work: please check it with your teacher (6 letters "
                "and digits, such as K7M2QP)."
            ),
            None,
        )
    if cls.status != classes.OPEN:
        # A closed class's code says nothing about the class: it may be guessed or old.
        return _("This class is closed: it does not take new students."), None
    if cls.ends_on and date.fromisoformat(cls.ends_on) < local_date(ctx.now):
        return (
            _(
                "This code has expired: the class's campaign ended on {date}.",
                date=_.date(date.fromisoformat(cls.ends_on)),
            ),
            None,
        )
    current = await classes.member_of(ctx.tx, ctx.user.id)
    if current is not None and current.class_id == cls.id:
        return (
            _(
                "You are in class {name} already, as “{pseudonym}”.",
                name=cls.name,
                pseudonym=pseudonym(_, current.number),
            ),
            cls,
        )
    if current is not None:
        return (
            _(
                "You are in class {name} already: a student is in one class at a time. Ask "
                "your teacher if you changed class.",
                name=current.class_name,
            ),
            cls,
        )
    if await classes.joined(ctx.tx, cls.id) >= cls.enrolled:
        return (
            _(
                "Class {name} is full ({count} students). Please ask your teacher to check "
                "the number.",
                name=cls.name,
                count=cls.enrolled,
            ),
            cls,
        )
    if not cls.consent_collected:
        return _("Class {name} does not take students yet.", name=cls.name), cls
    return None, cls


async def join_with_code(ctx: Context, code: str) -> bool:
    """Starts joining; False (after saying why) if the code cannot be used."""
    problem, cls = await _problem(ctx, code)
    if problem is not None or cls is None:
        ctx.say(problem or "")
        return False
    ctx.goto("classes.join", join=cls.id)
    await ask_parent(ctx)
    return True


async def _joining(ctx: Context) -> Class | None:
    class_id = ctx.convo.data.get("join")
    return await classes.get(ctx.tx, class_id) if isinstance(class_id, int) else None


async def ask_parent(ctx: Context) -> None:
    _ = ctx._
    cls = await _joining(ctx)
    if cls is None:
        ctx.finish()
        return
    ctx.ask(
        _(
            "Class {name} of {school}. Before you join: has your parent or guardian agreed that "
            "you take part in this class's campaign on this bot? In the class you are only a "
            "number, such as “Student 12”: your name is never asked.",
            name=cls.name,
            school=cls.school_name,
        ),
        [
            Choice(_("Yes, they agreed"), PARENT.make("yes"), "yes"),
            Choice(_("Not yet"), PARENT.make("no"), "no"),
        ],
    )


async def on_parent(ctx: Context) -> None:
    _ = ctx._
    cls = await _joining(ctx)
    if cls is None:
        ctx.finish()
        return
    if PARENT.parse(ctx.payload) != ("yes",):
        ctx.say(
            _(
                "All right: please ask them first, then send /join {code} again.",
                code=cls.join_code,
            )
        )
        await _carry_on(ctx)
        return
    problem, _cls = await _problem(ctx, cls.join_code)
    if problem is not None:
        ctx.say(problem)
        await _carry_on(ctx)
        return
    if not ctx.user.onboarded:
        await ctx.update_user(
            audience="student",
            school_level=ctx.user.school_level or cls.level,
            commune_code=ctx.user.commune_code or cls.commune_code,
        )
    elif ctx.user.audience != "student":
        await ctx.update_user(audience="student", school_level=cls.level)
    member = await classes.add_member(ctx.tx, cls.id, ctx.user.id, ctx.now_iso)
    ctx.say(
        _(
            "Welcome to class {name}! Here you are “{pseudonym}”: your teacher and the "
            "leaderboards only ever show this.",
            name=cls.name,
            pseudonym=pseudonym(_, member.number),
        )
    )
    ctx.goto("classes.nickname", join=cls.id, member=member.id)
    await ask_nickname(ctx)


async def ask_nickname(ctx: Context) -> None:
    _ = ctx._
    ctx.ask(
        _(
            "You may add a nickname that only your teacher sees, so they know it is you (not "
            "your full name). Type it, or pick Skip."
        ),
        [Choice(_("Skip"), NICKNAME.make("skip"))],
    )


async def on_nickname_text(ctx: Context) -> None:
    nickname = ctx.text
    if len(nickname) > MAX_NICKNAME or not any(c.isalnum() for c in nickname):
        ctx.say(ctx._("Please keep it short: up to {limit} characters.", limit=MAX_NICKNAME))
        await ask_nickname(ctx)
        return
    member_id = ctx.convo.data.get("member")
    if isinstance(member_id, int):
        await classes.set_nickname(ctx.tx, member_id, nickname)
        ctx.say(ctx._("Saved: your teacher sees “{nickname}”.", nickname=nickname))
    await _joined(ctx)


async def on_nickname_skip(ctx: Context) -> None:
    await _joined(ctx)


async def _joined(ctx: Context) -> None:
    if not ctx.user.onboarded:
        await ask_profile(ctx, ["age"], then=ONBOARDED, guardian_agreed=True)
        return
    ctx.finish()
    ctx.say(ctx._("Send /quiz to play: your quizzes count for your class."))


async def _carry_on(ctx: Context) -> None:
    """After a join that did not happen: a newcomer goes on with the first steps."""
    if ctx.user.onboarded:
        ctx.finish()
        return
    ctx.convo.data.pop("join", None)
    await ask_profile(ctx, list(FIRST_STEPS), then=ONBOARDED)


def register(router: Router) -> None:
    router.add_command(
        Command("join", join, JOINERS, N_("join your class with its code: /join CODE"), order=43)
    )
    router.add_code_kind(CodeKind("class", looks_like_join_code, join_with_code))
    router.add_state(State("classes.join", ask_parent, on_choice=on_parent))
    router.add_state(
        State(
            "classes.nickname",
            ask_nickname,
            on_text=on_nickname_text,
            on_choice=on_nickname_skip,
        )
    )
