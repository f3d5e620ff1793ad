"""The command menu (`setMyCommands`): per language, and per scope where Telegram allows it.

Telegram scopes menus by chat, not by our roles, so the menu stays honest and simple:
- everyone, in private chats: the commands of a member (a newcomer who taps one is asked to
  /start first);
- all group chats: only the commands that work in a group;
- each admin named in BOT_ADMINS (telegram:<id>): the admin commands, in their private chat.
Each list is set for Vietnamese, English, and without a language (Vietnamese) as the fallback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from telegram import Bot, BotCommand, BotCommandScope, BotCommandScopeAllGroupChats
from telegram import BotCommandScopeChat as ChatScope
from telegram.error import TelegramError

from bot.core.auth import Role
from bot.core.i18n import DEFAULT_LOCALE, SUPPORTED, I18n
from bot.core.router import Command, Router

log = logging.getLogger(__name__)
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_DESCRIPTION = 256


def menu(commands: Iterable[Command], i18n: I18n, locale: str) -> list[BotCommand]:
    _ = i18n.translator(locale)
    return [
        BotCommand(c.name, _(c.help)[:MAX_DESCRIPTION])
        for c in commands
        if COMMAND_NAME.match(c.name) and c.help
    ]


def admin_chats(admins: Iterable[str]) -> list[int]:
    return sorted(int(a.split(":", 1)[1]) for a in admins if re.match(r"^telegram:-?\d+$", a))


async def set_commands(bot: Bot, router: Router, i18n: I18n, admins: Iterable[str]) -> int:
    """Sets every menu; returns how many were set (a refused one is logged, not fatal)."""
    members = router.visible_commands(Role.RESIDENT)
    in_groups = [c for c in members if not c.private_only]
    scopes: list[tuple[BotCommandScope | None, list[Command]]] = [
        (None, members),
        (BotCommandScopeAllGroupChats(), in_groups),
    ]
    scopes += [
        (ChatScope(chat), router.visible_commands(Role.ADMIN)) for chat in admin_chats(admins)
    ]
    done = 0
    for scope, commands in scopes:
        for locale in (None, *SUPPORTED):
            items = menu(commands, i18n, locale or DEFAULT_LOCALE)
            try:
                await bot.set_my_commands(items, scope=scope, language_code=locale)
                done += 1
            except TelegramError as exc:
                log.warning("could not set the %s command menu (%s): %s", scope, locale, exc)
    return done
