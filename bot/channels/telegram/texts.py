"""The few texts the Telegram channel shows on its own (translated like every other text)."""

from __future__ import annotations

from bot.core.router import N_

SHARE_LOCATION = N_("Share my location")
OR_SHARE_LOCATION = N_("Or share your location with the button below.")
TOO_BIG = N_("This file is too big for me: please send one of less than {size} MB.")
TRY_AGAIN = N_("Sorry, something went wrong on our side. Please try again.")
