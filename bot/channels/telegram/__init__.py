"""The Telegram channel (python-telegram-bot v22): everything that knows about Telegram.

- `inbound`: updates -> `Incoming` (what to hand the engine, what to ignore);
- `sender`: `Reply` -> Bot API calls, Telegram errors -> the shared send errors;
- `limiter`: Telegram's flood limits, 429 pauses and retries;
- `webhook`: the webhook route (the 200 once the update is stored in the inbox);
- `courtesy`: a press's acknowledgement and the removal of its keyboard;
- `commands`: the command menus;
- `lean`: python-telegram-bot's bot with calls whose answers stay JSON;
- `aiohttp_request`: python-telegram-bot's HTTP backend on aiohttp (kept-alive pools);
- `channel`: ties them to the engine's door (the durable inbox), by polling or webhook.
"""

import os

# python-telegram-bot 22 warns on every 429 (`RetryAfter.retry_after` becomes a timedelta in
# v23) unless this documented opt-in is set; the code here accepts both forms.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.inbound import CHANNEL
from bot.channels.telegram.limiter import Limits
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.tuning import Tuning

__all__ = ["CHANNEL", "Limits", "TelegramChannel", "TelegramSender", "Tuning"]
