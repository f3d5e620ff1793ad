"""Weekly check-ins on pledges, through the outbox: "did you keep it this week?".

The job opens each week's check-in once its day and the person's hour have come (their tip
hour, or 19:00), and enqueues one delivery per person and day; both are unique, so a second
run or a restart asks nothing twice, and a check-in missed while the bot was down is asked
when it is back. The delivery puts the question to the person unless they are in the middle of
another step they took up in the last half hour; then it tells them to send /checkin. The
answers build a streak; the last week's answer brings a thank-you, an offer to renew, and a
certificate for a completed pledge.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.content.model import Pledge
from bot.core.auth import MEMBERS, address_of
from bot.core.clock import iso, local, local_date, parse_iso
from bot.core.context import Context
from bot.core.deps import Deps
from bot.core.i18n import Translator
from bot.core.messages import Attachment, Choice, Reply
from bot.core.payloads import Payload
from bot.core.router import N_, Command, Router, State
from bot.pledging import certificate, records
from bot.pledging.records import DURATION_LABELS
from bot.storage import conversations, deliveries, pledges, users
from bot.storage.db import Transaction
from bot.storage.deliveries import Delivery
from bot.storage.pledges import Checkin, TakenPledge

KIND = "pledge_checkin"
STATE = "checkins.answer"
ANSWER = Payload("plgck", "checkin", "kept")
RENEW = Payload("plgnew", "taken", "answer")
IDLE = timedelta(minutes=30)


def question(_: Translator, pledge: Pledge | None, taken: TakenPledge, checkin: Checkin) -> str:
    label = pledge.text.get(_.locale) if pledge else taken.pledge_key
    if taken.weeks is None:
        week = _("Week {week}", week=_.number(checkin.week))
    else:
        week = _("Week {week} of {weeks}", week=_.number(checkin.week), weeks=_.number(taken.weeks))
    return f"🗓 {week}: {label}\n" + _("Did you keep it this week?")


def answer_choices(_: Translator, checkin: Checkin) -> list[Choice]:
    return [
        Choice(_("Yes, I kept it"), ANSWER.make(checkin.id, "yes"), "yes"),
        Choice(_("Not this week"), ANSWER.make(checkin.id, "no"), "no"),
    ]


def latest_due_week(taken: TakenPledge, tip_time: str | None, last_week: int, now: datetime) -> int:
    """The last week whose check-in is due now. After weeks without the bot (down, or the
    person unreachable), only the latest of them is asked, not one stale question a day."""
    week = last_week
    while (taken.weeks is None or week < taken.weeks) and records.is_due(
        taken.due_day(week + 1), tip_time, now
    ):
        week += 1
    return week


async def enqueue_checkins(deps: Deps) -> int:
    """Opens the check-ins that are due and enqueues today's delivery for whoever has one."""
    now = deps.clock.now()
    today = local_date(now).isoformat()
    count = 0
    async with deps.db.transaction() as tx:
        for taken, tip_time, last_week in await pledges.all_active(tx):
            week = latest_due_week(taken, tip_time, last_week, now)
            if week > last_week:
                await pledges.open_week(tx, taken, week, iso(now))
        for user_id, tip_time in await pledges.users_to_ask(tx):
            if records.is_due(local_date(now), tip_time, now):
                count += await deliveries.enqueue(tx, user_id, KIND, today, "", iso(now))
    return count


async def render_checkin(deps: Deps, tx: Transaction, delivery: Delivery) -> list[Reply] | None:
    """Asks the oldest open check-in; if the person is in the middle of another step, tells
    them to answer with /checkin instead, so that their step is not lost."""
    user = await users.get(tx, delivery.user_id)
    if user is None:
        return None
    waiting = await pledges.open_checkins(tx, user.id)
    if not waiting:
        return None
    now = deps.clock.now()
    await pledges.mark_asked(tx, user.id, iso(now))
    _ = deps.i18n.translator(user.locale or "vi", address_of(user))
    checkin = waiting[0]
    taken = await pledges.get(tx, checkin.pledge_id, user.id)
    assert taken is not None
    text = question(_, deps.content.pledge(taken.pledge_key), taken, checkin)
    convo = await conversations.load(tx, user.id)
    if await _busy(tx, user.id, convo.state, now):
        return [Reply(text + "\n" + _("When you are ready, send /checkin to answer."))]
    choices = answer_choices(_, checkin)
    convo.state, convo.choices, convo.question = STATE, choices, text
    convo.data, convo.misses, convo.lettered = {"checkin": checkin.id}, 0, False
    await conversations.save(tx, user.id, convo, iso(now))
    return [Reply(text, tuple(choices))]


async def _busy(tx: Transaction, user_id: int, state: str, now: datetime) -> bool:
    """In the middle of a step they took up lately: the question must not take its place.
    A step left alone for longer than `IDLE` is given up for the check-in."""
    if not state or state == STATE:
        return False
    moved = await conversations.updated_at(tx, user_id)
    return moved is not None and now - parse_iso(moved) < IDLE


async def checkin_command(ctx: Context) -> None:
    waiting = await pledges.open_checkins(ctx.tx, ctx.user.id)
    if not waiting:
        ctx.say(ctx._("No check-in is waiting for you. /mypledges shows your pledges and streaks."))
        return
    ctx.goto(STATE, checkin=waiting[0].id)
    await ask_checkin(ctx)


async def ask_checkin(ctx: Context) -> None:
    waiting = await pledges.open_checkins(ctx.tx, ctx.user.id)
    wanted = int(ctx.convo.data.get("checkin", 0))
    checkin = next((c for c in waiting if c.id == wanted), waiting[0] if waiting else None)
    if checkin is None:
        ctx.finish()
        return
    taken = await pledges.get(ctx.tx, checkin.pledge_id, ctx.user.id)
    assert taken is not None
    ctx.convo.data["checkin"] = checkin.id
    pledge = ctx.deps.content.pledge(taken.pledge_key)
    ctx.ask(question(ctx._, pledge, taken, checkin), answer_choices(ctx._, checkin))


