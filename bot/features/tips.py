"""Daily tips: /tip now, /subscribe at a chosen local time, /unsubscribe.

A tip suits the person's role and school level, is not one they had recently, and a tip
dated for today (World Environment Day, Plastic Bag Free Day...) goes first. The first tips are
habits, a fine or a legal duty comes at most once a week, a third are local, and a tip takes
the person's commune and market (bot/content/tip_order.py, bot/content/fill.py).
"""

from __future__ import annotations

from datetime import date, time
from functools import partial

from bot.content.fill import available, fill
from bot.content.model import Content, Tip
from bot.content.tip_order import Seen, choose
from bot.core.auth import MEMBERS, address_of
from bot.core.clock import iso, local, local_date, parse_iso
from bot.core.context import Context
from bot.core.deps import Deps
from bot.core.i18n import Translator
from bot.core.messages import Choice, Reply
from bot.core.payloads import Payload
from bot.core.router import N_, Command, MenuItem, Router, State
from bot.domain.tip_time import parse_time, set_tip_time
from bot.storage import deliveries, tips_seen, users
from bot.storage.db import Transaction
from bot.storage.deliveries import Delivery
from bot.storage.users import User

KIND = "daily_tip"
RECENT_WINDOW = 40
TIME_STATE = "tips.time"
STOP_STATE = "tips.stop"
TIME = Payload("tt", "hhmm")
STOP = Payload("tstop", "answer")


async def choose_tip(deps: Deps, tx: Transaction, user: User, today: date) -> Tip:
    """The next tip under the order rule and the local share (bot/content/tip_order.py)."""
    rows = await tips_seen.history(tx, user.id, RECENT_WINDOW)
    history = [Seen(tip_id, local_date(parse_iso(at))) for tip_id, at in rows]
    content = deps.content
    suitable = [t for t in content.tips if t.suits(user.audience, user.school_level)]
    allowed = partial(available, content=content, day=today)
    tip = choose(suitable, history, content.tip, today, deps.rng, allowed)
    if tip is None:  # nothing suits this person: any habit, so they still get a tip
        habits = [t for t in content.tips if t.kind == "habit" and not t.placeholders]
        tip = choose(habits or content.tips, history, content.tip, today, deps.rng, allowed)
    assert tip is not None  # the content has habit tips (check-content)
    return tip


def tip_text(_: Translator, tip: Tip, content: Content, commune: str | None, day: date) -> str:
    """The tip with the person's commune and market filled in, and its short source."""
    text = _.addressed(fill(tip.text.get(_.locale), _.locale, content, commune, day))
    source = tip.source.get(_.locale)
    if tip.source_long is not None:
        line = _("Source: {source} (full source: /source)", source=source)
    else:
        line = _("Source: {source}", source=source)
    return "💡 " + text + "\n" + line


async def tip_now(ctx: Context) -> None:
    today = local_date(ctx.now)
    tip = await choose_tip(ctx.deps, ctx.tx, ctx.user, today)
    await tips_seen.record(ctx.tx, ctx.user.id, tip.id, ctx.now_iso)
    ctx.say(tip_text(ctx._, tip, ctx.deps.content, ctx.user.commune_code, today))


async def subscribe(ctx: Context) -> None:
    """`/subscribe 18:30` (or `6 giờ sáng`, `7h tối`...) at once; a bare `/subscribe` offers
    morning, noon, evening or another time."""
    raw = ctx.incoming.args.strip()
    if not raw:
        await ask_tip_time(ctx)
        return
    when = parse_time(ctx, raw)
    if when is None:
        ctx.say(not_a_time(ctx, raw))
        return
    await subscribe_at(ctx, when)


def not_a_time(ctx: Context, raw: str) -> str:
    return ctx._(
        "“{value}” is not a time I understand. Write it as HH:MM or in words, for example "
        "/subscribe 18:30, 6 giờ sáng or 7h tối.",
        value=raw[:20],
    )


async def ask_tip_time(ctx: Context) -> None:
    _ = ctx._
    morning = parse_hhmm(ctx.deps.settings.default_tip_time) or time(7)
    options = [(_("Morning"), morning), *_periods(ctx)]
    choices = [
        Choice(f"{label} ({_.time(when)})", TIME.make(when.strftime("%H%M")))
        for label, when in options
    ]
    choices.append(Choice(_("Another time"), TIME.make("other")))
    ctx.ask(
        _("At what time would you like your daily tip?"),
        choices,
        state=TIME_STATE,
        brief=_("At what time would you like your daily tip?"),
    )


def _periods(ctx: Context) -> list[tuple[str, time]]:
    """Noon and evening as `content/answers.yaml` defines them (trưa 11:30, tối 19:30)."""
    by_word = {p.word: p.default for p in ctx.deps.interpreter.rules.periods}
    found = [(ctx._("Noon"), by_word.get("trưa")), (ctx._("Evening"), by_word.get("tối"))]
    return [(label, when) for label, when in found if when is not None]


async def on_tip_time_choice(ctx: Context) -> None:
    values = TIME.parse(ctx.payload)
    when = parse_hhmm(values[0]) if values else None
    if when is None:
        ctx.ask(
            ctx._("At what time? For example 18:30, 6 giờ sáng or 7h tối."),
            state=TIME_STATE,
        )
        return
    ctx.finish()
    await subscribe_at(ctx, when)


