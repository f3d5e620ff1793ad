"""/start: greeting, consent, then who you are and your commune.

Nothing about the person is stored beyond their channel id until they agree: the language
they pick before agreeing lives only in the conversation state.
"""

from __future__ import annotations

from bot.core.auth import EVERYONE
from bot.core.clock import local_date
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.router import N_, Command, Router, State
from bot.features import invites
from bot.features.profile import run_steps
from bot.storage import counters

ONBOARDING_STEPS = ["role", "commune"]


async def start(ctx: Context) -> None:
    code = ctx.incoming.args.split()[0] if ctx.incoming.args else ""
    if ctx.user.onboarded:
        if code:
            await invites.redeem_code(ctx, code)
            return
        ctx.ask(ctx._("Welcome back! What would you like to do?"), ctx.menu())
        return
    if code:
        ctx.convo.data["pending_code"] = code[:32]
    if ctx.user.consented:
        code = str(ctx.convo.data.pop("pending_code", "") or "")
        if code and await invites.redeem_code(ctx, code):
            return
        await run_steps(ctx, list(ONBOARDING_STEPS), "onboarding")
        return
    ctx.goto("onboarding.consent")
    await ask_consent(ctx)


async def ask_consent(ctx: Context) -> None:
    _ = ctx._
    other = (
        Choice("English", "lang:en", "lang.en")
        if ctx.locale == "vi"
        else Choice("Tiếng Việt", "lang:vi", "lang.vi")
    )
    ctx.ask(
        _(
            "Hello! I am the bot of Lạng Sơn province's campaign against plastic waste. "
            "I send short tips at the hour you choose and help the campaign reach every "
            "commune, school and market."
        )
        + "\n\n"
        + _(
            "To serve you I keep your chat id, language, commune, who you are (resident, "
            "student...) and your answers here, only for this campaign. Students never give "
            "their name. You can see everything with /mydata and erase it with /deleteme."
        )
        + "\n\n"
        + _("Do you agree?"),
        [
            Choice(_("I agree"), "consent:yes", "yes"),
            Choice(_("No, thanks"), "consent:no", "no"),
            other,
        ],
        brief=_("Do you agree that I keep this, only for this campaign?"),
    )


async def on_consent(ctx: Context) -> None:
    _ = ctx._
    if ctx.payload.startswith("lang:"):
        ctx.set_locale(ctx.payload.removeprefix("lang:"))
        await ask_consent(ctx)
        return
    if ctx.payload == "consent:no":
        ctx.finish()
        ctx.say(
            _("All right: I keep nothing about you. Send /start whenever you change your mind.")
        )
        return
    await ctx.update_user(consent_at=ctx.now_iso, locale=ctx.locale)
    code = str(ctx.convo.data.pop("pending_code", "") or "")
    if code and await invites.redeem_code(ctx, code):
        return
    ctx.say(
        _(
            "Thank you! A few quick questions: who you are and your commune. Students also "
            "give their school level and age group, never their name."
        )
    )
    await run_steps(ctx, list(ONBOARDING_STEPS), "onboarding")


async def finish_onboarding(ctx: Context) -> None:
    first_time = not ctx.user.onboarded
    await ctx.update_user(onboarded_at=ctx.user.onboarded_at or ctx.now_iso)
    if first_time:
        year = str(local_date(ctx.now).year)
        await counters.increment(ctx.tx, "joined", year, ctx.user.commune_code, ctx.user.audience)
    ctx.finish()
    await ctx.refresh_role()
    if ctx.user.audience == "teacher":
        ctx.say(
            ctx._(
                "To open class campaigns for your students, register with /teacher: an officer "
                "of the education department or of your commune approves it."
            )
        )
    ctx.ask(
        ctx._(
            "You're all set! Every small step counts: take a cloth bag or a basket to the "
            "market and say no to nylon bags. What would you like to do?"
        ),
        ctx.menu(),
        brief=ctx._("What would you like to do? Type a number or a few words."),
    )


def register(router: Router) -> None:
    router.add_command(
        Command("start", start, EVERYONE, N_("start, or see the main menu"), order=1)
    )
    router.add_state(State("onboarding.consent", ask_consent, on_choice=on_consent))
    router.add_flow_end("onboarding", finish_onboarding)
