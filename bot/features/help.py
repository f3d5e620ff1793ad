"""/help lists what this person can do in their role; /cancel leaves the current step."""

from __future__ import annotations

from bot.core.auth import EVERYONE
from bot.core.context import Context
from bot.core.router import N_, Command, Router


async def show_help(ctx: Context) -> None:
    _ = ctx._
    lines = [_("What I can do for you:")]
    for command in ctx.router.visible_commands(ctx.role):
        lines.append(f"/{command.name} — {_(command.help)}")
    if ctx.role.value == "guest":
        lines.append("")
        lines.append(_("Send /start to begin."))
    ctx.say("\n".join(lines))


async def cancel(ctx: Context) -> None:
    ctx.say(ctx._("OK, cancelled. Send /help to see what I can do."))


def register(router: Router) -> None:
    router.add_command(
        Command(
            "help",
            show_help,
            EVERYONE,
            N_("this list"),
            keeps_state=True,
            private_only=False,
            order=2,
        )
    )
    router.add_command(Command("cancel", cancel, EVERYONE, N_("stop what we are doing"), order=3))
