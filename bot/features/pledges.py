"""/pledge (or "cam kết"): commit to one or more habits for a while; /mypledges: see them, each
with its streak, and drop one.

A sentence such as "Tôi cam kết không dùng túi ni lông" goes straight to the pledge it names.
Otherwise the person picks from the pledges suited to them (a trader has their own), one or
several, then a duration. The weekly check-ins are the `pledge_checkins` feature's.
"""

from __future__ import annotations

from datetime import timedelta

from bot.content.model import DURATIONS, Pledge
from bot.core.auth import MEMBERS
from bot.core.choices import COMMAND
from bot.core.clock import local_date
from bot.core.context import Context
from bot.core.messages import Choice, Kind
from bot.core.payloads import Payload
from bot.core.router import N_, Command, MenuItem, Router, State
from bot.pledging import matching, records
from bot.pledging.records import DURATION_LABELS
from bot.storage import pledges
from bot.storage.pledges import TakenPledge

PICK = Payload("plg", "pledge")  # toggles a pledge in the list
PICKED = Payload("plgok")  # done picking
DURATION = Payload("plgdur", "duration")
DROP = Payload("plgdrop", "taken")
DROP_SURE = Payload("plgdropok", "taken", "answer")


def suited(ctx: Context, taken: list[TakenPledge]) -> list[Pledge]:
    """The pledges for this person's audience that they have not taken and kept going."""
    active = {t.pledge_key for t in taken}
    return [
        p for p in ctx.deps.content.pledges if p.suits(ctx.user.audience) and p.id not in active
    ]


def explained(ctx: Context, pledge: Pledge) -> str:
    """✓ The pledge, its why, and the why's source."""
    text = f"✓ {pledge.text.get(ctx.locale)}\n{pledge.why.get(ctx.locale)}"
    if pledge.source is not None:
        text += "\n" + ctx._("Source: {source}", source=pledge.source.get(ctx.locale))
    return text


async def start(ctx: Context) -> None:
    _ = ctx._
    taken = await pledges.of_user(ctx.tx, ctx.user.id)
    typed = ctx.incoming.args or (ctx.incoming.text if ctx.incoming.kind is Kind.TEXT else "")
    found = matching.find(
        typed, [p for p in ctx.deps.content.pledges if p.suits(ctx.user.audience)]
    )
    if len(found) == 1 and found[0].id in {t.pledge_key for t in taken}:
        ctx.say(_("You already took this pledge: /mypledges shows how it is going."))
        return
    offered = [p for p in found if p.id not in {t.pledge_key for t in taken}]
    if len(offered) == 1:
        ctx.goto("pledges.duration", chosen=[offered[0].id])
        ctx.say(explained(ctx, offered[0]))
        await ask_duration(ctx)
        return
    ctx.goto("pledges.pick", chosen=[], only=[p.id for p in offered])
    await ask_pick(ctx)


async def ask_pick(ctx: Context) -> None:
    _ = ctx._
    taken = await pledges.of_user(ctx.tx, ctx.user.id)
    chosen = list(ctx.convo.data.get("chosen", []))
    only = list(ctx.convo.data.get("only", []))
    offer = [p for p in suited(ctx, taken) if not only or p.id in only]
    if not offer:
        ctx.finish()
        ctx.say(_("You have taken every pledge I have for you. /mypledges shows them."))
        return
    choices = [
        Choice(("✓ " if p.id in chosen else "") + p.label.get(ctx.locale), PICK.make(p.id))
        for p in offer
    ]
    if chosen:
        count = len(chosen)
        choices.append(
            Choice(_.plural("Done: {count} chosen", "Done: {count} chosen", count), PICKED.make())
        )
        text = _("Pick another one, or Done.")
    elif only:
        text = _("Which of these do you mean?")
    else:
        text = _(
            "Which habit will you commit to? Pick one or more; I will ask you every week "
            "whether you kept it."
        )
    ctx.ask(text, choices, brief=text)


async def on_pick(ctx: Context) -> None:
    chosen: list[str] = list(ctx.convo.data.get("chosen", []))
    if PICKED.is_kind(ctx.payload):
        ctx.goto("pledges.duration")
        await ask_duration(ctx)
        return
    values = PICK.parse(ctx.payload)
    pledge = ctx.deps.content.pledge(values[0]) if values else None
    if pledge is None:
        await ask_pick(ctx)
        return
    if pledge.id in chosen:
        chosen.remove(pledge.id)
    else:
        chosen.append(pledge.id)
        ctx.say(explained(ctx, pledge))
    ctx.convo.data["chosen"] = chosen
    if ctx.convo.data.get("only") and chosen:  # picked the one they meant: on to the duration
        ctx.goto("pledges.duration")
        await ask_duration(ctx)
        return
    await ask_pick(ctx)


async def ask_duration(ctx: Context) -> None:
    _ = ctx._
    chosen = [ctx.deps.content.pledge(key) for key in ctx.convo.data.get("chosen", [])]
    suggested = next((p.duration for p in chosen if p is not None), "month")
    choices = []
    for key in DURATIONS:
        label = _(DURATION_LABELS[key])
        if key == suggested:
            label = _("{duration} (suggested)", duration=label)
        choices.append(Choice(label, DURATION.make(key), f"duration.{key}"))
    ctx.ask(_("For how long?"), choices)


