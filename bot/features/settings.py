"""/settings shows and changes language, commune, role and tip time; /lang switches language."""

from __future__ import annotations

from bot.core.auth import EVERYONE, MEMBERS
from bot.core.context import Context
from bot.core.i18n import SUPPORTED
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import N_, Command, MenuItem, Router, State
from bot.domain.profile import LANGUAGE, LANGUAGE_NAMES, language_choices, summary
from bot.domain.tip_time import parse_time, set_tip_time
from bot.steps.profile import ask_profile

SETTING = Payload("set", "what")
ADDRESS = Payload("addr", "form")
ADDRESS_STATE = "settings.address"


async def ask_address(ctx: Context) -> None:
    """Vietnamese has forms of address: the bot says "bạn" by default, "ông/bà" if chosen."""
    ctx.ask(
        ctx._("How should I address you in Vietnamese?"),
        [
            # The words themselves stay out of the translator, which would change "bạn".
            Choice(ctx._("Friendly") + " (“bạn”)", ADDRESS.make("ban")),
            Choice(ctx._("Formal") + " (“ông/bà”)", ADDRESS.make("ongba")),
        ],
    )


async def on_address(ctx: Context) -> None:
    (form,) = ADDRESS.parse(ctx.payload) or ("ban",)
    await ctx.update_user(address_form=form if form in ("ban", "ongba") else "ban")
    ctx.say(ctx._("Saved."))
    await show_settings(ctx)


async def show_settings(ctx: Context) -> None:
    _ = ctx._
    ctx.ask(
        summary(ctx) + "\n\n" + _("What would you like to change?"),
        [
            Choice(_("Language"), SETTING.make("lang")),
            Choice(_("Commune"), SETTING.make("commune")),
            Choice(_("Who I am"), SETTING.make("role")),
            Choice(_("Daily tip time"), SETTING.make("time")),
            Choice(_("How I address you"), SETTING.make("address")),
            Choice(_("Nothing, thanks"), SETTING.make("done")),
        ],
        state="settings.menu",
    )


async def on_menu(ctx: Context) -> None:
    _ = ctx._
    (what,) = SETTING.parse(ctx.payload) or ("",)
    if what == "lang":
        ctx.ask(_("Choose your language:"), language_choices(), state="settings.lang")
    elif what == "commune":
        # A trader's market depends on the commune: it is asked again after it.
        steps = ["commune", "market"] if ctx.user.audience == "trader" else ["commune"]
        await ask_profile(ctx, steps, then="settings.menu")
    elif what == "role":
        await ask_profile(ctx, ["role"], then="settings.menu")
    elif what == "time":
        ctx.goto("settings.time")
        await ask_time(ctx)
    elif what == "address":
        ctx.goto(ADDRESS_STATE)
        await ask_address(ctx)
    else:
        ctx.finish()
        ctx.say(_("OK."))


async def on_time(ctx: Context) -> None:
    when = parse_time(ctx, ctx.text)
    if when is None:
        ctx.say(ctx._("“{value}” is not a time I understand.", value=ctx.text[:20]))
        await ctx.reprompt()
        return
    await set_tip_time(ctx, when)
    ctx.say(ctx._("Saved."))
    await show_settings(ctx)


async def ask_time(ctx: Context) -> None:
    ctx.ask(ctx._("At what time? For example 18:30, 6 giờ sáng or 7h tối."))


async def on_lang_choice(ctx: Context) -> None:
    (locale,) = LANGUAGE.parse(ctx.payload) or (ctx.locale,)
    await _set_language(ctx, locale)
    await show_settings(ctx)


async def settings_saved(ctx: Context, _done: object = True) -> None:
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


async def ask_language(ctx: Context) -> None:
    ctx.ask(ctx._("Choose your language:"), language_choices())


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
    router.add_state(
        State("settings.menu", show_settings, on_choice=on_menu, on_return=settings_saved)
    )
    router.add_state(State("settings.lang", ask_language, on_choice=on_lang_choice))
    router.add_state(State(ADDRESS_STATE, ask_address, on_choice=on_address))
    router.add_state(State("settings.time", ask_time, on_text=on_time))
