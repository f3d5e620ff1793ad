"""A market report being written: its draft in the conversation, its photos, its place.

Shared by the report's steps (bot/features/reports.py: the market and the checklist;
bot/features/report_send.py: photos, note and confirmation).
"""

from __future__ import annotations

from bot.core.clock import local_date
from bot.core.context import Context
from bot.storage import reports
from bot.storage.photo_stores import photo_store
from bot.storage.photos import PhotoProblem, PhotoRefused

PHOTOS_STATE = "reports.photos"  # where the checklist hands over to report_send.py
MAX_NOTE = 500  # characters of a note or of an answer to a moderator


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


async def store_photo(ctx: Context) -> str | None:
    """Keeps the photo of this message; None (and says why) if it cannot be used."""
    _ = ctx._
    photo = ctx.incoming.photo
    if photo is None:
        return None
    store = photo_store(ctx.deps.settings, ctx.tx)
    try:
        return await store.save(photo.data, photo.cleaned)
    except PhotoRefused as refused:
        if refused.problem is PhotoProblem.TOO_LARGE:
            most = store.max_bytes // (1024 * 1024)
            ctx.say(
                _("This photo is too large for me: please send one under {most} MB.", most=most)
            )
        else:
            ctx.say(_("I could not open that file as a photo. Please send a JPEG or PNG photo."))
        return None


async def on_place(ctx: Context) -> None:
    place = ctx.incoming.location
    assert place is not None
    draft(ctx)["place"] = [place.latitude, place.longitude]
    ctx.say(ctx._("Thanks: I keep this place with your report."))
    await ctx.reprompt()


async def forget_photos(ctx: Context, names: list[str]) -> None:
    """Deletes photos of an abandoned report that no report uses."""
    store = photo_store(ctx.deps.settings, ctx.tx)
    for name in names:
        if not await reports.photo_in_use(ctx.tx, name, apart_from=ctx.user.id):
            await store.delete(name)