async def on_answer(ctx: Context) -> None:
    _ = ctx._
    values = ANSWER.parse(ctx.payload)
    checkin_id = ANSWER.parse_int(ctx.payload, "checkin") or 0
    checkin = await pledges.get_checkin(ctx.tx, checkin_id, ctx.user.id)
    if values is None or checkin is None or checkin.answer is not None:
        ctx.say(_("That week is already behind us. Here is where we are now."))
        await next_checkin(ctx)
        return
    kept = values[1] == "yes"
    taken = await pledges.answer(ctx.tx, checkin, kept, ctx.now_iso)
    if kept:
        await records.count(ctx.tx, ctx.user, "kept", ctx.now)
        streak = _.plural("{count} week in a row", "{count} weeks in a row", taken.streak)
        ctx.say(_("Well done! You kept it {streak}.", streak=streak))
    else:
        ctx.say(_("Thank you for being honest. A new week is a new chance."))
    if taken.weeks is not None and checkin.week >= taken.weeks:
        await finish_pledge(ctx, taken)
        return
    await next_checkin(ctx)


async def next_checkin(ctx: Context) -> None:
    waiting = await pledges.open_checkins(ctx.tx, ctx.user.id)
    if not waiting:
        ctx.finish()
        return
    ctx.goto(STATE, checkin=waiting[0].id)
    await ask_checkin(ctx)


async def finish_pledge(ctx: Context, taken: TakenPledge) -> None:
    """The last week: thanks, a certificate if it was kept (3 weeks in 4), and a renewal offer."""
    _ = ctx._
    assert taken.weeks is not None
    pledge = ctx.deps.content.pledge(taken.pledge_key)
    label = pledge.label.get(ctx.locale) if pledge else taken.pledge_key
    weeks = _.plural("{count} week", "{count} weeks", taken.weeks)
    kept = _.plural("{count} week", "{count} weeks", taken.kept)
    done = records.completed(taken.kept, taken.weeks)
    await records.close(
        ctx.tx, ctx.user, taken, pledges.COMPLETED if done else pledges.ENDED, ctx.now
    )
    summary = _(
        "Your pledge “{pledge}” has ended: you kept it {kept} of {weeks}.",
        pledge=label,
        kept=kept,
        weeks=weeks,
    )
    if done:
        ctx.say(
            summary + "\n" + _("Thank you! Here is your certificate."),
            photo=Attachment(
                certificate_png(_, pledge, taken, ctx.now), "certificate.png", "image/png"
            ),
        )
    else:
        ctx.say(summary + "\n" + _("Thank you for trying, every week counts."))
    ctx.goto("checkins.renew", renewing=taken.id)
    await ask_renew(ctx)


def certificate_texts(
    _: Translator, pledge: Pledge | None, taken: TakenPledge, now: datetime
) -> certificate.Certificate:
    assert taken.weeks is not None
    return certificate.Certificate(
        title=_("Certificate of a pledge kept"),
        pledge=pledge.text.get(_.locale) if pledge else taken.pledge_key,
        detail=_(
            "Kept {kept} of {weeks}",
            kept=_.plural("{count} week", "{count} weeks", taken.kept),
            weeks=_.plural("{count} week", "{count} weeks", taken.weeks),
        ),
        footer=_("Lạng Sơn province's campaign against plastic waste")
        + "\n"
        + _.date(local(now).date()),
    )


def certificate_png(
    _: Translator, pledge: Pledge | None, taken: TakenPledge, now: datetime
) -> bytes:
    return certificate.render(certificate_texts(_, pledge, taken, now))


async def ask_renew(ctx: Context) -> None:
    _ = ctx._
    taken = await pledges.get(ctx.tx, int(ctx.convo.data.get("renewing", 0)), ctx.user.id)
    if taken is None or taken.weeks is None:
        await next_checkin(ctx)
        return
    duration = _(DURATION_LABELS[records.duration_of(taken.weeks)]).lower()
    ctx.ask(
        _("Take it again ({duration})?", duration=duration),
        [
            Choice(_("Yes, again"), RENEW.make(taken.id, "yes"), "yes"),
            Choice(_("No, thanks"), RENEW.make(taken.id, "no"), "no"),
        ],
    )


async def on_renew(ctx: Context) -> None:
    _ = ctx._
    values = RENEW.parse(ctx.payload)
    taken = await pledges.get(ctx.tx, RENEW.parse_int(ctx.payload, "taken") or 0, ctx.user.id)
    if values is not None and values[1] == "yes" and taken is not None:
        active = {t.pledge_key for t in await pledges.of_user(ctx.tx, ctx.user.id)}
        if taken.pledge_key not in active:
            duration = records.duration_of(taken.weeks)
            await records.take(ctx.tx, ctx.user, taken.pledge_key, duration, ctx.now)
        ctx.say(_("Renewed! I will ask you again next week."))
    else:
        ctx.say(_("All right. Send /pledge whenever you want a new one."))
    await next_checkin(ctx)


def register(router: Router) -> None:
    router.add_command(
        Command(
            "checkin", checkin_command, MEMBERS, N_("answer this week's pledge check-in"), order=22
        )
    )
    router.add_state(State(STATE, ask_checkin, on_choice=on_answer))
    router.add_state(State("checkins.renew", ask_renew, on_choice=on_renew))
    router.add_job(enqueue_checkins)
    router.add_renderer(KIND, render_checkin)
