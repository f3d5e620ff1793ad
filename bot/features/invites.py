"""Admins invite officers with one-time codes; `/start CODE` or `/redeem CODE` takes the role.

A code is scoped to an agency (Sở GD&ĐT, Báo Lạng Sơn, a commune's people's committee...) and
optionally to one commune. Only the provincial and commune bodies that exist today are offered
(`content/agencies.yaml`); a commune's committee is always scoped to its commune. A code made
for a body that has since ended gives its successor (Sở TN&MT: Sở NN&MT). It works once and
expires (default 72 hours).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.content.model import Agency, Commune
from bot.core.auth import ADMINS, EVERYONE
from bot.core.clock import iso, local_date
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import N_, CodeKind, Command, Router, State
from bot.domain.profile import commune_label
from bot.steps.commune import pick_commune
from bot.steps.consent import agree_first
from bot.steps.consent import redeem as redeem_any
from bot.steps.profile import ONBOARDED, ask_profile
from bot.storage import invites

AGENCY = Payload("agency", "key")
SCOPE = Payload("scope", "where")


async def invite(ctx: Context) -> None:
    if ctx.incoming.args.strip().lower() not in ("officer", "can-bo", "cán bộ"):
        ctx.say(ctx._("Usage: /invite officer"))
        return
    ctx.goto("invites.agency", invite={})
    await ask_agency(ctx)


def offered(ctx: Context) -> list[Agency]:
    """The provincial and commune bodies that exist today (never a ministry)."""
    today = local_date(ctx.now)
    return [a for a in ctx.deps.content.current_agencies(today) if a.level != "central"]


def current(ctx: Context, code: str) -> Agency | None:
    """The body doing `code`'s work today (itself, or its first successor)."""
    heirs = ctx.deps.content.successor(code, local_date(ctx.now))
    return heirs[0] if heirs else ctx.deps.content.agency(code)


async def ask_agency(ctx: Context) -> None:
    choices = [Choice(a.short, AGENCY.make(a.key)) for a in offered(ctx)]
    ctx.ask(ctx._("Which agency will the officer work for?"), choices)


async def on_agency(ctx: Context) -> None:
    (key,) = AGENCY.parse(ctx.payload) or ("",)
    agency = next((a for a in offered(ctx) if a.key == key), None)
    if agency is None:  # a button from an older list
        await ask_agency(ctx)
        return
    ctx.goto("invites.scope", invite={"agency": key})
    if agency.level == "commune":  # a commune's committee works for its commune only
        await pick_commune(ctx, then="invites.commune")
        return
    await ask_scope(ctx)


async def ask_scope(ctx: Context) -> None:
    _ = ctx._
    ctx.ask(
        _("Is the officer responsible for the whole province or for one commune?"),
        [
            Choice(_("The whole province"), SCOPE.make("all")),
            Choice(_("One commune"), SCOPE.make("commune")),
        ],
    )


async def on_scope(ctx: Context) -> None:
    if SCOPE.parse(ctx.payload) == ("commune",):
        await pick_commune(ctx, then="invites.commune")
        return
    await create_invite(ctx)


async def on_commune(ctx: Context, commune: Any) -> None:
    assert isinstance(commune, Commune)
    ctx.convo.data.setdefault("invite", {})["commune"] = commune.code
    await create_invite(ctx)


async def create_invite(ctx: Context) -> None:
    details = dict(ctx.convo.data.get("invite") or {})
    expires = ctx.now + timedelta(hours=ctx.deps.settings.invite_ttl_hours)
    code = await invites.create(
        ctx.tx,
        role="officer",
        agency=details.get("agency"),
        commune_code=details.get("commune"),
        created_by=ctx.user.address,
        now=ctx.now_iso,
        expires_at=iso(expires),
    )
    ctx.finish()
    agency = ctx.deps.content.agency(str(details.get("agency")))
    where = commune_label(ctx, ctx.deps.content.commune(details.get("commune")))
    ctx.say(
        ctx._(
            "Invite code for an officer of {agency} ({scope}): {code}\n"
            "It works once, until {expires}. The officer sends: /start {code}",
            agency=agency.name.get(ctx.locale) if agency else "-",
            scope=where if details.get("commune") else ctx._("the whole province"),
            code=code,
            expires=ctx._.datetime(expires),
        )
    )


async def redeem(ctx: Context) -> None:
    code = ctx.incoming.args.strip()
    if not code:
        ctx.say(ctx._("Usage: /redeem CODE (the invite code you were given)"))
        return
    if not ctx.user.consented:
        await agree_first(ctx, code)
        return
    await redeem_any(ctx, code)


async def redeem_code(ctx: Context, code: str) -> bool:
    """Grants the invite's role; says why not if the code is wrong, used or expired."""
    granted = await invites.redeem(ctx.tx, code, ctx.user.id, ctx.now_iso)
    if granted is None:
        ctx.say(
            ctx._(
                "This code does not work: it may be mistyped, already used or expired. "
                "Please ask for a new one."
            )
        )
        return False
    agency = current(ctx, granted.agency or "")
    await ctx.update_user(
        officer_agency=agency.key if agency else "",
        officer_commune=granted.commune_code,
        audience=ctx.user.audience or "worker",
        commune_code=ctx.user.commune_code or granted.commune_code,
    )
    ctx.say(
        ctx._(
            "You are now an officer of {agency}. Send /help to see your commands.",
            agency=agency.name.get(ctx.locale) if agency else "-",
        )
    )
    if not ctx.user.onboarded:
        steps = [] if ctx.user.commune_code else ["commune"]
        await ask_profile(ctx, steps, then=ONBOARDED)
    return True


def register(router: Router) -> None:
    router.add_command(
        Command("invite", invite, ADMINS, N_("create a one-time invite code for an officer"))
    )
    router.add_command(Command("redeem", redeem, EVERYONE, N_("use an invite code"), order=80))
    router.add_code_kind(CodeKind("invite", invites.looks_like_code, redeem_code))
    router.add_state(State("invites.agency", ask_agency, on_choice=on_agency))
    router.add_state(State("invites.scope", ask_scope, on_choice=on_scope))
    router.add_state(State("invites.commune", ask_scope, on_return=on_commune))
