"""One quiz attempt from the first question to the score: asking, answering, counting.

The attempt in the database is the truth: the question asked is always the first one not yet
answered, and an answer counts only for that question (a second press, an old question's
button or someone else's button changes nothing). Each question's options are shown in an
order shuffled per attempt (`option_order`), so the right one is not always in the same place.
When the last answer is in, the attempt is finished and counted: the person is reached in this
school year (September to August), and a class member's first quiz finished during the class's
school year marks them reached in their class.
"""

from __future__ import annotations

import random

from bot.content.quizzes import Question
from bot.core.choices import COMMAND
from bot.core.clock import local_date, parse_iso, school_year
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.storage import classes, contests, counters, quiz_attempts
from bot.storage.classes import Member
from bot.storage.quiz_attempts import ACTIVE, EXPIRED, Attempt

ANSWER = Payload("qa", "attempt", "position", "option")
OPT_IN = Payload("qo", "member", "show")  # show: 1 or 0
QUESTION_STATE = "quiz.question"
OPT_IN_STATE = "quiz.optin"
TRAINING_BANK, TRAINED_AUDIENCE = "officials", "media"


def next_steps(ctx: Context) -> list[Choice]:
    return [
        Choice(ctx._("Another quiz"), COMMAND.make("quiz")),
        Choice(ctx._("A tip now"), COMMAND.make("tip")),
    ]


async def expire_if_due(ctx: Context, attempt: Attempt) -> bool:
    """Marks an attempt that ran out of time as expired and says so; True if it did."""
    if attempt.status != ACTIVE or parse_iso(attempt.expires_at) > ctx.now:
        return False
    await quiz_attempts.set_status(ctx.tx, attempt.id, EXPIRED)
    ctx.finish()
    ctx.say(expired_text(ctx))
    return True


def expired_text(ctx: Context) -> str:
    return ctx._(
        "This quiz has expired: an unfinished quiz stays open for 24 hours (a contest quiz, "
        "until the contest ends). Send /quiz for a new one."
    )


async def ask_question(ctx: Context, attempt: Attempt) -> None:
    """Asks the first unanswered question of the attempt (or finishes it)."""
    _ = ctx._
    while not attempt.done:
        question = ctx.deps.quizzes.question(attempt.question_ids[attempt.position])
        if question is not None:
            break
        # The question left the bank since the attempt began: it counts as not scored.
        attempt = await quiz_attempts.record_answer(ctx.tx, attempt, 0, correct=False)
    if attempt.done:
        await finish_attempt(ctx, attempt)
        return
    assert question is not None
    choices = [
        Choice(
            question.options[number - 1].get(ctx.locale),
            ANSWER.make(attempt.id, attempt.position, number),
        )
        for number in option_order(attempt, question)
    ]
    heading = _("Question {number} of {total}", number=attempt.position + 1, total=attempt.total)
    ctx.goto(QUESTION_STATE, attempt=attempt.id)
    ctx.ask(f"❓ {heading}\n{question.text.get(ctx.locale)}", choices, lettered=True)


def option_order(attempt: Attempt, question: Question) -> list[int]:
    """The order in which this attempt shows the question's options (1-based bank numbers).

    Shuffled per attempt and question, and the same every time they are shown (a resumed quiz,
    a restart), so nothing needs storing: the buttons carry the option's number in the bank,
    and the answers stored, the right-answer check and the review all use those numbers.
    """
    order = list(range(1, len(question.options) + 1))
    random.Random(f"{attempt.id}:{question.id}").shuffle(order)
    return order


async def current_attempt(ctx: Context) -> Attempt | None:
    """The active attempt this conversation is about, if it is still this person's."""
    attempt_id = ctx.convo.data.get("attempt")
    if not isinstance(attempt_id, int):
        return None
    attempt = await quiz_attempts.get(ctx.tx, attempt_id)
    if attempt is None or attempt.user_id != ctx.user.id or attempt.status != ACTIVE:
        return None
    return attempt


