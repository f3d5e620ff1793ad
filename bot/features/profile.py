"""Profile steps shared by onboarding and /settings: who you are, school level, age band, commune.

A flow is a list of steps kept in the conversation (`data["steps"]`), so it survives restarts.
When the list is empty, the flow's end handler (registered by onboarding or settings) runs.
Students give a school level and an age band, never a name.
"""

from __future__ import annotations

from bot.content.model import AUDIENCES, LEVELS, Commune, District, Market
from bot.content.units import Found
from bot.core.choices import is_number
from bot.core.context import Context
from bot.core.i18n import Translator
from bot.core.messages import Choice, Kind
from bot.core.payloads import Payload
from bot.core.router import N_, Router, State
from bot.core.text import clean

MAX_LISTED = 8
MAX_LOCATION_KM = 30.0  # farther from every commune centre: outside the province
NEAR_RATIO = 1.5  # centres up to this much farther than the nearest are about as likely
MAX_NEAR = 3
AGE_BANDS = ("u11", "11-14", "15-17", "18+")
GUARDIAN_BANDS = ("u11", "11-14", "15-17")  # may be under 16: a parent's agreement comes first
MARKET = Payload("mkt", "market")  # a market's id, "other" (every market) or "none"

AUDIENCE_LABELS = {
    "resident": N_("Resident"),
    "student": N_("Student"),
    "teacher": N_("Teacher"),
    "worker": N_("Civil servant or enterprise worker"),
    "media": N_("Press, radio or TV staff"),
    "trader": N_("Market trader"),
}
LEVEL_LABELS = {
    "primary": N_("Primary school"),
    "lower_secondary": N_("Lower secondary school"),
    "upper_secondary": N_("Upper secondary school"),
    "higher": N_("College or university"),
}
AGE_LABELS = {
    "u11": N_("Under 11"),
    "11-14": N_("11 to 14"),
    "15-17": N_("15 to 17"),
    "18+": N_("18 or over"),
}


def audience_label(_: Translator, audience: str | None) -> str:
    return _(AUDIENCE_LABELS[audience]) if audience in AUDIENCE_LABELS else "-"


def commune_label(ctx: Context, commune: Commune | None) -> str:
    if commune is None:
        return "-"
    district = ctx.deps.content.district(commune.former_district)
    if district is None:
        return commune.name
    return ctx._("{commune} (formerly {district})", commune=commune.name, district=district.name)


async def consent_first(ctx: Context, code: str) -> bool:
    """For someone who has not agreed yet: keeps the code (an invite or a class code) and
    asks for consent first; onboarding uses the code afterwards. True if it did so."""
    if ctx.user.consented:
        return False
    ctx.convo.data["pending_code"] = code[:32]
    ctx.goto("onboarding.consent")
    await ctx.reprompt()
    return True


async def run_steps(
    ctx: Context, steps: list[str], flow: str, *, guardian_agreed: bool = False
) -> None:
    """Runs profile steps; `guardian_agreed` when a parent's agreement was already confirmed
    (joining a class), so that a child is not asked twice."""
    ctx.goto("", steps=steps, flow=flow, guardian_agreed=guardian_agreed)
    await next_step(ctx)


async def next_step(ctx: Context) -> None:
    steps: list[str] = list(ctx.convo.data.get("steps") or [])
    if not steps:
        flow = str(ctx.convo.data.get("flow", ""))
        ctx.convo.state = ""
        await ctx.router.flow_ends[flow](ctx)
        return
    ctx.convo.data["steps"] = steps[1:]
    ctx.convo.state = f"profile.{steps[0]}"
    await ctx.reprompt()


async def ask_role(ctx: Context) -> None:
    choices = [Choice(ctx._(AUDIENCE_LABELS[a]), f"aud:{a}", f"audience.{a}") for a in AUDIENCES]
    ctx.ask(ctx._("Who are you? This helps me choose tips for you."), choices)


async def on_role(ctx: Context) -> None:
    audience = ctx.payload.removeprefix("aud:")
    steps = list(ctx.convo.data.get("steps", []))
    if audience == "student":
        await ctx.update_user(audience=audience, market_id=None)
        ctx.convo.data["steps"] = ["level", "age", *steps]
    else:
        await ctx.update_user(audience=audience, school_level=None, age_band=None, market_id=None)
    if audience == "trader":
        # The market comes after the commune, whose markets are offered first.
        at = steps.index("commune") + 1 if "commune" in steps else len(steps)
        ctx.convo.data["steps"] = [*steps[:at], "market", *steps[at:]]
    await next_step(ctx)


async def ask_level(ctx: Context) -> None:
    choices = [Choice(ctx._(LEVEL_LABELS[lv]), f"lvl:{lv}", f"level.{lv}") for lv in LEVELS]
    ctx.ask(ctx._("Which school level are you in?"), choices)


async def on_level(ctx: Context) -> None:
    await ctx.update_user(school_level=ctx.payload.removeprefix("lvl:"))
    await next_step(ctx)


