"""Degrades replies to what a channel can show: numbered choices, split long texts."""

from __future__ import annotations

from bot.core.messages import Capabilities, Reply


def numbered(reply: Reply) -> str:
    """The reply's text with its choices as numbered lines, as Zalo and the shell show them."""
    if not reply.choices:
        return reply.text
    if reply.lettered:
        lines = [choice.label for choice in reply.choices]
    else:
        lines = [f"{i}. {choice.label}" for i, choice in enumerate(reply.choices, 1)]
    return reply.text + "\n" + "\n".join(lines)


def letter(index: int) -> str:
    """The letter of the option at this 0-based index: A, B, C, D..."""
    return chr(ord("A") + index)


def split_text(text: str, limit: int) -> list[str]:
    """Splits on line boundaries so that every part fits `limit` characters.

    A single line longer than the limit is cut at the last space before it, or hard-cut.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    if current or not parts:
        parts.append(current)
    return parts


def texts_for(reply: Reply, caps: Capabilities) -> list[str]:
    """The text parts to send for one reply on a channel with these capabilities."""
    text = reply.text if caps.buttons else numbered(reply)
    return split_text(text, caps.max_text)
