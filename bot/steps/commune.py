"""The reusable step "pick a commune": typed (with or without accents, old names, typos),
picked through the former districts, or from a shared location.

Called with `pick_commune(ctx, then=STATE)`; it gives the chosen `Commune` back to `then`'s
`on_return`. Whose commune it is (the person's, a school's, an invite's) is the caller's
business: the step stores nothing.
"""

from __future__ import annotations

from bot.content.model import Commune, District
from bot.content.units import Found
from bot.core.choices import is_number
from bot.core.context import Context
from bot.core.messages import Choice, Kind
from bot.core.payloads import Payload
from bot.core.router import Router, State
from bot.core.text import clean, fold

STEP = "profile.commune"  # the name the person's commune question always had
HOME, SCHOOL, ACTIVITY = "home", "school", "activity"  # what the question asks about
MAX_LISTED = 8
MAX_LOCATION_KM = 30.0  # farther from every commune centre: outside the province
NEAR_RATIO = 1.5  # centres up to this much farther than the nearest are about as likely
MAX_NEAR = 3

DISTRICT = Payload("dist", "code")
COMMUNE = Payload("com", "code")
BACK = Payload("back")
PROVINCE = Payload("province")
# Typed answers that mean the whole province, where the caller offers it (accent-free).
PROVINCE_WORDS = {
    "tinh",
    "toan tinh",
    "ca tinh",
    "tinh lang son",
    "toan tinh lang son",
    "ca tinh lang son",
    "province",
    "whole province",
    "the whole province",
}


async def pick_commune(
    ctx: Context, *, then: str, about: str = HOME, whole_province: bool = False
) -> None:
    """Asks for a commune; `then`'s on_return gets the `Commune` picked, or None for "the
    whole province" when `whole_province` offers it."""
    await ctx.call(STEP, then=then, about=about, province=whole_province)


async def ask_commune(ctx: Context) -> None:
    choices = [Choice(d.name, DISTRICT.make(d.code)) for d in ctx.deps.content.districts]
    if ctx.convo.data.get("province"):
        choices.insert(0, Choice(ctx._("The whole province"), PROVINCE.make()))
    if ctx.convo.data.get("about") == ACTIVITY:
        question = ctx._(
            "Which commune or ward does the activity belong to? Type part of its name (for "
            "example: dong kinh), pick the former district it belonged to, or pick The whole "
            "province."
        )
    elif ctx.convo.data.get("about") == SCHOOL:
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
    if ctx.convo.data.get("province") and fold(ctx.text).strip(" .!") in PROVINCE_WORDS:
        await ctx.give_back(None)
        return
    result = ctx.deps.content.units.search(ctx.text)
    found, district = list(result.found), result.district
    if len(found) == 1 and district is None:
        _say_former(ctx, found[0])
        await ctx.give_back(found[0].commune)
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
    district_code = DISTRICT.parse(ctx.payload)
    if district_code is not None and _typed_words(ctx):
        # A typed district name may also be a commune's name ('Bình Gia'): search it.
        ctx.text = clean(ctx.incoming.text)
        await on_commune_text(ctx)
        return
    if district_code is not None:
        district = ctx.deps.content.district(district_code[0])
        assert district is not None
        _offer_district(ctx, district)
        return
    if PROVINCE.parse(ctx.payload) is not None:
        await ctx.give_back(None)
        return
    commune_code = COMMUNE.parse(ctx.payload)
    if commune_code is None:  # BACK
        await ask_commune(ctx)
        return
    commune = ctx.deps.content.commune(commune_code[0])
    assert commune is not None
    await ctx.give_back(commune)


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
        await ctx.give_back(close[0])
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
    choices = [Choice(name, COMMUNE.make(c.code)) for c, name in zip(communes, names, strict=True)]
    if district is not None:
        choices.append(
            Choice(
                ctx._("Other communes of {district}", district=district.name),
                DISTRICT.make(district.code),
            )
        )
    choices.append(Choice(ctx._("Back to the districts"), BACK.make()))
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


def register(router: Router) -> None:
    router.add_state(
        State(
            STEP,
            ask_commune,
            on_text=on_commune_text,
            on_choice=on_commune_choice,
            on_location=on_commune_location,
        )
    )
