"""Daily tips: /tip now, /subscribe at a chosen local time, /unsubscribe.

A tip suits the person's role and school level, is not one they had recently, and a tip
dated for today (World Environment Day, Plastic Bag Free Day...) goes first.
"""

from __future__ import annotations

from datetime import date

from bot.content.model import Tip
from bot.core.auth import MEMBERS
from bot.core.clock import iso, local, local_date
from bot.core.context import Context
from bot.core.deps import Deps
from bot.core.i18n import Translator
from bot.core.messages import Reply
from bot.core.router import N_, Command, MenuItem, Router
from bot.domain.tip_time import parse_time, set_tip_time
from bot.storage import deliveries, tips_seen, users
from bot.storage.db import Transaction
from bot.storage.deliveries import Delivery
from bot.storage.users import User

KIND = "daily_tip"
RECENT_WINDOW = 40


async def choose_tip(deps: Deps, tx: Transaction, user: User, today: date) -> Tip:
    recent = await tips_seen.recent(tx, user.id, RECENT_WINDOW)
    suitable = [t for t in deps.content.tips if t.suits(user.audience, user.school_level)]
    dated = [t for t in suitable if t.on and t.on.matches(today) and t.id not in recent[:5]]
    if dated:
        return dated[0]
    undated = [t for t in suitable if t.on is None] or list(deps.content.tips)
    fresh = [t for t in undated if t.id not in recent]
    if fresh:
        return deps.rng.choice(fresh)
    # Everything was seen lately: the one seen longest ago.
    order = {tip_id: age for age, tip_id in enumerate(recent)}
    return max(undated, key=lambda t: order.get(t.id, len(order)))


def tip_text(_: Translator, tip: Tip) -> str:
    return (
        "💡 "
        + tip.text.get(_.locale)
        + "\n"
        + _("Source: {source}", source=tip.source.get(_.locale))
    )


async def tip_now(ctx: Context) -> None:
    tip = await choose_tip(ctx.deps, ctx.tx, ctx.user, local_date(ctx.now))
    await tips_seen.record(ctx.tx, ctx.user.id, tip.id, ctx.now_iso)
    ctx.say(tip_text(ctx._, tip))


async def subscribe(ctx: Context) -> None:
    _ = ctx._
    raw = ctx.incoming.args.strip() or ctx.deps.settings.default_tip_time
    when = parse_time(raw)
    if when is None:
        ctx.say(
            _(
                "“{value}” is not a time I understand. Please write it as HH:MM, "
                "for example /subscribe 18:30.",
                value=raw[:20],
            )
        )
        return
    await set_tip_time(ctx, when)
    ctx.say(
        _(
            "Done: you will get one tip every day at {time} (Vietnam time). "
            "Send /unsubscribe to stop, or /subscribe HH:MM to change the time.",
            time=_.time(when),
        )
    )


async def unsubscribe(ctx: Context) -> None:
    if ctx.user.tip_time is None:
        ctx.say(ctx._("You are not subscribed to daily tips. Send /subscribe to start."))
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
    count = 0
    async with deps.db.transaction() as tx:
        rows = await tx.fetch_all(
            """SELECT u.id FROM users u
               WHERE u.tip_time IS NOT NULL AND u.tip_time <= ? AND u.reachable = 1
                 AND u.consent_at IS NOT NULL AND u.tip_since < ? || ' ' || u.tip_time
                 AND NOT EXISTS (SELECT 1 FROM deliveries d
                                 WHERE d.user_id = u.id AND d.kind = ? AND d.day = ?)""",
            (hhmm, today, KIND, today),
        )
        for row in rows:
            count += await deliveries.enqueue(tx, row[0], KIND, today, "", iso(now))
    return count


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
    _ = deps.i18n.translator(user.locale)
    return [Reply(_("Your tip for today:") + "\n" + tip_text(_, tip))]


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
    router.add_menu_item(MenuItem("tip", N_("A tip now"), order=10))
    router.add_menu_item(MenuItem("subscribe", N_("A tip every day"), order=20))
    router.add_job(enqueue_daily_tips)
    router.add_renderer(KIND, render_daily_tip)
