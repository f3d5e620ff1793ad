"""/market NAME: a market's page; /addmarket and /modelpoint: officers keep the list.

A page shows only approved reports: the last one (with its first photo), how the checklist's
answers went over the last reports, and how many were approved this month. Moderators (see
`bot.markets.moderation_area`) add markets in their area and mark model points; both are
stored in the database next to `content/markets.yaml`.
"""

from __future__ import annotations

import re

from bot.core.auth import MEMBERS, STAFF
from bot.core.clock import local_date, parse_iso
from bot.core.context import Context
from bot.core.messages import Attachment, Choice
from bot.core.payloads import Payload
from bot.core.router import N_, Command, Router, State
from bot.core.text import fold
from bot.markets import (
    CHECK_LABELS,
    CHECKLIST,
    MarketInfo,
    all_markets,
    checklist_lines,
    market,
    moderation_area,
    name_key,
    search,
)
from bot.storage import reports
from bot.storage.photo_stores import photo_store

PICK = Payload("mk", "market")
MARK = Payload("mm", "answer", "market")
TREND_REPORTS = 5


async def market_command(ctx: Context) -> None:
    if ctx.incoming.args.strip():
        ctx.text = ctx.incoming.args.strip()
        await on_name(ctx)
        return
    ctx.goto("markets.pick")
    await ask_name(ctx)


async def ask_name(ctx: Context) -> None:
    markets = await all_markets(ctx.tx, ctx.deps.content)
    ctx.ask(
        ctx._("Which market? Type its name or its commune."),
        [Choice(m.name(ctx.locale), PICK.make(m.id)) for m in markets[:8]],
        state="markets.pick",
    )


async def on_name(ctx: Context) -> None:
    markets = await all_markets(ctx.tx, ctx.deps.content)
    found = search(markets, ctx.deps.content, ctx.text)
    if len(found) == 1:
        ctx.finish()
        await show(ctx, found[0])
        return
    if not found:
        ctx.say(ctx._("I don't know a market like “{text}”.", text=ctx.text[:60]))
        await ask_name(ctx)
        return
    ctx.ask(
        ctx._("Which of these markets?"),
        [Choice(m.name(ctx.locale), PICK.make(m.id)) for m in found[:8]],
        state="markets.pick",
    )


async def on_pick(ctx: Context) -> None:
    values = PICK.parse(ctx.payload)
    chosen = await market(ctx.tx, ctx.deps.content, values[0]) if values else None
    ctx.finish()
    if chosen is not None:
        await show(ctx, chosen)


def trend(ctx: Context, approved: list[reports.Report]) -> list[str]:
    """Each checklist item's answers, oldest to newest: '• Sorting bins: no → yes'."""
    _ = ctx._
    oldest_first = list(reversed(approved))
    lines = []
    for key, _question in CHECKLIST:
        seen = [_("yes") if r.answers[key] else _("no") for r in oldest_first if key in r.answers]
        if seen:
            lines.append(f"• {_(CHECK_LABELS[key])}: {' → '.join(seen)}")
    return lines


async def show(ctx: Context, chosen: MarketInfo) -> None:
    _ = ctx._
    commune = ctx.deps.content.commune(chosen.commune)
    lines = [f"🏪 {chosen.name(ctx.locale)}: {commune.name if commune else chosen.commune}"]
    lines.append(
        _("A registered model point against nylon bags.")
        if chosen.model_point
        else _("Not a registered model point (yet).")
    )
    approved = await reports.approved_for_market(ctx.tx, chosen.id, TREND_REPORTS)
    month = local_date(ctx.now).replace(day=1).isoformat()
    count = await reports.approved_since(ctx.tx, chosen.id, month)
    photo = None
    if not approved:
        lines.append(_("No approved report yet. Send /report to be the first."))
    else:
        last = approved[0]
        lines.append("")
        lines.append(_("Last report, {date}:", date=_.date(local_date(parse_iso(last.created_at)))))
        lines += checklist_lines(_, last.answers)
        if len(approved) > 1:
            lines.append("")
            lines.append(_("The last {count} reports, oldest first:", count=len(approved)))
            lines += trend(ctx, approved)
        store = photo_store(ctx.deps.settings, ctx.tx)
        data = await store.load(last.photos[0]) if last.photos else None
        if data is not None:
            photo = Attachment(data, "market.jpg", "image/jpeg")
    lines.append("")
    lines.append(_("Approved reports this month: {count}", count=_.number(count)))
    ctx.say("\n".join(lines), photo=photo)