async def ask_age(ctx: Context) -> None:
    choices = [Choice(ctx._(AGE_LABELS[band]), f"age:{band}", f"age.{band}") for band in AGE_BANDS]
    ctx.ask(ctx._("How old are you? (Just the age group: I never ask for your name.)"), choices)


async def on_age(ctx: Context) -> None:
    band = ctx.payload.removeprefix("age:")
    if band in GUARDIAN_BANDS and not ctx.convo.data.get("guardian_agreed"):
        # Decree 356/2025: a child's data beyond their level waits for a parent's agreement.
        ctx.convo.data["age_pending"] = band
        ctx.convo.data["steps"] = ["guardian", *ctx.convo.data.get("steps", [])]
    else:
        await ctx.update_user(age_band=band)
    await next_step(ctx)


async def ask_guardian(ctx: Context) -> None:
    _ = ctx._
    choices = [
        Choice(_("Yes, a parent or guardian agreed"), "guard:yes", "yes"),
        Choice(_("Not yet"), "guard:no", "no"),
    ]
    if ctx.convo.data.get("age_pending") == "15-17":
        choices.insert(1, Choice(_("I am 16 or older"), "guard:16"))
    ctx.ask(
        _(
            "Students under 16 need a parent or guardian's agreement before I keep more than "
            "their school level. Has your parent or guardian agreed that you use this bot?"
        ),
        choices,
    )


async def on_guardian(ctx: Context) -> None:
    band = str(ctx.convo.data.pop("age_pending", "") or "")
    if ctx.payload in ("guard:yes", "guard:16") and band in GUARDIAN_BANDS:
        await ctx.update_user(age_band=band)
    else:
        await ctx.update_user(age_band=None)
        ctx.convo.data["steps"] = []
        ctx.say(
            ctx._(
                "All right: I keep only your school level for now. When a parent or guardian "
                "agrees, send /settings to add your age group and commune."
            )
        )
    await next_step(ctx)


async def ask_commune(ctx: Context) -> None:
    choices = [Choice(d.name, f"dist:{d.code}") for d in ctx.deps.content.districts]
    if ctx.convo.data.get("commune_prompt") == "school":
        question = ctx._(
            "Which commune or ward is the school in? Type part of its name (for example: "
            "dong kinh), or pick the former district it belonged to."
        )
    else:
        question = ctx._(
            "Which commune or ward do you live or work in? Type part of its name "
            "(for example: dong kinh), or pick the former district it belonged to."
        )
    ctx.ask(question, choices, ask_location=True)


async def on_commune_text(ctx: Context) -> None:
    result = ctx.deps.content.units.search(ctx.text)
    found, district = list(result.found), result.district
    if len(found) == 1 and district is None:
        _say_former(ctx, found[0])
        await _choose_commune(ctx, found[0].commune)
        return
    if not found and district is not None:
        _offer_district(ctx, district)
        return
    if not found:
        ctx.say(ctx._("No commune matches “{query}”.", query=ctx.text[:60]))
        await ask_commune(ctx)
        return
    if district is not None and len(found) == 1:
        text = ctx._(
            "Do you mean {commune}, or another commune of the former {district}?",
            commune=found[0].commune.name,
            district=district.name,
        )
    elif len(found) > MAX_LISTED:
        text = ctx._(
            "{count} communes match. Here are the first {shown}; "
            "type more letters to narrow it down.",
            count=len(found),
            shown=MAX_LISTED,
        )
    else:
        text = ctx._("Which one is yours?")
    shown = found[:MAX_LISTED]
    labels = [_found_label(ctx, f) for f in shown]
    _offer_communes(ctx, text, [f.commune for f in shown], labels=labels, district=district)


async def on_commune_choice(ctx: Context) -> None:
    kind, _, code = ctx.payload.partition(":")
    if kind == "dist" and _typed_words(ctx):
        # A typed district name may also be a commune's name ('Bình Gia'): search it.
        ctx.text = clean(ctx.incoming.text)
        await on_commune_text(ctx)
        return
    if kind == "dist":
        district = ctx.deps.content.district(code)
        assert district is not None
        _offer_district(ctx, district)
        return
    if kind == "back":
        await ask_commune(ctx)
        return
    commune = ctx.deps.content.commune(code)
    assert commune is not None
    await _choose_commune(ctx, commune)


async def on_commune_location(ctx: Context) -> None:
    """A shared location: the commune whose centre is nearest, or the few that are about as
    near. The package has centres, not boundaries, so a point near a border may be asked about."""
    where = ctx.incoming.location
    assert where is not None
    ranked = ctx.deps.content.units.nearest(where.latitude, where.longitude)
    if not ranked or ranked[0][1] > MAX_LOCATION_KM:
        distance = ranked[0][1] if ranked else 0.0
        ctx.say(
            ctx._(
                "That place is about {km} km from the nearest commune of Lạng Sơn, so it seems "
                "to be outside the province. Please type the name of your commune instead.",
                km=ctx._.number(round(distance)),
            )
        )
        await ask_commune(ctx)
        return
    nearest = ranked[0][1]
    close = [c for c, km in ranked[:MAX_NEAR] if km <= nearest * NEAR_RATIO]
    if len(close) == 1:
        ctx.say(ctx._("The place you sent is closest to {commune}.", commune=close[0].name))
        await _choose_commune(ctx, close[0])
        return
    text = ctx._("The place you sent lies between these communes. Which one is yours?")
    _offer_communes(ctx, text, close)


