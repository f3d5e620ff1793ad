"""The reusable step "ask the person's profile": who they are, school level, age group,
a parent's agreement, commune. Onboarding, /settings, invites and class codes call it.

`ask_profile(ctx, ["role", "commune"], then=STATE)` asks those questions (a student's
answer adds the level and age questions) and gives True back to `then` when they are
answered. Its list of questions lives in its own frame of the conversation, so nothing is
shared with the caller. `ONBOARDED` is the common end of the first steps (after /start,
an invite or a class code). Students give a school level and an age band, never a name.
"""

from __future__ import annotations

from typing import Any

from bot.content.model import AUDIENCES, LEVELS, Commune
from bot.core.clock import local_date
from bot.core.context import Context, UnknownState
from bot.core.messages import Choice
from bot.core.payloads import Payload
from bot.core.router import Router, State
from bot.domain.profile import (
    AGE_LABELS,
    AUDIENCE_LABELS,
    LEVEL_LABELS,
    commune_label,
    market_label,
)
from bot.steps.commune import pick_commune
from bot.storage import counters

NEXT = "profile.next"
HOME = "profile.home"  # takes the person's commune from the commune step
ONBOARDED = "profile.onboarded"
AGE_BANDS = ("u11", "11-14", "15-17", "18+")
GUARDIAN_BANDS = ("u11", "11-14", "15-17")  # may be under 16: a parent's agreement comes first
QUESTIONS = ("role", "level", "age", "guardian", "commune", "market")  # the steps ask_profile takes

AUDIENCE = Payload("aud", "audience")
LEVEL = Payload("lvl", "level")
AGE = Payload("age", "band")
GUARDIAN = Payload("guard", "answer")
MARKET = Payload("mkt", "market")  # a market's id, "other" (every market) or "none"
MAX_MARKETS = 8


async def ask_profile(
    ctx: Context, steps: list[str], *, then: str, guardian_agreed: bool = False
) -> None:
    """Asks `steps` ('role', 'level', 'age', 'commune'); `guardian_agreed` when a parent's
    agreement was already confirmed (joining a class), so that a child is not asked twice."""
    unknown = [s for s in steps if s not in QUESTIONS]
    if unknown:
        raise UnknownState(f"profile questions {unknown}")
    await ctx.call(NEXT, then=then, steps=steps, guardian_agreed=guardian_agreed)


async def next_step(ctx: Context) -> None:
    steps: list[str] = list(ctx.convo.data.get("steps") or [])
    if not steps:
        await ctx.give_back(True)
        return
    ctx.convo.data["steps"] = steps[1:]
    if steps[0] == "commune":
        await pick_commune(ctx, then=HOME)
        return
    ctx.goto(f"profile.{steps[0]}")
    await ctx.reprompt()


async def on_home(ctx: Context, commune: Any) -> None:
    assert isinstance(commune, Commune)
    await ctx.update_user(commune_code=commune.code)
    ctx.say(ctx._("Commune: {commune}.", commune=commune_label(ctx, commune)))
    await next_step(ctx)


async def ask_role(ctx: Context) -> None:
    choices = [
        Choice(ctx._(AUDIENCE_LABELS[a]), AUDIENCE.make(a), f"audience.{a}") for a in AUDIENCES
    ]
    ctx.ask(ctx._("Who are you? This helps me choose tips for you."), choices)


async def on_role(ctx: Context) -> None:
    (audience,) = AUDIENCE.parse(ctx.payload) or ("",)
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


async def ask_market(ctx: Context) -> None:
    """A trader's market: those of their commune first, every market on request, or none."""
    _ = ctx._
    content = ctx.deps.content
    nearby = content.markets_in(ctx.user.commune_code)
    everything = bool(ctx.convo.data.get("all_markets")) or not nearby
    markets = content.markets if everything else nearby
    choices = [Choice(m.name.get(ctx.locale), MARKET.make(m.id)) for m in markets[:MAX_MARKETS]]
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


async def ask_level(ctx: Context) -> None:
    choices = [Choice(ctx._(LEVEL_LABELS[lv]), LEVEL.make(lv), f"level.{lv}") for lv in LEVELS]
    ctx.ask(ctx._("Which school level are you in?"), choices)


async def on_level(ctx: Context) -> None:
    (level,) = LEVEL.parse(ctx.payload) or ("",)
    await ctx.update_user(school_level=level)
    await next_step(ctx)


async def ask_age(ctx: Context) -> None:
    choices = [Choice(ctx._(AGE_LABELS[band]), AGE.make(band), f"age.{band}") for band in AGE_BANDS]
    ctx.ask(ctx._("How old are you? (Just the age group: I never ask for your name.)"), choices)


async def on_age(ctx: Context) -> None:
    (band,) = AGE.parse(ctx.payload) or ("",)
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
        Choice(_("Yes, a parent or guardian agreed"), GUARDIAN.make("yes"), "yes"),
        Choice(_("Not yet"), GUARDIAN.make("no"), "no"),
    ]
    if ctx.convo.data.get("age_pending") == "15-17":
        choices.insert(1, Choice(_("I am 16 or older"), GUARDIAN.make("16"), "age.16+"))
    ctx.ask(
        _(
            "Students under 16 need a parent or guardian's agreement before I keep more than "
            "their school level. Has your parent or guardian agreed that you use this bot?"
        ),
        choices,
    )


async def on_guardian(ctx: Context) -> None:
    band = str(ctx.convo.data.pop("age_pending", "") or "")
    if GUARDIAN.parse(ctx.payload) in (("yes",), ("16",)) and band in GUARDIAN_BANDS:
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


async def finish_onboarding(ctx: Context, _done: object = True) -> None:
    """The end of the first steps: counted once, the teacher's hint, and the menu."""
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
    router.add_state(State(NEXT, next_step))
    router.add_state(State(HOME, next_step, on_return=on_home))
    router.add_state(State(ONBOARDED, finish_onboarding, on_return=finish_onboarding))
    router.add_state(State("profile.role", ask_role, on_choice=on_role))
    router.add_state(State("profile.level", ask_level, on_choice=on_level))
    router.add_state(State("profile.age", ask_age, on_choice=on_age))
    router.add_state(State("profile.guardian", ask_guardian, on_choice=on_guardian))
    router.add_state(State("profile.market", ask_market, on_choice=on_market))
