"""/start: greeting, consent, then who you are and your commune (bot.steps.profile).

Nothing about the person is stored beyond their channel id until they agree: the language
they pick before agreeing lives only in the conversation state.
"""

from __future__ import annotations

from bot.core.auth import EVERYONE
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import N_, Command, Router, State
from bot.domain.profile import LANGUAGE
from bot.features import invites
from bot.steps.profile import ONBOARDED, ask_profile

ONBOARDING_STEPS = ["role", "commune"]
CONSENT = Payload("consent", "answer")


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
        await ask_profile(ctx, list(ONBOARDING_STEPS), then=ONBOARDED)
        return
    ctx.goto("onboarding.consent")
    await ask_consent(ctx)


async def ask_consent(ctx: Context) -> None:
    _ = ctx._
    other = (
        Choice("English", LANGUAGE.make("en"))
        if ctx.locale == "vi"
        else Choice("Tiếng Việt", LANGUAGE.make("vi"))
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
            Choice(_("I agree"), CONSENT.make("yes"), "yes"),
            Choice(_("No, thanks"), CONSENT.make("no"), "no"),
            other,
        ],
        brief=_("Do you agree that I keep this, only for this campaign?"),
    )


async def on_consent(ctx: Context) -> None:
    _ = ctx._
    language = LANGUAGE.parse(ctx.payload)
    if language is not None:
        ctx.set_locale(language[0])
        await ask_consent(ctx)
        return
    if CONSENT.parse(ctx.payload) != ("yes",):
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
    await ask_profile(ctx, list(ONBOARDING_STEPS), then=ONBOARDED)


def register(router: Router) -> None:
    router.add_command(
        Command("start", start, EVERYONE, N_("start, or see the main menu"), order=1)
    )
    router.add_state(State("onboarding.consent", ask_consent, on_choice=on_consent))