def _offer_communes(
    ctx: Context,
    text: str,
    communes: list[Commune],
    *,
    labels: list[str] | None = None,
    district: District | None = None,
) -> None:
    names = labels or [c.name for c in communes]
    choices = [Choice(name, f"com:{c.code}") for c, name in zip(communes, names, strict=True)]
    if district is not None:
        choices.append(
            Choice(
                ctx._("Other communes of {district}", district=district.name),
                f"dist:{district.code}",
            )
        )
    choices.append(Choice(ctx._("Back to the districts"), "back:"))
    ctx.ask(text, choices)


def _offer_district(ctx: Context, district: District) -> None:
    communes = [c for c in ctx.deps.content.communes if c.former_district == district.code]
    _offer_communes(
        ctx, ctx._("Communes that were in {district}:", district=district.name), communes
    )


def _found_label(ctx: Context, found: Found) -> str:
    """'Xã Bình Gia (old Hoàng Văn Thụ, Bình Gia)' when an old name of another place matched."""
    via = found.via
    if via is None or via.folded == found.commune.folded:
        return found.commune.name
    district = ctx.deps.content.district(via.district)
    return ctx._(
        "{commune} (old {former}, {district})",
        commune=found.commune.name,
        former=via.short_name,
        district=district.short_name if district else "",
    )


def _say_former(ctx: Context, found: Found) -> None:
    via = found.via
    if via is None or via.folded == found.commune.folded:
        return
    if via.partial:
        text = ctx._(
            "Part of {former} is now in {commune}.",
            former=via.short_name,
            commune=found.commune.name,
        )
    else:
        text = ctx._(
            "{former} is now part of {commune}.", former=via.short_name, commune=found.commune.name
        )
    ctx.say(text)


def _typed_words(ctx: Context) -> bool:
    return ctx.incoming.kind is Kind.TEXT and not is_number(ctx.incoming.text)


async def _choose_commune(ctx: Context, commune: Commune) -> None:
    """Whose commune this is: the person's (default), an invite's, or one a flow picks."""
    target = ctx.convo.data.pop("commune_for", "user")
    ctx.convo.data.pop("commune_prompt", None)
    if target == "invite":
        ctx.convo.data.setdefault("invite", {})["commune"] = commune.code
    elif target == "picked":
        ctx.convo.data["picked_commune"] = commune.code
    else:
        await ctx.update_user(commune_code=commune.code)
        ctx.say(ctx._("Commune: {commune}.", commune=commune_label(ctx, commune)))
    await next_step(ctx)


def market_label(_: Translator, market: Market | None) -> str:
    return market.name.get(_.locale) if market is not None else _("none")


async def ask_market(ctx: Context) -> None:
    """A trader's market: those of their commune first, every market on request, or none."""
    _ = ctx._
    content = ctx.deps.content
    nearby = content.markets_in(ctx.user.commune_code)
    everything = bool(ctx.convo.data.get("all_markets")) or not nearby
    markets = content.markets if everything else nearby
    choices = [Choice(m.name.get(ctx.locale), MARKET.make(m.id)) for m in markets[:MAX_LISTED]]
    if not everything:
        choices.append(Choice(_("Another market"), MARKET.make("other")))
    choices.append(Choice(_("None of these"), MARKET.make("none"), "no"))
    ctx.ask(_("Which market do you sell at?"), choices)


async def on_market(ctx: Context) -> None:
    values = MARKET.parse(ctx.payload)
    assert values is not None
    if values[0] == "other":
        ctx.convo.data["all_markets"] = True
        await ask_market(ctx)
        return
    ctx.convo.data.pop("all_markets", None)
    market = ctx.deps.content.market(values[0])
    await ctx.update_user(market_id=market.id if market else None)
    ctx.say(ctx._("Market: {market}.", market=market_label(ctx._, market)))
    await next_step(ctx)


def register(router: Router) -> None:
    router.add_state(State("profile.market", ask_market, on_choice=on_market))
    router.add_state(State("profile.role", ask_role, on_choice=on_role))
    router.add_state(State("profile.level", ask_level, on_choice=on_level))
    router.add_state(State("profile.age", ask_age, on_choice=on_age))
    router.add_state(State("profile.guardian", ask_guardian, on_choice=on_guardian))
    router.add_state(
        State(
            "profile.commune",
            ask_commune,
            on_text=on_commune_text,
            on_choice=on_commune_choice,
            on_location=on_commune_location,
        )
    )