async def prompt_question(ctx: Context) -> None:
    """Asks the pending question again (after /help, a stale button, free text...)."""
    attempt = await current_attempt(ctx)
    if attempt is None:
        ctx.finish()
        ctx.say(ctx._("This quiz is over. Send /quiz for a new one."))
        return
    if await expire_if_due(ctx, attempt):
        return
    await ask_question(ctx, attempt)


def _parse(kind: Payload, payload: str) -> list[int] | None:
    """Every field of the payload as a whole number, or None."""
    values = [kind.parse_int(payload, name) for name in kind.fields]
    return None if None in values else [v for v in values if v is not None]


async def on_answer(ctx: Context) -> None:
    _ = ctx._
    parsed = _parse(ANSWER, ctx.payload)
    attempt = await current_attempt(ctx)
    if parsed is None or attempt is None or parsed[0] != attempt.id:
        await _stale(ctx)
        return
    position, option = parsed[1], parsed[2]
    if await expire_if_due(ctx, attempt):
        return
    if position != attempt.position or attempt.done:
        await _stale(ctx)
        return
    question = ctx.deps.quizzes.question(attempt.question_ids[position])
    if question is None or not 1 <= option <= len(question.options):
        await _stale(ctx)
        return
    correct = option == question.answer
    updated = await quiz_attempts.record_answer(ctx.tx, attempt, option, correct)
    ctx.say(feedback(ctx, question, correct))
    await ask_question(ctx, updated)


async def _stale(ctx: Context) -> None:
    ctx.say(ctx._("That answer does not count: the question was already answered."))
    await prompt_question(ctx)


def feedback(ctx: Context, question: Question, correct: bool) -> str:
    _ = ctx._
    if correct:
        head = "✅ " + _("Right!")
    else:
        head = "❌ " + _(
            "Not quite. The right answer: {answer}", answer=question.right.get(ctx.locale)
        )
    return head + "\n" + question.explanation.get(ctx.locale) + "\n" + source_line(ctx, question)


def source_line(ctx: Context, question: Question) -> str:
    """The short source; where a longer citation exists, /source shows it."""
    source = question.source.get(ctx.locale)
    if question.source_long is not None:
        return ctx._("Source: {source} (full source: /source)", source=source)
    return ctx._("Source: {source}", source=source)


async def finish_attempt(ctx: Context, attempt: Attempt) -> None:
    _ = ctx._
    year = school_year(local_date(ctx.now))
    if not await quiz_attempts.finish(ctx.tx, attempt.id, ctx.now_iso, year):
        return
    await count_reach(ctx, attempt, year)
    lines = [
        "🏁 "
        + _("Finished! Your score: {score} of {total}.", score=attempt.score, total=attempt.total)
    ]
    missed = [
        (question, chosen)
        for question_id, chosen in zip(attempt.question_ids, attempt.answers, strict=True)
        if (question := ctx.deps.quizzes.question(question_id)) is not None
        and chosen != question.answer
    ]
    if missed:
        lines.append("")
        lines.append(_("To review, the right answers:"))
        for question, _chosen in missed:
            lines.append(f"• {question.text.get(ctx.locale)}")
            lines.append(f"  → {question.right.get(ctx.locale)}")
    else:
        lines.append(_("You got every question right!"))
    lines.append("")
    lines.append(encouragement(ctx, attempt.score, attempt.total))
    ctx.finish()
    if attempt.contest_id is not None:
        contest = await contests.get(ctx.tx, attempt.contest_id)
        if contest is not None:
            lines.append(
                _(
                    "Your result counts in the contest “{name}”. "
                    "The results come when the contest ends.",
                    name=contest.name,
                )
            )
        ctx.say("\n".join(lines))
        await ask_opt_in(ctx, attempt)
        return
    ctx.ask("\n".join(lines), next_steps(ctx))


def encouragement(ctx: Context, score: int, total: int) -> str:
    _ = ctx._
    share = score / total if total else 0
    if share >= 1:
        return _("Excellent! Share what you learned with your family and friends.")
    if share >= 0.7:
        return _("Well done! Keep carrying a cloth bag and sorting your waste at home.")
    if share >= 0.4:
        return _("Good effort! Read the answers above and try another quiz: you will do better.")
    return _(
        "Every quiz teaches something new. Read the answers above and try again: "
        "every small step against plastic waste counts."
    )


