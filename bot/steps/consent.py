"""The reusable step "agree first": the greeting, what the bot keeps and why, and consent.

Nothing about the person is stored beyond their channel id until they agree: the language
they pick before agreeing lives only in the conversation. `agree_first(ctx, code)` asks,
and once they agree uses the code they came with (`/start CODE`, `/join CODE`, `/redeem
CODE`: an invite or a class code, whichever kind a feature registered) or goes on with the
first questions. A "no" ends the conversation there, and the code with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.core.clock import iso
from bot.core.context import Context
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import Router, State
from bot.domain.profile import LANGUAGE
from bot.steps.profile import ONBOARDED, ask_profile
from bot.storage import code_misses

STEP = "onboarding.consent"  # the name the greeting's question always had
AGREED = "onboarding.agreed"
FIRST_STEPS = ["role", "commune"]
MAX_CODE = 32
MAX_MISSES = 5  # wrong codes a person may try within COOL_DOWN
COOL_DOWN = timedelta(minutes=5)
Redeem = Callable[[Context, str], Awaitable[bool]]
CONSENT = Payload("consent", "answer")


async def agree_first(ctx: Context, code: str = "") -> None:
    """Asks for consent; then redeems `code` or asks the first questions."""
    ctx.goto("", code=code[:MAX_CODE])
    await ctx.call(STEP, then=AGREED)


async def on_agreed(ctx: Context, _agreed: object) -> None:
    code = str(ctx.convo.data.pop("code", "") or "")
    if code and await redeem(ctx, code):
        return
    await first_steps(ctx, thank=True)


async def first_steps(ctx: Context, *, thank: bool = False) -> None:
    """The first questions after consent: who you are and your commune."""
    if thank:
        ctx.say(
            ctx._(
                "Thank you! A few quick questions: who you are and your commune. Students "
                "also give their school level and age group, never their name."
            )
        )
    await ask_profile(ctx, list(FIRST_STEPS), then=ONBOARDED)


async def greet(ctx: Context) -> None:
    _ = ctx._
    other = (
        Choice("English", LANGUAGE.make("en"), "lang.en")
        if ctx.locale == "vi"
        else Choice("Tiếng Việt", LANGUAGE.make("vi"), "lang.vi")
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
    language = LANGUAGE.parse(ctx.payload)
    if language is not None:
        ctx.set_locale(language[0])
        await greet(ctx)
        return
    if CONSENT.parse(ctx.payload) != ("yes",):
        ctx.finish()
        ctx.say(
            ctx._("All right: I keep nothing about you. Send /start whenever you change your mind.")
        )
        return
    await ctx.update_user(consent_at=ctx.now_iso, locale=ctx.locale)
    await ctx.give_back(True)


async def redeem(ctx: Context, code: str) -> bool:
    """Uses a code of any kind the features registered; says so if none takes it."""
    return await try_code(ctx, code, _redeem_any)


async def _redeem_any(ctx: Context, code: str) -> bool:
    kind = ctx.router.code_kind(code)
    if kind is not None:
        return await kind.redeem(ctx, code)
    ctx.say(
        ctx._(
            "This code does not work: it may be mistyped, already used or expired. "
            "Please ask for a new one."
        )
    )
    return False


async def try_code(ctx: Context, code: str, use: Redeem) -> bool:
    """Tries a code unless the person is cooling down: after MAX_MISSES wrong codes within
    COOL_DOWN, codes are refused without being looked at until the oldest of those is
    COOL_DOWN old. Codes are short: guessing must stay slow."""
    now = ctx.now
    recent = await code_misses.since(ctx.tx, ctx.user.id, iso(now - COOL_DOWN))
    if len(recent) >= MAX_MISSES:
        wait = COOL_DOWN - (now - datetime.fromisoformat(recent[-MAX_MISSES]))
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        ctx.say(
            ctx._.plural(
                "Too many wrong codes. Please wait {count} minute, then try again.",
                "Too many wrong codes. Please wait {count} minutes, then try again.",
                minutes,
            )
        )
        return False
    if await use(ctx, code):
        return True
    await code_misses.add(ctx.tx, ctx.user.id, ctx.now_iso, iso(now - COOL_DOWN))
    return False


def register(router: Router) -> None:
    router.add_state(State(STEP, greet, on_choice=on_consent))
    router.add_state(State(AGREED, greet, on_return=on_agreed))