async def on_tip_time_text(ctx: Context) -> None:
    when = parse_time(ctx, ctx.text)
    if when is None:
        ctx.say(not_a_time(ctx, ctx.text))
        await ctx.reprompt()
        return
    ctx.finish()
    await subscribe_at(ctx, when)


def parse_hhmm(value: str) -> time | None:
    """'0730' or '07:30' as stored in payloads and settings; anything else is None."""
    digits = value.replace(":", "")
    if len(digits) != 4 or not digits.isdecimal():
        return None
    hour, minute = int(digits[:2]), int(digits[2:])
    return time(hour, minute) if hour < 24 and minute < 60 else None


async def subscribe_at(ctx: Context, when: time) -> None:
    _ = ctx._
    await set_tip_time(ctx, when)
    ctx.say(
        _(
            "Done: you will get one tip every day at {time} (Vietnam time). "
            "Send /unsubscribe to stop, or /subscribe HH:MM to change the time.",
            time=_.time(when),
        )
    )


async def unsubscribe(ctx: Context) -> None:
    """Asks first: 'dừng' or 'hủy' typed in passing should not end someone's tips."""
    if ctx.user.tip_time is None:
        ctx.say(ctx._("You are not subscribed to daily tips. Send /subscribe to start."))
        return
    ctx.ask(
        ctx._("Stop your daily tip at {time}?", time=ctx.user.tip_time),
        [
            Choice(ctx._("Yes, stop the tips"), STOP.make("yes"), "yes"),
            Choice(ctx._("No, keep them"), STOP.make("no"), "no"),
        ],
        state=STOP_STATE,
    )


async def on_stop(ctx: Context) -> None:
    ctx.finish()
    if STOP.parse(ctx.payload) != ("yes",):
        ctx.say(ctx._("Good: your daily tips go on."))
        return
    await ctx.update_user(tip_time=None, tip_since=None)
    await deliveries.drop_pending_for(ctx.tx, ctx.user.id, "unsubscribed")
    ctx.say(ctx._("You will not get daily tips any more. Send /subscribe to start again."))


async def enqueue_daily_tips(deps: Deps) -> int:
    """Creates today's delivery for every subscriber whose time has come.

    Idempotent: the outbox's unique (person, kind, day) key means running this twice, or
    after a restart, never creates a second delivery. People who subscribed after today's
    time get their first tip tomorrow.
    """
    now = deps.clock.now()
    today = local_date(now).isoformat()
    hhmm = local(now).strftime("%H:%M")
    # One statement for all of them: 100,000 subscribers at 07:00 are enqueued in well under
    # a second, instead of holding the database for seconds with one INSERT each.
    async with deps.db.transaction() as tx:
        return await tx.execute(
            """INSERT INTO deliveries (user_id, kind, day, payload, not_before, created_at)
               SELECT u.id, ?, ?, '', ?, ? FROM users u
               WHERE u.tip_time IS NOT NULL AND u.tip_time <= ? AND u.reachable = 1
                 AND u.consent_at IS NOT NULL AND u.tip_since < ? || ' ' || u.tip_time
                 AND NOT EXISTS (SELECT 1 FROM deliveries d
                                 WHERE d.user_id = u.id AND d.kind = ? AND d.day = ?)
               ORDER BY u.id
               ON CONFLICT (user_id, kind, day) DO NOTHING""",
            (KIND, today, iso(now), iso(now), hhmm, today, KIND, today),
        )


async def render_daily_tip(deps: Deps, tx: Transaction, delivery: Delivery) -> list[Reply] | None:
    """Picks the tip when it is sent (and keeps it in the payload, so a retry sends the same)."""
    user = await users.get(tx, delivery.user_id)
    if user is None or user.tip_time is None:
        return None
    tip = deps.content.tip(delivery.payload) if delivery.payload else None
    if tip is None:
        tip = await choose_tip(deps, tx, user, date.fromisoformat(delivery.day))
        await tx.execute("UPDATE deliveries SET payload = ? WHERE id = ?", (tip.id, delivery.id))
        await tips_seen.record(tx, user.id, tip.id, iso(deps.clock.now()))
    _ = deps.i18n.translator(user.locale, address_of(user))
    day = date.fromisoformat(delivery.day)
    text = tip_text(_, tip, deps.content, user.commune_code, day)
    return [Reply(_("Your tip for today:") + "\n" + text)]


def register(router: Router) -> None:
    router.add_command(
        Command("tip", tip_now, MEMBERS, N_("a tip against plastic waste now"), order=10)
    )
    router.add_command(
        Command(
            "subscribe", subscribe, MEMBERS, N_("a tip every day (e.g. /subscribe 18:30)"), order=11
        )
    )
    router.add_command(
        Command("unsubscribe", unsubscribe, MEMBERS, N_("stop the daily tip"), order=12)
    )
    router.add_state(
        State(
            TIME_STATE,
            ask_tip_time,
            on_choice=on_tip_time_choice,
            on_text=on_tip_time_text,
            loose_choices=True,
        )
    )
    router.add_state(State(STOP_STATE, unsubscribe, on_choice=on_stop))
    router.add_menu_item(MenuItem("tip", N_("A tip now"), order=10))
    router.add_menu_item(MenuItem("subscribe", N_("A tip every day"), order=20))
    router.add_job(enqueue_daily_tips)
    router.add_renderer(KIND, render_daily_tip)