async def count_reach(ctx: Context, attempt: Attempt, year: str) -> None:
    """The counting rules: reached once per school year, and once in the class; a member of the
    press or radio audience who finishes the officials' quiz is trained, once per school year
    (the plan's target that every reporter, editor and radio staff member is trained)."""
    if ctx.user.reached_year != year:
        await ctx.update_user(reached_year=year)
        await counters.increment(ctx.tx, "reached", year, ctx.user.commune_code, ctx.user.audience)
    if attempt.level == TRAINING_BANK and ctx.user.audience == TRAINED_AUDIENCE:
        finished = await quiz_attempts.finished_count(ctx.tx, ctx.user.id, TRAINING_BANK, year)
        if finished == 1:  # this attempt, just finished: the first of the year
            await counters.increment(
                ctx.tx, counters.TRAINED, year, ctx.user.commune_code, TRAINED_AUDIENCE
            )
    if attempt.member_id is None:
        return
    member = await classes.member(ctx.tx, attempt.member_id)
    if member is not None and member.reached_at is None and member.school_year == year:
        await classes.mark_reached(ctx.tx, member.id, ctx.now_iso)


async def ask_opt_in(ctx: Context, attempt: Attempt) -> None:
    """After a contest quiz: may the leaderboard show the student's class pseudonym?"""
    member = None
    if attempt.member_id is not None:
        member = await classes.member(ctx.tx, attempt.member_id)
    if member is None or member.user_id != ctx.user.id:
        ctx.ask(ctx._("What would you like to do next?"), next_steps(ctx))
        return
    ctx.goto(OPT_IN_STATE, member=member.id)
    _offer_opt_in(
        ctx,
        member,
        ctx._(
            "Contest leaderboards never show names. May the leaderboard show your score "
            "under your class pseudonym “{pseudonym}”? If not, your score still counts "
            "for your class without it.",
            pseudonym=pseudonym(ctx, member),
        ),
    )


def pseudonym(ctx: Context, member: Member) -> str:
    return ctx._("Student {number}", number=member.number)


def _offer_opt_in(ctx: Context, member: Member, text: str) -> None:
    name = pseudonym(ctx, member)
    ctx.ask(
        text,
        [
            Choice(
                ctx._("Yes, show “{pseudonym}”", pseudonym=name),
                OPT_IN.make(member.id, 1),
                "yes",
            ),
            Choice(ctx._("No, leave me out"), OPT_IN.make(member.id, 0), "no"),
        ],
    )


async def prompt_opt_in(ctx: Context) -> None:
    member_id = ctx.convo.data.get("member")
    member = await classes.member(ctx.tx, member_id) if isinstance(member_id, int) else None
    if member is None or member.user_id != ctx.user.id:
        ctx.finish()
        return
    text = ctx._(
        "Show your score on the contest leaderboard as “{pseudonym}”?",
        pseudonym=pseudonym(ctx, member),
    )
    _offer_opt_in(ctx, member, text)


async def on_opt_in(ctx: Context) -> None:
    _ = ctx._
    parsed = _parse(OPT_IN, ctx.payload)
    member = await classes.member(ctx.tx, parsed[0]) if parsed else None
    ctx.finish()
    if parsed is None or member is None or member.user_id != ctx.user.id:
        ctx.say(_("That option has expired. Here is where we are now."))
        return
    opt_in = parsed[1] == 1
    await quiz_attempts.set_leaderboard_opt_in(ctx.tx, member.id, opt_in)
    if opt_in:
        text = _(
            "Saved: leaderboards show your score as “{pseudonym}”.",
            pseudonym=pseudonym(ctx, member),
        )
    else:
        text = _("Saved: leaderboards will not show you. Your score still counts for your class.")
    ctx.ask(text, next_steps(ctx))
