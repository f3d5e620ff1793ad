"""/report: a market point as a person sees it: the market, a checklist, photos, a note.

Also `báo cáo`, and a photo sent outside any step, which offers to start a report with it.
A report waits for a moderator (see moderation.py) unless its sender is trusted; nobody but
moderators sees it before it is approved. One person sends at most `reports_per_day` reports
a day, and one per market a day. Photos are checked and stripped of their metadata before
anything is kept (bot/storage/photos.py); a location the person shares is the report's place.
"""

from __future__ import annotations

from bot.core.auth import MEMBERS, STAFF
from bot.core.clock import local_date
from bot.core.context import Context
from bot.core.messages import Choice, Kind
from bot.core.payloads import Payload
from bot.core.router import N_, Command, MenuItem, Router, State
from bot.markets import (
    CHECKLIST,
    MarketInfo,
    all_markets,
    market,
    nearest,
    search,
)
from bot.markets.drafts import (
    MAX_NOTE,
    PHOTOS_STATE,
    draft,
    forget_photos,
    may_report,
    on_place,
    store_photo,
)
from bot.storage import reports

MARKET = Payload("rm", "market")
CHECK = Payload("rc", "answer")
OFFER = Payload("ro", "answer")
NEW_INSTEAD = Payload("ra")


async def report(ctx: Context) -> None:
    if not await may_report(ctx):
        return
    asked = await reports.waiting_for_answer(ctx.tx, ctx.user.id)
    if asked is not None:
        ctx.goto("reports.answer", answering=asked.id)
        await ask_answer(ctx)
        return
    ctx.convo.data["report"] = None
    draft(ctx)
    ctx.goto("reports.market")
    await ask_market(ctx)


# --- a moderator asked for more ---------------------------------------------------------------


async def ask_answer(ctx: Context) -> None:
    _ = ctx._
    number = int(ctx.convo.data.get("answering") or 0)
    question = next(
        (d.reason for d in reversed(await reports.history(ctx.tx, number)) if d.decision == "info"),
        "",
    )
    ctx.ask(
        _(
            "A moderator asked about your report no. {number}: “{question}”\n"
            "Please type your answer.",
            number=number,
            question=question,
        ),
        [Choice(_("Send a new report instead"), NEW_INSTEAD.make())],
        brief=_("Please type your answer to the moderator."),
    )


async def on_answer(ctx: Context) -> None:
    _ = ctx._
    number = int(ctx.convo.data.get("answering") or 0)
    ctx.finish()
    if await reports.answer(ctx.tx, number, ctx.text[:MAX_NOTE], ctx.user.id, ctx.now_iso):
        ctx.say(_("Thank you: your answer is added to report no. {number}.", number=number))
    else:
        ctx.say(_("Report no. {number} no longer waits for an answer.", number=number))


async def on_new_instead(ctx: Context) -> None:
    ctx.finish()
    ctx.convo.data["report"] = None
    draft(ctx)
    ctx.goto("reports.market")
    await ask_market(ctx)


# --- the market -------------------------------------------------------------------------------


async def ask_market(ctx: Context) -> None:
    _ = ctx._
    markets = await all_markets(ctx.tx, ctx.deps.content)
    mine = [m for m in markets if m.commune == ctx.user.commune_code]
    ctx.ask(
        _(
            "Which market are you reporting on? Type its name or its commune "
            "(for example “Đông Kinh”), or share your location."
        ),
        [Choice(m.name(ctx.locale), MARKET.make(m.id)) for m in mine],
        ask_location=True,
        brief=_("Which market? Type its name or its commune."),
    )


def offer_markets(ctx: Context, found: list[MarketInfo], question: str) -> None:
    ctx.ask(
        question,
        [Choice(m.name(ctx.locale), MARKET.make(m.id)) for m in found[:8]],
        ask_location=True,
        brief=ctx._("Which market? Type its name or its commune."),
    )


async def on_market_text(ctx: Context) -> None:
    _ = ctx._
    markets = await all_markets(ctx.tx, ctx.deps.content)
    found = search(markets, ctx.deps.content, ctx.text)
    if len(found) == 1:
        await picked(ctx, found[0])
        return
    if found:
        offer_markets(ctx, found, _("Which of these markets?"))
        return
    names = ", ".join(m.name(ctx.locale) for m in markets[:8])
    ctx.say(
        _(
            "I don't know a market like “{text}” yet. Markets I know: {names}. An officer "
            "can add a market with /addmarket.",
            text=ctx.text[:60],
            names=names,
        )
    )
    await ask_market(ctx)


