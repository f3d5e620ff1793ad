"""/source: the full citation behind the short source of the last tip or quiz question.

Tips and questions show a short source (the instrument, article and clause, at most 120
characters); a longer citation, where the content has one, is kept for this command so that
the source is never longer than the tip. "Last" is whichever the person got most recently: the
quiz question just answered while a quiz runs or when the quiz ended after their last tip,
otherwise their last tip.
"""

from __future__ import annotations

from bot.core.auth import MEMBERS
from bot.core.context import Context
from bot.core.router import N_, Command, Router
from bot.storage import quiz_attempts, tips_seen
from bot.storage.quiz_attempts import ACTIVE, Attempt


def _answered(attempt: Attempt) -> str | None:
    """The last question the person answered in the attempt (the one whose source they saw)."""
    if attempt.position == 0:
        return None
    return attempt.question_ids[min(attempt.position, attempt.total) - 1]


async def show_source(ctx: Context) -> None:
    _ = ctx._
    last_tip = await tips_seen.last(ctx.tx, ctx.user.id)
    attempt = await quiz_attempts.latest(ctx.tx, ctx.user.id)
    question_id = _answered(attempt) if attempt else None
    question = ctx.deps.quizzes.question(question_id) if question_id else None
    tip = ctx.deps.content.tip(last_tip[0]) if last_tip else None
    if question is not None and attempt is not None and tip is not None and last_tip:
        quiz_time = attempt.finished_at or attempt.started_at
        if attempt.status != ACTIVE and quiz_time < last_tip[1]:
            question = None
    if question is not None:
        heading, source = _("The full source of the last quiz question:"), question.long_source
    elif tip is not None:
        heading, source = _("The full source of your last tip:"), tip.long_source
    else:
        ctx.say(_("You have not had a tip or a quiz question yet. Send /tip or /quiz."))
        return
    ctx.say(heading + "\n📚 " + source.get(ctx.locale))


def register(router: Router) -> None:
    router.add_command(
        Command(
            "source",
            show_source,
            MEMBERS,
            N_("the full source of your last tip or quiz question"),
            order=14,
        )
    )
