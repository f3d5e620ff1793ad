"""What /addschool and /teacher share about a school: a name worth saving."""

from __future__ import annotations

from bot.core.context import Context
from bot.domain.schools.fields import MAX_NAME


def valid_school_name(ctx: Context, text: str) -> bool:
    """True for a plausible school name; otherwise says what is expected."""
    if not any(c.isalpha() for c in text) or len(text) < 3 or len(text) > MAX_NAME:
        ctx.say(
            ctx._(
                "Please write the school's name: 3 to {limit} characters, with letters.",
                limit=MAX_NAME,
            )
        )
        return False
    return True