async def on_market_location(ctx: Context) -> None:
    _ = ctx._
    place = ctx.incoming.location
    assert place is not None
    draft(ctx)["place"] = [place.latitude, place.longitude]
    markets = await all_markets(ctx.tx, ctx.deps.content)
    found = nearest(markets, ctx.deps.content, place.latitude, place.longitude)
    if not found:
        ctx.say(_("I know no market near that place. Please type the market's name."))
        await ask_market(ctx)
        return
    offer_markets(ctx, found, _("The markets nearest to you: which one?"))


async def on_market_choice(ctx: Context) -> None:
    values = MARKET.parse(ctx.payload)
    found = await market(ctx.tx, ctx.deps.content, values[0]) if values else None
    if found is None:
        await ask_market(ctx)
        return
    await picked(ctx, found)


async def picked(ctx: Context, chosen: MarketInfo) -> None:
    today = await reports.sent_on(ctx.tx, ctx.user.id, local_date(ctx.now).isoformat())
    if any(r.market_id == chosen.id for r in today):
        ctx.finish()
        ctx.say(
            ctx._(
                "You already reported on {market} today. Thank you! Send the next report "
                "about it tomorrow.",
                market=chosen.name(ctx.locale),
            )
        )
        return
    report = draft(ctx)
    report["market"] = chosen.id
    report["answers"] = {}
    ctx.goto("reports.check")
    await ask_check(ctx)


# --- the checklist ----------------------------------------------------------------------------


async def ask_check(ctx: Context) -> None:
    _ = ctx._
    answers = draft(ctx)["answers"]
    assert isinstance(answers, dict)
    index = len(answers)
    question = _(CHECKLIST[index][1])
    ctx.ask(
        _(
            "Question {number} of {total}: {question}",
            number=index + 1,
            total=len(CHECKLIST),
            question=question,
        ),
        [Choice(_("Yes"), CHECK.make("yes"), "yes"), Choice(_("No"), CHECK.make("no"), "no")],
        brief=question,
    )


async def on_check(ctx: Context) -> None:
    values = CHECK.parse(ctx.payload)
    answers = draft(ctx)["answers"]
    assert isinstance(answers, dict) and values is not None
    answers[CHECKLIST[len(answers)][0]] = values[0] == "yes"
    if len(answers) < len(CHECKLIST):
        await ask_check(ctx)
        return
    ctx.goto(PHOTOS_STATE)  # photos, note and confirmation: bot/features/report_send.py
    await ctx.reprompt()


# --- a photo sent outside any step ------------------------------------------------------------


async def on_idle_photo(ctx: Context) -> None:
    if not await may_report(ctx):
        return
    name = await store_photo(ctx)
    if name is None:
        return
    ctx.goto("reports.offer", offered_photo=name)
    await ask_offer(ctx)


async def ask_offer(ctx: Context) -> None:
    _ = ctx._
    ctx.ask(
        _("Thanks for the photo! Report a market point with this photo?"),
        [
            Choice(_("Yes, report a market"), OFFER.make("yes"), "yes"),
            Choice(_("No"), OFFER.make("no"), "no"),
        ],
        brief=_("Report a market point with this photo?"),
    )


async def on_offer_choice(ctx: Context) -> None:
    name = str(ctx.convo.data.get("offered_photo") or "")
    ctx.finish()
    if OFFER.parse(ctx.payload) != ("yes",):
        if name:
            await forget_photos(ctx, [name])
        ctx.say(ctx._("OK, I did not keep the photo."))
        return
    ctx.convo.data["report"] = None
    draft(ctx)["photos"] = [name] if name else []
    ctx.goto("reports.market")
    await ask_market(ctx)


def register(router: Router) -> None:
    router.add_command(
        Command("report", report, MEMBERS, N_("report on a market's model point"), order=30)
    )
    router.add_menu_item(MenuItem("report", N_("Report on a market"), order=30))
    router.add_idle_handler(Kind.PHOTO, on_idle_photo, MEMBERS | STAFF)
    router.add_state(State("reports.offer", ask_offer, on_choice=on_offer_choice))
    router.add_state(
        State("reports.answer", ask_answer, on_text=on_answer, on_choice=on_new_instead)
    )
    router.add_state(
        State(
            "reports.market",
            ask_market,
            on_text=on_market_text,
            on_choice=on_market_choice,
            on_location=on_market_location,
        )
    )
    router.add_state(State("reports.check", ask_check, on_choice=on_check, on_location=on_place))
