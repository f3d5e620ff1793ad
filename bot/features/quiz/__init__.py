"""/quiz: ten questions on plastic waste for the person's level, with the why after each.

Students get their school level's bank; officials, press and radio the officials' bank;
everyone else the residents' bank. A member of an open
class plays for their class (at the class's level); while the class takes part in a running
contest, /quiz plays the contest's questions instead (same set for everyone, order shuffled
per attempt), once per contest. Questions are drawn so that someone who plays again gets
mostly new ones. A quiz left half-way can be continued or abandoned, and expires after 24
hours (a contest quiz when the contest ends, if that is sooner).
"""

from __future__ import annotations

from datetime import timedelta

from bot.content.quizzes import QUIZ_LEVELS, adult_bank
from bot.core.auth import MEMBERS
from bot.core.clock import iso, local_date, parse_iso, school_year
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import N_, Command, MenuItem, Router, State
from bot.features.quiz import flow as quiz_flow
from bot.storage import classes, contests, quiz_attempts
from bot.storage.classes import Member
from bot.storage.contests import Contest
from bot.storage.quiz_attempts import ABANDONED, Attempt

QUIZ_LENGTH = 10
ATTEMPT_TTL = timedelta(hours=24)
HISTORY_ATTEMPTS = 20  # how far back "questions you already had" looks
RESUME = Payload("qr", "attempt", "action")  # action: go, new or drop
RESUME_STATE = "quiz.resume"


async def quiz(ctx: Context) -> None:
    active, expired = await quiz_attempts.unfinished(ctx.tx, ctx.user.id, ctx.now_iso)
    for _expired in range(expired):
        ctx.say(
            ctx._(
                "Your unfinished quiz expired: a quiz stays open for 24 hours "
                "(a contest quiz, until the contest ends). Here is a new one."
            )
        )
    if active is not None:
        ctx.goto(RESUME_STATE, attempt=active.id)
        offer_resume(ctx, active)
        return
    await start_quiz(ctx)


def offer_resume(ctx: Context, attempt: Attempt) -> None:
    _ = ctx._
    text = _(
        "You have an unfinished quiz: {answered} of {total} questions answered. "
        "It stays open until {when}.",
        answered=attempt.position,
        total=attempt.total,
        when=_.datetime(parse_iso(attempt.expires_at)),
    )
    choices = [Choice(_("Continue it"), RESUME.make(attempt.id, "go"))]
    if attempt.contest_id is None:
        choices.append(Choice(_("Start a new quiz"), RESUME.make(attempt.id, "new")))
        choices.append(Choice(_("Abandon it"), RESUME.make(attempt.id, "drop")))
    else:
        text += "\n" + _("This is a contest quiz: it cannot be started again.")
        choices.append(Choice(_("Give up the contest"), RESUME.make(attempt.id, "drop")))
    ctx.ask(text, choices)


async def prompt_resume(ctx: Context) -> None:
    attempt = await quiz_flow.current_attempt(ctx)
    if attempt is None:
        ctx.finish()
        ctx.say(ctx._("This quiz is over. Send /quiz for a new one."))
        return
    if not await quiz_flow.expire_if_due(ctx, attempt):
        offer_resume(ctx, attempt)


async def on_resume(ctx: Context) -> None:
    _ = ctx._
    attempt = await quiz_flow.current_attempt(ctx)
    attempt_id, action = RESUME.parse(ctx.payload) or ("", "")
    if attempt is None or str(attempt.id) != attempt_id:
        ctx.finish()
        ctx.say(_("This quiz is over. Send /quiz for a new one."))
        return
    if await quiz_flow.expire_if_due(ctx, attempt):
        return
    if action == "go":
        await quiz_flow.ask_question(ctx, attempt)
        return
    await quiz_attempts.set_status(ctx.tx, attempt.id, ABANDONED)
    ctx.finish()
    if action == "new" and attempt.contest_id is None:
        await start_quiz(ctx)
        return
    ctx.ask(
        _("Quiz abandoned. You can start a new one whenever you like."),
        quiz_flow.next_steps(ctx),
    )


