"""/mydata shows everything stored about the person; /deleteme erases it.

Erasure deletes the person's row and everything hanging off it. Figures already counted
(how many joined, how many tips went out) live in `counters`, keyed only by period, commune
and audience, so they stay correct without anything that leads back to the person.
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.auth import EVERYONE
from bot.core.context import Context
from bot.core.messages import Attachment, Choice
from bot.core.payloads import Payload
from bot.core.router import N_, Command, Router, State
from bot.domain.profile import summary
from bot.storage import classes, media, reports, users
from bot.storage.db import Transaction, as_dict
from bot.storage.photo_stores import photo_store

ERASE = Payload("erase", "answer")


async def collect(tx: Transaction, user_id: int) -> dict[str, Any]:
    """Every row that belongs to this person, table by table."""
    data: dict[str, Any] = {}
    queries = {
        "user": "SELECT * FROM users WHERE id = ?",
        "conversation": "SELECT state, data, updated_at FROM conversations WHERE user_id = ?",
        "tips_seen": "SELECT tip_id, seen_at FROM tips_seen WHERE user_id = ? ORDER BY id",
        "deliveries": (
            "SELECT kind, day, status, sent_at FROM deliveries WHERE user_id = ? ORDER BY id"
        ),
        "invites_used": "SELECT role, agency, commune_code, used_at FROM invites WHERE used_by = ?",
        "teacher_registration": (
            "SELECT school_id, subject, status, decided_at, created_at FROM teachers "
            "WHERE user_id = ?"
        ),
        "class_memberships": (
            "SELECT class_id, number, nickname, joined_at, reached_at FROM class_members "
            "WHERE user_id = ?"
        ),
        "market_reports": (
            "SELECT id, market_id, answers, photos, note, latitude, longitude, status, "
            "created_at, decided_at FROM reports WHERE user_id = ? ORDER BY id"
        ),
        "quiz_attempts": (
            "SELECT level, contest_id, score, status, started_at, finished_at FROM quiz_attempts "
            "WHERE user_id = ? ORDER BY id"
        ),
        "pledges": (
            "SELECT id, pledge_key, weeks, status, start_day, streak, kept, created_at, ended_at "
            "FROM pledges WHERE user_id = ? ORDER BY id"
        ),
        "pledge_checkins": (
            "SELECT pledge_id, week, due_day, asked_at, answer, answered_at FROM pledge_checkins "
            "WHERE user_id = ? ORDER BY id"
        ),
    }
    for name, sql in queries.items():
        rows = await tx.fetch_all(sql, (user_id,))
        data[name] = [as_dict(row) for row in rows]
    return data


STATUS_LABELS = {
    "pending": N_("waiting for a moderator"),
    "approved": N_("approved"),
    "rejected": N_("not approved"),
    "info": N_("a moderator asked you for more"),
}


async def mydata(ctx: Context) -> None:
    _ = ctx._
    data = await collect(ctx.tx, ctx.user.id)
    if not ctx.user.consented:
        text = _("I only keep your chat id, so that I can answer you. Nothing else.")
    else:
        text = (
            summary(ctx)
            + "\n"
            + _("Tips received: {count}", count=_.number(len(data["tips_seen"])))
            + "\n"
            + _("Pledges: {count}", count=_.number(len(data["pledges"])))
            + _pledge_names(ctx, data["pledges"])
        )
        for row in data["market_reports"]:
            text += "\n" + _(
                "Market report no. {number} ({market}): {status}",
                number=row["id"],
                market=row["market_id"],
                status=_(STATUS_LABELS.get(row["status"], row["status"])),
            )
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    ctx.say(
        _("Everything I store about you:")
        + "\n"
        + text
        + "\n\n"
        + _("The full copy is in the attached file."),
        document=Attachment(body, "mydata.json", "application/json"),
    )


def _pledge_names(ctx: Context, rows: list[dict[str, Any]]) -> str:
    """' (Refuse plastic straws; Sort our waste into 3 groups)', or nothing."""
    names = []
    for row in rows:
        pledge = ctx.deps.content.pledge(str(row["pledge_key"]))
        names.append(pledge.label.get(ctx.locale) if pledge else str(row["pledge_key"]))
    return f" ({'; '.join(dict.fromkeys(names))})" if names else ""


async def deleteme(ctx: Context) -> None:
    _ = ctx._
    ctx.ask(
        _(
            "Erase everything I store about you (settings, subscriptions, history, market "
            "reports)? This cannot be undone. An approved market report stays as the "
            "market's record, without your name."
        ),
        [
            Choice(_("Yes, erase my data"), ERASE.make("yes"), "yes"),
            Choice(_("No, keep it"), ERASE.make("no"), "no"),
        ],
        state="privacy.erase",
    )


async def on_erase(ctx: Context) -> None:
    _ = ctx._
    ctx.finish()
    if ERASE.parse(ctx.payload) != ("yes",):
        ctx.say(_("Nothing was erased."))
        return
    await classes.forget_user(ctx.tx, ctx.user.id)
    # A teacher's open classes would stay open with nobody to manage them: they close (their
    # figures stay, and they still count in their school year).
    closed = await classes.close_of_teacher(ctx.tx, ctx.user.id)
    await ctx.tx.execute(
        "UPDATE quiz_attempts SET status = 'abandoned' WHERE user_id = ? AND status = 'active'",
        (ctx.user.id,),
    )
    unused_photos = await reports.forget_user(ctx.tx, ctx.user.id)
    await media.delete_for(ctx.tx, ctx.user.channel, ctx.user.chat_id)  # their exports
    await users.delete(ctx.tx, ctx.user.id)
    store = photo_store(ctx.deps.settings, ctx.tx)
    for name in unused_photos:
        await store.delete(name)  # from the folder and from the table, wherever it is
    ctx.erased = True
    text = _(
        "Done: I erased everything about you. Totals already counted (how many people "
        "took part) stay, but nothing in them leads back to you. Send /start if you want "
        "to come back."
    )
    if closed:
        text += "\n" + _.plural(
            "Your open class is closed: its join code no longer works, and its figures stay.",
            "Your {count} open classes are closed: their join codes no longer work, and "
            "their figures stay.",
            closed,
        )
    ctx.say(text)


def register(router: Router) -> None:
    router.add_command(
        Command("mydata", mydata, EVERYONE, N_("see everything I store about you"), order=90)
    )
    router.add_command(Command("deleteme", deleteme, EVERYONE, N_("erase your data"), order=91))
    router.add_state(State("privacy.erase", deleteme, on_choice=on_erase))
