"""/queue: moderators go through the market reports waiting in their area, one at a time.

Moderators are admins, province-wide officers of the environment department, and officers of
a commune (for that commune). Each report shows its photos, answers, note, and what was asked
and answered before. A moderator approves it, rejects it with a reason, asks the reporter for
more, approves it and trusts its sender (their next reports skip the queue), or bans the
sender (their waiting reports are hidden, and they cannot send more). Nobody decides their own.

Every decision is a row of its own (who, when, why); the reporter is told each one through the
outbox, in their language. Moderators get one digest a day of what waits, never a message per
report.
"""

from __future__ import annotations

from bot.core.auth import STAFF, role_of
from bot.core.clock import iso, local, local_date, parse_iso
from bot.core.context import Context
from bot.core.deps import Deps
from bot.core.messages import Attachment, Choice, Reply
from bot.core.payloads import Payload
from bot.core.router import N_, Command, MenuItem, Router, State
from bot.markets import Area, checklist_lines, market, moderation_area
from bot.storage import counters, deliveries, reports, users
from bot.storage.db import Transaction
from bot.storage.deliveries import Delivery
from bot.storage.photo_stores import photo_store
from bot.storage.reports import APPROVED, INFO, PENDING, REJECTED, Report
from bot.storage.users import User

DECIDE = Payload("mq", "action", "report")
BAN = Payload("mb", "answer", "report")
CANCEL_REASON = Payload("mc")
NOTICE = "notice_report"
DIGEST = "report_digest"
DIGEST_HOUR = 8  # local time: the digest waits for the working day
MAX_REASON = 300


def not_moderator(ctx: Context) -> str:
    return ctx._(
        "Market reports are moderated by officers of the Department of Agriculture and "
        "Environment, officers of a commune, and admins."
    )


async def queue(ctx: Context) -> None:
    if moderation_area(ctx.user, ctx.role) is None:
        ctx.say(not_moderator(ctx))
        return
    ctx.goto("moderation.queue", skipped=[])
    await show_next(ctx)


def area_label(ctx: Context, area: Area) -> str:
    if area.commune is None:
        return ctx._("the whole province")
    commune = ctx.deps.content.commune(area.commune)
    return commune.name if commune else area.commune


async def describe(ctx: Context, report: Report) -> str:
    _ = ctx._
    chosen = await market(ctx.tx, ctx.deps.content, report.market_id)
    commune = ctx.deps.content.commune(report.commune_code)
    lines = [
        _(
            "Report no. {number} on {market} ({commune}), sent {date}.",
            number=report.id,
            market=chosen.name(ctx.locale) if chosen else report.market_id,
            commune=commune.name if commune else report.commune_code,
            date=_.datetime(parse_iso(report.created_at)),
        )
    ]
    lines += checklist_lines(_, report.answers)
    if report.note:
        lines.append(_("Note: {note}", note=report.note))
    if report.latitude is not None and report.longitude is not None:
        lines.append(
            _("Place shared: {lat:.5f}, {lon:.5f}", lat=report.latitude, lon=report.longitude)
        )
    for step in await reports.history(ctx.tx, report.id):
        if step.decision == INFO:
            lines.append(_("Asked: {text}", text=step.reason))
        elif step.decision == reports.ANSWERED:
            lines.append(_("Answered: {text}", text=step.reason or "-"))
    return "\n".join(lines)


async def show_next(ctx: Context) -> None:
    _ = ctx._
    area = moderation_area(ctx.user, ctx.role)
    if area is None:
        ctx.finish()
        return
    skipped = ctx.convo.data.get("skipped") or []
    waiting = await reports.pending(ctx.tx, area.commune, exclude_user=ctx.user.id)
    todo = [r for r in waiting if r.id not in skipped]
    if not todo:
        ctx.finish()
        ctx.say(
            _("No market report is waiting in {area}.", area=area_label(ctx, area))
            if not waiting
            else _("No more reports for now.")
        )
        return
    first = todo[0]
    store = photo_store(ctx.deps.settings, ctx.tx)
    for index, name in enumerate(first.photos, start=1):
        data = await store.load(name)
        if data is not None:
            caption = _("Photo {index} of report no. {number}", index=index, number=first.id)
            ctx.say(caption, photo=Attachment(data, f"{name[:12]}.jpg", "image/jpeg"))
    number = first.id
    ctx.ask(
        _(
            "Market reports waiting in {area}: {count}.",
            area=area_label(ctx, area),
            count=len(waiting),
        )
        + "\n\n"
        + await describe(ctx, first),
        [
            Choice(_("Approve"), DECIDE.make("approve", number)),
            Choice(_("Reject"), DECIDE.make("reject", number)),
            Choice(_("Ask for more"), DECIDE.make("info", number)),
            Choice(_("Approve and trust the sender"), DECIDE.make("trust", number)),
            Choice(_("Ban the sender"), DECIDE.make("ban", number)),
            Choice(_("Later"), DECIDE.make("skip", number)),
        ],
    )


