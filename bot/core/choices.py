"""Server-side validation of offered choices.

A button press or a typed answer counts only if it matches what the bot offered this person
in their current step: by payload (buttons), by number ("2") or by the option's words, with
or without accents.
"""

from __future__ import annotations

import re

from bot.core.messages import Choice
from bot.core.payloads import MAX_PAYLOAD_BYTES, Payload
from bot.core.text import fold

COMMAND = Payload("cmd", "name")  # a menu button: as good as typing the command


_NUMBER = re.compile(r"[0-9]{1,4}")


def is_number(text: str) -> bool:
    """An answer like '2', '2.' or '2)'; ASCII digits only ('²' is not a number here)."""
    return _NUMBER.fullmatch(text.strip().rstrip(".)")) is not None


def is_offered(payload: str, offered: list[Choice]) -> bool:
    return any(choice.payload == payload for choice in offered)


def match(text: str, offered: list[Choice]) -> str | None:
    """The payload the typed text picks from the offered choices, if any."""
    if not offered:
        return None
    if is_number(text):
        index = int(text.strip().rstrip(".)"))
        return offered[index - 1].payload if 1 <= index <= len(offered) else None
    folded = fold(text)
    for choice in offered:
        if fold(choice.label) == folded:
            return choice.payload
    return None


def checked(choice: Choice) -> Choice:
    """Refuses a payload that a channel could not carry back (Telegram: 64 bytes)."""
    if len(choice.payload.encode()) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"choice payload over {MAX_PAYLOAD_BYTES} bytes: {choice.payload!r}")
    return choice
