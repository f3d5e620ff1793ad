"""/contests: a contest's classes, leaderboards and each participant's own result.

After the end, each participant gets their own result in their chat (an outbox delivery,
at most one per person and day; /contests always shows every result).

The leaderboard ranks classes and schools by the average of their members' best scores
(members who took part). Students appear only as their class pseudonym ("Student 12") and
only if they opted in; a participant's own score is shown only in their own chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.auth import Role
from bot.core.clock import iso, local_date, parse_iso
from bot.core.context import Context
from bot.core.deps import Deps
from bot.core.i18n import Translator
from bot.core.messages import Choice, Reply
from bot.core.payloads import Payload
from bot.core.router import N_, Command, Router, State
from bot.domain.campaigns import pseudonym
from bot.domain.profile import level_label
from bot.storage import contests, deliveries
from bot.storage.contests import Contest, Entry, Score
from bot.storage.db import Transaction
from bot.storage.deliveries import Delivery

TOP_STUDENTS = 10
RESULT = "contest_result"
RESULTS_WITHIN = timedelta(days=7)  # results of contests that ended longer ago are not sent
VIEWERS = frozenset({Role.STUDENT, Role.TEACHER, Role.OFFICER})
VIEW = Payload("ctv", "contest")


@dataclass(frozen=True)
class Standing:
    key: int  # class or school id
    name: str
    average: float | None
    played: int
    members: int


def _average(best: list[int]) -> float | None:
    return sum(best) / len(best) if best else None


def standings(entries: list[Entry], scores: list[Score]) -> tuple[list[Standing], list[Standing]]:
    """Classes and schools, best average first (those where nobody played last)."""
    by_class: dict[int, list[Score]] = {}
    for score in scores:
        by_class.setdefault(score.class_id, []).append(score)
    class_rows: list[Standing] = []
    school_scores: dict[int, list[Score]] = {}
    school_names: dict[int, str] = {}
    for entry in entries:
        members = by_class.get(entry.class_id, [])
        best = [s.best for s in members if s.best is not None]
        class_rows.append(
            Standing(
                entry.class_id,
                f"{entry.class_name}, {entry.school_name}",
                _average(best),
                len(best),
                len(members),
            )
        )
        school_scores.setdefault(entry.school_id, []).extend(members)
        school_names[entry.school_id] = entry.school_name
    school_rows = []
    for school_id, members in school_scores.items():
        best = [s.best for s in members if s.best is not None]
        school_rows.append(
            Standing(school_id, school_names[school_id], _average(best), len(best), len(members))
        )

    def order(row: Standing) -> tuple[bool, float, str]:
        return (row.average is None, -(row.average or 0), row.name)

    return sorted(class_rows, key=order), sorted(school_rows, key=order)


# An average of one or two children is (nearly) their own score: it is not shown.
MIN_PLAYED = 3


def _score(_: Translator, value: float) -> str:
    return _.number(round(value, 1))


def _ranking(_: Translator, rows: list[Standing]) -> list[str]:
    lines = []
    shown = [r for r in rows if r.average is not None and r.played >= MIN_PLAYED]
    for place, row in enumerate(shown, 1):
        lines.append(
            _(
                "{place}. {name}: {average} ({played} took part)",
                place=place,
                name=row.name,
                average=_score(_, row.average or 0),
                played=_.number(row.played),
            )
        )
    for row in rows:
        if row.average is not None and row.played < MIN_PLAYED:
            lines.append(
                _(
                    "• {name}: {played} took part (a score is shown from {minimum} on)",
                    name=row.name,
                    played=_.number(row.played),
                    minimum=MIN_PLAYED,
                )
            )
    return lines or [_("Nobody took part.")]


async def contest_text(
    tx: Transaction, _: Translator, contest: Contest, now: datetime, *, staff: bool
) -> str:
    entries = await contests.entries(tx, contest.id)
    scores = await contests.scores(tx, contest.id)
    class_rows, school_rows = standings(entries, scores)
    starts, ends = parse_iso(contest.starts_at), parse_iso(contest.ends_at)
    lines = [
        f"🏆 {contest.name} · {level_label(_, contest.level)}",
        _("From {start} to {end}.", start=_.datetime(starts), end=_.datetime(ends)),
    ]
    if staff:
        took_part = sum(1 for row in class_rows if row.played)
        lines += [
            "",
            _(
                "Classes taking part: {count}, of which {played} played.",
                count=len(class_rows),
                played=took_part,
            ),
        ]
        for row in sorted(class_rows, key=lambda r: r.name):
            lines.append(
                _(
                    "• {name}: {played} of {members} students took part",
                    name=row.name,
                    played=_.number(row.played),
                    members=_.number(row.members),
                )
            )
    if now < ends:
        lines += ["", _("The leaderboard comes when the contest ends.")]
        return "\n".join(lines)
    lines += ["", _("By class (average of best scores):"), *_ranking(_, class_rows)]
    lines += ["", _("By school:"), *_ranking(_, school_rows)]
    names = {e.class_id: e.class_name for e in entries}
    shown = sorted(
        (s for s in scores if s.opt_in and s.best is not None),
        key=lambda s: (-(s.best or 0), s.class_id, s.number),
    )[:TOP_STUDENTS]
    lines += ["", _("Best students (those who agreed to be shown):")]
    for place, score in enumerate(shown, 1):
        lines.append(
            _(
                "{place}. {pseudonym} ({name}): {score}",
                place=place,
                pseudonym=pseudonym(_, score.number),
                name=names.get(score.class_id, "-"),
                score=score.best,
            )
        )
    if not shown:
        lines.append(_("Nobody chose to be shown."))
    return "\n".join(lines)


async def own_result_text(
    tx: Transaction, _: Translator, contest: Contest, user_id: int, now: datetime
) -> str | None:
    """The person's own score and their class's place, for their own chat only."""
    found = await contests.own_best(tx, contest.id, user_id)
    if found is None:
        return None
    score, class_id = found
    lines = [_("Your score: {score} of {total}.", score=score, total=len(contest.question_ids))]
    if class_id is not None and now >= parse_iso(contest.ends_at):
        class_rows, _schools = standings(
            await contests.entries(tx, contest.id), await contests.scores(tx, contest.id)
        )
        ranked = [row for row in class_rows if row.average is not None]
        for place, row in enumerate(ranked, 1):
            if row.key == class_id:
                lines.append(
                    _(
                        "Your class came {place} of {count} (average {average}).",
                        place=place,
                        count=len(ranked),
                        average=_score(_, row.average or 0),
                    )
                )
    return "\n".join(lines)


async def _visible(ctx: Context) -> list[Contest]:
    if ctx.role is Role.ADMIN:
        return await contests.visible(ctx.tx, user_id=ctx.user.id, everywhere=True)
    if ctx.role is Role.OFFICER:
        area = ctx.user.officer_commune
        return await contests.visible(
            ctx.tx, user_id=ctx.user.id, area=area, everywhere=area is None
        )
    if ctx.role is Role.TEACHER:
        return await contests.visible(ctx.tx, user_id=ctx.user.id, teacher=True)
    return await contests.visible(ctx.tx, user_id=ctx.user.id, member=True)


def when_text(ctx: Context, contest: Contest) -> str:
    _ = ctx._
    starts, ends = parse_iso(contest.starts_at), parse_iso(contest.ends_at)
    if ctx.now < starts:
        return _("starts {date}", date=_.datetime(starts))
    if ctx.now < ends:
        return _("running until {date}", date=_.datetime(ends))
    return _("ended {date}", date=_.datetime(ends))


async def show_contests(ctx: Context) -> None:
    _ = ctx._
    found = await _visible(ctx)
    if not found:
        ctx.say(_("There is no contest for you yet."))
        return
    lines = [_("Contests:")]
    for contest in found:
        lines.append(
            f"• {contest.name} · {level_label(_, contest.level)} · {when_text(ctx, contest)}"
        )
    choices = [Choice(contest.name[:40], VIEW.make(contest.id)) for contest in found[:8]]
    ctx.ask(
        "\n".join(lines) + "\n\n" + _("Pick one to see its classes and results."),
        choices,
        state="contests.list",
    )


async def on_view(ctx: Context) -> None:
    contest_id = VIEW.parse_int(ctx.payload, "contest")
    contest = next((c for c in await _visible(ctx) if c.id == contest_id), None)
    ctx.finish()
    if contest is None:
        ctx.say(ctx._("That option has expired. Here is where we are now."))
        return
    staff = ctx.role in (Role.TEACHER, Role.OFFICER, Role.ADMIN)
    text = await contest_text(ctx.tx, ctx._, contest, ctx.now, staff=staff)
    if ctx.role is Role.STUDENT:
        own = await own_result_text(ctx.tx, ctx._, contest, ctx.user.id, ctx.now)
        if own:
            text += "\n\n" + own
    ctx.say(text)


async def enqueue_results(deps: Deps) -> int:
    """One result delivery per participant of each contest that ended lately (idempotent)."""
    now = deps.clock.now()
    count = 0
    async with deps.db.transaction() as tx:
        for contest in await contests.ended_between(tx, iso(now - RESULTS_WITHIN), iso(now)):
            day = local_date(parse_iso(contest.ends_at)).isoformat()
            for user_id in await contests.participants(tx, contest.id):
                count += await deliveries.enqueue(
                    tx, user_id, RESULT, day, str(contest.id), iso(now)
                )
    return count


async def render_result(deps: Deps, tx: Transaction, delivery: Delivery) -> list[Reply] | None:
    contest = await contests.get(tx, int(delivery.payload)) if delivery.payload.isdigit() else None
    if contest is None:
        return None
    _ = deps.i18n.translator(delivery.locale, delivery.address)
    own = await own_result_text(tx, _, contest, delivery.user_id, deps.clock.now())
    if own is None:
        return None
    text = _("🏆 The contest “{name}” has ended.", name=contest.name) + "\n" + own
    return [Reply(text + "\n" + _("Send /contests to see the leaderboard."))]


def register(router: Router) -> None:
    router.add_command(
        Command(
            "contests", show_contests, VIEWERS, N_("contests, leaderboards and results"), order=45
        )
    )
    router.add_state(State("contests.list", show_contests, on_choice=on_view))
    router.add_job(enqueue_results)
    router.add_renderer(RESULT, render_result)
