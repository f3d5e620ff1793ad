"""Serves the bot on the messaging platforms whose tokens are set (Telegram, Zalo)."""

from __future__ import annotations

import sys

from bot.settings import Settings


async def serve(settings: Settings) -> int:
    """Runs the configured platform channels until stopped. Returns the exit code."""
    print(
        "A bot token is set, but this version serves only the terminal shell: the Telegram "
        "and Zalo channels are not built yet. Unset TELEGRAM_BOT_TOKEN/ZALO_BOT_TOKEN to use "
        "the shell.",
        file=sys.stderr,
    )
    return 2
