"""/start: greeting, consent, then who you are and your commune.

The greeting and consent (bot.steps.consent) and the questions (bot.steps.profile) are
reusable steps: a class code or an invite code brought by someone new goes through the same
ones. Nothing about the person is stored beyond their channel id until they agree.
"""

from __future__ import annotations

from bot.core.auth import EVERYONE
from bot.core.context import Context
from bot.core.router import N_, Command, Router
from bot.steps.consent import agree_first, first_steps, redeem


async def start(ctx: Context) -> None:
    code = ctx.incoming.args.split()[0] if ctx.incoming.args else ""
    if ctx.user.onboarded:
        if code:
            await redeem(ctx, code)
            return
        ctx.ask(ctx._("Welcome back! What would you like to do?"), ctx.menu())
        return
    if not ctx.user.consented:
        await agree_first(ctx, code)
        return
    if code and await redeem(ctx, code):
        return
    await first_steps(ctx)


def register(router: Router) -> None:
    router.add_command(
        Command("start", start, EVERYONE, N_("start, or see the main menu"), order=1)
    )