async def decidable(ctx: Context, number: int) -> Report | None:
    """The report, if this moderator may decide it now; else None, having said why."""
    _ = ctx._
    report = await reports.get(ctx.tx, number)
    area = moderation_area(ctx.user, ctx.role)
    if report is None or report.status != PENDING:
        ctx.say(_("Report no. {number} was decided already.", number=number))
        return None
    if report.user_id == ctx.user.id:
        ctx.say(_("Nobody decides their own report: another moderator will."))
        return None
    if area is None or area.commune not in (None, report.commune_code):
        ctx.say(_("This report is not in your area."))
        return None
    return report


async def on_decision(ctx: Context) -> None:
    values = DECIDE.parse(ctx.payload)
    number = DECIDE.parse_int(ctx.payload, "report")
    if values is None or number is None:
        await show_next(ctx)
        return
    action = values[0]
    if action == "skip":
        ctx.convo.data["skipped"] = [*(ctx.convo.data.get("skipped") or []), number]
        await show_next(ctx)
        return
    report = await decidable(ctx, number)
    if report is None:
        await show_next(ctx)
        return
    if action in ("reject", "info"):
        ctx.goto("moderation.reason", deciding=number, action=action)
        await ask_reason(ctx)
    elif action == "ban":
        ctx.goto("moderation.ban", deciding=number)
        await ask_ban(ctx)
    else:
        await record(ctx, report, APPROVED, "")
        if action == "trust" and report.user_id is not None:
            await reports.set_flag(
                ctx.tx, report.user_id, "trusted", True, ctx.user.id, ctx.now_iso
            )
            ctx.say(ctx._("The sender is trusted now: their next reports skip the queue."))
        await show_next(ctx)


async def record(ctx: Context, report: Report, decision: str, reason: str) -> None:
    _ = ctx._
    decision_id = await reports.decide(
        ctx.tx, report.id, decision, reason, ctx.user.id, ctx.now_iso
    )
    if decision_id is None:
        ctx.say(_("Report no. {number} was decided already.", number=report.id))
        return
    if decision == APPROVED:
        month = local_date(ctx.now).isoformat()[:7]
        await counters.increment(ctx.tx, "reports.approved", month, report.commune_code)
    if report.user_id is not None:
        # Keyed by the decision, so that two decisions in one second are two notices.
        key = f"{ctx.now_iso}/{decision_id}"
        await deliveries.enqueue(ctx.tx, report.user_id, NOTICE, key, str(decision_id), ctx.now_iso)
    done = {
        APPROVED: _("Approved: report no. {number}. The sender will be told.", number=report.id),
        REJECTED: _("Rejected: report no. {number}. The sender will be told.", number=report.id),
        INFO: _("Asked: report no. {number}. The sender will be told.", number=report.id),
    }
    ctx.say(done[decision])


async def ask_reason(ctx: Context) -> None:
    _ = ctx._
    action = ctx.convo.data.get("action")
    question = (
        _("Why is it rejected? Type the reason: the sender will read it.")
        if action == "reject"
        else _("What would you like to ask the sender? Type your question.")
    )
    ctx.ask(question, [Choice(_("Back to the report"), CANCEL_REASON.make())])


async def on_reason(ctx: Context) -> None:
    number = int(ctx.convo.data.get("deciding") or 0)
    decision = REJECTED if ctx.convo.data.get("action") == "reject" else INFO
    ctx.goto("moderation.queue")
    report = await decidable(ctx, number)
    if report is not None:
        await record(ctx, report, decision, ctx.text[:MAX_REASON])
    await show_next(ctx)


async def on_back(ctx: Context) -> None:
    ctx.goto("moderation.queue")
    await show_next(ctx)


async def ask_ban(ctx: Context) -> None:
    _ = ctx._
    number = int(ctx.convo.data.get("deciding") or 0)
    ctx.ask(
        _(
            "Ban the sender of report no. {number} from reporting? Their waiting reports "
            "will be hidden, and they cannot send new ones.",
            number=number,
        ),
        [
            Choice(_("Yes, ban them"), BAN.make("yes", number), "yes"),
            Choice(_("No"), BAN.make("no", number), "no"),
        ],
    )


