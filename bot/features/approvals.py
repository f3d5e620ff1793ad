"""/approvals: officers approve or refuse teacher registrations; the teacher is told.

Officers of the education department (province or their commune), officers of a commune and
admins see the registrations waiting in their area, oldest first, one at a time. Nobody sees
or decides their own. Each decision is sent to the teacher as its own outbox notice: the
outbox keeps one delivery per (person, kind, day), so the notice's `day` key is the decision's
timestamp (a refusal and a later approval on the same day are two notices; the outbox's
counters read the year from its first four characters, as from a date). A notice whose
decision was since replaced (registered again, decided again) is not sent. Approving a
proposed school activates it.

Officers who can decide get one digest a day (from 08:00), through the outbox, when
registrations wait in their area: never one message per registration.
"""

from __future__ import annotations

from datetime import time

from bot.core.auth import Role
from bot.core.clock import iso, local, local_date, parse_iso
from bot.core.context import Context
from bot.core.deps import Deps
from bot.core.messages import Choice, Reply
from bot.core.payloads import Payload
from bot.core.router import N_, Command, MenuItem, Router, State
from bot.domain.approvers import all_approvers
from bot.domain.areas import area_label, education_area, not_education_staff
from bot.domain.profile import level_label
from bot.storage import deliveries, schools, teachers, users
from bot.storage.db import Transaction
from bot.storage.deliveries import Delivery
from bot.storage.schools import PROPOSED as PROPOSED_SCHOOL
from bot.storage.teachers import APPROVED, PENDING, Registration

NOTICE = "notice_teacher"
DIGEST = "approvals_digest"
DIGEST_FROM = time(8, 0)
DECISION = Payload("ap", "verdict", "user")  # verdict: yes, no or skip


async def approvals(ctx: Context) -> None:
    if education_area(ctx) is None:
        ctx.say(not_education_staff(ctx))
        return
    ctx.goto("teachers.approve", skipped=[])
    await show_next(ctx)


def describe(ctx: Context, registration: Registration) -> str:
    _ = ctx._
    commune = ctx.deps.content.commune(registration.commune_code)
    text = _(
        "Registration no. {number}: a teacher of {subject} at {school} ({commune}), since {date}.",
        number=registration.user_id,
        subject=registration.subject,
        school=registration.school_name,
        commune=commune.name if commune else "-",
        date=_.date(local_date(parse_iso(registration.created_at))),
    )
    if registration.school_status == PROPOSED_SCHOOL:
        text += "\n" + _(
            "The teacher proposed this school ({level}): approving adds it to the list of "
            "schools. Add its enrolment with /addschool.",
            level=level_label(_, registration.school_level),
        )
    return text


async def show_next(ctx: Context) -> None:
    _ = ctx._
    area = education_area(ctx)
    if area is None:
        ctx.finish()
        return
    skipped = ctx.convo.data.get("skipped") or []
    waiting = await teachers.pending(ctx.tx, area.commune, exclude_user=ctx.user.id)
    todo = [r for r in waiting if r.user_id not in skipped]
    if not todo:
        ctx.finish()
        ctx.say(
            _("No teacher registration is waiting in {area}.", area=area_label(ctx, area))
            if not waiting
            else _("No more registrations for now.")
        )
        return
    first = todo[0]
    ctx.ask(
        _(
            "Teacher registrations waiting in {area}: {count}.",
            area=area_label(ctx, area),
            count=len(waiting),
        )
        + "\n\n"
        + describe(ctx, first),
        [
            Choice(_("Approve"), DECISION.make("yes", first.user_id)),
            Choice(_("Refuse"), DECISION.make("no", first.user_id)),
            Choice(_("Later"), DECISION.make("skip", first.user_id)),
        ],
        state="teachers.approve",
    )


