"""The end of /report: one to three photos, a note, and the confirmation that sends it.

The report's draft lives in the conversation (bot/markets/drafts.py); the market and the
checklist come first (bot/features/reports.py), which goes on to `reports.photos` here.
"""

from __future__ import annotations

from bot.core.clock import local_date
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import Router, State
from bot.markets import checklist_lines, market
from bot.markets.drafts import (
    MAX_NOTE,
    PHOTOS_STATE,
    draft,
    forget_photos,
    may_report,
    on_place,
    photos_of,
    store_photo,
)
from bot.markets.submit import Draft, submit

PHOTOS_DONE = Payload("rp")
NO_NOTE = Payload("rn")
CONFIRM = Payload("rs", "answer")
MAX_PHOTOS = 3


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


def register(router: Router) -> None:
    router.add_state(
        State(
            PHOTOS_STATE,
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
