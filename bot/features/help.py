"""/help, /menu and small talk: what this person can do in their role, and a friendly word back.

The menu is made of the actions features register (`router.add_menu_item`), filtered by the
person's role; it is shown after onboarding and after any answer the bot could not place.
"""

from __future__ import annotations

from bot.core.auth import EVERYONE
from bot.core.context import Context
from bot.core.router import N_, Command, MenuItem, Router


async def show_help(ctx: Context) -> None:
    _ = ctx._
    lines = [_("What I can do for you:")]
    for command in ctx.router.visible_commands(ctx.role):
        lines.append(f"/{command.name} — {_(command.help)}")
    if ctx.role.value == "guest":
        lines.append("")
        lines.append(_("Send /start to begin."))
    ctx.say("\n".join(lines))


async def show_menu(ctx: Context) -> None:
    if ctx.role.value == "guest":
        ctx.say(ctx._("Send /start to begin: it takes three quick questions."))
        return
    ctx.ask(ctx._("What would you like to do? Type a number or a few words."), ctx.menu())


async def hello(ctx: Context) -> None:
    if ctx.role.value == "guest":
        ctx.say(ctx._("Hello! Send /start and I'll tell you what I do."))
        return
    ctx.ask(ctx._("Hello! What would you like to do today?"), ctx.menu())


async def thanks(ctx: Context) -> None:
    if ctx.role.value == "guest":
        ctx.say(ctx._("You're welcome! Send /start whenever you like."))
        return
    ctx.ask(ctx._("You're welcome! Anything else?"), ctx.menu())


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
    router.add_command(Command("menu", show_menu, EVERYONE, N_("the main menu"), order=1))
    router.add_command(Command("cancel", cancel, EVERYONE, N_("stop what we are doing"), order=3))
    router.add_command(Command("hello", hello, EVERYONE))
    router.add_command(Command("thanks", thanks, EVERYONE))
    router.add_keyword("greet", "hello")
    router.add_menu_item(MenuItem("help", N_("Everything I can do"), order=90))