async def on_duration(ctx: Context) -> None:
    _ = ctx._
    values = DURATION.parse(ctx.payload)
    assert values is not None and values[0] in DURATIONS
    duration = values[0]
    keys = [k for k in ctx.convo.data.get("chosen", []) if ctx.deps.content.pledge(k)]
    taken = {t.pledge_key for t in await pledges.of_user(ctx.tx, ctx.user.id)}
    ctx.finish()
    names = []
    for key in keys:
        if key in taken:
            continue
        await records.take(ctx.tx, ctx.user, key, duration, ctx.now)
        pledge = ctx.deps.content.pledge(key)
        assert pledge is not None
        names.append("• " + pledge.label.get(ctx.locale))
    if not names:
        ctx.say(_("You already took these pledges: /mypledges shows how they are going."))
        return
    first = local_date(ctx.now) + timedelta(days=7)
    when = _.time(records.checkin_time(ctx.user.tip_time))
    ctx.say(
        _("Thank you! You pledged ({duration}):", duration=_(DURATION_LABELS[duration]).lower())
        + "\n"
        + "\n".join(names)
        + "\n"
        + _(
            "I will ask you whether you kept it every week at {time}, starting on {date}. "
            "/mypledges shows your streak.",
            time=when,
            date=_.date(first),
        )
    )


def progress(ctx: Context, taken: TakenPledge) -> str:
    _ = ctx._
    pledge = ctx.deps.content.pledge(taken.pledge_key)
    label = pledge.label.get(ctx.locale) if pledge else taken.pledge_key
    streak = _.plural("{count} week in a row", "{count} weeks in a row", taken.streak)
    if taken.weeks is None:
        length = _(DURATION_LABELS["ongoing"])
    else:
        length = _.plural("for {count} week", "for {count} weeks", taken.weeks)
    return _(
        "• {pledge} ({length}): kept {streak}",
        pledge=label,
        length=length.lower(),
        streak=streak,
    )


async def mypledges(ctx: Context) -> None:
    _ = ctx._
    taken = await pledges.of_user(ctx.tx, ctx.user.id)
    done = await pledges.of_user(ctx.tx, ctx.user.id, pledges.COMPLETED)
    lines = [progress(ctx, t) for t in taken]
    if done:
        lines.append(_.plural("Completed: {count} pledge", "Completed: {count} pledges", len(done)))
    if not taken:
        text = "\n".join([_("You have no pledge going on."), *lines[-1:]])
        ctx.ask(text, [Choice(_("Take a pledge"), COMMAND.make("pledge"))])
        return
    choices = [Choice(_("Drop: {pledge}", pledge=_label(ctx, t)), DROP.make(t.id)) for t in taken]
    choices.append(Choice(_("Take another pledge"), COMMAND.make("pledge")))
    ctx.ask(_("Your pledges:") + "\n" + "\n".join(lines), choices, state="pledges.mine")


def _label(ctx: Context, taken: TakenPledge) -> str:
    pledge = ctx.deps.content.pledge(taken.pledge_key)
    return pledge.label.get(ctx.locale) if pledge else taken.pledge_key


async def on_drop(ctx: Context) -> None:
    taken = await pledges.get(ctx.tx, DROP.parse_int(ctx.payload, "taken") or 0, ctx.user.id)
    if taken is None or taken.status != pledges.ACTIVE:
        ctx.finish()
        ctx.say(ctx._("That pledge is no longer going on."))
        return
    ctx.goto("pledges.drop", dropping=taken.id)
    await ask_drop(ctx)


async def ask_drop(ctx: Context) -> None:
    _ = ctx._
    taken = await pledges.get(ctx.tx, int(ctx.convo.data.get("dropping", 0)), ctx.user.id)
    if taken is None:
        ctx.finish()
        return
    ctx.ask(
        _("Drop “{pledge}”? Its streak ends here.", pledge=_label(ctx, taken)),
        [
            Choice(_("Yes, drop it"), DROP_SURE.make(taken.id, "yes"), "yes"),
            Choice(_("No, keep it"), DROP_SURE.make(taken.id, "no"), "no"),
        ],
    )


async def on_drop_sure(ctx: Context) -> None:
    _ = ctx._
    values = DROP_SURE.parse(ctx.payload)
    ctx.finish()
    taken = await pledges.get(ctx.tx, DROP_SURE.parse_int(ctx.payload, "taken") or 0, ctx.user.id)
    if values is None or values[1] != "yes" or taken is None:
        ctx.say(_("OK, your pledge goes on."))
        return
    await records.close(ctx.tx, ctx.user, taken, pledges.DROPPED, ctx.now)
    ctx.say(_("Dropped. Thank you for trying: send /pledge whenever you want to start again."))


def register(router: Router) -> None:
    router.add_command(
        Command("pledge", start, MEMBERS, N_("commit to a habit against plastic"), order=20)
    )
    router.add_command(
        Command("mypledges", mypledges, MEMBERS, N_("your pledges and streaks"), order=21)
    )
    router.add_state(State("pledges.pick", ask_pick, on_choice=on_pick))
    router.add_state(State("pledges.duration", ask_duration, on_choice=on_duration))
    router.add_state(State("pledges.mine", mypledges, on_choice=on_drop))
    router.add_state(State("pledges.drop", ask_drop, on_choice=on_drop_sure))
    router.add_menu_item(MenuItem("pledge", N_("Take a pledge"), order=25))
    router.add_menu_item(MenuItem("mypledges", N_("My pledges"), order=26))
