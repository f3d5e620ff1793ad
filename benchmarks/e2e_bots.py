"""The two bots the end-to-end benchmark runs as separate processes.

- `bot`: this project's bot (`serve`), durable inbox and answers, limiter on or lifted;
- `naive`: a python-telegram-bot application in the style of its examples: one
  CommandHandler and one CallbackQueryHandler, each one aiosqlite INSERT + commit and one
  reply; `limits` gives it python-telegram-bot's own AIORateLimiter at 30/s.

Run by benchmarks/end_to_end.py: `python benchmarks/e2e_bots.py KIND BASE_URL DB
limits|nolimits [WEBHOOK_URL PORT]`.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PTB_TIMEDELTA", "true")

TOKEN = "123456789:AAH-fake-token-for-tests_0123456789"
SECRET = "bench_secret"


def run_bot(base_url: str, db: str, limits: bool, webhook: str | None, port: int) -> None:
    from bot.channels.telegram import Limits, Tuning
    from bot.runner import serve
    from bot.settings import Settings

    extra: dict[str, Any] = {}
    if webhook:
        extra = {"telegram_webhook_url": webhook, "telegram_webhook_secret": SECRET}
    settings = Settings(
        db_path=db,
        database_url=os.environ.get("DATABASE_URL") or None,  # the -pg modes
        telegram_token=TOKEN,
        telegram_api_base_url=base_url,
        http_port=port,
        **extra,
    )
    tuning = Tuning(limits=Limits() if limits else Limits(0, 0, 0), poll_timeout=5, read_timeout=10)
    sys.exit(asyncio.run(serve(settings, tuning=tuning, settle=True)))  # as `bot run`


def run_naive(base_url: str, db: str, limits: bool, webhook: str | None, port: int) -> None:
    import aiosqlite
    from telegram import Update
    from telegram.ext import (
        AIORateLimiter,
        Application,
        CallbackQueryHandler,
        CommandHandler,
        ContextTypes,
    )

    async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        conn = await aiosqlite.connect(db)
        await conn.execute("CREATE TABLE IF NOT EXISTS seen (user_id INTEGER, what TEXT)")
        await conn.commit()
        app.bot_data["db"] = conn

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        conn = context.bot_data["db"]
        assert update.effective_user is not None and update.message is not None
        await conn.execute("INSERT INTO seen VALUES (?, ?)", (update.effective_user.id, "start"))
        await conn.commit()
        await update.message.reply_text("Hello! I am a naive bot.")

    async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        conn = context.bot_data["db"]
        query = update.callback_query
        assert query is not None and update.effective_user is not None
        await conn.execute("INSERT INTO seen VALUES (?, ?)", (update.effective_user.id, "press"))
        await conn.commit()
        await query.answer()
        await context.bot.send_message(update.effective_user.id, f"You chose {query.data}.")

    builder = Application.builder().token(TOKEN).base_url(base_url).post_init(post_init)
    if limits:
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=30, max_retries=3))
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(press))
    if webhook:
        app.run_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="telegram",
            secret_token=SECRET,
            webhook_url=webhook,
        )
    else:
        app.run_polling(poll_interval=0, timeout=5)


if __name__ == "__main__":
    kind, base, database, limit_word = sys.argv[1:5]
    hook = sys.argv[5] if len(sys.argv) > 5 else None
    http_port = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    run = run_naive if kind == "naive" else run_bot
    run(base, database, limit_word == "limits", hook, http_port)
