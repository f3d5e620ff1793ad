"""How a person's profile is named and summed up: roles, school levels, age groups, communes."""

from __future__ import annotations

from datetime import time

from bot.content.model import LEVELS, Commune, Market
from bot.core.context import Context
from bot.core.i18n import Translator
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import N_

LANGUAGE = Payload("lang", "code")  # picking a language: at consent and in /settings
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
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


def level_label(_: Translator, level: str) -> str:
    return _(LEVEL_LABELS[level]) if level in LEVEL_LABELS else level


def level_choices(ctx: Context, kind: Payload) -> list[Choice]:
    """The school levels as choices of one payload kind (a school's, a class's...)."""
    return [Choice(level_label(ctx._, level), kind.make(level)) for level in LEVELS]


def market_label(_: Translator, market: Market | None) -> str:
    return market.name.get(_.locale) if market is not None else _("none")


def commune_label(ctx: Context, commune: Commune | None) -> str:
    if commune is None:
        return "-"
    district = ctx.deps.content.district(commune.former_district)
    if district is None:
        return commune.name
    return ctx._("{commune} (formerly {district})", commune=commune.name, district=district.name)


def language_choices() -> list[Choice]:
    return [Choice(name, LANGUAGE.make(code)) for code, name in LANGUAGE_NAMES.items()]


def summary(ctx: Context) -> str:
    """The person's settings in a few lines (/settings, /mydata)."""
    _ = ctx._
    user = ctx.user
    lines = [
        _("Your settings:"),
        _("Language: {value}", value=LANGUAGE_NAMES[ctx.locale]),
        _("Who you are: {value}", value=audience_label(_, user.audience)),
    ]
    if user.school_level:
        lines.append(_("School level: {value}", value=_(LEVEL_LABELS[user.school_level])))
    if user.age_band:
        lines.append(_("Age group: {value}", value=_(AGE_LABELS[user.age_band])))
    commune = ctx.deps.content.commune(user.commune_code)
    lines.append(_("Commune: {value}", value=commune_label(ctx, commune)))
    if user.audience == "trader":
        market = ctx.deps.content.market(user.market_id or "")
        lines.append(_("Market: {value}", value=market_label(_, market)))
    if user.tip_time:
        hour, minute = map(int, user.tip_time.split(":"))
        lines.append(_("Daily tip: at {value}", value=_.time(time(hour, minute))))
    else:
        lines.append(_("Daily tip: off"))
    if ctx.locale == "vi":
        form = "ông/bà" if _.address == "ongba" else "bạn"
        lines.append(_("Form of address: {value}", value=form))
    return "\n".join(lines)