async def start_quiz(ctx: Context) -> None:
    _ = ctx._
    # The class and the past attempts in one read, at the level the person would play
    # outside a class: a class member's level is read again only when it differs.
    likely = _level(ctx, None)
    member, past = await ctx.tx.read_both(
        classes.member_of_read(ctx.user.id),
        quiz_attempts.history_read(ctx.user.id, likely, HISTORY_ATTEMPTS),
    )
    contest = await _contest_to_play(ctx, member)
    level = contest.level if contest is not None else _level(ctx, member)
    if contest is not None:
        question_ids = [q for q in contest.question_ids if ctx.deps.quizzes.question(q)]
        ctx.deps.rng.shuffle(question_ids)
    else:
        if level != likely:
            past = await quiz_attempts.history(ctx.tx, ctx.user.id, level, HISTORY_ATTEMPTS)
        question_ids = draw(ctx, level, past)
    if not question_ids:
        ctx.say(_("There is no quiz for you yet. Please try again later."))
        return
    expires = ctx.now + ATTEMPT_TTL
    if contest is not None:
        expires = min(expires, parse_iso(contest.ends_at))
    attempt = await quiz_attempts.start(
        ctx.tx,
        user_id=ctx.user.id,
        member_id=member.id if member is not None else None,
        contest_id=contest.id if contest is not None else None,
        level=level,
        question_ids=question_ids,
        school_year=school_year(local_date(ctx.now)),
        now=ctx.now_iso,
        expires_at=iso(expires),
    )
    ctx.say(_intro(ctx, attempt, member, contest))
    await quiz_flow.ask_question(ctx, attempt)


def _intro(ctx: Context, attempt: Attempt, member: Member | None, contest: Contest | None) -> str:
    _ = ctx._
    if contest is not None:
        return "🏆 " + _(
            "Contest “{name}”: {total} questions, the same for everyone in a different order. "
            "You can take part once: finish by {when}. Pick an answer for each question.",
            name=contest.name,
            total=attempt.total,
            when=_.datetime(parse_iso(attempt.expires_at)),
        )
    text = "🧠 " + _(
        "Quiz: {total} questions about plastic waste. Pick an answer for each: you will see "
        "why right after. An unfinished quiz stays open for 24 hours.",
        total=attempt.total,
    )
    if member is not None:
        text += "\n" + _("It counts for your class {name}.", name=member.class_name)
    return text


async def _contest_to_play(ctx: Context, member: Member | None) -> Contest | None:
    """The running contest of the person's class, unless they took part already."""
    if member is None:
        return None
    contest = await contests.running_for_class(ctx.tx, member.class_id, ctx.now_iso)
    if contest is None:
        return None
    played = await quiz_attempts.for_contest(ctx.tx, ctx.user.id, contest.id)
    if played is None:
        return contest
    ctx.say(
        ctx._(
            "You have already taken part in the contest “{name}”; it can be played once. "
            "Here is a practice quiz instead.",
            name=contest.name,
        )
    )
    return None


def _level(ctx: Context, member: Member | None) -> str:
    """The class's level for a class member; else the student's level; else the adults' bank
    for the person's audience (officials for teachers, workers, press; residents otherwise)."""
    if member is not None and ctx.deps.quizzes.bank(member.level):
        return member.level
    user = ctx.user
    if user.audience == "student" and user.school_level in QUIZ_LEVELS:
        return user.school_level
    return adult_bank(user.audience)


def draw(ctx: Context, level: str, past: list[Attempt]) -> list[str]:
    """Up to ten questions of the level's bank, new ones first (`past`: the person's recent
    attempts at the level, newest first).

    Questions the person had in recent attempts are used only when too few new ones are
    left, and then those they had longest ago.
    """
    bank = [q.id for q in ctx.deps.quizzes.bank(level)]
    wanted = min(QUIZ_LENGTH, len(bank))
    recency: dict[str, int] = {}  # question id -> 0 for the latest attempt, 1 before...
    for age, attempt in enumerate(past):
        for question_id in attempt.seen():
            recency.setdefault(question_id, age)
    fresh = [q for q in bank if q not in recency]
    picked = ctx.deps.rng.sample(fresh, min(wanted, len(fresh)))
    if len(picked) < wanted:
        seen = sorted((q for q in bank if q in recency), key=lambda q: -recency[q])
        picked += seen[: wanted - len(picked)]
        ctx.deps.rng.shuffle(picked)
    return picked


def register(router: Router) -> None:
    router.add_command(
        Command("quiz", quiz, MEMBERS, N_("a quiz of 10 questions on plastic waste"), order=13)
    )
    router.add_menu_item(MenuItem("quiz", N_("A quiz"), order=15))
    router.add_state(
        State(quiz_flow.QUESTION_STATE, quiz_flow.prompt_question, on_choice=quiz_flow.on_answer)
    )
    router.add_state(State(RESUME_STATE, prompt_resume, on_choice=on_resume))
    router.add_state(
        State(quiz_flow.OPT_IN_STATE, quiz_flow.prompt_opt_in, on_choice=quiz_flow.on_opt_in)
    )