async def on_decision(ctx: Context) -> None:
    _ = ctx._
    decision = DECISION.parse(ctx.payload)
    user_id = DECISION.parse_int(ctx.payload, "user")
    if decision is None or user_id is None:
        await show_next(ctx)
        return
    verdict = decision[0]
    if verdict == "skip":
        ctx.convo.data["skipped"] = [*(ctx.convo.data.get("skipped") or []), user_id]
        await show_next(ctx)
        return
    registration = await teachers.get(ctx.tx, user_id)
    area = education_area(ctx)
    if user_id == ctx.user.id:
        ctx.say(_("Nobody decides their own registration: another officer will."))
    elif (
        registration is None
        or area is None
        or area.commune not in (None, registration.commune_code)
    ):
        ctx.say(_("This registration is not in your area."))
    elif not await teachers.decide(
        ctx.tx, user_id, approve=verdict == "yes", decided_by=ctx.user.id, now=ctx.now_iso
    ):
        ctx.say(_("This registration was decided already, by another officer."))
    else:
        if verdict == "yes" and registration.school_status == PROPOSED_SCHOOL:
            await schools.activate(ctx.tx, registration.school_id)
        # Keyed by the decision, not the day: see the module's docstring.
        await deliveries.enqueue(ctx.tx, user_id, NOTICE, ctx.now_iso, "", ctx.now_iso)
        ctx.say(
            _("Approved: registration no. {number}. The teacher will be told.", number=user_id)
            if verdict == "yes"
            else _("Refused: registration no. {number}. The teacher will be told.", number=user_id)
        )
    await show_next(ctx)


async def render_notice(deps: Deps, tx: Transaction, delivery: Delivery) -> list[Reply] | None:
    """The decision this notice is about; nothing if it was since replaced.

    A notice keyed by a date (queued before notices were keyed by their decision) says the
    decision as it stands when sent.
    """
    registration = await teachers.get(tx, delivery.user_id)
    if registration is None or registration.status == PENDING:
        return None
    keyed_by_decision = len(delivery.day) > len("YYYY-MM-DD")
    if keyed_by_decision and registration.decided_at != delivery.day:
        return None
    _ = deps.i18n.translator(delivery.locale, delivery.address)
    if registration.status == APPROVED:
        text = _(
            "Good news: your registration as a teacher of {school} was approved. Send "
            "/newclass to open a class campaign and get its join code.",
            school=registration.school_name,
        )
    else:
        text = _(
            "Your registration as a teacher of {school} was not approved. If this is a "
            "mistake, please check with your school and send /teacher to register again.",
            school=registration.school_name,
        )
    return [Reply(text)]


async def enqueue_digests(deps: Deps) -> int:
    """Today's digest for each officer with registrations waiting in their area (once a day:
    the outbox keeps one delivery per person, kind and day)."""
    now = deps.clock.now()
    if local(now).time() < DIGEST_FROM:
        return 0
    today, count = local_date(now).isoformat(), 0
    async with deps.db.transaction() as tx:
        waiting = await teachers.pending(tx, None, exclude_user=0, limit=1000)
        if not waiting:
            return 0
        for officer, commune in await all_approvers(tx):
            mine = [
                r for r in waiting if commune in (None, r.commune_code) and r.user_id != officer
            ]
            if mine:
                count += await deliveries.enqueue(tx, officer, DIGEST, today, "", iso(now))
    return count


async def render_digest(deps: Deps, tx: Transaction, delivery: Delivery) -> list[Reply] | None:
    """The registrations waiting in the officer's area as the digest is sent; none: nothing."""
    officer = await users.get(tx, delivery.user_id)
    if officer is None or officer.officer_agency is None:
        return None
    area = officer.officer_commune or None
    waiting = await teachers.pending(tx, area, exclude_user=officer.id)
    if not waiting:
        return None
    _ = deps.i18n.translator(delivery.locale, delivery.address)
    commune = deps.content.commune(area)
    text = _(
        "Teacher registrations waiting for a decision in {area}: {count}, the oldest since "
        "{date}. Send /approvals to decide.",
        area=commune.name if commune else _("the whole province"),
        count=_.number(len(waiting)),
        date=_.date(local_date(parse_iso(waiting[0].created_at))),
    )
    return [Reply(text)]


def register(router: Router) -> None:
    router.add_command(
        Command(
            "approvals",
            approvals,
            frozenset({Role.OFFICER, Role.ADMIN}),
            N_("approve or refuse teacher registrations"),
            order=62,
        )
    )
    router.add_menu_item(MenuItem("approvals", N_("Teachers waiting for approval"), order=40))
    router.add_state(State("teachers.approve", show_next, on_choice=on_decision))
    router.add_renderer(NOTICE, render_notice)
    router.add_job(enqueue_digests)
    router.add_renderer(DIGEST, render_digest)