# --- officers keep the list -------------------------------------------------------------------


def not_moderator(ctx: Context) -> str:
    return ctx._(
        "Markets are kept by officers of the Department of Agriculture and Environment, "
        "officers of a commune, and admins."
    )


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40]


async def addmarket(ctx: Context) -> None:
    _ = ctx._
    area = moderation_area(ctx.user, ctx.role)
    if area is None:
        ctx.say(not_moderator(ctx))
        return
    name, _sep, place = ctx.incoming.args.rpartition(",")
    name, place = name.strip(), place.strip()
    if len(name) < 3 or not place:
        ctx.say(_("Usage: /addmarket NAME, COMMUNE (for example: /addmarket Chợ Na Sầm, Na Sầm)"))
        return
    communes = ctx.deps.content.units.search(place).communes
    if len(communes) != 1:
        ctx.say(_("Which commune is “{text}”? Please write its exact name.", text=place[:60]))
        return
    commune = communes[0]
    if area.commune not in (None, commune.code):
        ctx.say(_("This commune is not in your area."))
        return
    market_id = slug(f"{name} {commune.code}")
    markets = await all_markets(ctx.tx, ctx.deps.content)
    key = name_key(name)
    if any(m.id == market_id or (m.key == key and m.commune == commune.code) for m in markets):
        ctx.say(_("{name} is already listed.", name=name))
        return
    await ctx.tx.execute(
        "INSERT INTO markets (id, name, commune_code, kind, created_by, created_at) "
        "VALUES (?, ?, ?, 'market', ?, ?)",
        (market_id, name[:80], commune.code, ctx.user.id, ctx.now_iso),
    )
    ctx.goto("markets.model", market=market_id)
    await ask_model(ctx)


async def ask_model(ctx: Context) -> None:
    _ = ctx._
    chosen = await market(ctx.tx, ctx.deps.content, str(ctx.convo.data.get("market")))
    name = chosen.name(ctx.locale) if chosen else "-"
    ctx.ask(
        _("Is {name} a registered model point against nylon bags?", name=name),
        [
            Choice(_("Yes"), MARK.make("yes", str(ctx.convo.data.get("market"))), "yes"),
            Choice(_("No"), MARK.make("no", str(ctx.convo.data.get("market"))), "no"),
        ],
    )


async def on_model(ctx: Context) -> None:
    _ = ctx._
    values = MARK.parse(ctx.payload)
    ctx.finish()
    chosen = await market(ctx.tx, ctx.deps.content, values[1]) if values else None
    if values is None or chosen is None:
        return
    yes = values[0] == "yes"
    await ctx.tx.execute(
        """INSERT INTO model_points (market_id, model_point, marked_by, marked_at)
           VALUES (?, ?, ?, ?)
           ON CONFLICT (market_id) DO UPDATE SET model_point = excluded.model_point,
               marked_by = excluded.marked_by, marked_at = excluded.marked_at""",
        (chosen.id, int(yes), ctx.user.id, ctx.now_iso),
    )
    ctx.say(
        _("Saved: {name} is a registered model point.", name=chosen.name(ctx.locale))
        if yes
        else _("Saved: {name} is not a registered model point.", name=chosen.name(ctx.locale))
    )


async def modelpoint(ctx: Context) -> None:
    _ = ctx._
    area = moderation_area(ctx.user, ctx.role)
    if area is None:
        ctx.say(not_moderator(ctx))
        return
    query = ctx.incoming.args.strip()
    if not query:
        ctx.say(_("Usage: /modelpoint MARKET (for example: /modelpoint Ba Xa)"))
        return
    found = search(await all_markets(ctx.tx, ctx.deps.content), ctx.deps.content, query)
    if len(found) != 1:
        ctx.say(_("I don't know a market like “{text}”.", text=query[:60]))
        return
    if area.commune not in (None, found[0].commune):
        ctx.say(_("This market is not in your area."))
        return
    ctx.goto("markets.model", market=found[0].id)
    await ask_model(ctx)


def register(router: Router) -> None:
    router.add_command(
        Command("market", market_command, MEMBERS, N_("a market's page and reports"), order=31)
    )
    router.add_command(
        Command("addmarket", addmarket, STAFF, N_("add a market to the list"), order=64)
    )
    router.add_command(
        Command("modelpoint", modelpoint, STAFF, N_("mark a market as a model point"), order=65)
    )
    router.add_state(State("markets.pick", ask_name, on_text=on_name, on_choice=on_pick))
    router.add_state(State("markets.model", ask_model, on_choice=on_model))
