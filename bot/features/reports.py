"""/report: a market point as a person sees it: the market, a checklist, photos, a note.

Also `báo cáo`, and a photo sent outside any step, which offers to start a report with it.
A report waits for a moderator (see moderation.py) unless its sender is trusted; nobody but
moderators sees it before it is approved. One person sends at most `reports_per_day` reports
a day, and one per market a day. Photos are checked and stripped of their metadata before
anything is kept (bot/storage/photos.py); a location the person shares is the report's place.
"""

from __future__ import annotations

import asyncio

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
    checklist_lines,
    market,
    nearest,
    photo_store,
    search,
)
from bot.markets.submit import Draft, submit
from bot.storage import reports
from bot.storage.photos import PhotoProblem, PhotoRefused

MARKET = Payload("rm", "market")
CHECK = Payload("rc", "answer")
PHOTOS_DONE = Payload("rp")
NO_NOTE = Payload("rn")
CONFIRM = Payload("rs", "answer")
OFFER = Payload("ro", "answer")
NEW_INSTEAD = Payload("ra")
MAX_PHOTOS = 3
MAX_NOTE = 500


def draft(ctx: Context) -> dict[str, object]:
    found = ctx.convo.data.get("report")
    if not isinstance(found, dict):
        found = {"market": "", "answers": {}, "photos": [], "note": "", "place": None}
        ctx.convo.data["report"] = found
    return found


def photos_of(ctx: Context) -> list[str]:
    return [str(p) for p in draft(ctx)["photos"]]  # type: ignore[attr-defined]


async def may_report(ctx: Context) -> bool:
    """False (and says why) for a banned person, or one who reached today's limit."""
    _ = ctx._
    _trusted, banned = await reports.flags(ctx.tx, ctx.user.id)
    if banned:
        ctx.say(_("Sorry, a moderator has stopped your market reports."))
        return False
    today = await reports.sent_on(ctx.tx, ctx.user.id, local_date(ctx.now).isoformat())
    limit = ctx.deps.settings.reports_per_day
    if len(today) >= limit:
        ctx.say(
            _.plural(
                "You have sent {count} report today, the most for one day. Thank you! "
                "Please send the next one tomorrow.",
                "You have sent {count} reports today, the most for one day. Thank you! "
                "Please send the next one tomorrow.",
                limit,
            )
        )
        return False
    return True


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
    ctx.goto("reports.photos")
    await ask_photos(ctx)


# --- photos, note, confirmation ---------------------------------------------------------------


async def ask_photos(ctx: Context) -> None:
    _ = ctx._
    count = len(photos_of(ctx))
    if count == 0:
        ctx.ask(
            _(
                "Now send one to three photos of the stalls, the bags on offer and the bins. "
                "Please photograph stalls and bins, not people: a photo in which someone can "
                "be recognised is personal data."
            ),
            brief=_("Please send a photo of the market (stalls and bins, not people)."),
        )
        return
    ctx.ask(
        _.plural(
            "I have {count} photo. Send another (up to {most}), or press Done.",
            "I have {count} photos. Send another (up to {most}), or press Done.",
            count,
            most=MAX_PHOTOS,
        ),
        [Choice(_("Done"), PHOTOS_DONE.make(), "done")],
    )


async def store_photo(ctx: Context) -> str | None:
    """Keeps the photo of this message; None (and says why) if it cannot be used."""
    _ = ctx._
    photo = ctx.incoming.photo
    if photo is None:
        return None
    store = photo_store(ctx.deps.settings)
    try:
        return await asyncio.to_thread(store.save, photo.data)
    except PhotoRefused as refused:
        if refused.problem is PhotoProblem.TOO_LARGE:
            most = store.max_bytes // (1024 * 1024)
            ctx.say(
                _("This photo is too large for me: please send one under {most} MB.", most=most)
            )
        else:
            ctx.say(_("I could not open that file as a photo. Please send a JPEG or PNG photo."))
        return None


async def on_photo(ctx: Context) -> None:
    name = await store_photo(ctx)
    if name is not None:
        photos = photos_of(ctx)
        if name in photos:
            ctx.say(ctx._("I already have this photo."))
        else:
            draft(ctx)["photos"] = [*photos, name]
        if len(photos_of(ctx)) >= MAX_PHOTOS:
            ctx.goto("reports.note")
            await ask_note(ctx)
            return
    await ask_photos(ctx)