async def on_ban(ctx: Context) -> None:
    values = BAN.parse(ctx.payload)
    number = BAN.parse_int(ctx.payload, "report") or 0
    ctx.goto("moderation.queue")
    if values is not None and values[0] == "yes":
        report = await decidable(ctx, number)
        if report is not None and report.user_id is not None:
            await reports.set_flag(ctx.tx, report.user_id, "banned", True, ctx.user.id, ctx.now_iso)
            ctx.say(ctx._("Banned: the sender's reports are hidden."))
    await show_next(ctx)


# --- what the reporter is told ----------------------------------------------------------------


async def render_notice(deps: Deps, tx: Transaction, delivery: Delivery) -> list[Reply] | None:
    decision_id = int(delivery.payload) if delivery.payload.isdecimal() else 0
    decision = await reports.decision(tx, decision_id)
    report = await reports.get(tx, decision.report_id) if decision else None
    if decision is None or report is None or report.user_id != delivery.user_id:
        return None
    _ = deps.i18n.translator(delivery.locale, delivery.address)
    chosen = await market(tx, deps.content, report.market_id)
    name = chosen.name(delivery.locale or "vi") if chosen else report.market_id
    if decision.decision == APPROVED:
        text = _(
            "Good news: your report no. {number} on {market} was approved. Thank you! It is on "
            "the market's page: /market {name}",
            number=report.id,
            market=name,
            name=chosen.name_vi if chosen else report.market_id,
        )
    elif decision.decision == REJECTED:
        text = _(
            "Your report no. {number} on {market} was not approved. The moderator's reason: "
            "“{reason}”",
            number=report.id,
            market=name,
            reason=decision.reason,
        )
    else:
        text = _(
            "A moderator has a question about your report no. {number} on {market}: "
            "“{reason}” Send /report to answer it.",
            number=report.id,
            market=name,
            reason=decision.reason,
        )
    return [Reply(text)]


# --- the daily digest -------------------------------------------------------------------------


async def moderators(deps: Deps, tx: Transaction) -> list[tuple[User, Area]]:
    rows = await tx.fetch_all("SELECT id FROM users WHERE officer_agency IS NOT NULL")
    found = [await users.get(tx, int(r[0])) for r in rows]
    for address in sorted(deps.settings.admins):
        channel, _sep, user_id = address.partition(":")
        found.append(await users.find(tx, channel, user_id))
    result: list[tuple[User, Area]] = []
    for user in found:
        if user is None or not user.reachable:
            continue
        area = moderation_area(user, role_of(user, deps.settings.admins))
        if area is not None and all(user.id != u.id for u, _area in result):
            result.append((user, area))
    return result


async def enqueue_digests(deps: Deps) -> int:
    """Once a day, from DIGEST_HOUR: each moderator with reports waiting gets one digest."""
    now = deps.clock.now()
    if local(now).hour < DIGEST_HOUR:
        return 0
    day = local_date(now).isoformat()
    count = 0
    async with deps.db.transaction() as tx:
        for user, area in await moderators(deps, tx):
            if await reports.pending(tx, area.commune, exclude_user=user.id):
                count += await deliveries.enqueue(tx, user.id, DIGEST, day, "", iso(now))
    return count


async def render_digest(deps: Deps, tx: Transaction, delivery: Delivery) -> list[Reply] | None:
    """What waits when the digest goes out (nothing to say if the queue emptied meanwhile)."""
    user = await users.get(tx, delivery.user_id)
    area = moderation_area(user, role_of(user, deps.settings.admins)) if user else None
    if user is None or area is None:
        return None
    waiting = await reports.pending(tx, area.commune, exclude_user=user.id)
    if not waiting:
        return None
    _ = deps.i18n.translator(delivery.locale, delivery.address)
    text = _.plural(
        "{count} market report is waiting for a moderator. Send /queue to go through it.",
        "{count} market reports are waiting for a moderator. Send /queue to go through them.",
        len(waiting),
    )
    return [Reply(text)]


def register(router: Router) -> None:
    router.add_command(Command("queue", queue, STAFF, N_("moderate market reports"), order=63))
    router.add_menu_item(MenuItem("queue", N_("Market reports waiting"), order=41))
    router.add_state(State("moderation.queue", show_next, on_choice=on_decision))
    router.add_state(State("moderation.reason", ask_reason, on_text=on_reason, on_choice=on_back))
    router.add_state(State("moderation.ban", ask_ban, on_choice=on_ban))
    router.add_renderer(NOTICE, render_notice)
    router.add_renderer(DIGEST, render_digest)
    router.add_job(enqueue_digests)
