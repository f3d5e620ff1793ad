"""/settings shows and changes language, commune, role and tip time; /lang switches language."""

from __future__ import annotations

from datetime import time

from bot.core.auth import EVERYONE, MEMBERS
from bot.core.context import Context
from bot.core.i18n import SUPPORTED
from bot.core.messages import Choice
from bot.core.router import N_, Command, MenuItem, Router, State
from bot.features.profile import (
    AGE_LABELS,
    LEVEL_LABELS,
    audience_label,
    commune_label,
    market_label,
    run_steps,
)
from bot.features.tips import parse_time, set_tip_time

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def summary(ctx: Context) -> str:
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
    return "\n".join(lines)


async def show_settings(ctx: Context) -> None:
    _ = ctx._
    ctx.ask(
        summary(ctx) + "\n\n" + _("What would you like to change?"),
        [
            Choice(_("Language"), "set:lang"),
            Choice(_("Commune"), "set:commune"),
            Choice(_("Who I am"), "set:role"),
            Choice(_("Daily tip time"), "set:time"),
            Choice(_("Nothing, thanks"), "set:done"),
        ],
        state="settings.menu",
    )


async def on_menu(ctx: Context) -> None:
    _ = ctx._
    what = ctx.payload.removeprefix("set:")
    if what == "lang":
        ctx.ask(_("Choose your language:"), _language_choices(), state="settings.lang")
    elif what == "commune":
        steps = ["commune", "market"] if ctx.user.audience == "trader" else ["commune"]
        await run_steps(ctx, steps, "settings")
    elif what == "role":
        await run_steps(ctx, ["role"], "settings")
    elif what == "time":
        ctx.goto("settings.time")
        await ask_time(ctx)
    else:
        ctx.finish()
        ctx.say(_("OK."))


async def on_time(ctx: Context) -> None:
    when = parse_time(ctx.text)
    if when is None:
        ctx.say(ctx._("“{value}” is not a time I understand.", value=ctx.text[:20]))
        await ctx.reprompt()
        return
    await set_tip_time(ctx, when)
    ctx.say(ctx._("Saved."))
    await show_settings(ctx)


async def ask_time(ctx: Context) -> None:
    ctx.ask(ctx._("At what time? Write it as HH:MM, for example 18:30."))


async def on_lang_choice(ctx: Context) -> None:
    await _set_language(ctx, ctx.payload.removeprefix("lang:"))
    await show_settings(ctx)


async def settings_saved(ctx: Context) -> None:
    ctx.say(ctx._("Saved."))
    await show_settings(ctx)


async def lang(ctx: Context) -> None:
    wanted = ctx.incoming.args.strip().lower()
    if wanted in SUPPORTED:
        await _set_language(ctx, wanted)
        ctx.say(ctx._("I will speak {language} with you.", language=LANGUAGE_NAMES[wanted]))
        return
    ctx.say(ctx._("Usage: /lang vi or /lang en"))


async def _set_language(ctx: Context, locale: str) -> None:
    ctx.set_locale(locale)
    if ctx.user.consented:
        await ctx.update_user(locale=locale)


def _language_choices() -> list[Choice]:
    return [Choice(name, f"lang:{code}") for code, name in LANGUAGE_NAMES.items()]


async def ask_language(ctx: Context) -> None:
    ctx.ask(ctx._("Choose your language:"), _language_choices())


def register(router: Router) -> None:
    router.add_command(
        Command("settings", show_settings, MEMBERS, N_("see and change your settings"), order=20)
    )
    router.add_menu_item(MenuItem("settings", N_("Settings"), order=80))
    router.add_command(
        Command(
            "lang", lang, EVERYONE, N_("language: /lang vi or /lang en"), keeps_state=True, order=21
        )
    )
    router.add_state(State("settings.menu", show_settings, on_choice=on_menu))
    router.add_state(State("settings.lang", ask_language, on_choice=on_lang_choice))
    router.add_state(State("settings.time", ask_time, on_text=on_time))
    router.add_flow_end("settings", settings_saved)