async def on_photos_text(ctx: Context) -> None:
    ctx.say(ctx._("Please send a photo: a report needs at least one."))
    await ask_photos(ctx)


async def on_photos_done(ctx: Context) -> None:
    if not photos_of(ctx):
        await on_photos_text(ctx)
        return
    ctx.goto("reports.note")
    await ask_note(ctx)


async def on_place(ctx: Context) -> None:
    place = ctx.incoming.location
    assert place is not None
    draft(ctx)["place"] = [place.latitude, place.longitude]
    ctx.say(ctx._("Thanks: I keep this place with your report."))
    await ctx.reprompt()


async def ask_note(ctx: Context) -> None:
    _ = ctx._
    ctx.ask(
        _("Anything to add? Type a short note, or press Skip."),
        [Choice(_("Skip"), NO_NOTE.make(), "skip")],
    )


async def on_note(ctx: Context) -> None:
    draft(ctx)["note"] = ctx.text[:MAX_NOTE]
    ctx.goto("reports.confirm")
    await ask_confirm(ctx)


async def on_no_note(ctx: Context) -> None:
    draft(ctx)["note"] = ""
    ctx.goto("reports.confirm")
    await ask_confirm(ctx)


async def ask_confirm(ctx: Context) -> None:
    _ = ctx._
    report = draft(ctx)
    chosen = await market(ctx.tx, ctx.deps.content, str(report["market"]))
    answers = report["answers"]
    assert isinstance(answers, dict)
    lines = [_("Your report on {market}:", market=chosen.name(ctx.locale) if chosen else "-")]
    lines += checklist_lines(_, {str(k): bool(v) for k, v in answers.items()})
    lines.append(_("Photos: {count}", count=len(photos_of(ctx))))
    if report["note"]:
        lines.append(_("Note: {note}", note=report["note"]))
    if report["place"]:
        lines.append(_("Place: the location you shared"))
    ctx.ask(
        "\n".join(lines) + "\n\n" + _("Send it?"),
        [
            Choice(_("Send"), CONFIRM.make("yes"), "yes"),
            Choice(_("Cancel"), CONFIRM.make("no"), "no"),
        ],
        brief=_("Send the report?"),
    )


async def on_confirm(ctx: Context) -> None:
    _ = ctx._
    report = dict(draft(ctx))
    ctx.finish()
    if CONFIRM.parse(ctx.payload) != ("yes",):
        await forget_photos(ctx, [str(p) for p in report["photos"]])  # type: ignore[attr-defined]
        ctx.say(_("Cancelled: nothing was sent."))
        return
    if not await may_report(ctx):
        return
    chosen = await market(ctx.tx, ctx.deps.content, str(report["market"]))
    if chosen is None:
        ctx.say(_("That market is no longer listed. Please send /report again."))
        return
    place = report["place"]
    number, published = await submit(
        ctx.tx,
        ctx.user,
        ctx.role,
        Draft(
            chosen,
            {str(k): bool(v) for k, v in report["answers"].items()},  # type: ignore[attr-defined]
            [str(p) for p in report["photos"]],  # type: ignore[attr-defined]
            str(report["note"]),
            (float(place[0]), float(place[1])) if isinstance(place, list) else None,
        ),
        local_date(ctx.now).isoformat(),
        ctx.now_iso,
    )
    if published:
        ctx.say(
            _(
                "Thank you! Your report no. {number} is on {market}'s page: /market {name}",
                number=number,
                market=chosen.name(ctx.locale),
                name=chosen.name_vi,
            )
        )
    else:
        ctx.say(
            _(
                "Thank you! Your report no. {number} is with the moderators. Nobody else sees "
                "it before they approve it; I will tell you what they decide.",
                number=number,
            )
        )


async def forget_photos(ctx: Context, names: list[str]) -> None:
    """Deletes photos of an abandoned report that no report uses."""
    store = photo_store(ctx.deps.settings)
    for name in names:
        if not await reports.photo_in_use(ctx.tx, name, apart_from=ctx.user.id):
            store.delete(name)


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
    router.add_state(
        State(
            "reports.photos",
            ask_photos,
            on_text=on_photos_text,
            on_choice=on_photos_done,
            on_photo=on_photo,
            on_location=on_place,
        )
    )
    router.add_state(
        State("reports.note", ask_note, on_text=on_note, on_choice=on_no_note, on_location=on_place)
    )
    router.add_state(State("reports.confirm", ask_confirm, on_choice=on_confirm))
